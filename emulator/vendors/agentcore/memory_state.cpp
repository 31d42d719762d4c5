#include "vendors/agentcore/memory_state.hpp"

#include <algorithm>
#include <cstdio>

#include "core/crypto.hpp"

namespace agentemu::agentcore {

// ---- Events ------------------------------------------------------------------------------------

MemorySession* MemoryData::session(std::string_view actor, std::string_view session_id) {
  const auto it = sessions.find(std::make_pair(std::string(actor), std::string(session_id)));
  return it == sessions.end() ? nullptr : &it->second;
}

MemoryEvent* MemoryData::event(std::string_view event_id) {
  const auto where = event_sessions.find(event_id);
  if (where == event_sessions.end()) return nullptr;
  MemorySession* s = session(where->second.first, where->second.second);
  if (s == nullptr) return nullptr;
  const auto it = s->events.find(event_id);
  return it == s->events.end() ? nullptr : &it->second;
}

MemoryEvent& MemoryData::add_event(MemoryEvent e, SystemTime now) {
  auto key = std::make_pair(e.actor, e.session);
  auto it = sessions.find(key);
  if (it == sessions.end()) {
    MemorySession s;
    s.actor = e.actor;
    s.id = e.session;
    s.created_at = now;
    it = sessions.emplace(std::move(key), std::move(s)).first;
  } else if (now < it->second.created_at) {
    it->second.created_at = now;  // a fixture's older event: the session began with it
  }
  MemorySession& s = it->second;
  if (e.has_branch && !e.branch_root.empty()) s.branches.emplace(e.branch_name, e.branch_root);
  bytes += e.bytes;
  event_sessions.emplace(e.id, std::make_pair(e.actor, e.session));
  by_stored.emplace(e.stored_at, e.seq, e.id);
  s.order.emplace(EventOrder{e.timestamp_ms, e.seq}, e.id);
  std::string id = e.id;
  return s.events.emplace(std::move(id), std::move(e)).first->second;
}

void MemoryData::erase_event(std::string_view event_id, SystemTime now) {
  const auto where = event_sessions.find(event_id);
  if (where == event_sessions.end()) return;
  MemorySession* s = session(where->second.first, where->second.second);
  event_sessions.erase(where);
  if (s == nullptr) return;
  const auto it = s->events.find(event_id);
  if (it == s->events.end()) return;
  const MemoryEvent& e = it->second;
  bytes -= std::min(bytes, e.bytes);
  by_stored.erase(std::make_tuple(e.stored_at, e.seq, e.id));
  s->order.erase(EventOrder{e.timestamp_ms, e.seq});
  s->events.erase(it);
  if (s->events.empty()) s->empty_since = now;
}

void MemoryData::expire(SystemTime now, std::chrono::seconds retention) {
  while (!by_stored.empty() && std::get<0>(*by_stored.begin()) + retention <= now) {
    const std::string id = std::get<2>(*by_stored.begin());
    by_stored.erase(by_stored.begin());
    erase_event(id, now);
  }
  for (auto it = sessions.begin(); it != sessions.end();) {
    const MemorySession& s = it->second;
    if (s.events.empty() && s.empty_since + kEmptySessionRetention <= now) {
      it = sessions.erase(it);
    } else {
      ++it;
    }
  }
}

// ---- Records -----------------------------------------------------------------------------------

MemoryRecord& MemoryData::add_record(MemoryRecord r) {
  bytes += r.text.size();
  if (!r.source.empty()) by_source.insert_or_assign(r.source, r.id);
  std::string id = r.id;
  return records.insert_or_assign(std::move(id), std::move(r)).first->second;
}

void MemoryData::erase_record(std::string_view id) {
  const auto it = records.find(id);
  if (it == records.end()) return;
  bytes -= std::min(bytes, it->second.text.size());
  if (!it->second.source.empty()) by_source.erase(it->second.source);
  records.erase(it);
}

void MemoryData::set_record_text(MemoryRecord& r, std::string text) {
  bytes -= std::min(bytes, r.text.size());
  bytes += text.size();
  r.text = std::move(text);
}

// ---- Extraction --------------------------------------------------------------------------------

namespace {

struct ExtractionInput {
  std::vector<Turn> turns;
  std::vector<std::pair<std::string, int>> messages;  // for a failed job: event id, payload index
};

void add_turns(const MemoryEvent& e, bool blobs_as_text, ExtractionInput& in) {
  for (std::size_t i = 0; i < e.payload.size(); ++i) {
    const PayloadItem& p = e.payload[i];
    if (p.blob && !blobs_as_text) continue;
    in.turns.push_back(Turn{p.blob ? std::string_view("USER") : std::string_view(p.role),
                            p.blob ? std::string_view(p.blob_json) : std::string_view(p.text)});
    in.messages.emplace_back(e.id, static_cast<int>(i));
  }
}

bool valid_namespace(std::string_view ns) { return !ns.empty() && ns.size() <= 1024; }

// Stores (or replaces, by source) one extracted record; false with `why` when a limit stops it.
bool store(MemoryData& data, const StrategyInfo& s, const std::string& ns, std::string source, std::string text,
           bool replace, SystemTime now, std::string& why) {
  if (const auto known = data.by_source.find(source); known != data.by_source.end()) {
    if (!replace) return true;  // the same fact again: consolidated into the record there is
    if (auto it = data.records.find(known->second); it != data.records.end()) {
      if (data.bytes - std::min(data.bytes, it->second.text.size()) + text.size() > kMaxMemoryBytes) {
        why = "the memory holds its limit of " + std::to_string(kMaxMemoryBytes) + " bytes of events and records";
        return false;
      }
      data.set_record_text(it->second, std::move(text));
      it->second.created_at = now;
      return true;
    }
  }
  if (data.records.size() >= kMaxRecordsPerMemory) {
    why = "the memory holds its limit of " + std::to_string(kMaxRecordsPerMemory) + " memory records";
    return false;
  }
  if (data.bytes + text.size() > kMaxMemoryBytes) {
    why = "the memory holds its limit of " + std::to_string(kMaxMemoryBytes) + " bytes of events and records";
    return false;
  }
  MemoryRecord r;
  r.id = new_record_id();
  r.text = std::move(text);
  r.strategy_id = s.id;
  r.has_namespace = true;
  r.name_space = ns;
  r.created_at = now;
  r.seq = data.next_seq++;
  r.source = std::move(source);
  data.add_record(std::move(r));
  return true;
}

// The conversation of a session so far, oldest first, as the summary strategy reads it.
std::vector<Turn> session_turns(const MemorySession& session) {
  std::vector<Turn> turns;
  for (const auto& [order, id] : session.order) {
    const MemoryEvent& e = session.events.at(id);
    if (!e.extract) continue;
    for (const PayloadItem& p : e.payload) {
      if (!p.blob) turns.push_back(Turn{p.role, p.text});
    }
  }
  return turns;
}

// One strategy over one event; "" on success, else why it failed.
std::string extract_with(MemoryData& data, const StrategyInfo& s, const MemoryEvent& e, const ExtractionInput& in,
                         const std::map<std::string, std::string>& variables, SystemTime now) {
  if (s.kind == StrategyKind::self_managed) return {};
  std::string why;
  for (const std::string& tmpl : s.templates) {
    const std::string ns = fill_namespace(tmpl, e.actor, e.session, s.id, variables);
    if (!valid_namespace(ns)) return "the namespace of template " + tmpl.substr(0, 128) + " is longer than 1024";
    if (s.kind == StrategyKind::summary) {
      const MemorySession* session = data.session(e.actor, e.session);
      if (session == nullptr) continue;
      const std::vector<Turn> turns = session_turns(*session);
      std::string text = summarize_session(turns);
      if (text.empty()) continue;
      if (!store(data, s, ns, "summary\n" + s.id + "\n" + ns + "\n" + e.actor + "\n" + e.session, std::move(text),
                 true, now, why)) {
        return why;
      }
      continue;
    }
    for (std::string& text : extract_from_event(s.kind, in.turns)) {
      std::string source = s.kind == StrategyKind::episodic
                               ? "episode\n" + s.id + "\n" + ns + "\n" + e.id
                               : "fact\n" + s.id + "\n" + ns + "\n" + hex_lower(sha256(text));
      if (!store(data, s, ns, std::move(source), std::move(text), s.kind == StrategyKind::episodic, now, why)) {
        return why;
      }
    }
  }
  return {};
}

void record_failure(MemoryData& data, const StrategyInfo& s, const MemoryEvent& e, const ExtractionInput& in,
                    const std::map<std::string, std::string>& variables, bool blobs_as_text, std::string why) {
  while (data.failed_jobs.size() >= kMaxFailedJobs) {
    const auto oldest = std::min_element(data.failed_jobs.begin(), data.failed_jobs.end(),
                                         [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
    data.failed_jobs.erase(oldest);
  }
  ExtractionJob job;
  job.id = uuid_v4();
  job.strategy_id = s.id;
  job.actor = e.actor;
  job.session = e.session;
  job.messages = in.messages;
  job.failure_reason = std::move(why);
  job.variables = variables;
  job.blobs_as_text = blobs_as_text;
  job.seq = data.next_seq++;
  std::string id = job.id;
  data.failed_jobs.emplace(std::move(id), std::move(job));
}

}  // namespace

void run_due_extractions(MemoryData& data, std::span<const StrategyInfo> strategies, SystemTime now) {
  while (!data.pending.empty() && data.pending.begin()->first <= now) {
    auto node = data.pending.extract(data.pending.begin());
    const PendingExtraction& p = node.mapped();
    const MemoryEvent* e = data.event(p.event_id);
    if (e == nullptr || !e->extract) continue;  // deleted or expired before its moment
    ExtractionInput in;
    add_turns(*e, p.blobs_as_text, in);
    for (const StrategyInfo& s : strategies) {
      std::string why = extract_with(data, s, *e, in, p.variables, now);
      if (!why.empty()) record_failure(data, s, *e, in, p.variables, p.blobs_as_text, std::move(why));
    }
  }
}

bool rerun_extraction(MemoryData& data, std::span<const StrategyInfo> strategies, ExtractionJob& job, SystemTime now) {
  const auto strategy = std::find_if(strategies.begin(), strategies.end(),
                                     [&](const StrategyInfo& s) { return s.id == job.strategy_id; });
  if (strategy == strategies.end()) {
    job.failure_reason = "the memory no longer has strategy " + job.strategy_id;
    return false;
  }
  std::vector<std::string> events;
  for (const auto& [id, index] : job.messages) {
    if (std::find(events.begin(), events.end(), id) == events.end()) events.push_back(id);
  }
  for (const std::string& id : events) {
    const MemoryEvent* e = data.event(id);
    if (e == nullptr) continue;  // gone since: nothing left to extract from it
    ExtractionInput in;
    add_turns(*e, job.blobs_as_text, in);
    if (std::string why = extract_with(data, *strategy, *e, in, job.variables, now); !why.empty()) {
      job.failure_reason = std::move(why);
      return false;
    }
  }
  return true;
}

// ---- Filters -----------------------------------------------------------------------------------

namespace {

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

const JsonValue* right_value(const JsonValue& expression) {
  const JsonValue* right = json_member(expression, "right");
  return right != nullptr ? json_member(*right, "metadataValue") : nullptr;
}

std::string_view left_key(const JsonValue& expression) {
  const JsonValue* left = json_member(expression, "left");
  return left != nullptr ? text_of(*left, "metadataKey") : std::string_view{};
}

std::optional<std::int64_t> date_ms(const JsonValue& v) {
  if (!v.IsNumber()) return std::nullopt;
  return static_cast<std::int64_t>(v.GetDouble() * 1000.0);
}

bool compare_record(const RecordValue& value, std::string_view op, const JsonValue* right) {
  if (right == nullptr || !right->IsObject()) return false;
  const JsonValue* s = json_member(*right, "stringValue");
  const JsonValue* list = json_member(*right, "stringListValue");
  const JsonValue* number = json_member(*right, "numberValue");
  const JsonValue* date = json_member(*right, "dateTimeValue");
  using K = RecordValue::Kind;
  if (op == "EQUALS_TO") {
    if (s != nullptr && s->IsString()) return value.kind == K::string && value.text == s->GetString();
    if (number != nullptr && number->IsNumber()) return value.kind == K::number && value.number == number->GetDouble();
    if (date != nullptr) return value.kind == K::date && date_ms(*date) == value.date_ms;
    if (list != nullptr && list->IsArray()) {
      if (value.kind != K::list || value.list.size() != list->Size()) return false;
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        if (!(*list)[i].IsString() || value.list[i] != (*list)[i].GetString()) return false;
      }
      return true;
    }
    return false;
  }
  if (op == "CONTAINS") {
    if (s == nullptr || !s->IsString()) return false;
    const std::string_view needle(s->GetString(), s->GetStringLength());
    if (value.kind == K::string) return value.text.find(needle) != std::string::npos;
    if (value.kind == K::list) return std::find(value.list.begin(), value.list.end(), needle) != value.list.end();
    return false;
  }
  if (op == "BEFORE" || op == "AFTER") {
    const auto at = date != nullptr ? date_ms(*date) : std::nullopt;
    if (value.kind != K::date || !at) return false;
    return op == "BEFORE" ? value.date_ms < *at : value.date_ms > *at;
  }
  if (number == nullptr || !number->IsNumber() || value.kind != K::number) return false;
  const double n = number->GetDouble();
  if (op == "GREATER_THAN") return value.number > n;
  if (op == "GREATER_THAN_OR_EQUALS") return value.number >= n;
  if (op == "LESS_THAN") return value.number < n;
  if (op == "LESS_THAN_OR_EQUALS") return value.number <= n;
  return false;
}

bool in_namespace(const MemoryRecord& r, const RecordFilter& f) {
  if (f.name_space) return r.has_namespace && r.name_space.starts_with(*f.name_space);
  if (f.path) {
    std::string_view path = *f.path;
    while (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
    if (!r.has_namespace) return false;
    const std::string_view ns = r.name_space;
    return ns == path || (ns.starts_with(path) && (path.ends_with('/') || ns[path.size()] == '/'));
  }
  return true;
}

}  // namespace

bool record_matches(const MemoryRecord& r, const RecordFilter& f) {
  if (!in_namespace(r, f)) return false;
  if (f.strategy_id && r.strategy_id != *f.strategy_id) return false;
  if (f.metadata == nullptr || !f.metadata->IsArray()) return true;
  for (const JsonValue& expression : f.metadata->GetArray()) {
    const std::string_view key = left_key(expression);
    const std::string_view op = text_of(expression, "operator");
    const auto it = std::find_if(r.metadata.begin(), r.metadata.end(), [&](const auto& m) { return m.first == key; });
    const bool present = it != r.metadata.end();
    if (op == "EXISTS") {
      if (!present) return false;
    } else if (op == "NOT_EXISTS") {
      if (present) return false;
    } else if (!present || !compare_record(it->second, op, right_value(expression))) {
      return false;
    }
  }
  return true;
}

bool event_matches_metadata(const MemoryEvent& e, const JsonValue& expressions) {
  if (!expressions.IsArray()) return true;
  for (const JsonValue& expression : expressions.GetArray()) {
    const std::string_view key = left_key(expression);
    const std::string_view op = text_of(expression, "operator");
    const auto it = std::find_if(e.metadata.begin(), e.metadata.end(), [&](const auto& m) { return m.first == key; });
    const bool present = it != e.metadata.end();
    if (op == "EXISTS" && !present) return false;
    if (op == "NOT_EXISTS" && present) return false;
    if (op == "EQUALS_TO") {
      const JsonValue* right = right_value(expression);
      if (!present || right == nullptr || text_of(*right, "stringValue") != it->second) return false;
    }
  }
  return true;
}

// ---- The store ---------------------------------------------------------------------------------

MemoryData& MemoryStore::open(std::string_view key) {
  auto it = memories_.find(key);
  if (it == memories_.end()) it = memories_.emplace(std::string(key), MemoryData{}).first;
  return it->second;
}

MemoryData* MemoryStore::find(std::string_view key) {
  const auto it = memories_.find(key);
  return it == memories_.end() ? nullptr : &it->second;
}

void MemoryStore::forget(std::string_view key) {
  if (const auto it = memories_.find(key); it != memories_.end()) memories_.erase(it);
}

std::string memory_key(std::string_view account, std::string_view region, std::string_view memory_id) {
  std::string key;
  key.reserve(account.size() + region.size() + memory_id.size() + 2);
  key.append(account).append("/").append(region).append("/").append(memory_id);
  return key;
}

std::string new_event_id(std::int64_t timestamp_ms) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%019lld", static_cast<long long>(std::max<std::int64_t>(timestamp_ms, 0)));
  return std::string(digits) + "#" + random_hex(4);
}

std::string new_record_id() { return "mem-" + uuid_v4(); }

}  // namespace agentemu::agentcore
