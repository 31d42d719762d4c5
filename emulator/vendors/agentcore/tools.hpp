// The code-interpreter sandbox, emulated: a per-session in-memory file tree and deterministic
// tools, answered as InvokeCodeInterpreter event-stream frames.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

struct AgentcoreCall;

// The sandbox's working directory: relative paths resolve against it.
inline constexpr std::string_view kSandboxHome = "/home/sandbox";

// Runs the tool the request names (body "name" and "arguments") against the session and
// appends the answer (a result event, or a validationException event) to `stream`.
void run_tool(ToolSession& session, const AgentcoreCall& in, std::string& stream);

// "a/../b.txt" -> "/home/sandbox/b.txt"; "/x//y/" -> "/x/y"; nullopt for an empty path.
std::optional<std::string> sandbox_path(std::string_view path);

}  // namespace agentemu::agentcore
