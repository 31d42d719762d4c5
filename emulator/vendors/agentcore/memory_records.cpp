// AgentCore Memory's long-term memory: memory records (BatchCreate, BatchUpdate, BatchDelete,
// Get, Delete, List), RetrieveMemoryRecords ranked by BM25 (ranking.hpp), and the extraction jobs
// that failed (ListMemoryExtractionJobs, StartMemoryExtractionJob). The events and the memory
// itself are memory.cpp's.
#include <algorithm>

#include "core/text.hpp"
#include "vendors/agentcore/idempotency.hpp"
#include "vendors/agentcore/memory_api.hpp"
#include "vendors/agentcore/ranking.hpp"

namespace agentemu::agentcore::memory_api {
namespace {

constexpr int kDefaultTopK = 10;  // RetrieveMemoryRecords' searchCriteria.topK

// ---- Records -----------------------------------------------------------------------------------

void write_outcome(JsonWriter& w, std::string_view id, bool ok, std::string_view request_identifier, int code = 0,
                   std::string_view message = {}) {
  w.begin_object().field("memoryRecordId", id).field("status", ok ? "SUCCEEDED" : "FAILED");
  if (!request_identifier.empty()) w.field("requestIdentifier", request_identifier);
  if (!ok) w.field_int("errorCode", code).field("errorMessage", message);
  w.end_object();
}

// Answers {"successfulRecords": [...], "failedRecords": [...]}; `each` writes one record's
// outcome into one of the two writers.
template <class Each>
void answer_batch(HandlerContext& h, Each&& each) {
  JsonWriter good, bad;
  good.begin_array();
  bad.begin_array();
  const JsonValue* records = h.in.body_member("records");
  if (records != nullptr && records->IsArray()) {
    for (const JsonValue& r : records->GetArray()) each(r, good, bad);
  }
  good.end_array();
  bad.end_array();
  std::string body = "{\"successfulRecords\":" + good.take() + ",\"failedRecords\":" + bad.take() + "}";
  answer(h, std::move(body));
}

std::string record_limit_reason(const MemoryData& data, std::size_t bytes) {
  if (data.records.size() >= kMaxRecordsPerMemory) {
    return "The memory holds its limit of " + std::to_string(kMaxRecordsPerMemory) + " memory records";
  }
  if (data.bytes + bytes > kMaxMemoryBytes) {
    return "The memory holds its limit of " + std::to_string(kMaxMemoryBytes) + " bytes of events and records";
  }
  return {};
}

// The members a create or update sets. `data` counts a changed text (nullptr: a record not stored yet).
void apply_record_fields(const JsonValue& in, MemoryRecord& r, MemoryData* data) {
  if (const JsonValue* content = json_member(in, "content")) {
    std::string text(text_of(*content, "text"));
    if (data != nullptr) {
      data->set_record_text(r, std::move(text));
    } else {
      r.text = std::move(text);
    }
  }
  if (const JsonValue* ns = json_member(in, "namespaces"); ns != nullptr && ns->IsArray()) {
    r.has_namespace = ns->Size() > 0 && (*ns)[0].IsString();
    r.name_space = r.has_namespace ? std::string((*ns)[0].GetString(), (*ns)[0].GetStringLength()) : std::string();
  }
  if (const JsonValue* strategy = json_member(in, "memoryStrategyId"); strategy != nullptr && strategy->IsString()) {
    r.strategy_id.assign(strategy->GetString(), strategy->GetStringLength());
  }
  read_record_metadata(json_member(in, "metadata"), r);
}

}  // namespace

void batch_create_records(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::string key, print;
  if (replay(h, caller_tenant(h), key, print)) return;
  answer_batch(h, [&](const JsonValue& in, JsonWriter& good, JsonWriter& bad) {
    const std::string_view request_identifier = text_of(in, "requestIdentifier");
    const JsonValue* content = json_member(in, "content");
    const std::string_view text = content != nullptr ? text_of(*content, "text") : std::string_view{};
    MemoryRecord r;
    r.id = new_record_id();
    if (const std::string why = record_limit_reason(*m.data, text.size()); !why.empty()) {
      return write_outcome(bad, r.id, false, request_identifier, 402, why);
    }
    r.created_at = from_epoch_millis(timestamp_ms(json_member(in, "timestamp")).value_or(epoch_millis(h.call.now)));
    r.seq = m.data->next_seq++;
    apply_record_fields(in, r, nullptr);
    const std::string id = r.id;
    m.data->add_record(std::move(r));
    write_outcome(good, id, true, request_identifier);
  });
  remember(caller_tenant(h), key, print, h.call, "x-amzn-RequestId");
}

void batch_update_records(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  answer_batch(h, [&](const JsonValue& in, JsonWriter& good, JsonWriter& bad) {
    const std::string_view id = text_of(in, "memoryRecordId");
    const auto it = m.data->records.find(id);
    if (it == m.data->records.end()) return write_outcome(bad, id, false, {}, 404, "Memory record not found");
    if (const JsonValue* content = json_member(in, "content")) {
      const std::size_t size = text_of(*content, "text").size();
      if (m.data->bytes - std::min(m.data->bytes, it->second.text.size()) + size > kMaxMemoryBytes) {
        return write_outcome(bad, id, false, {}, 402,
                             "The memory holds its limit of " + std::to_string(kMaxMemoryBytes) +
                                 " bytes of events and records");
      }
    }
    apply_record_fields(in, it->second, m.data);
    write_outcome(good, id, true, {});
  });
}

void batch_delete_records(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  answer_batch(h, [&](const JsonValue& in, JsonWriter& good, JsonWriter& bad) {
    const std::string_view id = text_of(in, "memoryRecordId");
    if (!m.data->records.contains(id)) return write_outcome(bad, id, false, {}, 404, "Memory record not found");
    m.data->erase_record(id);
    write_outcome(good, id, true, {});
  });
}

namespace {

MemoryRecord* labelled_record(HandlerContext& h, OpenMemory& m) {
  const std::string_view id = h.in.label_value("memoryRecordId").value_or("");
  const auto it = m.data->records.find(id);
  if (it == m.data->records.end()) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Memory record " + std::string(id) + " not found in memory " + m.id);
    return nullptr;
  }
  return &it->second;
}

}  // namespace

void get_record(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  const MemoryRecord* r = labelled_record(h, m);
  if (r == nullptr) return;
  JsonWriter w;
  w.begin_object().key("memoryRecord");
  write_memory_record(w, *r);
  w.end_object();
  answer(h, w.take());
}

void delete_record(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  const MemoryRecord* r = labelled_record(h, m);
  if (r == nullptr) return;
  const std::string id = r->id;
  m.data->erase_record(id);
  JsonWriter w;
  w.begin_object().field("memoryRecordId", id).end_object();
  answer(h, w.take());
}

namespace {

// namespace or namespacePath, exactly one ("Either namespace or namespacePath is required").
bool read_record_filter(HandlerContext& h, RecordFilter& f, const JsonValue* strategy_holder, const JsonValue* metadata) {
  if (const auto ns = h.in.body_string("namespace")) f.name_space.emplace(*ns);
  if (const auto path = h.in.body_string("namespacePath")) f.path.emplace(*path);
  if (f.name_space.has_value() == f.path.has_value()) {
    const bool both = f.name_space.has_value();
    validation(h, both ? "namespacePath" : "namespace",
               both ? "Member must not be set together with namespace" : "Member must not be null",
               both ? "Only one of namespace or namespacePath may be set" : "Either namespace or namespacePath is required");
    return false;
  }
  if (strategy_holder != nullptr) {
    if (const std::string_view s = text_of(*strategy_holder, "memoryStrategyId"); !s.empty()) f.strategy_id.emplace(s);
  }
  f.metadata = metadata;
  return true;
}

// Newest first: created, then creation order.
bool newer(const MemoryRecord* a, const MemoryRecord* b) {
  return a->created_at != b->created_at ? a->created_at > b->created_at : a->seq > b->seq;
}

}  // namespace

void list_records(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  RecordFilter f;
  if (!read_record_filter(h, f, &h.in.body, h.in.body_member("metadataFilters"))) return;
  std::optional<std::string> after;
  if (!read_cursor(h, "records", after)) return;
  std::vector<const MemoryRecord*> found;
  for (const auto& [id, r] : m.data->records) {
    if (record_matches(r, f)) found.push_back(&r);
  }
  std::sort(found.begin(), found.end(), newer);
  std::size_t start = 0;
  if (after) {
    while (start < found.size() && found[start]->id != *after) ++start;
    start = start < found.size() ? start + 1 : found.size();
  }
  const std::size_t end = std::min(found.size(), start + static_cast<std::size_t>(page_size(h)));
  JsonWriter w;
  w.begin_object().key("memoryRecordSummaries").begin_array();
  for (std::size_t i = start; i < end; ++i) write_memory_record(w, *found[i]);
  w.end_array();
  if (end < found.size()) w.field("nextToken", cursor("records", found[end - 1]->id));
  w.end_object();
  answer(h, w.take());
}

void retrieve_records(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  const JsonValue& criteria = *h.in.body_member("searchCriteria");
  RecordFilter f;
  if (!read_record_filter(h, f, &criteria, json_member(criteria, "metadataFilters"))) return;
  std::optional<std::string> after;
  if (!read_cursor(h, "retrieve", after)) return;
  std::vector<const MemoryRecord*> candidates;
  for (const auto& [id, r] : m.data->records) {
    if (record_matches(r, f)) candidates.push_back(&r);
  }
  std::vector<std::string_view> texts;
  texts.reserve(candidates.size());
  for (const MemoryRecord* r : candidates) texts.push_back(r->text);
  const std::vector<double> scores = bm25_scores(text_of(criteria, "searchQuery"), texts);
  std::vector<std::size_t> ranked;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (scores[i] > 0) ranked.push_back(i);
  }
  // Most relevant first; equal scores newest first, then by id, so the order is total.
  std::sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    if (candidates[a]->created_at != candidates[b]->created_at) return newer(candidates[a], candidates[b]);
    return candidates[a]->id < candidates[b]->id;
  });
  const JsonValue* top = json_member(criteria, "topK");
  const std::size_t top_k = static_cast<std::size_t>(top != nullptr && top->IsInt64() ? top->GetInt64() : kDefaultTopK);
  if (ranked.size() > top_k) ranked.resize(top_k);
  std::size_t start = 0;
  if (after) {
    const auto offset = parse_int64(*after);
    start = offset && *offset >= 0 ? std::min(ranked.size(), static_cast<std::size_t>(*offset)) : ranked.size();
  }
  const std::size_t end = std::min(ranked.size(), start + static_cast<std::size_t>(page_size(h)));
  JsonWriter w;
  w.begin_object().key("memoryRecordSummaries").begin_array();
  for (std::size_t i = start; i < end; ++i) write_memory_record(w, *candidates[ranked[i]], relevance_score(scores[ranked[i]]));
  w.end_array();
  if (end < ranked.size()) w.field("nextToken", cursor("retrieve", std::to_string(end)));
  w.end_object();
  answer(h, w.take());
}

// ---- Extraction jobs ---------------------------------------------------------------------------

void start_extraction_job(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::string key, print;
  if (replay(h, caller_tenant(h), key, print)) return;
  const std::string job_id(text_of(*h.in.body_member("extractionJob"), "jobId"));
  const auto it = m.data->failed_jobs.find(job_id);
  if (it == m.data->failed_jobs.end()) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Extraction job " + job_id + " not found in memory " + m.id +
                     " (ListMemoryExtractionJobs lists the jobs that can be started)");
    return;
  }
  // A job that fails again stays listed, with the new reason; one that succeeds is done.
  if (rerun_extraction(*m.data, m.strategies, it->second, h.call.now)) m.data->failed_jobs.erase(it);
  JsonWriter w;
  w.begin_object().field("jobId", job_id).end_object();
  answer(h, w.take());
  remember(caller_tenant(h), key, print, h.call, "x-amzn-RequestId");
}

void list_extraction_jobs(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::optional<std::string> after;
  if (!read_cursor(h, "jobs", after)) return;
  const JsonValue* filter = h.in.body_member("filter");
  const auto wanted = [&](std::string_view member, const std::string& value) {
    const std::string_view w = filter != nullptr ? text_of(*filter, member) : std::string_view{};
    return w.empty() || w == value;
  };
  std::vector<const ExtractionJob*> jobs;
  for (const auto& [id, job] : m.data->failed_jobs) {
    if (wanted("strategyId", job.strategy_id) && wanted("sessionId", job.session) && wanted("actorId", job.actor)) {
      jobs.push_back(&job);
    }
  }
  std::sort(jobs.begin(), jobs.end(), [](const ExtractionJob* a, const ExtractionJob* b) { return a->seq < b->seq; });
  std::size_t start = 0;
  if (after) {
    while (start < jobs.size() && jobs[start]->id != *after) ++start;
    start = start < jobs.size() ? start + 1 : jobs.size();
  }
  const std::size_t end = std::min(jobs.size(), start + static_cast<std::size_t>(page_size(h)));
  JsonWriter w;
  w.begin_object().key("jobs").begin_array();
  for (std::size_t i = start; i < end; ++i) write_extraction_job(w, *jobs[i]);
  w.end_array();
  if (end < jobs.size()) w.field("nextToken", cursor("jobs", jobs[end - 1]->id));
  w.end_object();
  answer(h, w.take());
}

}  // namespace agentemu::agentcore::memory_api
