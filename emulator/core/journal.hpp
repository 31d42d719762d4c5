// The request journal: a bounded ring of every emulated request, newest last. Slots are reused
// in place, so once the ring is warm, recording a request does not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/http.hpp"

namespace agentemu {

struct JournalEntry {
  std::uint64_t id = 0;
  SystemTime time;
  std::string vendor;
  std::string operation;
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // at most the body cap
  std::size_t body_size = 0;
  int status = 0;
  std::string error_code;
  std::string scenario;
  std::string rule;
  std::string diagnostic;  // agentemu's explanation of the answer (Response::diagnostic)
  double duration_ms = 0;
  bool accepted = false;  // decoded, authenticated and validated: scenario rules were tried
};

// What the request path hands to the journal; views stay valid only during record().
struct JournalRecord {
  SystemTime time;
  std::string_view vendor;
  std::string_view operation;
  std::string_view method;
  std::string_view path;
  std::string_view query;
  const std::vector<Header>* headers = nullptr;
  std::string_view body;
  int status = 0;
  std::string_view error_code;
  std::string_view scenario;
  std::string_view rule;
  std::string_view diagnostic;
  double duration_ms = 0;
  bool accepted = false;
};

struct JournalFilter {
  std::optional<std::string> vendor;
  std::optional<std::string> operation;
  std::optional<std::string> status;  // "404" or a class such as "4xx"
  std::optional<std::string> scenario;  // answered by a rule of this scenario
  std::optional<std::string> rule;      // answered by a rule of this name
  std::optional<std::size_t> limit;   // the newest N that match
};

class Journal {
 public:
  static constexpr std::size_t kDefaultBodyCap = 64 * 1024;
  // All kept bodies together: 10,000 full 64 KiB bodies would be 640 MB. Past the budget the
  // oldest entries lose their bodies (bodySize stays, bodyTruncated shows it); the newest
  // entry always keeps its own.
  static constexpr std::size_t kDefaultBodyBudget = 128 * 1024 * 1024;

  explicit Journal(std::size_t limit, std::size_t body_cap = kDefaultBodyCap,
                   std::size_t body_budget = kDefaultBodyBudget);

  void record(const JournalRecord& record);
  std::vector<JournalEntry> entries(const JournalFilter& filter) const;
  std::size_t count(const JournalFilter& filter) const;
  // The entry with this id, while the journal still holds it.
  std::optional<JournalEntry> find(std::uint64_t id) const;
  void clear();
  std::size_t limit() const { return slots_.size(); }
  // Heap bytes the kept bodies hold; above the budget only while the newest entry needs it.
  std::size_t body_bytes() const;

  static bool status_matches(std::string_view wanted, int status);

 private:
  bool matches(const JournalEntry& entry, const JournalFilter& filter) const;
  template <class Visit>
  void for_each_oldest_first(Visit&& visit) const;
  std::size_t oldest_slot() const;
  void store_body(JournalEntry& entry, std::string_view body);
  void release_body(JournalEntry& entry);

  mutable std::mutex mutex_;
  std::vector<JournalEntry> slots_;
  std::size_t body_cap_;
  std::size_t body_budget_;
  std::size_t body_bytes_ = 0;  // heap bytes held by every slot's body
  std::size_t dropped_ = 0;     // the oldest entries whose bodies the budget took, a prefix
  std::size_t next_ = 0;   // slot the next record goes to
  std::size_t size_ = 0;   // filled slots
  std::uint64_t next_id_ = 1;
};

}  // namespace agentemu
