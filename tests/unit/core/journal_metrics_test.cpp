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
