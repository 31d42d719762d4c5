#include <doctest/doctest.h>

#include "core/admin.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "support/fake_vendor.hpp"
#include "support/harness.hpp"

using namespace agentemu;
using namespace agentemu::testing;

namespace {

struct World {
  World() {
    auto a = std::make_unique<FakeVendor>("alpha", std::vector<std::string_view>{"/alpha"},
                                          std::vector<std::string_view>{"alpha.*.example.com"}, "x-alpha");
    auto b = std::make_unique<FakeVendor>("beta", std::vector<std::string_view>{"/beta", "/api/beta"},
                                          std::vector<std::string_view>{"*.beta.test"}, "x-beta");
    alpha = a.get();
    beta = b.get();
    vendors.add(std::move(a));
    vendors.add(std::move(b));
  }

  std::shared_ptr<TestCall> run(TestRequest request) {
    auto test_call = TestCall::make(std::move(request), core.clock);
    pipeline.run(test_call->call);
    return test_call;
  }

  TestCore core;
  Metrics metrics;
  VendorRegistry vendors{metrics};
  Fixtures fixtures;
  Journal journal{100};
  AdminApi admin{"", vendors, fixtures, journal, metrics, core.clock, core.scheduler};
  Pipeline pipeline{vendors, admin, journal, metrics, core.log, core.scheduler};
  FakeVendor* alpha;
  FakeVendor* beta;
};

const Vendor* routed(World& world, TestRequest request) {
  auto test_call = TestCall::make(std::move(request), world.core.clock);
  const auto route = world.vendors.route(test_call->call.request);
  return route ? route->vendor : nullptr;
}

}  // namespace

TEST_CASE("routing: path prefixes match whole segments") {
  World w;
  CHECK(routed(w, {.path = "/alpha"}) == w.alpha);
  CHECK(routed(w, {.path = "/alpha/x/y"}) == w.alpha);
  CHECK(routed(w, {.path = "/api/beta/1"}) == w.beta);
  CHECK(routed(w, {.path = "/alphabet"}) == nullptr);
  CHECK(routed(w, {.path = "/api"}) == nullptr);
}

TEST_CASE("routing: the Host header wins over the path, any case, with or without port") {
  World w;
  CHECK(routed(w, {.path = "/alpha", .headers = {{"Host", "x.beta.test"}}}) == w.beta);
  CHECK(routed(w, {.path = "/", .headers = {{"host", "ALPHA.us-east-1.example.com:443"}}}) == w.alpha);
  CHECK(routed(w, {.path = "/", .headers = {{"Host", "x.beta.test."}}}) == w.beta);
  CHECK(routed(w, {.path = "/alpha", .headers = {{"Host", "127.0.0.1:4599"}}}) == w.alpha);
}

TEST_CASE("routing: at '/' each vendor's claims() decides") {
  World w;
  CHECK(routed(w, {.path = "/", .headers = {{"X-Beta", "1"}}}) == w.beta);
  CHECK(routed(w, {.path = "/", .headers = {{"x-alpha", "1"}}}) == w.alpha);
  CHECK(routed(w, {.path = "/"}) == nullptr);
  CHECK(routed(w, {.path = "/other", .headers = {{"x-alpha", "1"}}}) == nullptr);
}

TEST_CASE("the pipeline runs the vendor's steps in order and records once") {
  World w;
  auto c = w.run({.method = "POST", .path = "/alpha/write"});
  CHECK(w.alpha->steps == std::vector<std::string>{"decode", "authenticate", "validate", "execute"});
  CHECK(c->call.response.status == 200);
  CHECK(c->call.stage == Call::Stage::done);
  const auto entries = w.journal.entries({});
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].vendor == "alpha");
  CHECK(entries[0].operation == "Write");
  CHECK(w.metrics.prometheus_text().find("vendor=\"alpha\",operation=\"Write\",status=\"200\"} 1") != std::string::npos);
}

TEST_CASE("a failing step answers with the vendor's error and skips execute") {
  World w;
  w.alpha->fail_auth = true;
  auto c = w.run({.path = "/alpha"});
  CHECK(w.alpha->steps == std::vector<std::string>{"decode", "authenticate"});
  CHECK(c->call.response.status == 403);
  CHECK(w.journal.entries({})[0].error_code == "Denied");
}

TEST_CASE("unrouted requests get the core's 404 and are journaled") {
  World w;
  auto c = w.run({.path = "/nowhere"});
  CHECK(c->call.response.status == 404);
  CHECK(c->call.response.body.find("/nowhere") != std::string::npos);
  REQUIRE(w.journal.count({.status = "404"}) == 1);
}

TEST_CASE("admin paths are answered by the admin API and not journaled") {
  World w;
  auto c = w.run({.path = "/_emulator/health"});
  CHECK(c->call.response.status == 200);
  CHECK(c->call.response.body.find("\"vendors\":[\"alpha\",\"beta\"]") != std::string::npos);
  CHECK(w.journal.count({}) == 0);
  CHECK(Pipeline::is_admin_path("/metrics"));
  CHECK(Pipeline::is_admin_path("/_emulator"));
  CHECK_FALSE(Pipeline::is_admin_path("/_emulatorx"));
}

TEST_CASE("the admin token guards /_emulator/* but not /metrics") {
  World w;
  AdminApi guarded{"s3cret", w.vendors, w.fixtures, w.journal, w.metrics, w.core.clock, w.core.scheduler};
  auto check = [&](TestRequest r) {
    auto c = TestCall::make(std::move(r), w.core.clock);
    guarded.handle(c->call);
    return c->call.response.status;
  };
  CHECK(check({.path = "/_emulator/health"}) == 401);
  CHECK(check({.path = "/_emulator/health", .headers = {{"Authorization", "Bearer wrong"}}}) == 401);
  CHECK(check({.path = "/_emulator/health", .headers = {{"Authorization", "Bearer s3cret"}}}) == 200);
  CHECK(check({.path = "/metrics"}) == 200);
}

TEST_CASE("fixtures: a document is checked whole before anything applies") {
  World w;
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(R"({"alpha":{"items":["a","b"]},"beta":{"items":[1]}})", doc));
  const auto issue = Fixtures::merge(doc, w.vendors);
  REQUIRE(issue);
  CHECK(issue->pointer == "/beta/items/0");
  CHECK(w.alpha->items.empty());
  REQUIRE_FALSE(parse_json(R"({"gamma":{}})", doc));
  const auto unknown = Fixtures::merge(doc, w.vendors);
  REQUIRE(unknown);
  CHECK(unknown->pointer == "/gamma");
  CHECK(unknown->message.find("alpha, beta") != std::string::npos);
  REQUIRE_FALSE(parse_json(R"({"alpha":{"items":["a"]}})", doc));
  CHECK_FALSE(Fixtures::merge(doc, w.vendors));
  CHECK(w.alpha->items.count("a") == 1);
}

TEST_CASE("fixtures: files report file:line:column, and reset restores them") {
  World w;
  const std::string dir = AGENTEMU_TEST_DATA;
  auto error = w.fixtures.load({dir + "/fixtures-broken.json"}, w.vendors);
  REQUIRE(error);
  CHECK(*error == dir + "/fixtures-broken.json:3:5: Missing a comma or '}' after an object member");
  Fixtures semantic;
  error = semantic.load({dir + "/fixtures-unknown-key.json"}, w.vendors);
  REQUIRE(error);
  CHECK(*error == dir + "/fixtures-unknown-key.json: /alpha/itemz: unknown key");
  Fixtures missing;
  error = missing.load({dir + "/does-not-exist.json"}, w.vendors);
  REQUIRE(error);
  CHECK(error->find("no such file") != std::string::npos);

  Fixtures good;
  REQUIRE_FALSE(good.load({dir + "/fixtures-good.json"}, w.vendors));  // comments and trailing commas
  CHECK(w.alpha->items == std::set<std::string>{"x", "y"});
  w.alpha->items.insert("live");
  good.reset(w.vendors);
  CHECK(w.alpha->items == std::set<std::string>{"x", "y"});
}
