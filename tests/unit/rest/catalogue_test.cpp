#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include "core/call.hpp"
#include "vendors/rest/errors.hpp"
#include "vendors/rest/operations.hpp"

using namespace agentemu;
using namespace agentemu::rest;

namespace {
JsonDocument body_of(const Call& call) {
  JsonDocument doc;
  doc.Parse(call.response.body.c_str());
  return doc;
}
}  // namespace

TEST_CASE("rest: the documented profile renders {success:false, error:<text>}") {
  struct Case {
    Err err;
    int status;
    const char* text;
  };
  const Case cases[] = {
      {Err::agent_not_found, 404, "Agent not found"},
      {Err::agent_not_running, 409, "Agent is not running"},
      {Err::graceful_timeout, 408, "Graceful shutdown timed out"},
      {Err::stop_failed, 500, "Failed to stop agent runtime"},
      {Err::invalid_id, 400, "Invalid agent ID format"},
      {Err::unauthorized, 401, "Unauthorized"},
  };
  for (const Case& c : cases) {
    Call call;
    render(call, Profile::docs, c.err);
    CHECK(call.response.status == c.status);
    CHECK(call.response.content_type == kJsonUtf8);
    const JsonDocument doc = body_of(call);
    CHECK(doc["success"].IsFalse());
    CHECK(std::string(doc["error"].GetString()) == c.text);
    CHECK(call.error_code == c.text);
  }
  Call call;
  render(call, Profile::docs, Err::unauthorized);
  CHECK(call.response.header("WWW-Authenticate") == "Bearer");
}

TEST_CASE("rest: the elizaOS profile renders its own codes and shapes") {
  Call not_running;
  render(not_running, Profile::eliza, Err::agent_not_running);
  CHECK(not_running.response.status == 404);
  CHECK(not_running.response.body == R"({"success":false,"error":{"code":"NOT_FOUND","message":"Agent not found"}})");
  CHECK(not_running.error_code == "NOT_FOUND");

  Call bad_id;
  render(bad_id, Profile::eliza, Err::invalid_id);
  CHECK(bad_id.response.body == R"({"success":false,"error":{"code":"INVALID_ID","message":"Invalid agent ID format"}})");

  Call auth;
  render(auth, Profile::eliza, Err::unauthorized);
  CHECK(auth.response.status == 401);
  CHECK(auth.response.body == R"({"error":"API key required","message":"Missing or invalid X-API-KEY header"})");

  Call route;
  render(route, Profile::eliza, Err::route_not_found);
  CHECK(route.response.body == R"({"success":false,"error":{"message":"API endpoint not found","code":404}})");

  Call details;
  render(details, Profile::eliza, Err::create_error, {.message = "No character configuration provided",
                                                      .details = "No character configuration provided"});
  CHECK(details.response.status == 400);
  CHECK(details.response.body ==
        R"({"success":false,"error":{"code":"CREATE_ERROR","message":"No character configuration provided","details":"No character configuration provided"}})");
}

TEST_CASE("rest: errors are found by text or elizaOS code; overrides apply") {
  CHECK(find_error("Agent is not running") == Err::agent_not_running);
  CHECK(find_error("Graceful shutdown timed out") == Err::graceful_timeout);
  CHECK(find_error("INVALID_ID") == Err::invalid_id);
  CHECK(find_error("RATE_LIMIT_EXCEEDED") == Err::rate_limited);
  CHECK_FALSE(find_error("agent is not running").has_value());
  CHECK_FALSE(find_error("").has_value());

  Call call;
  render(call, Profile::docs, Err::rate_limited, {.message = "slow down", .status = 503, .retry_after_seconds = 7});
  CHECK(call.response.status == 503);
  CHECK(call.response.header("Retry-After") == "7");
  CHECK(call.response.body == R"({"success":false,"error":"slow down"})");
}

TEST_CASE("rest: routes of both profiles") {
  using P = Profile;
  const auto route = [](P p, std::string_view m, std::string_view path) { return match_route(p, m, path); };
  CHECK(route(P::docs, "GET", "/agents")->op() == Op::list);
  CHECK(route(P::docs, "GET", "/agents/")->op() == Op::list);
  CHECK(route(P::docs, "POST", "/agents")->op() == Op::create);
  CHECK(route(P::docs, "GET", "/agents/abc")->op() == Op::get);
  CHECK(route(P::docs, "GET", "/agents/abc")->param("agentId") == "abc");
  CHECK(route(P::docs, "PATCH", "/agents/abc")->op() == Op::update);
  CHECK(route(P::docs, "PUT", "/agents/abc")->op() == Op::update);
  CHECK(route(P::docs, "DELETE", "/agents/abc/")->op() == Op::remove);
  CHECK(route(P::docs, "POST", "/agents/abc/start")->op() == Op::start);
  CHECK(route(P::docs, "POST", "/agents/abc/stop")->op() == Op::stop);
  CHECK_FALSE(route(P::docs, "GET", "/agents/abc/stop"));
  CHECK_FALSE(route(P::docs, "POST", "/agents/abc/pause"));
  CHECK_FALSE(route(P::docs, "DELETE", "/agents"));
  CHECK_FALSE(route(P::docs, "GET", "/agents//"));
  CHECK_FALSE(route(P::docs, "GET", "/agentsx"));
  CHECK(route(P::eliza, "GET", "/api/agents")->op() == Op::list);
  CHECK(route(P::eliza, "PATCH", "/api/agents/abc")->op() == Op::update);
  CHECK_FALSE(route(P::eliza, "PUT", "/api/agents/abc"));  // the server routes PATCH only
  CHECK(route(P::eliza, "POST", "/api/agents/abc/stop")->op() == Op::stop);
}

TEST_CASE("rest: the elizaOS routes, in Express's order") {
  using P = Profile;
  const auto name_of = [](std::string_view method, std::string_view path) -> std::string {
    const auto match = match_route(P::eliza, method, path);
    return match ? std::string(kOperationNames[match->operation]) : std::string("-");
  };
  CHECK(name_of("GET", "/api/agents/worlds") == "GetAgent");  // crud's /:agentId is mounted first
  CHECK(name_of("POST", "/api/agents/abc/worlds") == "AddAgentToWorld");
  CHECK(name_of("PATCH", "/api/agents/abc/worlds/w1") == "UpdateAgentWorldSettings");
  CHECK(name_of("DELETE", "/api/agents/abc/logs/l1/") == "DeleteAgentLog");
  CHECK(name_of("DELETE", "/api/memory/groups/memories") == "ClearAgentMemories");
  CHECK(name_of("DELETE", "/api/memory/groups/g1/memories") == "ClearWorldMemories");
  CHECK(name_of("POST", "/api/messaging/central-channels") == "CreateChannel");
  CHECK(name_of("GET", "/api/system/version") == "GetVersion");
  CHECK(name_of("POST", "/api/messaging/complete") == "-");
  CHECK(name_of("GET", "/api/server/ping/x") == "-");
  CHECK(name_of("GET", "/api/agents/abc//logs") == "-");
  CHECK(name_of("GET", "/api/a/b/c/d/e/f/g/h/i") == "-");

  const auto match = match_route(P::eliza, "DELETE", "/api/messaging/channels/c1/agents/a1");
  REQUIRE(match);
  CHECK_FALSE(match->emulated());
  CHECK(match->param("channelId") == "c1");
  CHECK(match->param("agentId") == "a1");
  CHECK(match->param("worldId").empty());
  CHECK(match_route(P::eliza, "GET", "/api/agents/abc/logs")->op() == Op::logs);

  // Every name is an operation of the table, the emulated ones first.
  CHECK(operation_index("ListAgents") == 0);
  CHECK(operation_index("DeleteAgentLog") == kEmulatedCount - 1);
  CHECK(operation_index("ListRuns") == kEmulatedCount);
  CHECK(operation_index("NoSuchThing") == -1);
}

TEST_CASE("rest: the elizaOS-only errors render in their own shapes") {
  Call plugin;
  render(plugin, Profile::eliza, Err::runtime_not_found);
  CHECK(plugin.response.status == 404);
  CHECK(plugin.response.body == R"({"success":false,"error":{"message":"Agent not found","code":"AGENT_NOT_FOUND"}})");
  Call missing;
  render(missing, Profile::eliza, Err::not_implemented, {.message = "agentemu does not emulate Ping"});
  CHECK(missing.response.status == 501);
  CHECK(missing.response.body ==
        R"({"success":false,"error":{"code":"NOT_IMPLEMENTED","message":"agentemu does not emulate Ping"}})");
  CHECK(missing.error_code == "NOT_IMPLEMENTED");
  CHECK(find_error("World name is required") == Err::bad_request);
  CHECK(find_error("LOG_ERROR") == Err::log_error);
}
