// The data of AgentCore Memory's data plane: per memory, the events of each actor's sessions
// (short-term memory), the memory records (long-term memory), the extractions waiting for their
// moment and the extraction jobs that failed. A memory itself (its strategies, its event expiry)
// is a control-plane resource (control.hpp); this is what the data plane keeps beside it, under
// State's one mutex. Everything is bounded (the limits below, documented in the README).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "vendors/agentcore/extraction.hpp"

namespace agentemu::agentcore {

inline constexpr std::size_t kMaxEventsPerMemory = 10000;
inline constexpr std::size_t kMaxRecordsPerMemory = 10000;
inline constexpr std::size_t kMaxMemoryBytes = 32 * 1024 * 1024;  // event payloads and record texts
inline constexpr std::size_t kMaxFailedJobs = 1000;
inline constexpr auto kExtractionDelay = std::chrono::seconds(2);       // after CreateEvent, emulator clock
inline constexpr auto kEmptySessionRetention = std::chrono::hours(24);  // "empty sessions are deleted after one day"

struct PayloadItem {
  bool blob = false;
  std::string role;       // conversational
  std::string text;       // conversational
  std::string blob_json;  // blob: the document as compact JSON
};

struct MemoryEvent {
  std::string id;  // <19-digit epoch millis of eventTimestamp>#<8 hex>
  std::string actor, session;
  std::int64_t timestamp_ms = 0;
  std::uint64_t seq = 0;  // creation order within the memory: breaks timestamp ties
  SystemTime stored_at{};
  std::vector<PayloadItem> payload;
  bool has_branch = false;
  std::string branch_name, branch_root;  // root "" when the event continues a branch without naming it
  std::vector<std::pair<std::string, std::string>> metadata;  // key -> stringValue
  bool extract = true;  // false: extractionMode SKIP, kept out of long-term memory
  std::size_t bytes = 0;
};

// Events order by their timestamp, then by creation.
using EventOrder = std::pair<std::int64_t, std::uint64_t>;

struct MemorySession {
  std::string actor, id;
  SystemTime created_at{};
  SystemTime empty_since{};  // when its last event went (it is forgotten a day later)
  std::map<EventOrder, std::string> order;                 // oldest first -> event id
  std::map<std::string, MemoryEvent, std::less<>> events;  // by id
  std::map<std::string, std::string, std::less<>> branches;  // branch name -> its root event id
};

// A memory record's metadata value (MemoryRecordMetadataValue, a union).
struct RecordValue {
  enum class Kind { string, list, number, date } kind = Kind::string;
  std::string text;
  std::vector<std::string> list;
  double number = 0;
  std::int64_t date_ms = 0;
};

struct MemoryRecord {
  std::string id;  // mem-<uuid>
  std::string text;
  std::string strategy_id;  // "" for a record created without one
  bool has_namespace = false;
  std::string name_space;
  SystemTime created_at{};
  std::uint64_t seq = 0;
  std::vector<std::pair<std::string, RecordValue>> metadata;
  // Extraction: which strategy output this is, so a later extraction replaces (summaries) or
  // skips (the same fact) rather than adding a copy.
  std::string source;
};

// An extraction that failed (the record limit was reached): ListMemoryExtractionJobs lists it,
// StartMemoryExtractionJob runs it again.
struct ExtractionJob {
  std::string id;
  std::string strategy_id, actor, session;
  std::vector<std::pair<std::string, int>> messages;  // event id, message index
  std::string failure_reason;
  std::map<std::string, std::string> variables;
  bool blobs_as_text = false;
  std::uint64_t seq = 0;
};

struct PendingExtraction {
  std::string event_id;
  std::map<std::string, std::string> variables;  // IngestData's namespaceVariables
  bool blobs_as_text = false;                    // IngestData: its json items are extracted too
};

struct MemoryData {
  std::map<std::pair<std::string, std::string>, MemorySession> sessions;  // (actor, session id)
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> event_sessions;  // event id -> session
  std::set<std::tuple<SystemTime, std::uint64_t, std::string>> by_stored;  // (stored_at, seq, event id): expiry
  std::map<std::string, MemoryRecord, std::less<>> records;
  std::multimap<SystemTime, PendingExtraction> pending;
  std::map<std::string, ExtractionJob, std::less<>> failed_jobs;
  std::map<std::string, std::string, std::less<>> by_source;  // MemoryRecord::source -> record id
  std::uint64_t next_seq = 1;
  std::size_t bytes = 0;
  std::optional<SystemTime> wake_at;  // a scheduler timer will process `pending` then

  MemorySession* session(std::string_view actor, std::string_view session_id);
  MemoryEvent* event(std::string_view event_id);
  // `now`: when the event was stored; a new session's createdAt (an older one's, if earlier).
  MemoryEvent& add_event(MemoryEvent event, SystemTime now);
  void erase_event(std::string_view event_id, SystemTime now);
  // Events stored `retention` or longer ago go; sessions empty for a day go.
  void expire(SystemTime now, std::chrono::seconds retention);
  std::size_t event_count() const { return event_sessions.size(); }

  MemoryRecord& add_record(MemoryRecord record);
  void erase_record(std::string_view id);
  void set_record_text(MemoryRecord& record, std::string text);
};

// Runs the extractions that are due by `now` with the memory's strategies; a strategy that cannot
// store its records (the limit) leaves a failed job. `rerun` (StartMemoryExtractionJob) runs one
// failed job again.
void run_due_extractions(MemoryData& data, std::span<const StrategyInfo> strategies, SystemTime now);
bool rerun_extraction(MemoryData& data, std::span<const StrategyInfo> strategies, ExtractionJob& job, SystemTime now);

// The filters ListMemoryRecords and RetrieveMemoryRecords share: the namespace (a prefix) or
// namespacePath (a subtree: the path itself or anything under "path/"), the strategy, and the
// metadata expressions (MemoryMetadataFilterExpression, as JSON).
struct RecordFilter {
  std::optional<std::string> name_space;
  std::optional<std::string> path;
  std::optional<std::string> strategy_id;
  const JsonValue* metadata = nullptr;  // an array, or nullptr
};
bool record_matches(const MemoryRecord& record, const RecordFilter& filter);

// ListEvents' metadata expressions (EventMetadataFilterExpression) on one event.
bool event_matches_metadata(const MemoryEvent& event, const JsonValue& expressions);

class MemoryStore {
 public:
  // By "<account>/<region>/<memory id>".
  MemoryData& open(std::string_view key);
  MemoryData* find(std::string_view key);
  void forget(std::string_view key);
  void clear() { memories_.clear(); }
  const std::map<std::string, MemoryData, std::less<>>& all() const { return memories_; }

 private:
  std::map<std::string, MemoryData, std::less<>> memories_;
};

// Events, records and failed jobs to and from JSON in the model's shapes (memory.cpp): the API's
// answers and the fixtures' sections (memory_fixtures.cpp) share them.
void read_payload(const JsonValue& payload_list, MemoryEvent& event);
void read_event_metadata(const JsonValue* metadata_map, MemoryEvent& event);
void read_record_metadata(const JsonValue* metadata_map, MemoryRecord& record);
bool read_record_value(const JsonValue& value, RecordValue& out);
// `fixture`: also extractionMode (SKIP) and, for records and jobs, the memoryId they belong to.
void write_memory_event(JsonWriter& w, std::string_view memory_id, const MemoryEvent& event, bool payloads = true,
                        bool fixture = false);
void write_memory_record(JsonWriter& w, const MemoryRecord& record, std::optional<double> score = std::nullopt,
                         std::string_view fixture_memory_id = {});
void write_extraction_job(JsonWriter& w, const ExtractionJob& job, std::string_view fixture_memory_id = {});

std::string memory_key(std::string_view account, std::string_view region, std::string_view memory_id);
std::string new_event_id(std::int64_t timestamp_ms);
std::string new_record_id();  // mem-<uuid v4>: 40 characters, as MemoryRecordId's 40..50

}  // namespace agentemu::agentcore
