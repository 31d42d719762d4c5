// What AgentCore runs for real: runtime sessions held by a busy agent, the WebSocket route,
// sandbox paths and the texts an agent's failures get.
#include <doctest/doctest.h>

#include "vendors/agentcore/agent_link.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/eventstream.hpp"
#include "vendors/agentcore/runtime_command.hpp"
#include "vendors/agentcore/sandbox.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;
using namespace std::chrono_literals;

namespace {
constexpr std::string_view kArn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5";
}

TEST_CASE("a busy agent holds its session's idle timeout, not its lifetime") {
  RuntimeSessions sessions;
  const SystemTime t0 = from_epoch_millis(1'800'000'000'000);
  RuntimeSession s;
  s.created_at = s.last_active_at = t0;
  s.idle_timeout = 60;
  s.max_lifetime = 600;
  RuntimeSession& live = sessions.add("k", kArn, s);
  sessions.set_busy("k", live, true, t0 + 10s);
  sessions.advance(t0 + 300s);
  REQUIRE(sessions.find("k") != nullptr);
  CHECK(sessions.find("k")->status(t0 + 300s) == SessionStatus::ready);
  // No longer busy: the idle timeout counts from then.
  sessions.set_busy("k", *sessions.find("k"), false, t0 + 300s);
  CHECK(sessions.find("k")->status(t0 + 359s) == SessionStatus::ready);
  sessions.advance(t0 + 361s);
  CHECK(sessions.find("k")->status(t0 + 361s) == SessionStatus::terminated);
  // Ended stays ended, even with the clock moved back before its end.
  CHECK(sessions.find("k")->status(t0 + 1s) == SessionStatus::terminated);

  RuntimeSession& busy = sessions.add("b", kArn, s);
  sessions.set_busy("b", busy, true, t0);
  sessions.advance(t0 + 601s);
  CHECK(sessions.find("b")->status(t0 + 601s) == SessionStatus::terminated);  // the lifetime still ends it
}

TEST_CASE("READY runtime sessions are bounded: past the bound the one due to end first ends") {
  RuntimeSessions sessions;
  const SystemTime t0 = from_epoch_millis(1'800'000'000'000);
  RuntimeSession s;
  s.idle_timeout = 900;
  for (std::size_t i = 0; i < kReadyRuntimeSessionsKept; ++i) {
    s.created_at = s.last_active_at = t0 + std::chrono::milliseconds(i);
    sessions.make_room(s.created_at);
    sessions.add("k" + std::to_string(i), kArn, s);
  }
  const SystemTime now = t0 + 20s;
  CHECK(sessions.find("k0")->status(now) == SessionStatus::ready);
  sessions.make_room(now);
  s.created_at = s.last_active_at = now;
  sessions.add("new", kArn, s);
  CHECK(sessions.find("k0")->status(now) == SessionStatus::terminated);  // the least recently active
  CHECK(sessions.find("k1")->status(now) == SessionStatus::ready);
  CHECK(sessions.find("new")->status(now) == SessionStatus::ready);
  std::size_t ready = 0;
  for (const auto& [key, session] : sessions.all()) ready += session.status(now) == SessionStatus::ready ? 1 : 0;
  CHECK(ready == kReadyRuntimeSessionsKept);
}

TEST_CASE("the runtime WebSocket route is GET /runtimes/{label}/ws and nothing else") {
  Request r;
  r.method = "GET";
  r.path = "/runtimes/arn%3Aaws%3Ax/ws";
  CHECK(runtime_websocket_label(r) == std::optional<std::string_view>("arn%3Aaws%3Ax"));
  r.path = "/runtimes/ws";
  CHECK_FALSE(runtime_websocket_label(r));
  r.path = "/runtimes//ws";
  CHECK_FALSE(runtime_websocket_label(r));
  r.path = "/runtimes/a/b/ws";
  CHECK_FALSE(runtime_websocket_label(r));
  r.path = "/runtimes/a/invocations";
  CHECK_FALSE(runtime_websocket_label(r));
  r.method = "POST";
  r.path = "/runtimes/a/ws";
  CHECK_FALSE(runtime_websocket_label(r));
}

TEST_CASE("sandbox paths stay inside the session's directory") {
  const std::string dir = "/tmp/agentemu-1-ab/code-interpreter-x";
  CHECK(sandbox_file(dir, "a.txt") == dir + "/a.txt");
  CHECK(sandbox_file(dir, "./d//b.txt") == dir + "/d/b.txt");
  CHECK(sandbox_file(dir, "d/../c") == dir + "/c");
  CHECK(sandbox_file(dir, ".") == dir);
  CHECK(sandbox_file(dir, dir + "/e") == dir + "/e");
  CHECK_FALSE(sandbox_file(dir, "../x"));
  CHECK_FALSE(sandbox_file(dir, "/etc/passwd"));
  CHECK_FALSE(sandbox_file(dir, dir + "-other/f"));
  CHECK_FALSE(sandbox_file(dir, ""));
}

TEST_CASE("an agent's error status gets AWS's own words") {
  CHECK(runtime_error_message(500) == "Received error (500) from runtime. Please check your CloudWatch logs for more information.");
}

TEST_CASE("a command's output goes out in whole UTF-8 characters") {
  CHECK(incomplete_utf8_tail("") == 0);
  CHECK(incomplete_utf8_tail("abc") == 0);
  CHECK(incomplete_utf8_tail("caf\xc3\xa9") == 0);       // é complete
  CHECK(incomplete_utf8_tail("caf\xc3") == 1);           // é begun
  CHECK(incomplete_utf8_tail("\xe2\x82") == 2);          // € begun
  CHECK(incomplete_utf8_tail("x\xf0\x9f\x98") == 3);     // an emoji begun
  CHECK(incomplete_utf8_tail("x\xf0\x9f\x98\x80") == 0);  // and finished
  CHECK(incomplete_utf8_tail("\x80\x80\x80\x80") == 0);  // stray continuation bytes: not held
}

TEST_CASE("InvokeAgentRuntimeCommand's events are `chunk` events holding one ResponseChunk member") {
  std::string stream;
  append_chunk_event(stream, "contentStop", R"({"exitCode":3,"status":"COMPLETED"})");
  std::size_t used = 0;
  std::string error;
  const auto event = decode_event_message(stream, used, error);
  REQUIRE(event);
  CHECK(used == stream.size());
  CHECK(event->header(":message-type") == "event");
  CHECK(event->header(":event-type") == "chunk");
  CHECK(event->header(":content-type") == "application/json");
  CHECK(event->payload == R"({"contentStop":{"exitCode":3,"status":"COMPLETED"}})");
}

TEST_CASE("runtime sessions share one copy of their runtime's ARN and endpoint name, kept while held") {
  RuntimeSessions sessions;
  const SystemTime t0 = from_epoch_millis(1'800'000'000'000);
  RuntimeSession s;
  s.created_at = s.last_active_at = t0;
  s.idle_timeout = 60;
  const std::string other = "arn:aws-cn:bedrock-agentcore:cn-north-1:123456789012:runtime/other_agent-a1b2c3d4e5";
  RuntimeSession& a = sessions.add("a", kArn, s);
  RuntimeSession& b = sessions.add("b", kArn, s);
  RuntimeSession& c = sessions.add("c", other, s);
  CHECK(a.qualifier() == "DEFAULT");  // until invoked through another endpoint
  sessions.set_qualifier(b, "beta");
  sessions.set_qualifier(c, "beta");
  CHECK(sessions.shared_strings() == 3);  // two ARNs, one endpoint name
  CHECK(a.runtime_arn() == kArn);
  CHECK(b.runtime_arn().data() == a.runtime_arn().data());  // the same copy
  CHECK(c.runtime_arn() == other);
  CHECK(b.qualifier() == "beta");
  sessions.set_qualifier(b, "DEFAULT");
  CHECK(b.qualifier() == "DEFAULT");
  // Replacing a session gives up what the old one held.
  sessions.add("c", kArn, s);
  CHECK(sessions.shared_strings() == 1);
  // Forgotten sessions (ended, then past the retention) give up theirs.
  sessions.advance(t0 + 61s);
  sessions.advance(t0 + 61s + kTerminatedRetention);
  CHECK(sessions.size() == 0);
  CHECK(sessions.shared_strings() == 0);
}
