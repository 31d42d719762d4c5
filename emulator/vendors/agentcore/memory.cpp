// AgentCore Memory's data plane: the memory a request names, its events (short-term memory:
// CreateEvent, GetEvent, ListEvents, DeleteEvent, ListSessions, ListActors) and IngestData, and the
// handler rows of all sixteen operations; the records, retrieval and extraction jobs are
// memory_records.cpp's. The model's validator has checked every member already; here is what the
// model cannot say (branches, namespaces, limits), the state, and the answers in the model's
// output shapes.
//
// A memory is a control-plane resource (its strategies, its eventExpiryDuration); its events and
// records live in State::memory (memory_state.hpp) under the same tenant key. Each request brings
// the memory up to the emulator's now first: expired events go, due extractions run.
#include <algorithm>
#include <cmath>

#include "core/crypto.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/idempotency.hpp"
#include "vendors/agentcore/memory_api.hpp"
#include "vendors/agentcore/memory_state.hpp"
#include "vendors/agentcore/operations.hpp"

namespace agentemu::agentcore {
namespace memory_api {
namespace {

constexpr int kDefaultExpiryDays = 90;

std::string compact(const JsonValue& v) {
  JsonWriter w;
  w.value(v);
  return w.take();
}

}  // namespace

// ---- Reading the request -----------------------------------------------------------------------

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

int page_size(HandlerContext& h) {
  const JsonValue* v = h.in.body_member("maxResults");
  return v != nullptr && v->IsInt64() ? static_cast<int>(v->GetInt64()) : kDefaultPage;
}

double epoch_seconds_of(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::optional<std::int64_t> timestamp_ms(const JsonValue* v) {
  if (v == nullptr || !v->IsNumber()) return std::nullopt;
  const double s = v->GetDouble();
  if (!std::isfinite(s) || s < 0 || s > 1e11) return std::nullopt;  // up to the year 5138
  return static_cast<std::int64_t>(std::llround(s * 1000.0));
}

void validation(HandlerContext& h, std::string field, std::string constraint, std::string message,
                std::string_view reason) {
  ValidationDetail detail;
  detail.reason = reason;
  detail.fields.push_back({std::move(field), std::move(constraint)});
  answer_error(h.call, h.in, "ValidationException", std::move(message), std::move(detail));
}

void answer(HandlerContext& h, std::string body) {
  h.call.response.set(h.in.op->status, kJson, std::move(body));
  h.call.response.add_header("x-amzn-RequestId", h.in.request_id);
}

std::string cursor(std::string_view kind, std::string_view position) {
  return base64_encode(std::string(kind) + ":" + std::string(position));
}

bool read_cursor(HandlerContext& h, std::string_view kind, std::optional<std::string>& position) {
  const auto token = h.in.body_string("nextToken");
  if (!token) return true;
  const auto raw = base64_decode(*token);
  if (raw && raw->size() > kind.size() && raw->starts_with(kind) && (*raw)[kind.size()] == ':') {
    position = raw->substr(kind.size() + 1);
    return true;
  }
  validation(h, "nextToken", "Member must be a nextToken returned by a previous call",
             "Invalid nextToken: '" + std::string(token->substr(0, 64)) + "'");
  return false;
}

// ---- The memory --------------------------------------------------------------------------------

namespace {

void wake(const VendorContext& vendor, State& state, std::string account, std::string region, std::string id);

// Makes sure a scheduler timer processes the memory's extractions at `due`, so they happen on the
// emulator's clock even when no request comes (the state dump shows them).
void arm(const VendorContext& vendor, State& state, MemoryData& data, std::string account, std::string region,
         std::string id, SystemTime due) {
  if (data.wake_at && *data.wake_at <= due) return;
  data.wake_at = due;
  vendor.scheduler.at(due, [&vendor, &state, account = std::move(account), region = std::move(region),
                            id = std::move(id)]() mutable { wake(vendor, state, account, region, id); });
}

const Resource* memory_resource(State& state, std::string_view account, std::string_view region, std::string_view id,
                                SystemTime now) {
  auto& memories = state.tenant(account, region).resources[static_cast<std::size_t>(KindId::memory)];
  const auto it = memories.find(id);
  if (it == memories.end() || it->second.gone(now) || it->second.status(now) == "DELETING") return nullptr;
  return &it->second;
}

std::chrono::seconds event_retention(const JsonValue& record) {
  const JsonValue* days = json_member(record, "eventExpiryDuration");
  const std::int64_t n = days != nullptr && days->IsInt64() && days->GetInt64() > 0 ? days->GetInt64() : kDefaultExpiryDays;
  return std::chrono::seconds(n * 86400);
}

void bring_up_to(MemoryData& data, const Resource& memory, std::vector<StrategyInfo>& strategies, SystemTime now) {
  data.expire(now, event_retention(*memory.record));
  strategies = memory_strategies(*memory.record);
  run_due_extractions(data, strategies, now);
}

void wake(const VendorContext& vendor, State& state, std::string account, std::string region, std::string id) {
  std::lock_guard lock(state.mutex);
  const SystemTime now = vendor.clock.now();
  MemoryData* data = state.memory.find(memory_key(account, region, id));
  if (data == nullptr) return;
  data->wake_at.reset();
  const Resource* memory = memory_resource(state, account, region, id, now);
  if (memory == nullptr) return;
  std::vector<StrategyInfo> strategies;
  bring_up_to(*data, *memory, strategies, now);
  if (!data->pending.empty()) {
    arm(vendor, state, *data, std::move(account), std::move(region), std::move(id), data->pending.begin()->first);
  }
}

}  // namespace

bool open_memory(HandlerContext& h, OpenMemory& out) {
  const std::string_view label = h.in.label_value("memoryId").value_or("");
  std::string account = h.in.account, region = h.in.region;
  out.id.assign(label);
  if (label.starts_with("arn:")) {
    const auto parts = split(label, ':');  // the model's pattern: arn:<partition>:bedrock-agentcore:<region>:<account>:memory/<id>
    if (parts.size() != 6) return false;   // unreachable: the pattern was checked
    region.assign(parts[3]);
    account.assign(parts[4]);
    out.id.assign(parts[5].substr(parts[5].find('/') + 1));
    if (h.vendor.auth == AuthMode::strict && account != h.in.account) {
      answer_error(h.call, h.in, "AccessDeniedException",
                   "User: arn:aws:iam::" + h.in.account + ":user/" + h.in.caller.access_key_id +
                       " is not authorized to perform: bedrock-agentcore:" + std::string(h.in.op->name) +
                       " on resource: " + std::string(label));
      return false;
    }
  }
  const Resource* memory = memory_resource(h.state, account, region, out.id, h.call.now);
  if (memory == nullptr) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Memory '" + out.id + "' not found in account " + account + ", region " + region);
    return false;
  }
  out.key = memory_key(account, region, out.id);
  out.account = account;
  out.region = region;
  out.data = &h.state.memory.open(out.key);
  bring_up_to(*out.data, *memory, out.strategies, h.call.now);
  return true;
}

Tenant& caller_tenant(HandlerContext& h) { return h.state.tenant(h.in.account, h.in.region); }

}  // namespace memory_api

using namespace memory_api;

// ---- Events and records to and from JSON (the fixtures use them too: memory_fixtures.cpp) -------

bool read_record_value(const JsonValue& v, RecordValue& out) {
  if (!v.IsObject()) return false;
  if (const JsonValue* s = json_member(v, "stringValue"); s != nullptr && s->IsString()) {
    out.kind = RecordValue::Kind::string;
    out.text.assign(s->GetString(), s->GetStringLength());
  } else if (const JsonValue* l = json_member(v, "stringListValue"); l != nullptr && l->IsArray()) {
    out.kind = RecordValue::Kind::list;
    for (const JsonValue& item : l->GetArray()) {
      if (item.IsString()) out.list.emplace_back(item.GetString(), item.GetStringLength());
    }
  } else if (const JsonValue* n = json_member(v, "numberValue"); n != nullptr && n->IsNumber()) {
    out.kind = RecordValue::Kind::number;
    out.number = n->GetDouble();
  } else if (const JsonValue* d = json_member(v, "dateTimeValue"); d != nullptr && d->IsNumber()) {
    out.kind = RecordValue::Kind::date;
    out.date_ms = static_cast<std::int64_t>(std::llround(d->GetDouble() * 1000.0));
  } else {
    return false;
  }
  return true;
}

void read_payload(const JsonValue& list, MemoryEvent& e) {
  if (!list.IsArray()) return;
  for (const JsonValue& item : list.GetArray()) {
    PayloadItem p;
    if (const JsonValue* blob = json_member(item, "blob")) {
      p.blob = true;
      p.blob_json = compact(*blob);
      e.bytes += p.blob_json.size();
    } else if (const JsonValue* conv = json_member(item, "conversational")) {
      p.role.assign(text_of(*conv, "role"));
      if (const JsonValue* content = json_member(*conv, "content")) p.text.assign(text_of(*content, "text"));
      e.bytes += p.text.size() + p.role.size();
    } else {
      continue;
    }
    e.payload.push_back(std::move(p));
  }
}

void read_event_metadata(const JsonValue* map, MemoryEvent& e) {
  if (map == nullptr || !map->IsObject()) return;
  for (const auto& m : map->GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    std::string value(text_of(m.value, "stringValue"));
    e.bytes += key.size() + value.size();
    e.metadata.emplace_back(std::move(key), std::move(value));
  }
}

void read_record_metadata(const JsonValue* map, MemoryRecord& r) {
  if (map == nullptr || !map->IsObject()) return;
  r.metadata.clear();
  for (const auto& m : map->GetObject()) {
    RecordValue v;
    if (read_record_value(m.value, v)) r.metadata.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()), std::move(v));
  }
}

void write_memory_event(JsonWriter& w, std::string_view memory_id, const MemoryEvent& e, bool payloads, bool fixture) {
  w.begin_object();
  w.field("memoryId", memory_id).field("actorId", e.actor).field("sessionId", e.session).field("eventId", e.id);
  w.field_number("eventTimestamp", epoch_seconds_of(e.timestamp_ms));
  w.key("payload").begin_array();
  if (payloads) {
    for (const PayloadItem& p : e.payload) {
      w.begin_object();
      if (p.blob) {
        JsonDocument blob;
        if (!parse_json(p.blob_json, blob)) w.field_value("blob", blob);
      } else {
        w.key("conversational").begin_object();
        w.key("content").begin_object().field("text", p.text).end_object();
        w.field("role", p.role).end_object();
      }
      w.end_object();
    }
  }
  w.end_array();
  if (e.has_branch) {
    w.key("branch").begin_object();
    if (!e.branch_root.empty()) w.field("rootEventId", e.branch_root);
    w.field("name", e.branch_name).end_object();
  }
  if (!e.metadata.empty()) {
    w.key("metadata").begin_object();
    for (const auto& [key, value] : e.metadata) w.key(key).begin_object().field("stringValue", value).end_object();
    w.end_object();
  }
  if (fixture && !e.extract) w.field("extractionMode", "SKIP");
  // agentemu's own: when the event was stored (its expiry and its session's createdAt count from it).
  if (fixture) w.field("storedAt", format_rfc3339_millis(e.stored_at));
  w.end_object();
}

namespace {

void write_record_value(JsonWriter& w, const RecordValue& v) {
  w.begin_object();
  switch (v.kind) {
    case RecordValue::Kind::string: w.field("stringValue", v.text); break;
    case RecordValue::Kind::list:
      w.key("stringListValue").begin_array();
      for (const auto& s : v.list) w.string(s);
      w.end_array();
      break;
    case RecordValue::Kind::number: w.field_number("numberValue", v.number); break;
    case RecordValue::Kind::date: w.field_number("dateTimeValue", epoch_seconds_of(v.date_ms)); break;
  }
  w.end_object();
}

}  // namespace

void write_memory_record(JsonWriter& w, const MemoryRecord& r, std::optional<double> score,
                         std::string_view fixture_memory_id) {
  w.begin_object();
  if (!fixture_memory_id.empty()) w.field("memoryId", fixture_memory_id);
  w.field("memoryRecordId", r.id);
  w.key("content").begin_object().field("text", r.text).end_object();
  if (!r.strategy_id.empty()) w.field("memoryStrategyId", r.strategy_id);
  w.key("namespaces").begin_array();
  if (r.has_namespace) w.string(r.name_space);
  w.end_array();
  w.field_number("createdAt", epoch_seconds_of(epoch_millis(r.created_at)));
  if (score) w.field_number("score", *score);
  if (!r.metadata.empty()) {
    w.key("metadata").begin_object();
    for (const auto& [key, value] : r.metadata) {
      w.key(key);
      write_record_value(w, value);
    }
    w.end_object();
  }
  w.end_object();
}


namespace {

// ---- Events ------------------------------------------------------------------------------------

// A branch the event names must fit the session: a new branch forks from an event of this same
// session, a continued one exists. Answers the error itself.
bool check_branch(HandlerContext& h, MemoryData& data, const MemoryEvent& e) {
  if (!e.has_branch) return true;
  const MemorySession* session = data.session(e.actor, e.session);
  const std::string* existing_root = nullptr;
  if (session != nullptr) {
    if (const auto it = session->branches.find(e.branch_name); it != session->branches.end()) existing_root = &it->second;
  }
  const bool exists = existing_root != nullptr;
  if (e.branch_root.empty()) {
    if (exists || e.branch_name == "main") return true;
    validation(h, "branch.rootEventId", "Member must not be null for a new branch",
               "Branch '" + e.branch_name + "' does not exist in session " + e.session +
                   ": the first event of a branch names its rootEventId");
    return false;
  }
  if (e.branch_name == "main") {
    validation(h, "branch.name", "The main branch has no root event",
               "The main branch of a session cannot be forked from an event; name the new branch", "ResourceConflict");
    return false;
  }
  if (exists && *existing_root != e.branch_root) {
    validation(h, "branch.rootEventId", "Member must be the root event of the existing branch",
               "Branch '" + e.branch_name + "' already exists with root event " + *existing_root, "ResourceConflict");
    return false;
  }
  const MemoryEvent* root = data.event(e.branch_root);
  if (root == nullptr) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Root event " + e.branch_root + " not found in session " + e.session + " of actor " + e.actor);
    return false;
  }
  if (root->actor != e.actor || root->session != e.session) {
    validation(h, "branch.rootEventId", "Member must name an event of the same actor and session",
               "Root event " + e.branch_root + " belongs to another session", "EventInOtherSession");
    return false;
  }
  return true;
}

// The limits of memory_state.hpp; answers ServiceQuotaExceededException.
bool room_for(HandlerContext& h, const MemoryData& data, std::size_t bytes, std::string_view id) {
  std::string why;
  if (data.event_count() >= kMaxEventsPerMemory) {
    why = "Memory " + std::string(id) + " holds its limit of " + std::to_string(kMaxEventsPerMemory) + " events";
  } else if (data.bytes + bytes > kMaxMemoryBytes) {
    why = "Memory " + std::string(id) + " holds its limit of " + std::to_string(kMaxMemoryBytes) +
          " bytes of events and records";
  } else {
    return true;
  }
  answer_error(h.call, h.in, "ServiceQuotaExceededException", why + "; delete events or wait for them to expire");
  return false;
}

MemoryEvent& store_event(HandlerContext& h, OpenMemory& m, MemoryEvent e, std::map<std::string, std::string> variables,
                         bool blobs_as_text) {
  do {
    e.id = new_event_id(e.timestamp_ms);
  } while (m.data->event(e.id) != nullptr);
  e.seq = m.data->next_seq++;
  e.stored_at = h.call.now;
  MemoryEvent& stored = m.data->add_event(std::move(e), h.call.now);
  const bool extracts = std::any_of(m.strategies.begin(), m.strategies.end(),
                                    [](const StrategyInfo& s) { return s.kind != StrategyKind::self_managed; });
  if (stored.extract && extracts) {
    const SystemTime due = h.call.now + kExtractionDelay;
    m.data->pending.emplace(due, PendingExtraction{stored.id, std::move(variables), blobs_as_text});
    arm(h.vendor, h.state, *m.data, m.account, m.region, m.id, due);
  }
  return stored;
}

void create_event(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::string key, print;
  if (replay(h, caller_tenant(h), key, print)) return;
  MemoryEvent e;
  e.actor.assign(h.in.body_string("actorId").value_or(""));
  e.session.assign(h.in.body_string("sessionId").value_or(""));
  if (e.session.empty()) e.session = uuid_v4();  // optional in the model; the answer names the one used
  const auto ms = timestamp_ms(h.in.body_member("eventTimestamp"));
  if (!ms) {
    return validation(h, "eventTimestamp", "Member must be a time from 1970 to 5138",
                      "1 validation error detected: Value at 'eventTimestamp' failed to satisfy constraint: Member "
                      "must be a time from 1970 to 5138");
  }
  e.timestamp_ms = *ms;
  read_payload(*h.in.body_member("payload"), e);
  if (const JsonValue* branch = h.in.body_member("branch")) {
    e.has_branch = true;
    e.branch_name.assign(text_of(*branch, "name"));
    e.branch_root.assign(text_of(*branch, "rootEventId"));
  }
  read_event_metadata(h.in.body_member("metadata"), e);
  e.extract = h.in.body_string("extractionMode").value_or("") != "SKIP";
  if (!check_branch(h, *m.data, e) || !room_for(h, *m.data, e.bytes, m.id)) return;
  const MemoryEvent& stored = store_event(h, m, std::move(e), {}, false);
  JsonWriter w;
  w.begin_object().key("event");
  write_memory_event(w, m.id, stored);
  w.end_object();
  answer(h, w.take());
  remember(caller_tenant(h), key, print, h.call, "x-amzn-RequestId");
}

// The event the labels name, in their actor and session; answers ResourceNotFoundException.
MemoryEvent* labelled_event(HandlerContext& h, OpenMemory& m) {
  const std::string_view actor = h.in.label_value("actorId").value_or("");
  const std::string_view session = h.in.label_value("sessionId").value_or("");
  const std::string_view id = h.in.label_value("eventId").value_or("");
  MemoryEvent* e = m.data->event(id);
  if (e == nullptr || e->actor != actor || e->session != session) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Event " + std::string(id) + " not found for actor " + std::string(actor) + " in session " +
                     std::string(session) + " of memory " + m.id);
    return nullptr;
  }
  return e;
}

void get_event(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  const MemoryEvent* e = labelled_event(h, m);
  if (e == nullptr) return;
  JsonWriter w;
  w.begin_object().key("event");
  write_memory_event(w, m.id, *e);
  w.end_object();
  answer(h, w.take());
}

void delete_event(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  const MemoryEvent* e = labelled_event(h, m);
  if (e == nullptr) return;
  const std::string id = e->id;
  m.data->erase_event(id, h.call.now);
  JsonWriter w;
  w.begin_object().field("eventId", id).end_object();
  answer(h, w.take());
}

// The branch names whose events a branch filter selects, each up to which event: the branch
// itself entirely, and with includeParentBranches each ancestor up to the event it forked from.
std::vector<std::pair<std::string, std::optional<EventOrder>>> branch_scope(MemoryData& data, const MemorySession& s,
                                                                            std::string name, bool parents) {
  std::vector<std::pair<std::string, std::optional<EventOrder>>> scope{{name, std::nullopt}};
  while (parents && name != "main") {
    const auto root_id = s.branches.find(name);
    const MemoryEvent* root = root_id == s.branches.end() ? nullptr : data.event(root_id->second);
    if (root == nullptr) break;
    name = root->has_branch ? root->branch_name : "main";
    if (std::any_of(scope.begin(), scope.end(), [&](const auto& b) { return b.first == name; })) break;
    scope.emplace_back(name, EventOrder{root->timestamp_ms, root->seq});
  }
  return scope;
}

std::string order_position(const EventOrder& o) { return std::to_string(o.first) + ":" + std::to_string(o.second); }

void list_events(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::optional<std::string> after;
  if (!read_cursor(h, "events", after)) return;
  const JsonValue* include = h.in.body_member("includePayloads");
  const bool payloads = include == nullptr || !include->IsBool() || include->GetBool();
  const JsonValue* filter = h.in.body_member("filter");
  const JsonValue* branch = filter != nullptr ? json_member(*filter, "branch") : nullptr;
  const JsonValue* metadata = filter != nullptr ? json_member(*filter, "eventMetadata") : nullptr;
  MemorySession* s = m.data->session(h.in.label_value("actorId").value_or(""), h.in.label_value("sessionId").value_or(""));

  std::vector<const MemoryEvent*> selected;  // newest first
  if (s != nullptr) {
    std::vector<std::pair<std::string, std::optional<EventOrder>>> scope;
    if (branch != nullptr) {
      const JsonValue* parents = json_member(*branch, "includeParentBranches");
      scope = branch_scope(*m.data, *s, std::string(text_of(*branch, "name")),
                           parents != nullptr && parents->IsBool() && parents->GetBool());
    }
    for (auto it = s->order.rbegin(); it != s->order.rend(); ++it) {
      const MemoryEvent& e = s->events.at(it->second);
      if (branch != nullptr) {
        const std::string_view name = e.has_branch ? std::string_view(e.branch_name) : std::string_view("main");
        const bool in_scope = std::any_of(scope.begin(), scope.end(), [&](const auto& b) {
          return b.first == name && (!b.second || it->first <= *b.second);
        });
        if (!in_scope) continue;
      }
      if (metadata != nullptr && !event_matches_metadata(e, *metadata)) continue;
      selected.push_back(&e);
    }
  }
  std::size_t start = 0;
  if (after) {
    while (start < selected.size() && order_position({selected[start]->timestamp_ms, selected[start]->seq}) != *after) ++start;
    start = start < selected.size() ? start + 1 : selected.size();
  }
  const std::size_t end = std::min(selected.size(), start + static_cast<std::size_t>(page_size(h)));
  JsonWriter w;
  w.begin_object().key("events").begin_array();
  for (std::size_t i = start; i < end; ++i) write_memory_event(w, m.id, *selected[i], payloads);
  w.end_array();
  if (end < selected.size()) w.field("nextToken", cursor("events", order_position({selected[end - 1]->timestamp_ms, selected[end - 1]->seq})));
  w.end_object();
  answer(h, w.take());
}

void list_sessions(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::optional<std::string> after;
  if (!read_cursor(h, "sessions", after)) return;
  const std::string actor(h.in.label_value("actorId").value_or(""));
  const JsonValue* filter = h.in.body_member("filter");
  const bool with_events = filter != nullptr && text_of(*filter, "eventFilter") == "HAS_EVENTS";
  std::vector<const MemorySession*> sessions;
  for (auto it = m.data->sessions.lower_bound({actor, ""}); it != m.data->sessions.end() && it->first.first == actor; ++it) {
    if (!with_events || !it->second.events.empty()) sessions.push_back(&it->second);
  }
  // Newest first; the id breaks ties.
  std::sort(sessions.begin(), sessions.end(), [](const MemorySession* a, const MemorySession* b) {
    return a->created_at != b->created_at ? a->created_at > b->created_at : a->id < b->id;
  });
  const auto position = [](const MemorySession* s) { return std::to_string(epoch_millis(s->created_at)) + ":" + s->id; };
  std::size_t start = 0;
  if (after) {
    while (start < sessions.size() && position(sessions[start]) != *after) ++start;
    start = start < sessions.size() ? start + 1 : sessions.size();
  }
  const std::size_t end = std::min(sessions.size(), start + static_cast<std::size_t>(page_size(h)));
  JsonWriter w;
  w.begin_object().key("sessionSummaries").begin_array();
  for (std::size_t i = start; i < end; ++i) {
    w.begin_object().field("sessionId", sessions[i]->id).field("actorId", sessions[i]->actor);
    w.field_number("createdAt", epoch_seconds_of(epoch_millis(sessions[i]->created_at))).end_object();
  }
  w.end_array();
  if (end < sessions.size()) w.field("nextToken", cursor("sessions", position(sessions[end - 1])));
  w.end_object();
  answer(h, w.take());
}

void list_actors(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::optional<std::string> after;
  if (!read_cursor(h, "actors", after)) return;
  // Actors in id order: the sessions map is ordered by actor first.
  const std::size_t page = static_cast<std::size_t>(page_size(h));
  // After the cursor's actor: "<actor>\0" is the first id above it and all its sessions.
  auto it = after ? m.data->sessions.lower_bound({*after + std::string(1, '\0'), std::string()})
                  : m.data->sessions.begin();
  std::vector<std::string_view> actors;
  bool more = false;
  for (; it != m.data->sessions.end(); ++it) {
    if (!actors.empty() && actors.back() == it->first.first) continue;
    if (actors.size() == page) {
      more = true;
      break;
    }
    actors.push_back(it->first.first);
  }
  JsonWriter w;
  w.begin_object().key("actorSummaries").begin_array();
  for (std::string_view a : actors) w.begin_object().field("actorId", a).end_object();
  w.end_array();
  if (more) w.field("nextToken", cursor("actors", actors.back()));
  w.end_object();
  answer(h, w.take());
}

// ---- IngestData --------------------------------------------------------------------------------

// IngestData comes from the SDK's schema, without constraints (model/README.md); its actorId and
// sessionId are CreateEvent's and are checked as CreateEvent's are, and its payload's shape here.
bool check_ingest(HandlerContext& h) {
  const Operation& create = operations()[kCreateEvent];
  for (std::string_view name : {"actorId", "sessionId"}) {
    const Member* member = find_member(create, name);
    const JsonValue* v = h.in.body_member(name);
    if (member == nullptr || v == nullptr) continue;
    if (auto violation = validate_value(member->spec, ParamValue::of_json(v), std::string(name))) {
      answer_violation(h.call, h.in, *violation);
      return false;
    }
  }
  const JsonValue* inline_source = json_member(*h.in.body_member("source"), "inline");
  const JsonValue* payload = inline_source != nullptr ? json_member(*inline_source, "payload") : nullptr;
  if (payload == nullptr || !payload->IsArray() || payload->Empty()) {
    validation(h, "source.inline.payload", "Member must not be null",
               "1 validation error detected: Value null at 'source.inline.payload' failed to satisfy constraint: "
               "Member must not be null");
    return false;
  }
  for (rapidjson::SizeType i = 0; i < payload->Size(); ++i) {
    const JsonValue& item = (*payload)[i];
    const std::string at = "source.inline.payload." + std::to_string(i + 1);
    const JsonValue* conv = json_member(item, "conversational");
    const JsonValue* json = json_member(item, "json");
    if (item.IsObject() && (conv != nullptr) != (json != nullptr) && item.MemberCount() == 1) {
      if (json != nullptr && json_member(*json, "content") != nullptr) continue;
      const JsonValue* content = conv != nullptr ? json_member(*conv, "content") : nullptr;
      const std::string_view role = conv != nullptr ? text_of(*conv, "role") : std::string_view{};
      const std::size_t length = content != nullptr ? text_of(*content, "text").size() : 0;
      if (length >= 1 && length <= 100000 &&
          (role == "USER" || role == "ASSISTANT" || role == "TOOL" || role == "OTHER")) {
        continue;
      }
    }
    validation(h, at, "Member must be a conversational turn (content.text, role) or json content",
               "1 validation error detected: Value at '" + at +
                   "' failed to satisfy constraint: Member must be a conversational turn (content.text of 1 to "
                   "100000 characters, role USER, ASSISTANT, TOOL or OTHER) or {\"json\": {\"content\": ...}}");
    return false;
  }
  return true;
}

void ingest_data(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  OpenMemory m;
  if (!open_memory(h, m)) return;
  std::string key, print;
  if (replay(h, caller_tenant(h), key, print)) return;
  if (!check_ingest(h)) return;
  MemoryEvent e;
  e.actor.assign(h.in.body_string("actorId").value_or(""));
  e.session.assign(h.in.body_string("sessionId").value_or(""));
  if (e.session.empty()) e.session = uuid_v4();
  const auto ms = timestamp_ms(h.in.body_member("contentTimestamp"));
  if (!ms) {
    return validation(h, "contentTimestamp", "Member must be a time from 1970 to 5138",
                      "1 validation error detected: Value at 'contentTimestamp' failed to satisfy constraint: Member "
                      "must be a time from 1970 to 5138");
  }
  e.timestamp_ms = *ms;
  // Conversational items as they are; json items as the event's blobs, their content the document.
  const JsonValue& payload = *json_member(*json_member(*h.in.body_member("source"), "inline"), "payload");
  JsonDocument converted;
  converted.SetArray();
  for (const JsonValue& item : payload.GetArray()) {
    JsonValue copy(rapidjson::kObjectType);
    if (const JsonValue* json = json_member(item, "json")) {
      copy.AddMember("blob", JsonValue(*json_member(*json, "content"), converted.GetAllocator()), converted.GetAllocator());
    } else {
      copy.CopyFrom(item, converted.GetAllocator());
    }
    converted.PushBack(copy, converted.GetAllocator());
  }
  read_payload(converted, e);
  read_event_metadata(h.in.body_member("metadata"), e);
  std::map<std::string, std::string> variables;
  if (const JsonValue* config = h.in.body_member("extractionConfig")) {
    if (const JsonValue* vars = json_member(*config, "namespaceVariables"); vars != nullptr && vars->IsObject()) {
      for (const auto& v : vars->GetObject()) {
        if (v.value.IsString()) variables.emplace(v.name.GetString(), v.value.GetString());
      }
    }
  }
  if (!room_for(h, *m.data, e.bytes, m.id)) return;
  const MemoryEvent& stored = store_event(h, m, std::move(e), std::move(variables), true);
  JsonWriter w;
  w.begin_object().field("sessionId", stored.session).end_object();
  answer(h, w.take());
  remember(caller_tenant(h), key, print, h.call, "x-amzn-RequestId");
}

constexpr HandlerRow kMemory[] = {
    {kCreateEvent, create_event},
    {kGetEvent, get_event},
    {kDeleteEvent, delete_event},
    {kListEvents, list_events},
    {kListSessions, list_sessions},
    {kListActors, list_actors},
    {kBatchCreateMemoryRecords, batch_create_records},
    {kBatchUpdateMemoryRecords, batch_update_records},
    {kBatchDeleteMemoryRecords, batch_delete_records},
    {kGetMemoryRecord, get_record},
    {kDeleteMemoryRecord, delete_record},
    {kListMemoryRecords, list_records},
    {kRetrieveMemoryRecords, retrieve_records},
    {kStartMemoryExtractionJob, start_extraction_job},
    {kListMemoryExtractionJobs, list_extraction_jobs},
    {kIngestData, ingest_data},
};

}  // namespace

void write_extraction_job(JsonWriter& w, const ExtractionJob& job, std::string_view fixture_memory_id) {
  w.begin_object();
  if (!fixture_memory_id.empty()) w.field("memoryId", fixture_memory_id);
  w.field("jobID", job.id);
  w.key("messages").begin_object().key("messagesList").begin_array();
  for (const auto& [event_id, index] : job.messages) {
    w.begin_object().field("eventId", event_id).field_int("messageIndex", index).end_object();
  }
  w.end_array().end_object();
  w.field("status", "FAILED").field("failureReason", job.failure_reason);
  w.field("strategyId", job.strategy_id).field("sessionId", job.session).field("actorId", job.actor);
  w.end_object();
}

std::span<const HandlerRow> memory_handlers() { return kMemory; }

}  // namespace agentemu::agentcore
