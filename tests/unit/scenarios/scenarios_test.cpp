#include <doctest/doctest.h>

#include "core/admin.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "scenarios/engine.hpp"
#include "support/fake_vendor.hpp"
#include "support/harness.hpp"

using namespace agentemu;
using namespace agentemu::testing;

namespace {

struct World {
  World() {
    auto a = std::make_unique<FakeVendor>("alpha", std::vector<std::string_view>{"/alpha"});
    alpha = a.get();
    vendors.add(std::move(a));
    auto b = std::make_unique<FakeVendor>("beta", std::vector<std::string_view>{"/beta"});
    beta = b.get();
    vendors.add(std::move(b));
    pipeline.set_scenarios(&engine);
  }

  void load(const std::string& name, const std::string& body) {
    const auto issue = engine.put(name, body);
    REQUIRE_MESSAGE(!issue, issue->message);
  }
  // "pointer: message", or "line L column C: message" for a syntax error.
  std::string load_error(const std::string& body) {
    const auto issue = engine.put("s", body);
    if (!issue) return "(loaded)";
    if (issue->line > 0) return "line " + std::to_string(issue->line) + " column " + std::to_string(issue->column) + ": " + issue->message;
    return (issue->pointer.empty() ? std::string("/") : issue->pointer) + ": " + issue->message;
  }

  std::shared_ptr<TestCall> run(TestRequest request) {
    auto test_call = TestCall::make(std::move(request), core.clock);
    pipeline.run(test_call->call);
    return test_call;
  }
  int status(TestRequest request) { return run(std::move(request))->call.response.status; }

  TestCore core;
  Metrics metrics;
  VendorRegistry vendors{metrics};
  Fixtures fixtures;
  Journal journal{100};
  AdminApi admin{"", vendors, fixtures, journal, metrics, core.clock, core.scheduler};
  Pipeline pipeline{vendors, admin, journal, metrics, core.log, core.scheduler};
  ScenarioEngine engine{vendors, core.clock, core.log};
  FakeVendor* alpha;
  FakeVendor* beta;
};

}  // namespace

TEST_CASE("load errors name the JSON pointer") {
  World w;
  CHECK(w.load_error(R"({"rules":[{"match":{"vendr":"alpha"},"respond":"pass"}]})") ==
        "/rules/0/match/vendr: unknown key (expected one of vendor, operation, method, path, query, headers, params, body, callback)");
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"gamma"},"respond":"pass"}]})").starts_with("/rules/0/match/vendor: unknown vendor"));
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"alpha","operation":"Nope"},"respond":"pass"}]})") ==
        "/rules/0/match/operation: vendor alpha has no operation \"Nope\"");
  CHECK(w.load_error(R"({"rules":[{"match":{"operation":"Nope"},"respond":"pass"}]})") ==
        "/rules/0/match/operation: no vendor has an operation \"Nope\"");
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"alpha"},"respond":{"error":"Nope"}}]})") ==
        "/rules/0/respond/error: vendor alpha has no error \"Nope\"");
  CHECK(w.load_error(R"({"rules":[{"respond":{"error":"Busy"}}]})").starts_with("/rules/0/respond/error: a vendor error needs match.vendor"));
  CHECK(w.load_error(R"({"rules":[{"match":{"path":"/a[b"},"respond":"pass"}]})").starts_with("/rules/0/match/path: bad glob"));
  CHECK(w.load_error(R"({"rules":[{"when":{"probability":1.5},"respond":"pass"}]})") ==
        "/rules/0/when/probability: must be a number between 0 and 1");
  CHECK(w.load_error(R"({"rules":[{"when":{"calls":"3-2"},"respond":"pass"}]})").starts_with("/rules/0/when/calls"));
  CHECK(w.load_error(R"({"rules":[{"respond":{"fault":"explode"}}]})").starts_with("/rules/0/respond/fault: unknown fault"));
  CHECK(w.load_error(R"({"rules":[{"respond":"pass","sequence":["pass"]}]})") ==
        "/rules/0: a rule needs exactly one of respond or sequence");
  CHECK(w.load_error(R"({"rules":[{"respond":{"status":200,"headers":{"Content-Length":"1"}}}]})")
            .starts_with("/rules/0/respond/headers/Content-Length"));
  CHECK(w.load_error(R"({"rules":[{"match":{"body":{"clientToken":"x"}},"respond":"pass"}]})")
            .starts_with("/rules/0/match/body/clientToken: a body key is a JSON pointer"));
  CHECK(w.load_error(R"({"rulez":[]})").starts_with("/rulez: unknown key"));
  CHECK(w.load_error(R"({"rules":[{"respond":{"status":101}}]})") == "/rules/0/respond/status: must be a whole number from 200 to 599");
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"alpha"},"respond":{"error":"Busy","status":100}}]})") ==
        "/rules/0/respond/status: must be a whole number from 200 to 599");
  CHECK(w.load_error("{\"rules\": [}").starts_with("line 1 column"));
}

TEST_CASE("params names are checked at load time against the vendors' parameters") {
  World w;
  w.beta->param_names.insert("region");
  // The rule's vendor must know the name.
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"alpha","params":{"pth":"*"}},"respond":"pass"}]})") ==
        "/rules/0/match/params/pth: vendor alpha has no parameter \"pth\"");
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"alpha","params":{"region":"eu"}},"respond":"pass"}]})") ==
        "/rules/0/match/params/region: vendor alpha has no parameter \"region\"");
  CHECK(w.load_error(R"({"rules":[{"match":{"vendor":"beta","params":{"region":"eu"}},"respond":"pass"}]})") ==
        "(loaded)");
  // The vendor is known before params whatever the key order; the pointer escapes the name.
  CHECK(w.load_error(R"({"rules":[{"respond":"pass"},{"match":{"params":{"path":"*","a/b~c":"x"},"vendor":"beta"},
                                                        "respond":"pass"}]})") ==
        "/rules/1/match/params/a~1b~0c: vendor beta has no parameter \"a/b~c\"");
  // Without a vendor, any vendor's parameter will do, and a name none knows is the error.
  CHECK(w.load_error(R"({"rules":[{"match":{"params":{"region":"eu","path":"/a*"}},"respond":"pass"}]})") ==
        "(loaded)");
  CHECK(w.load_error(R"({"rules":[{"match":{"params":{"path":"/a*","regoin":"eu"}},"respond":"pass"}]})") ==
        "/rules/0/match/params/regoin: no vendor has a parameter \"regoin\"");
}

TEST_CASE("phase before: the operation does not run and the vendor renders the error") {
  World w;
  w.load("t", R"({"rules":[{"match":{"vendor":"alpha","operation":"Write"},
                             "respond":{"error":"Busy","retryAfter":2}}]})");
  auto c = w.run({.method = "POST", .path = "/alpha/write"});
  CHECK(c->call.response.status == 429);
  CHECK(c->call.response.body == "{\"fake\":\"Busy\"}");
  CHECK(c->call.response.header("Retry-After") == "2");
  CHECK(w.alpha->executed == 0);
  const auto entry = w.journal.entries({})[0];
  CHECK(entry.scenario == "t");
  CHECK(entry.rule == "rules/0");
  CHECK(w.status({.path = "/alpha/read"}) == 200);  // another operation
  CHECK(w.metrics.prometheus_text().find("agentemu_faults_injected_total{vendor=\"alpha\",scenario=\"t\",kind=\"error\"} 1") !=
        std::string::npos);
}

TEST_CASE("phase after: the operation runs, then the fault replaces its answer") {
  World w;
  w.load("lost", R"({"rules":[{"match":{"vendor":"alpha"},"phase":"after","respond":{"fault":"connection_reset"}}]})");
  auto c = w.run({.path = "/alpha/write"});
  CHECK(w.alpha->executed == 1);
  CHECK(c->call.response.fault == NetworkFault::connection_reset);
}

TEST_CASE("when: calls ranges and lists, times, every, after") {
  World w;
  w.load("calls", R"({"rules":[{"match":{"path":"/alpha/read"},"when":{"calls":"2-3"},"respond":{"status":503}},
                               {"match":{"path":"/alpha/write"},"when":{"calls":[1,4]},"respond":{"status":502}}]})");
  std::vector<int> reads, writes;
  for (int i = 0; i < 5; ++i) reads.push_back(w.status({.path = "/alpha/read"}));
  for (int i = 0; i < 5; ++i) writes.push_back(w.status({.path = "/alpha/write"}));
  CHECK(reads == std::vector<int>{200, 503, 503, 200, 200});
  CHECK(writes == std::vector<int>{502, 200, 200, 502, 200});

  World v;
  v.load("mix", R"({"rules":[{"match":{"path":"/alpha/read"},"when":{"every":2,"times":2},"respond":{"status":500}},
                             {"match":{"path":"/alpha/write"},"when":{"after":3},"respond":{"status":501}}]})");
  std::vector<int> every, after;
  for (int i = 0; i < 7; ++i) every.push_back(v.status({.path = "/alpha/read"}));
  for (int i = 0; i < 5; ++i) after.push_back(v.status({.path = "/alpha/write"}));
  CHECK(every == std::vector<int>{200, 500, 200, 500, 200, 200, 200});
  CHECK(after == std::vector<int>{200, 200, 200, 501, 501});
}

TEST_CASE("sequence: each firing takes the next response and the last repeats") {
  World w;
  w.load("seq", R"({"rules":[{"match":{"vendor":"alpha"},"sequence":[{"status":500},{"error":"Busy"},"pass"]}]})");
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(w.status({.path = "/alpha"}));
  CHECK(statuses == std::vector<int>{500, 429, 200, 200, 200});
  CHECK(w.alpha->executed == 3);
}

TEST_CASE("probability is deterministic for a seed, and reset replays it") {
  const auto pattern = [](World& w) {
    std::string out;
    for (int i = 0; i < 64; ++i) out += w.status({.path = "/alpha"}) == 503 ? 'x' : '.';
    return out;
  };
  const std::string rule = R"({"seed":7,"rules":[{"when":{"probability":0.3},"respond":{"status":503}}]})";
  World a, b;
  a.load("p", rule);
  b.load("p", rule);
  const std::string first = pattern(a);
  CHECK(first == pattern(b));
  CHECK(first.find('x') != std::string::npos);
  CHECK(first.find('.') != std::string::npos);
  a.engine.reset_counters();
  CHECK(pattern(a) == first);
  World c;
  c.load("p", R"({"seed":8,"rules":[{"when":{"probability":0.3},"respond":{"status":503}}]})");
  CHECK(pattern(c) != first);
}

TEST_CASE("match on method, path glob, query, headers, params and body pointers") {
  World w;
  w.load("m", R"({"rules":[{"match":{"method":"post","path":"/alpha/*","query":{"mode":"f*"},
                                     "headers":{"x-test":"?es"},"params":{"path":"*write"},
                                     "body":{"/token":"abc*","/n":"4[0-9]"}},
                            "respond":{"status":418,"headers":{"X-Why":"scripted"},"body":{"teapot":true}}}]})");
  const TestRequest hit{.method = "POST", .path = "/alpha/write", .query = "mode=fast",
                        .headers = {{"X-Test", "yes"}}, .body = R"({"token":"abcdef","n":42})"};
  auto c = w.run(hit);
  CHECK(c->call.response.status == 418);
  CHECK(c->call.response.header("X-Why") == "scripted");
  CHECK(c->call.response.content_type == "application/json");
  CHECK(c->call.response.body == R"({"teapot":true})");
  auto miss = [&](TestRequest r) { return w.status(std::move(r)) == 200; };
  TestRequest r = hit;
  r.method = "GET";
  CHECK(miss(r));
  r = hit;
  r.query = "mode=slow";
  CHECK(miss(r));
  r = hit;
  r.headers = {};
  CHECK(miss(r));
  r = hit;
  r.body = R"({"token":"abcdef","n":52})";
  CHECK(miss(r));
  r = hit;
  r.body = "not json";
  CHECK(miss(r));
}

TEST_CASE("a delayed fault pauses the call until the timer resumes it") {
  World w;
  w.load("slow", R"({"rules":[{"match":{"vendor":"alpha"},"delayMs":20,"respond":"pass"}]})");
  auto c = w.run({.path = "/alpha"});
  CHECK(c->call.paused());
  CHECK(w.alpha->executed == 0);
  w.core.run_for(Millis(300));
  REQUIRE(c->resumed == 1);
  w.pipeline.run(c->call);
  CHECK(w.alpha->executed == 1);
  CHECK(c->call.response.status == 200);
}

TEST_CASE("the list shows hit counts; remove and remove_all unload") {
  World w;
  w.load("one", R"({"rules":[{"name":"boom","match":{"path":"/alpha"},"respond":{"status":500}}]})");
  w.status({.path = "/alpha"});
  w.status({.path = "/beta"});
  JsonWriter out;
  w.engine.write_list(out);
  CHECK(out.text() == R"({"scenarios":[{"name":"one","source":"api","seed":0,"rules":[{"name":"boom","phase":"before","matched":1,"hits":1}]}]})");
  CHECK(w.engine.remove("one"));
  CHECK_FALSE(w.engine.remove("one"));
  CHECK(w.status({.path = "/alpha"}) == 200);
}

TEST_CASE("jitter draws a delay within [delayMs, delayMs + jitterMs], the same for the same seed") {
  const std::string rule = R"({"seed":11,"rules":[{"match":{"vendor":"alpha"},"delayMs":100,"jitterMs":50,"respond":"pass"}]})";
  const auto delays = [&](World& w) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < 20; ++i) {
      auto test_call = TestCall::make({.path = "/alpha"}, w.core.clock);
      test_call->call.vendor = w.alpha;
      test_call->call.vendor_index = 0;
      const auto plan = w.engine.fire(test_call->call, Phase::before);
      REQUIRE(plan);
      out.push_back(plan->delay.count());
    }
    return out;
  };
  World a, b;
  a.load("j", rule);
  b.load("j", rule);
  const auto first = delays(a);
  CHECK(first == delays(b));
  bool varied = false;
  for (const auto d : first) {
    CHECK(d >= 100);
    CHECK(d <= 150);
    varied = varied || d != first[0];
  }
  CHECK(varied);
}
