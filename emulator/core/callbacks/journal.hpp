// Every callback attempt, newest last, for GET /_emulator/callbacks and /callbacks/count. Bounded
// twice: at most `limit` entries and `byte_budget` bytes of bodies, the oldest going first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace agentemu {

struct CallbackEntry {
  std::uint64_t id = 0;
  std::uint64_t delivery = 0;  // the attempts of one delivery share it
  SystemTime time;             // the emulator's clock when the attempt started
  std::string vendor;
  std::string event;
  std::string url;
  int attempt = 1;  // 1: the first sending; 2 and on: retries
  int status = 0;   // the answer's HTTP status; 0 when nothing answered
  std::string error;  // why the attempt failed ("refused: connection refused by ..."), or ""
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string body;                                           // as sent
  std::string response;  // the start of the answer's body
  // delivered | retrying | given_up | dropped (a scenario rule, or the queue was full) |
  // blocked (the URL is not loopback and no --callback-allow names it)
  std::string outcome;
  std::optional<SystemTime> next_attempt;  // retrying: when the next one is due
  std::string scenario;  // the rule that fired for this delivery, if one did
  std::string rule;
  double duration_ms = 0;
};

struct CallbackFilter {
  std::optional<std::string> vendor;
  std::optional<std::string> event;
  std::optional<std::string> status;  // "200", a class such as "5xx", or "0"
  std::optional<std::string> outcome;
  std::optional<std::uint64_t> delivery;
  std::optional<std::size_t> limit;  // the newest N that match
};

class CallbackJournal {
 public:
  static constexpr std::size_t kDefaultLimit = 10000;
  static constexpr std::size_t kDefaultBudget = 64 * 1024 * 1024;

  explicit CallbackJournal(std::size_t limit = kDefaultLimit, std::size_t byte_budget = kDefaultBudget)
      : limit_(limit), budget_(byte_budget) {}

  // Gives the entry its id and keeps it.
  void record(CallbackEntry entry);
  std::vector<CallbackEntry> entries(const CallbackFilter& filter) const;
  std::size_t count(const CallbackFilter& filter) const;
  void clear();
  std::size_t bytes() const;

 private:
  static std::size_t weight(const CallbackEntry& e);
  static bool matches(const CallbackEntry& e, const CallbackFilter& f);

  mutable std::mutex mutex_;
  std::deque<CallbackEntry> entries_;
  std::size_t limit_;
  std::size_t budget_;
  std::size_t bytes_ = 0;
  std::uint64_t next_id_ = 1;
};

}  // namespace agentemu
