// The request journal: a bounded ring of every emulated request, newest last. It grows as
// requests arrive (nothing is reserved for --journal-limit up front), its slots are reused in
// place once it is warm, and one byte budget holds everything it keeps: heads, bodies and
// agentemu's diagnostics, whatever the count limit.
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
  std::optional<std::string> status;    // "404" or a class such as "4xx"
  std::optional<std::string> scenario;  // answered by a rule of this scenario
  std::optional<std::string> rule;      // answered by a rule of this name
  std::optional<std::size_t> limit;     // the newest N that match
};

class Journal {
 public:
  static constexpr std::size_t kDefaultBodyCap = 64 * 1024;
  // Everything the journal holds, slots included: 10,000 entries with full 64 KiB bodies would be
  // 640 MB. Past the budget the oldest entries lose their bodies first (bodySize stays,
  // bodyTruncated shows it), then the oldest entries go; the newest entry is always kept whole.
  static constexpr std::size_t kDefaultByteBudget = 128 * 1024 * 1024;

  explicit Journal(std::size_t limit, std::size_t body_cap = kDefaultBodyCap,
                   std::size_t byte_budget = kDefaultByteBudget);

  void record(const JournalRecord& record);
  std::vector<JournalEntry> entries(const JournalFilter& filter) const;
  std::size_t count(const JournalFilter& filter) const;
  // The entry with this id, while the journal still holds it.
  std::optional<JournalEntry> find(std::uint64_t id) const;
  void clear();
  std::size_t limit() const { return limit_; }
  // Bytes the journal holds (its slots and their heap buffers); above the budget only while the
  // newest entry alone needs more.
  std::size_t bytes() const;

  static bool status_matches(std::string_view wanted, int status);

 private:
  bool matches(const JournalEntry& entry, const JournalFilter& filter) const;
  template <class Visit>
  void for_each_oldest_first(Visit&& visit) const;
  std::size_t slot_after_newest();
  void account(std::size_t slot);
  void shed();  // back within the budget
  void release(JournalEntry& entry, bool whole);

  mutable std::mutex mutex_;
  std::vector<JournalEntry> slots_;   // grows up to limit_ as requests arrive
  std::vector<std::size_t> held_;     // heap bytes each slot holds
  std::size_t limit_;
  std::size_t body_cap_;
  std::size_t byte_budget_;
  std::size_t bytes_ = 0;    // sum of held_, and the slots themselves
  std::size_t first_ = 0;    // slot of the oldest entry
  std::size_t size_ = 0;     // entries kept
  std::size_t dropped_ = 0;  // the oldest entries whose bodies the budget took, a prefix
  std::uint64_t next_id_ = 1;
};

}  // namespace agentemu
