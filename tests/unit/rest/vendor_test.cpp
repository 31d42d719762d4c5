// The vendor driven without sockets: graceful stops wait on scheduler timers, never a thread.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include "support/harness.hpp"
#include "vendors/rest/rest_vendor.hpp"

using namespace agentemu;
using namespace agentemu::testing;

namespace {

constexpr const char* kAgent = "550e8400-e29b-41d4-a716-446655440000";

struct Fixture {
  TestCore core;
  rest::RestVendor vendor{core.context()};

  std::optional<FixtureIssue> load(const char* json) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(json, doc, JsonDialect::relaxed).has_value());
    if (auto issue = vendor.check_fixture(doc, "/rest")) return issue;
    vendor.apply_fixture(doc);
    return std::nullopt;
  }

  std::shared_ptr<TestCall> send(std::string method, std::string path, std::string body = {},
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    TestRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    if (!request.body.empty() && headers.empty()) request.headers.emplace_back("Content-Type", "application/json");
    for (auto& h : headers) request.headers.push_back(std::move(h));
    auto call = TestCall::make(std::move(request), core.clock);
    call->run(vendor);
    return call;
  }

  std::shared_ptr<TestCall> stop(std::string body) {
    return send("POST", std::string("/agents/") + kAgent + "/stop", std::move(body));
  }

  std::string status_of() {
    auto call = send("GET", std::string("/agents/") + kAgent);
    JsonDocument doc;
    doc.Parse(call->call.response.body.c_str());
    return doc["data"]["status"].GetString();
  }
};

std::string error_of(const TestCall& call) {
  JsonDocument doc;
  doc.Parse(call.call.response.body.c_str());
  return doc.HasMember("error") && doc["error"].IsString() ? doc["error"].GetString() : "";
}

}  // namespace

TEST_CASE("rest: a graceful stop waits for the work, then stops the agent") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":60}]})"));
  auto stop = f.stop(R"({"graceful":true,"timeout":5000})");
  CHECK(stop->call.paused());
  CHECK(stop->resumed == 0);
  CHECK(f.status_of() == "active");
  f.core.run_for(std::chrono::milliseconds(400));
  REQUIRE(stop->resumed == 1);
  CHECK(stop->call.response.status == 200);
  JsonDocument doc;
  doc.Parse(stop->call.response.body.c_str());
  CHECK(std::string(doc["message"].GetString()) == "Agent stopped successfully");
  CHECK(std::string(doc["data"]["status"].GetString()) == "inactive");
  CHECK(doc["data"]["stoppedAt"].IsInt64());
  CHECK(f.status_of() == "inactive");
}

TEST_CASE("rest: work that outlasts the timeout ends in 408 and the agent stays active") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":600000}]})"));
  auto stop = f.stop(R"({"timeout":30})");
  CHECK(stop->call.paused());
  f.core.run_for(std::chrono::milliseconds(300));
  REQUIRE(stop->resumed == 1);
  CHECK(stop->call.response.status == 408);
  CHECK(error_of(*stop) == "Graceful shutdown timed out");
  CHECK(stop->call.error_code == "Graceful shutdown timed out");
  CHECK(f.status_of() == "active");

  SUBCASE("timeout 0 answers at once") {
    auto now = f.stop(R"({"timeout":0})");
    CHECK_FALSE(now->call.paused());
    CHECK(now->call.response.status == 408);
  }
  SUBCASE("a forced stop still works") {
    auto forced = f.stop(R"({"graceful":false})");
    CHECK(forced->call.response.status == 200);
    CHECK(f.status_of() == "inactive");
  }
}

TEST_CASE("rest: the emulator clock moves a waiting stop") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":20000}]})"));
  auto stop = f.stop("{}");  // default timeout 30000 ms
  REQUIRE(stop->call.paused());
  f.core.run_for(std::chrono::milliseconds(30));
  CHECK(stop->resumed == 0);
  f.core.clock.set_offset(std::chrono::seconds(25));
  f.core.scheduler.clock_changed();
  f.core.run_for(std::chrono::milliseconds(300));
  REQUIRE(stop->resumed == 1);
  CHECK(stop->call.response.status == 200);

  SUBCASE("past both the work and the timeout, the earlier event decides") {
    REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","status":"active","busyMs":40000}]})"));
    auto late = f.stop(R"({"timeout":10000})");
    REQUIRE(late->call.paused());
    f.core.clock.set_offset(std::chrono::seconds(25 + 100));
    f.core.scheduler.clock_changed();
    f.core.run_for(std::chrono::milliseconds(300));
    REQUIRE(late->resumed == 1);
    CHECK(late->call.response.status == 408);
  }
}

TEST_CASE("rest: concurrent stops join; each keeps its own timeout") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":150}]})"));
  auto impatient = f.stop(R"({"timeout":20})");
  auto patient1 = f.stop(R"({"timeout":5000})");
  auto patient2 = f.stop("");  // no body: the defaults
  CHECK(impatient->call.paused());
  CHECK(patient1->call.paused());
  CHECK(patient2->call.paused());
  f.core.run_for(std::chrono::milliseconds(600));
  REQUIRE(impatient->resumed == 1);
  REQUIRE(patient1->resumed == 1);
  REQUIRE(patient2->resumed == 1);
  CHECK(impatient->call.response.status == 408);
  CHECK(patient1->call.response.status == 200);
  CHECK(patient2->call.response.status == 200);
  CHECK(patient1->call.response.body == patient2->call.response.body);  // the same stoppedAt
  auto again = f.stop("{}");
  CHECK(again->call.response.status == 409);
  CHECK(error_of(*again) == "Agent is not running");
}

TEST_CASE("rest: a runtime that refuses to stop answers 500 and stays active") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","stopFails":true}]})"));
  auto stop = f.stop(R"({"graceful":false})");
  CHECK(stop->call.response.status == 500);
  CHECK(error_of(*stop) == "Failed to stop agent runtime");
  CHECK(f.status_of() == "active");
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","busyMs":40}]})"));
  auto graceful = f.stop("{}");
  REQUIRE(graceful->call.paused());
  f.core.run_for(std::chrono::milliseconds(300));
  REQUIRE(graceful->resumed == 1);
  CHECK(graceful->call.response.status == 500);
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","stopFails":false}]})"));
  CHECK(f.stop("{}")->call.response.status == 200);
}

TEST_CASE("rest: a reset or a delete ends waiting stops") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":600000}]})"));
  auto waiting = f.stop("{}");
  REQUIRE(waiting->call.paused());
  SUBCASE("delete: the runtime went with the agent") {
    auto removed = f.send("DELETE", std::string("/agents/") + kAgent);
    CHECK(removed->call.response.status == 200);
    REQUIRE(waiting->resumed == 1);
    CHECK(waiting->call.response.status == 200);
  }
  SUBCASE("reset: the agent is gone") {
    f.vendor.clear_state();
    REQUIRE(waiting->resumed == 1);
    CHECK(waiting->call.response.status == 404);
    CHECK(error_of(*waiting) == "Agent not found");
  }
  SUBCASE("finishing the work through the fixtures releases it") {
    REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","busyMs":0}]})"));
    REQUIRE(waiting->resumed == 1);
    CHECK(waiting->call.response.status == 200);
  }
}

TEST_CASE("rest: a stop that settles cancels its wake-ups") {
  Fixture f;
  const char* busy = R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":600000}]})";
  REQUIRE_FALSE(f.load(busy));
  REQUIRE(f.core.scheduler.pending() == 0);
  auto waiting = f.stop(R"({"timeout":3600000})");
  REQUIRE(waiting->call.paused());
  CHECK(f.core.scheduler.pending() == 2);  // its own timeout, and the end of the work
  auto second = f.stop(R"({"timeout":3000000})");
  CHECK(f.core.scheduler.pending() == 3);  // the end of the work is watched once
  SUBCASE("a forced stop") {
    CHECK(f.stop(R"({"graceful":false})")->call.response.status == 200);
  }
  SUBCASE("a delete") {
    CHECK(f.send("DELETE", std::string("/agents/") + kAgent)->call.response.status == 200);
  }
  SUBCASE("a reset") {
    f.vendor.clear_state();
  }
  SUBCASE("the work ends through the fixtures") {
    REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","busyMs":0}]})"));
  }
  SUBCASE("the elizaOS profile stops the runtime") {
    CHECK(f.send("POST", std::string("/api/agents/") + kAgent + "/stop")->call.response.status == 200);
  }
  CHECK(waiting->resumed == 1);
  CHECK(second->resumed == 1);
  CHECK(f.core.scheduler.pending() == 0);
}

TEST_CASE("rest: a timed-out stop leaves only what the others still need") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":600000}]})"));
  auto impatient = f.stop(R"({"timeout":20})");
  CHECK(f.core.scheduler.pending() == 2);
  f.core.run_for(std::chrono::milliseconds(300));
  REQUIRE(impatient->resumed == 1);
  CHECK(impatient->call.response.status == 408);
  CHECK(f.core.scheduler.pending() == 0);  // nobody waits for the end of the work any more
  auto patient = f.stop(R"({"timeout":3600000})");
  CHECK(f.core.scheduler.pending() == 2);  // armed again for the new waiter
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","busyMs":0}]})"));
  CHECK(patient->resumed == 1);
  CHECK(patient->call.response.status == 200);
  CHECK(f.core.scheduler.pending() == 0);
}

TEST_CASE("rest: waiting stops per agent are capped; one more is a 429") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active","busyMs":90000}]})"));
  std::vector<std::shared_ptr<TestCall>> waiting;
  for (std::size_t i = 0; i < rest::kMaxWaitingStops; ++i) {
    waiting.push_back(f.stop(R"({"timeout":3600000})"));
    REQUIRE(waiting.back()->call.paused());
  }
  CHECK(f.core.scheduler.pending() == rest::kMaxWaitingStops + 1);
  auto refused = f.stop(R"({"timeout":3600000})");
  CHECK_FALSE(refused->call.paused());
  CHECK(refused->call.response.status == 429);
  CHECK(error_of(*refused) == "Too many requests. Please try again later.");
  CHECK(refused->call.response.header("Retry-After") == "90");
  CHECK(f.core.scheduler.pending() == rest::kMaxWaitingStops + 1);
  // A forced stop is never refused, and answers every waiting one.
  CHECK(f.stop(R"({"graceful":false})")->call.response.status == 200);
  for (const auto& w : waiting) CHECK(w->call.response.status == 200);
  CHECK(f.core.scheduler.pending() == 0);
}

TEST_CASE("rest: bad input is the vendor's 400, naming the field") {
  Fixture f;
  REQUIRE_FALSE(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"Eliza","status":"active"}]})"));
  struct Case {
    const char* body;
    const char* error;
  };
  const Case cases[] = {
      {R"({"graceful":"yes"})", "graceful must be a boolean"},
      {R"({"timeout":"100"})", "timeout must be a number"},
      {R"({"timeout":-1})", "timeout must be greater than or equal to 0"},
      {R"({"timeout":3600001})", "timeout must be less than or equal to 3600000"},
      {R"([1])", "Request body must be a JSON object"},
  };
  for (const Case& c : cases) {
    auto call = f.stop(c.body);
    CHECK(call->call.response.status == 400);
    CHECK(error_of(*call) == c.error);
  }
  auto malformed = f.stop("{\"graceful\":");
  CHECK(malformed->call.response.status == 400);
  CHECK(error_of(*malformed).starts_with("Request body is not valid JSON"));
  auto bad_id = f.send("POST", "/agents/123/stop", "{}");
  CHECK(bad_id->call.response.status == 400);
  CHECK(error_of(*bad_id) == "Invalid agent ID format");
  auto text = f.send("POST", std::string("/agents/") + kAgent + "/stop", "{}", {{"Content-Type", "text/plain"}});
  CHECK(text->call.response.status == 400);
  CHECK(f.status_of() == "active");
}

TEST_CASE("rest: fixtures are checked whole, with JSON pointers") {
  Fixture f;
  CHECK(f.load(R"({"agents":[{"agentId":"nope","name":"x"}]})")->pointer == "/rest/agents/0/agentId");
  CHECK(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000"}]})")->pointer == "/rest/agents/0/name");
  CHECK(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"x","busyMs":-5}]})")->pointer ==
        "/rest/agents/0/busyMs");
  CHECK(f.load(R"({"agents":[{"agentId":"550e8400-e29b-41d4-a716-446655440000","name":"x","color":1}]})")->pointer ==
        "/rest/agents/0/color");
  CHECK(f.load(R"({"apiKeys":[""]})")->pointer == "/rest/apiKeys/0");
  CHECK(f.load(R"({"keys":[]})")->pointer == "/rest/keys");
}

TEST_CASE("rest: the store keys agents by their own id, through rehashing and replacement") {
  TestCore core;
  rest::AgentStore store(core.scheduler);
  auto lock = store.lock();
  const auto id_of = [](int n) {
    std::string id = "00000000-0000-4000-8000-000000000000";
    const std::string digits = std::to_string(n);
    id.replace(id.size() - digits.size(), digits.size(), digits);
    return id;
  };
  for (int n = 0; n < 2000; ++n) {  // enough to rehash the map several times
    rest::Agent agent;
    agent.id = id_of(n);
    agent.name = "agent " + std::to_string(n);
    store.insert(std::move(agent));
  }
  rest::Agent again;  // the same id again replaces the agent whole
  again.id = id_of(7);
  again.name = "replaced";
  store.insert(std::move(again));
  REQUIRE(store.size() == 2000);
  for (int n = 0; n < 2000; ++n) {
    const rest::Agent* found = store.find(id_of(n));
    REQUIRE(found != nullptr);
    CHECK(found->id == id_of(n));
    CHECK(found->name == (n == 7 ? "replaced" : "agent " + std::to_string(n)));
  }
  CHECK(store.ordered().back()->name == "replaced");  // a replacement is the newest
  std::vector<rest::StopOutcome> outcomes;
  CHECK(store.erase(id_of(7), rest::StopOutcome::Kind::gone, 0, outcomes));
  CHECK(store.find(id_of(7)) == nullptr);
  CHECK(store.find(id_of(8)) != nullptr);
  // An agent made with a name alone reads an empty character, and no worlds or waiting stops.
  const rest::Agent* plain = store.find(id_of(1));
  CHECK(plain->character().IsObject());
  CHECK(plain->character().MemberCount() == 0);
  CHECK(plain->extras().worlds.empty());
  CHECK_FALSE(plain->has_waiters());
}

TEST_CASE("rest: the life cycle's log rows are kept newest 1000, and go with their agent") {
  TestCore core;
  rest::AgentStore store(core.scheduler);
  auto lock = store.lock();
  rest::Agent agent;
  agent.id = kAgent;
  agent.name = "Eliza";
  rest::Agent& stored = store.insert(std::move(agent));
  std::vector<rest::StopOutcome> outcomes;
  for (int i = 0; i < 600; ++i) {
    store.start(stored, 2 * i);
    store.stop_now(stored, 2 * i + 1, outcomes);
  }
  REQUIRE(store.logs().size() == rest::kMaxLogs);
  CHECK(store.logs().front().created_ms == 200);  // the first 200 rows went
  CHECK(store.logs().back().body == R"({"event":"stopped","agentId":"550e8400-e29b-41d4-a716-446655440000","agentName":"Eliza"})");
  store.stop_now(stored, 5000, outcomes);  // not running: nothing to log
  CHECK(store.logs().size() == rest::kMaxLogs);
  CHECK(store.erase(kAgent, rest::StopOutcome::Kind::stopped, 0, outcomes));
  CHECK(store.logs().empty());
}
