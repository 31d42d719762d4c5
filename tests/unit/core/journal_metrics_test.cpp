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

// What eight slots and their index cost: the part of the budget that is not entries' buffers.
constexpr std::size_t kEightSlots = 8 * (sizeof(JournalEntry) + sizeof(std::size_t));

TEST_CASE("the journal holds one byte budget; past it the oldest entries lose their bodies first") {
  const std::string kilobyte(1000, 'k');
  Journal journal(8, 1000, kEightSlots + 3500);
  for (int i = 0; i < 8; ++i) {
    journal.record(record("rest", "Op" + std::to_string(i), 200, kilobyte));
    CHECK(journal.bytes() <= kEightSlots + 3500);
  }
  auto entries = journal.entries({});
  REQUIRE(entries.size() == 8);  // heads are cheap: every entry is kept
  for (int i = 0; i < 5; ++i) {
    CHECK(entries[i].body.empty());  // the oldest paid for the newest
    CHECK(entries[i].body_size == 1000);
  }
  for (int i = 5; i < 8; ++i) CHECK(entries[i].body == kilobyte);

  // The ring wraps: reused slots keep the order, and the budget still holds.
  for (int i = 8; i < 12; ++i) journal.record(record("rest", "Op" + std::to_string(i), 200, kilobyte));
  entries = journal.entries({});
  REQUIRE(entries.size() == 8);
  CHECK(entries[0].operation == "Op4");
  CHECK(entries[7].operation == "Op11");
  CHECK(entries[7].body == kilobyte);
  CHECK(entries[4].body.empty());
  CHECK(journal.bytes() <= kEightSlots + 3500);

  journal.clear();
  CHECK(journal.bytes() == 0);  // everything given back, slots too
}

TEST_CASE("heads count too: past the budget with nothing left to trim, the oldest entries go whole") {
  const std::string big(1000, 'h');
  const std::vector<Header> headers{{"x-big", big}};
  Journal journal(8, 1000, kEightSlots + 3500);
  for (int i = 0; i < 8; ++i) {
    const std::string operation = "Op" + std::to_string(i);
    JournalRecord r = record("rest", operation, 200);
    r.headers = &headers;
    journal.record(r);
    CHECK(journal.bytes() <= kEightSlots + 3500);
  }
  const auto entries = journal.entries({});
  REQUIRE(entries.size() == 3);  // three heads of a kilobyte fit
  CHECK(entries[0].id == 6);
  CHECK(entries[2].id == 8);
  CHECK(entries[2].headers[0].second == big);
  CHECK(journal.count({}) == 3);
}

TEST_CASE("the newest journal entry is kept whole even past the budget; a slot gives back what it no longer needs") {
  const std::string big(4000, 'b');
  Journal journal(3, 4000, 1000);
  journal.record(record("rest", "Big", 200, big));
  CHECK(journal.entries({})[0].body == big);
  journal.record(record("rest", "Next", 200, "x"));
  const auto entries = journal.entries({});
  REQUIRE(!entries.empty());
  CHECK(entries.back().body == "x");
  CHECK(journal.bytes() < 4000);

  Journal one(1, 4000, 100000);
  one.record(record("rest", "Big", 200, big));
  CHECK(one.bytes() >= 4000);
  one.record(record("rest", "Small", 200, "y"));  // same slot: the large buffer goes
  CHECK(one.bytes() < 1000);
  CHECK(one.entries({})[0].body == "y");
}

TEST_CASE("a journal grows with what it holds: a large limit reserves nothing") {
  Journal journal(10'000'000);
  CHECK(journal.bytes() == 0);
  journal.record(record("ice", "Start", 200));
  CHECK(journal.bytes() < 4096);
  CHECK(journal.limit() == 10'000'000);
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

TEST_CASE("metrics count a request answered by a network fault under the fault's name") {
  Metrics metrics;
  const std::array<std::string_view, 1> ops = {"Stop"};
  const std::size_t first = metrics.add_vendor("rest", ops);
  metrics.count_request(first + 1, 0, 0.001, NetworkFault::connection_reset);
  metrics.count_request(first + 1, 0, 0.001, NetworkFault::connection_reset);
  metrics.count_request(first + 1, 0, 0.001, NetworkFault::hang);
  metrics.count_request(first + 1, 200, 0.001);
  const std::string text = metrics.prometheus_text();
  CHECK(text.find("agentemu_requests_total{vendor=\"rest\",operation=\"Stop\",status=\"connection_reset\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("agentemu_requests_total{vendor=\"rest\",operation=\"Stop\",status=\"hang\"} 1\n") != std::string::npos);
  CHECK(text.find("agentemu_requests_total{vendor=\"rest\",operation=\"Stop\",status=\"200\"} 1\n") != std::string::npos);
  CHECK(text.find("agentemu_request_duration_seconds_count{vendor=\"rest\"} 4\n") != std::string::npos);
}
