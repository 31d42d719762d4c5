// InvokeAgentRuntimeCommand: a shell command run in the runtime session's own working directory
// (sandbox.hpp, the code interpreter's executor and --exec-limits), its output streamed as the
// model's event stream while it runs: one `chunk` event {"contentStart":{}}, then
// {"contentDelta":{"stdout"|"stderr": ...}} as output arrives, then
// {"contentStop":{"exitCode":N,"status":"COMPLETED"|"TIMED_OUT"}}.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vendors/agentcore/sandbox.hpp"

namespace agentemu::agentcore {

struct HandlerContext;

// Answers 200 with the event stream and starts the command; the stream ends with the command.
void stream_runtime_command(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox, std::string_view session_id,
                            std::string command, std::chrono::milliseconds timeout);
// --code-interpreter echo: the same stream, deterministic: the command line as stdout, exit 0.
void echo_runtime_command(HandlerContext& h, std::string_view session_id, std::string_view command);

// The `chunk` event of one ResponseChunk member: contentStart {}, contentDelta {...}, contentStop {...}.
void append_chunk_event(std::string& out, std::string_view member, std::string_view json);
// How many bytes at the end of `bytes` begin a UTF-8 sequence that is not complete yet (0..3).
std::size_t incomplete_utf8_tail(std::string_view bytes);

}  // namespace agentemu::agentcore
