// The Memory data plane's fixture sections (data_fixtures.hpp): events, records and failed
// extraction jobs in the API's shapes. Members are checked with the model's own constraints (the
// specs of CreateEvent, BatchCreateMemoryRecords, GetEvent...), so a fixture holds only what the
// API could have made. Fixture events are history: they are not extracted again.
#include <algorithm>
#include <cmath>

#include "core/text.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/data_fixtures.hpp"
#include "vendors/agentcore/operations.hpp"

namespace agentemu::agentcore {
namespace {

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

FixtureIssue issue(std::string pointer, std::string message) { return FixtureIssue{std::move(pointer), std::move(message)}; }

std::optional<FixtureIssue> unknown_keys(const JsonValue& item, const std::string& at,
                                         std::initializer_list<std::string_view> keys) {
  if (!item.IsObject()) return issue(at, std::string("must be an object, not ") + json_type_name(item));
  for (const auto& m : item.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
      std::string known;
      for (std::string_view k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
      return issue(json_pointer(at, name), "unknown key (expected " + known + ")");
    }
  }
  return std::nullopt;
}

// The member checked as the model checks `spec` (an operation's member or a nested one).
std::optional<FixtureIssue> model_check(const JsonValue& item, const std::string& at, std::string_view key,
                                        const ParamSpec* spec, bool required) {
  const JsonValue* v = json_member(item, key);
  if (v == nullptr) return required ? std::optional(issue(json_pointer(at, key), "is required")) : std::nullopt;
  if (spec == nullptr) return std::nullopt;
  ParamSpec optional = *spec;
  optional.required = false;
  if (auto violation = validate_value(optional, ParamValue::of_json(v), std::string(key))) {
    return issue(json_pointer(at, key), violation->path + ": " + constraint_text(*violation));
  }
  return std::nullopt;
}

const ParamSpec* op_member(OpId op, std::string_view name) {
  const Member* m = find_member(operations()[op], name);
  return m != nullptr ? &m->spec : nullptr;
}

// BatchCreateMemoryRecords' record members (content, namespaces, memoryStrategyId, metadata).
const ParamSpec* record_member(std::string_view name) {
  const ParamSpec* records = op_member(kBatchCreateMemoryRecords, "records");
  return records != nullptr && records->items != nullptr ? find_param(records->items->members, name) : nullptr;
}

// A timestamp as the API writes it (epoch seconds) or as a person would (RFC 3339).
std::optional<std::int64_t> fixture_time_ms(const JsonValue* v) {
  if (v == nullptr) return std::nullopt;
  if (v->IsNumber() && std::isfinite(v->GetDouble()) && v->GetDouble() >= 0 && v->GetDouble() <= 1e11) {
    return static_cast<std::int64_t>(std::llround(v->GetDouble() * 1000.0));
  }
  if (v->IsString()) {
    if (const auto t = parse_iso8601(std::string_view(v->GetString(), v->GetStringLength()))) return epoch_millis(*t);
  }
  return std::nullopt;
}

std::optional<FixtureIssue> time_check(const JsonValue& item, const std::string& at, std::string_view key, bool required) {
  const JsonValue* v = json_member(item, key);
  if (v == nullptr) return required ? std::optional(issue(json_pointer(at, key), "is required")) : std::nullopt;
  if (!fixture_time_ms(v)) return issue(json_pointer(at, key), "must be epoch seconds or an ISO 8601 UTC time");
  return std::nullopt;
}

struct MemoryPlace {
  std::string account, region, id;
};

// Where a fixture item's memoryId is: a memory of this section's memories or of the live state
// (an earlier fixture, the control plane), by id; an ARN also names its tenant.
std::optional<MemoryPlace> place_memory(std::string_view memory_id, const JsonValue& section, const State& live) {
  std::optional<MemoryPlace> wanted;
  if (memory_id.starts_with("arn:")) {
    const auto parts = split(memory_id, ':');
    const auto slash = parts.size() == 6 ? parts[5].find('/') : std::string_view::npos;
    if (slash == std::string_view::npos || parts[5].substr(0, slash) != "memory") return std::nullopt;
    wanted = MemoryPlace{std::string(parts[4]), std::string(parts[3]), std::string(parts[5].substr(slash + 1))};
    memory_id = parts[5].substr(slash + 1);
  }
  const auto fits = [&](MemoryPlace p) -> std::optional<MemoryPlace> {
    if (wanted && (p.account != wanted->account || p.region != wanted->region)) return std::nullopt;
    return p;
  };
  if (const JsonValue* memories = json_member(section, "memories"); memories != nullptr && memories->IsArray()) {
    for (const JsonValue& m : memories->GetArray()) {
      if (text_of(m, "id") != memory_id) continue;
      const auto parts = split(text_of(m, "arn"), ':');
      MemoryPlace p{std::string(kDefaultAccount), std::string(kDefaultRegion), std::string(memory_id)};
      if (parts.size() == 6) p = MemoryPlace{std::string(parts[4]), std::string(parts[3]), std::string(memory_id)};
      if (auto found = fits(p)) return found;
    }
  }
  for (const auto& [key, tenant] : live.tenants) {
    if (!tenant.resources[static_cast<std::size_t>(KindId::memory)].contains(memory_id)) continue;
    const auto slash = key.find('/');
    if (auto found = fits(MemoryPlace{key.substr(0, slash), key.substr(slash + 1), std::string(memory_id)})) return found;
  }
  return std::nullopt;
}

std::optional<FixtureIssue> memory_check(const JsonValue& item, const std::string& at, const JsonValue& section,
                                         const State& live) {
  if (auto i = model_check(item, at, "memoryId", op_member(kCreateEvent, "memoryId"), true)) return i;
  if (!place_memory(text_of(item, "memoryId"), section, live)) {
    return issue(json_pointer(at, "memoryId"),
                 "names no memory: define it in agentcore.memories (or name it by its ARN)");
  }
  return std::nullopt;
}

std::optional<FixtureIssue> check_event(const JsonValue& e, const std::string& at, const JsonValue& section,
                                        const State& live) {
  if (auto i = unknown_keys(e, at, {"memoryId", "actorId", "sessionId", "eventId", "eventTimestamp", "payload",
                                     "branch", "metadata", "extractionMode", "storedAt"})) {
    return i;
  }
  if (auto i = memory_check(e, at, section, live)) return i;
  for (std::string_view key : {"actorId", "payload"}) {
    if (auto i = model_check(e, at, key, op_member(kCreateEvent, key), true)) return i;
  }
  if (auto i = model_check(e, at, "sessionId", op_member(kCreateEvent, "sessionId"), true)) return i;
  for (std::string_view key : {"branch", "metadata", "extractionMode"}) {
    if (auto i = model_check(e, at, key, op_member(kCreateEvent, key), false)) return i;
  }
  if (auto i = model_check(e, at, "eventId", op_member(kGetEvent, "eventId"), false)) return i;
  if (auto i = time_check(e, at, "storedAt", false)) return i;
  return time_check(e, at, "eventTimestamp", true);
}

std::optional<FixtureIssue> check_record(const JsonValue& r, const std::string& at, const JsonValue& section,
                                         const State& live) {
  if (auto i = unknown_keys(r, at, {"memoryId", "memoryRecordId", "content", "memoryStrategyId", "namespaces",
                                     "createdAt", "metadata"})) {
    return i;
  }
  if (auto i = memory_check(r, at, section, live)) return i;
  if (auto i = model_check(r, at, "memoryRecordId", op_member(kGetMemoryRecord, "memoryRecordId"), false)) return i;
  for (std::string_view key : {"content", "namespaces"}) {
    if (auto i = model_check(r, at, key, record_member(key), true)) return i;
  }
  for (std::string_view key : {"memoryStrategyId", "metadata"}) {
    if (auto i = model_check(r, at, key, record_member(key), false)) return i;
  }
  return time_check(r, at, "createdAt", false);
}

std::optional<FixtureIssue> check_job(const JsonValue& j, const std::string& at, const JsonValue& section,
                                      const State& live) {
  if (auto i = unknown_keys(j, at, {"memoryId", "jobID", "messages", "status", "failureReason", "strategyId",
                                     "sessionId", "actorId"})) {
    return i;
  }
  if (auto i = memory_check(j, at, section, live)) return i;
  for (std::string_view key : {"jobID", "strategyId", "sessionId", "actorId"}) {
    const JsonValue* v = json_member(j, key);
    if (v == nullptr || !v->IsString() || v->GetStringLength() == 0) return issue(json_pointer(at, key), "must be a non-empty string");
  }
  if (const JsonValue* status = json_member(j, "status"); status != nullptr && text_of(j, "status") != "FAILED") {
    return issue(json_pointer(at, "status"), "must be FAILED (ListMemoryExtractionJobs lists failed jobs)");
  }
  const JsonValue* messages = json_member(j, "messages");
  const JsonValue* list = messages != nullptr ? json_member(*messages, "messagesList") : nullptr;
  if (list == nullptr || !list->IsArray()) return issue(json_pointer(at, "messages"), "must be {\"messagesList\": [...]}");
  for (rapidjson::SizeType k = 0; k < list->Size(); ++k) {
    const JsonValue& m = (*list)[k];
    const JsonValue* index = json_member(m, "messageIndex");
    if (text_of(m, "eventId").empty() || index == nullptr || !index->IsInt() || index->GetInt() < 0) {
      return issue(json_pointer(json_pointer(json_pointer(at, "messages"), "messagesList"), k),
                   "must be {\"eventId\": ..., \"messageIndex\": N}");
    }
  }
  return std::nullopt;
}

constexpr std::string_view kEvents = "memoryEvents";
constexpr std::string_view kRecords = "memoryRecords";
constexpr std::string_view kJobs = "memoryExtractionJobs";

MemoryData& data_for(State& state, const JsonValue& item, const JsonValue& section) {
  const MemoryPlace p = *place_memory(text_of(item, "memoryId"), section, state);
  return state.memory.open(memory_key(p.account, p.region, p.id));
}

std::string memory_arn(std::string_view key) {
  const auto first = key.find('/');
  const auto second = key.find('/', first + 1);
  return "arn:aws:bedrock-agentcore:" + std::string(key.substr(first + 1, second - first - 1)) + ":" +
         std::string(key.substr(0, first)) + ":memory/" + std::string(key.substr(second + 1));
}

}  // namespace

std::optional<FixtureIssue> check_memory_fixtures(const JsonValue& section, const std::string& root, const State& live) {
  using Check = std::optional<FixtureIssue> (*)(const JsonValue&, const std::string&, const JsonValue&, const State&);
  const std::pair<std::string_view, Check> lists[] = {{kEvents, check_event}, {kRecords, check_record}, {kJobs, check_job}};
  std::lock_guard lock(live.mutex);
  for (const auto& [key, check] : lists) {
    const JsonValue* list = json_member(section, key);
    if (list == nullptr) continue;
    const std::string at = json_pointer(root, key);
    if (!list->IsArray()) return issue(at, std::string("must be an array, not ") + json_type_name(*list));
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      if (auto problem = check((*list)[i], json_pointer(at, i), section, live)) return problem;
    }
  }
  return std::nullopt;
}

void apply_memory_fixtures(State& state, const JsonValue& section, SystemTime now) {
  const auto list = [&](std::string_view key) -> const JsonValue* {
    const JsonValue* v = json_member(section, key);
    return v != nullptr && v->IsArray() ? v : nullptr;
  };
  if (const JsonValue* events = list(kEvents)) {
    for (const JsonValue& item : events->GetArray()) {
      MemoryData& data = data_for(state, item, section);
      MemoryEvent e;
      e.actor.assign(text_of(item, "actorId"));
      e.session.assign(text_of(item, "sessionId"));
      e.timestamp_ms = *fixture_time_ms(json_member(item, "eventTimestamp"));
      read_payload(*json_member(item, "payload"), e);
      if (const JsonValue* branch = json_member(item, "branch")) {
        e.has_branch = true;
        e.branch_name.assign(text_of(*branch, "name"));
        e.branch_root.assign(text_of(*branch, "rootEventId"));
      }
      read_event_metadata(json_member(item, "metadata"), e);
      e.extract = text_of(item, "extractionMode") != "SKIP";
      e.id.assign(text_of(item, "eventId"));
      if (e.id.empty() || data.event(e.id) != nullptr) {
        if (!e.id.empty()) data.erase_event(e.id, now);  // the fixture's event replaces the one of that id
        if (e.id.empty()) e.id = new_event_id(e.timestamp_ms);
      }
      e.seq = data.next_seq++;
      const auto stored = fixture_time_ms(json_member(item, "storedAt"));
      e.stored_at = stored ? from_epoch_millis(*stored) : now;
      const SystemTime stored_at = e.stored_at;
      data.add_event(std::move(e), stored_at);
    }
  }
  if (const JsonValue* records = list(kRecords)) {
    for (const JsonValue& item : records->GetArray()) {
      MemoryData& data = data_for(state, item, section);
      MemoryRecord r;
      r.id.assign(text_of(item, "memoryRecordId"));
      if (r.id.empty()) r.id = new_record_id();
      data.erase_record(r.id);
      r.text.assign(text_of(*json_member(item, "content"), "text"));
      r.strategy_id.assign(text_of(item, "memoryStrategyId"));
      const JsonValue& ns = *json_member(item, "namespaces");
      r.has_namespace = ns.Size() > 0;
      if (r.has_namespace) r.name_space.assign(ns[0].GetString(), ns[0].GetStringLength());
      r.created_at = from_epoch_millis(fixture_time_ms(json_member(item, "createdAt")).value_or(epoch_millis(now)));
      r.seq = data.next_seq++;
      read_record_metadata(json_member(item, "metadata"), r);
      data.add_record(std::move(r));
    }
  }
  if (const JsonValue* jobs = list(kJobs)) {
    for (const JsonValue& item : jobs->GetArray()) {
      MemoryData& data = data_for(state, item, section);
      ExtractionJob job;
      job.id.assign(text_of(item, "jobID"));
      job.strategy_id.assign(text_of(item, "strategyId"));
      job.session.assign(text_of(item, "sessionId"));
      job.actor.assign(text_of(item, "actorId"));
      job.failure_reason.assign(text_of(item, "failureReason"));
      for (const JsonValue& m : (*json_member(*json_member(item, "messages"), "messagesList")).GetArray()) {
        job.messages.emplace_back(std::string(text_of(m, "eventId")), json_member(m, "messageIndex")->GetInt());
      }
      job.seq = data.next_seq++;
      std::string id = job.id;
      data.failed_jobs.insert_or_assign(std::move(id), std::move(job));
    }
  }
}

void write_memory_state(JsonWriter& w, const State& state, SystemTime /*now*/) {
  // Oldest first, so a dump loaded back keeps each list's order.
  w.key(kEvents).begin_array();
  for (const auto& [key, data] : state.memory.all()) {
    const std::string arn = memory_arn(key);
    std::vector<const MemoryEvent*> events;
    for (const auto& [session_key, s] : data.sessions) {
      for (const auto& [id, e] : s.events) events.push_back(&e);
    }
    std::sort(events.begin(), events.end(), [](const MemoryEvent* a, const MemoryEvent* b) { return a->seq < b->seq; });
    // Each as GetEvent answers it, its memory named by ARN (unambiguous across tenants).
    for (const MemoryEvent* e : events) {
      write_memory_event(w, arn, *e, true, true);
    }
  }
  w.end_array();
  w.key(kRecords).begin_array();
  for (const auto& [key, data] : state.memory.all()) {
    std::vector<const MemoryRecord*> records;
    for (const auto& [id, r] : data.records) records.push_back(&r);
    std::sort(records.begin(), records.end(), [](const MemoryRecord* a, const MemoryRecord* b) { return a->seq < b->seq; });
    for (const MemoryRecord* r : records) {
      write_memory_record(w, *r, std::nullopt, memory_arn(key));
    }
  }
  w.end_array();
  w.key(kJobs).begin_array();
  for (const auto& [key, data] : state.memory.all()) {
    std::vector<const ExtractionJob*> jobs;
    for (const auto& [id, j] : data.failed_jobs) jobs.push_back(&j);
    std::sort(jobs.begin(), jobs.end(), [](const ExtractionJob* a, const ExtractionJob* b) { return a->seq < b->seq; });
    for (const ExtractionJob* j : jobs) {
      write_extraction_job(w, *j, memory_arn(key));
    }
  }
  w.end_array();
}

}  // namespace agentemu::agentcore
