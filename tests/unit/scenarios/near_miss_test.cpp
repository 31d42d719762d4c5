#include <doctest/doctest.h>

#include "core/metrics.hpp"
#include "core/registry.hpp"
#include "scenarios/engine.hpp"
#include "scenarios/near_miss.hpp"
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
    vendors.add(std::make_unique<FakeVendor>("beta", std::vector<std::string_view>{"/beta"}));
  }

  std::vector<RuleNearMiss> misses(TestRequest request) {
    auto c = TestCall::make(std::move(request), core.clock);
    c->call.vendor = alpha;
    c->call.vendor_index = 0;
    c->call.operation = c->call.request.path.ends_with("/write") ? 1 : 0;
    return engine.near_misses(c->call, 3);
  }

  TestCore core;
  Metrics metrics;
  VendorRegistry vendors{metrics};
  ScenarioEngine engine{vendors, core.clock, core.log};
  FakeVendor* alpha;
};

}  // namespace

TEST_CASE("near misses: the rules of the call's vendor, nearest first, with the first clause that failed") {
  World w;
  REQUIRE_FALSE(w.engine.put("s", R"({"rules":[
    {"name":"far","match":{"vendor":"alpha","operation":"Write","method":"PUT","path":"/elsewhere"},"respond":"pass"},
    {"name":"near","match":{"vendor":"alpha","operation":"Read","headers":{"x-mode":"chaos"}},"respond":"pass"},
    {"name":"other","match":{"vendor":"beta"},"respond":"pass"},
    {"name":"body","match":{"body":{"/a/b":"1*"}},"respond":"pass","phase":"after"}
  ]})"));
  const auto misses = w.misses({.method = "GET", .path = "/alpha/read", .headers = {{"x-mode", "calm"}}, .body = R"({"a":{"b":17}})"});
  REQUIRE(misses.size() == 3);
  CHECK(misses[0].rule == "body");  // every clause holds
  CHECK(misses[0].clause.empty());
  CHECK(misses[0].phase == Phase::after);
  CHECK(misses[0].note.find("every clause holds") != std::string::npos);
  CHECK(misses[1].rule == "near");
  CHECK(misses[1].clause == "headers");
  CHECK(misses[1].key == "x-mode");
  CHECK(misses[1].pointer == "/rules/1/match/headers/x-mode");
  CHECK(misses[1].expected == "chaos");
  CHECK(misses[1].actual == std::optional<std::string>("calm"));
  CHECK(misses[2].rule == "far");
  CHECK(misses[2].clause == "operation");  // the first clause in match order
  CHECK(misses[2].distance > misses[1].distance);
  for (const auto& m : misses) CHECK(m.rule != "other");
}

TEST_CASE("near misses never move a rule's counters and say what their when is") {
  World w;
  REQUIRE_FALSE(w.engine.put("s", R"({"rules":[{"name":"r","match":{"vendor":"alpha"},"when":{"calls":[2,4],"probability":0.5},"respond":"pass"}]})"));
  const auto misses = w.misses({.path = "/alpha/read"});
  REQUIRE(misses.size() == 1);
  CHECK(misses[0].note == "every clause holds; its when (calls 2, 4, probability 0.5) did not pick this call (it has matched 0 calls and fired 0 times)");
  JsonWriter list;
  w.engine.write_list(list);
  CHECK(list.take().find("\"matched\":0,\"hits\":0") != std::string::npos);
}

TEST_CASE("describe_when names every condition") {
  RuleWhen when;
  CHECK(describe_when(when).empty());
  when.calls = {{2, 3}};
  when.times = 1;
  when.every = 2;
  when.after = 5;
  CHECK(describe_when(when) == "calls 2-3, times 1, every 2, after 5");
}
