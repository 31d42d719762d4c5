#include <doctest/doctest.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

#include "core/journal.hpp"
#include "core/metrics.hpp"

using namespace agentemu;

namespace {

JournalRecord record(std::string_view vendor, std::string_view operation, int status, std::string_view body = {}) {
  JournalRecord r;
  r.vendor = vendor;
  r.operation = operation;
  r.method = "POST";
  r.path = "/";
  r.status = status;
  r.body = body;
  return r;
}

}  // namespace

TEST_CASE("the journal keeps the newest entries up to its limit") {
  Journal journal(3);
  for (int i = 0; i < 5; ++i) journal.record(record("ice", "Op" + std::to_string(i), 200));
  const auto entries = journal.entries({});
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].id == 3);
  CHECK(entries[0].operation == "Op2");
  CHECK(entries[2].id == 5);
  CHECK(journal.count({}) == 3);
}

TEST_CASE("journal filters by vendor, operation, status (exact or class) and limit") {
  Journal journal(100);
  journal.record(record("ice", "Start", 200));
  journal.record(record("zego", "Delete", 200));
  journal.record(record("ice", "Stop", 404));
  journal.record(record("ice", "Stop", 403));
  CHECK(journal.count({.vendor = "ice"}) == 3);
  CHECK(journal.count({.vendor = "ice", .operation = "Stop"}) == 2);
  CHECK(journal.count({.status = "404"}) == 1);
  CHECK(journal.count({.status = "4xx"}) == 2);
  CHECK(journal.count({.status = "2XX"}) == 2);
  const auto newest = journal.entries({.vendor = "ice", .limit = 1});
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].status == 403);
  CHECK(journal.count({.limit = 2}) == 2);
}

TEST_CASE("journal bodies are capped and the real size kept") {
  Journal journal(10, 8);
  journal.record(record("rest", "CreateAgent", 201, "0123456789abcdef"));
  const auto entries = journal.entries({});
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].body == "01234567");
  CHECK(entries[0].body_size == 16);
}

TEST_CASE("journal bodies together stay within the budget; the oldest lose theirs first") {
  const std::string kilobyte(1000, 'k');
  Journal journal(4, 1000, 3000);
  for (int i = 0; i < 4; ++i) journal.record(record("rest", "Op" + std::to_string(i), 200, kilobyte));
  auto entries = journal.entries({});
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].body.empty());  // the oldest paid for the fourth
  CHECK(entries[0].body_size == 1000);
  for (int i = 1; i < 4; ++i) CHECK(entries[i].body == kilobyte);
  CHECK(journal.body_bytes() <= 3000);

  // The ring wraps: the reused slots were the ones without bodies, then the next oldest go.
  for (int i = 4; i < 7; ++i) journal.record(record("rest", "Op" + std::to_string(i), 200, kilobyte));
  entries = journal.entries({});
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].operation == "Op3");
  CHECK(entries[0].body.empty());
  for (int i = 1; i < 4; ++i) CHECK(entries[i].body == kilobyte);
  CHECK(journal.body_bytes() <= 3000);

  // Small bodies cost little, so older full ones are kept beside them.
  journal.record(record("rest", "Small", 200, "tiny"));
  entries = journal.entries({});
  CHECK(entries[0].body == kilobyte);  // Op4, the oldest now
  CHECK(entries[3].body == "tiny");
  CHECK(journal.body_bytes() <= 3000);

  // clear gives every buffer back.
  journal.clear();
  CHECK(journal.body_bytes() == 0);
}

TEST_CASE("the newest journal entry keeps its body even past the budget; a slot gives back what it no longer needs") {
  const std::string big(1000, 'b');
  Journal journal(3, 1000, 500);
  journal.record(record("rest", "Big", 200, big));
  CHECK(journal.entries({})[0].body == big);
  journal.record(record("rest", "Next", 200, "x"));
  auto entries = journal.entries({});
  CHECK(entries[0].body.empty());
  CHECK(entries[0].body_size == 1000);
  CHECK(entries[1].body == "x");
  CHECK(journal.body_bytes() <= 500);

  const std::string larger(4000, 'l');
  Journal one(1, 4000, 100000);
  one.record(record("rest", "Big", 200, larger));
  CHECK(one.body_bytes() >= 4000);
  one.record(record("rest", "Small", 200, "y"));  // same slot: the large buffer goes
  CHECK(one.body_bytes() == 0);
  CHECK(one.entries({})[0].body == "y");
}

TEST_CASE("a journal with limit 0 records nothing; clear empties it") {
  Journal off(0);
  off.record(record("ice", "Start", 200));
  CHECK(off.count({}) == 0);
  Journal journal(5);
  journal.record(record("ice", "Start", 200));
  journal.clear();
  CHECK(journal.entries({}).empty());
  journal.record(record("ice", "Start", 200));
  CHECK(journal.entries({})[0].id == 2);  // ids keep growing across clears
}

TEST_CASE("the journal is safe under concurrent writers and readers") {
  Journal journal(64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) journal.record(record("ice", "Start", 200, "body"));
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) CHECK(journal.entries({}).size() <= 64);
  });
  for (auto& t : threads) t.join();
  const auto entries = journal.entries({});
  REQUIRE(entries.size() == 64);
  CHECK(entries.back().id == 8000);
}

TEST_CASE("metrics count requests by vendor, operation and status in Prometheus text") {
  Metrics metrics;
  const std::array<std::string_view, 2> ops = {"Start", "Stop"};
  const std::size_t first = metrics.add_vendor("ice", ops);
  metrics.count_request(first + 2, 200, 0.0003);
  metrics.count_request(first + 2, 200, 0.002);
  metrics.count_request(first + 0, 404, 0.01);
  metrics.count_request(Metrics::kUnroutedSlot, 404, 0.0001);
  metrics.count_fault("ice", "throttle", "error");
  const std::string text = metrics.prometheus_text();
  CHECK(text.find("agentemu_requests_total{vendor=\"ice\",operation=\"Stop\",status=\"200\"} 2\n") != std::string::npos);
  CHECK(text.find("agentemu_requests_total{vendor=\"ice\",operation=\"\",status=\"404\"} 1\n") != std::string::npos);
  CHECK(text.find("agentemu_requests_total{vendor=\"none\",operation=\"\",status=\"404\"} 1\n") != std::string::npos);
  CHECK(text.find("agentemu_request_duration_seconds_bucket{vendor=\"ice\",le=\"0.0005\"} 1\n") != std::string::npos);
  CHECK(text.find("agentemu_request_duration_seconds_bucket{vendor=\"ice\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("agentemu_request_duration_seconds_count{vendor=\"ice\"} 3\n") != std::string::npos);
  CHECK(text.find("agentemu_faults_injected_total{vendor=\"ice\",scenario=\"throttle\",kind=\"error\"} 1\n") != std::string::npos);
  CHECK(text.find("# TYPE agentemu_request_duration_seconds histogram") != std::string::npos);
}
