// The control plane (bedrock-agentcore-control): the resources the data plane uses, created,
// read, listed, updated and deleted, with their status transitions on the emulator's clock.
//
// Every kind of resource is one row of kKinds: how its id, name and ARN are made and named, which
// status it settles in, which member its list answer holds. A resource is a record, a JSON object
// by the model's output member names, so answers are written through the operation's output shape
// (output.hpp) and carry exactly what the model declares. What the data plane needs of a runtime,
// code interpreter or browser is kept in step in State (runtimes, code_interpreters, browsers).
#include <algorithm>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/output.hpp"

namespace agentemu::agentcore {

const Kind& kind(KindId id) { return kKinds[static_cast<std::size_t>(id)]; }

std::string Resource::status(SystemTime now) const {
  if (!transition.empty() && now < settles_at) return transition;
  return steady;
}

bool Resource::gone(SystemTime now) const { return transition == "DELETING" && now >= settles_at; }

std::string random_suffix(std::size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(length, 'a');
  std::uint64_t bits = random_u64();
  for (std::size_t i = 0; i < length; ++i) {
    if (i % 10 == 9) bits = random_u64();
    out[i] = kAlphabet[bits % 62];
    bits /= 62;
  }
  return out;
}

std::string resource_arn(const Kind& k, std::string_view region, std::string_view account, std::string_view id) {
  return "arn:aws:bedrock-agentcore:" + std::string(region) + ":" + std::string(account) + ":" +
         std::string(k.arn_resource) + "/" + std::string(id);
}

void set_text(JsonDocument& doc, std::string_view key, std::string_view value) {
  auto& a = doc.GetAllocator();
  JsonValue v(value.data(), static_cast<rapidjson::SizeType>(value.size()), a);
  if (JsonValue* existing = const_cast<JsonValue*>(json_member(doc, key))) {
    *existing = std::move(v);
    return;
  }
  doc.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), v, a);
}

// The model's Secret shape: {"secretArn": arn}.
void set_secret_arn(JsonDocument& doc, std::string_view key, std::string_view arn) {
  auto& a = doc.GetAllocator();
  JsonValue secret(rapidjson::kObjectType);
  secret.AddMember("secretArn", JsonValue(arn.data(), static_cast<rapidjson::SizeType>(arn.size()), a), a);
  doc.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), secret, a);
}

void set_value(JsonDocument& doc, std::string_view key, const JsonValue& value) {
  auto& a = doc.GetAllocator();
  JsonValue v(value, a);
  if (JsonValue* existing = const_cast<JsonValue*>(json_member(doc, key))) {
    *existing = std::move(v);
    return;
  }
  doc.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), v, a);
}

namespace {

constexpr auto kSettle = std::chrono::seconds(1);  // CREATING, UPDATING, DELETING last this long (README)

std::string now_text(const HandlerContext& h) { return format_rfc3339_millis(h.call.now); }

void answer(HandlerContext& h, std::string body) {
  const int status = h.in.op->status;
  if (status == 204) body.clear();
  h.call.response.set(status, status == 204 ? std::string_view{} : kJson, std::move(body));
  h.call.response.add_header("x-amzn-RequestId", h.in.request_id);
}

// Writes the record through the operation's output: at its top level, or under the member that
// wraps it (GetMemory answers {"memory": {...}}).
void answer_record(HandlerContext& h, const Kind& k, const JsonValue& record) {
  JsonWriter w;
  const OutType* out = h.in.op->output;
  const OutType* wrapped = k.wrap.empty() || out == nullptr ? nullptr : member_type(*out, k.wrap);
  if (wrapped != nullptr) {
    w.begin_object().key(k.wrap);
    write_shaped(w, *wrapped, record);
    w.end_object();
  } else if (out != nullptr) {
    write_shaped(w, *out, record);
  } else {
    w.begin_object().end_object();
  }
  answer(h, w.take());
}

Tenant& tenant_of(HandlerContext& h) { return h.state.tenant(h.in.account, h.in.region); }

// The resource the request names (its label, or for identities the body's "name"), brought up
// to now; answers ResourceNotFoundException when there is none.
Resource* find_resource(HandlerContext& h, const Kind& k, std::string_view key) {
  auto& resources = tenant_of(h).resources[static_cast<std::size_t>(k.id)];
  auto it = resources.find(key);
  if (it != resources.end() && it->second.gone(h.call.now)) {
    resources.erase(it);
    it = resources.end();
  }
  if (it == resources.end()) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 std::string(k.noun) + " '" + std::string(key) + "' not found in account " + h.in.account +
                     ", region " + h.in.region);
    return nullptr;
  }
  return &it->second;
}

std::string_view request_key(HandlerContext& h, const Kind& k) {
  if (!k.label.empty()) {
    if (const auto v = h.in.label_value(k.label)) return *v;
  }
  return h.in.body_string("name").value_or("");
}

// Applies the record's status (as of now) before it is written.
void refresh(HandlerContext& h, Resource& r) {
  if (!r.steady.empty()) set_text(*r.record, "status", r.status(h.call.now));
}

// Copies the request's body members into the record (all but the idempotency token).
void absorb_body(HandlerContext& h, JsonDocument& record) {
  if (!h.in.has_body) return;
  for (const auto& m : h.in.body.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "clientToken" || m.value.IsNull()) continue;
    set_value(record, name, m.value);
  }
}

bool name_taken(HandlerContext& h, const Kind& k, std::string_view name, std::string_view scope = {}) {
  for (auto& [key, r] : tenant_of(h).resources[static_cast<std::size_t>(k.id)]) {
    if (r.gone(h.call.now) || r.scope != scope) continue;
    const JsonValue* n = json_member(*r.record, k.name_member);
    if (n != nullptr && n->IsString() && std::string_view(n->GetString(), n->GetStringLength()) == name) return true;
  }
  return false;
}

// ---- Paging ------------------------------------------------------------------------------------

std::optional<std::int64_t> request_int(HandlerContext& h, std::string_view name) {
  if (const auto q = h.in.query_value(name)) return parse_int64(*q);
  if (const JsonValue* v = h.in.body_member(name); v != nullptr && v->IsInt64()) return v->GetInt64();
  return std::nullopt;
}

std::optional<std::string_view> request_text(HandlerContext& h, std::string_view name) {
  if (const auto q = h.in.query_value(name)) return q;
  return h.in.body_string(name);
}

// Answers a list: the records (oldest first), one page of them under `member`, and a nextToken
// (the offset of the next page) when more follow.
void answer_list(HandlerContext& h, const Kind& k, std::vector<const JsonValue*> records) {
  const std::size_t page = static_cast<std::size_t>(request_int(h, "maxResults").value_or(k.default_page));
  std::size_t start = 0;
  if (const auto token = request_text(h, "nextToken")) {
    const auto raw = base64_decode(*token);
    const auto offset = raw && raw->starts_with("offset:") ? parse_int64(std::string_view(*raw).substr(7)) : std::nullopt;
    if (!offset || *offset < 0) {
      ValidationDetail detail;
      detail.fields.push_back({"nextToken", "Member must be a nextToken returned by a previous call"});
      answer_error(h.call, h.in, "ValidationException",
                   "Invalid nextToken: '" + std::string(token->substr(0, 64)) + "'", detail);
      return;
    }
    start = std::min(records.size(), static_cast<std::size_t>(*offset));
  }
  const std::size_t end = std::min(records.size(), start + page);
  const OutType* out = h.in.op->output;
  const OutType* items = out != nullptr ? member_type(*out, k.list_member) : nullptr;
  JsonWriter w;
  w.begin_object().key(k.list_member).begin_array();
  for (std::size_t i = start; i < end; ++i) {
    if (items != nullptr && items->element != nullptr) write_shaped(w, *items->element, *records[i]);
  }
  w.end_array();
  if (end < records.size()) w.field("nextToken", base64_encode("offset:" + std::to_string(end)));
  w.end_object();
  answer(h, w.take());
}

std::vector<const JsonValue*> listed(HandlerContext& h, const Kind& k, std::string_view scope = {}) {
  std::vector<Resource*> found;
  auto& resources = tenant_of(h).resources[static_cast<std::size_t>(k.id)];
  for (auto it = resources.begin(); it != resources.end();) {
    if (it->second.gone(h.call.now)) {
      it = resources.erase(it);
      continue;
    }
    if (it->second.scope == scope) found.push_back(&it->second);
    ++it;
  }
  std::sort(found.begin(), found.end(), [](const Resource* a, const Resource* b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->key < b->key;
  });
  std::vector<const JsonValue*> out;
  for (Resource* r : found) {
    refresh(h, *r);
    out.push_back(r->record.get());
  }
  return out;
}

// ---- Generic create, get, list, update, delete ------------------------------------------------

// A new resource named by the body's name member, or ConflictException.
Resource* create_resource(HandlerContext& h, const Kind& k, std::string_view name, std::string_view scope = {}) {
  if (name_taken(h, k, name, scope)) {
    answer_error(h.call, h.in, "ConflictException",
                 std::string(k.noun) + " with name '" + std::string(name) + "' already exists in account " +
                     h.in.account + ", region " + h.in.region);
    return nullptr;
  }
  Resource r;
  r.key = k.id_style == IdStyle::by_name ? std::string(name) : std::string(name) + "-" + random_suffix(10);
  r.scope = std::string(scope);
  r.created_at = h.call.now;
  r.steady = std::string(k.ready);
  if (k.settles) {
    r.transition = "CREATING";
    r.settles_at = h.call.now + kSettle;
  }
  r.record = std::make_shared<StoredJson>();
  r.record->SetObject();
  absorb_body(h, *r.record);
  const std::string arn = resource_arn(k, h.in.region, h.in.account, r.key);
  if (!k.id_member.empty()) set_text(*r.record, k.id_member, r.key);
  set_text(*r.record, k.arn_member, arn);
  set_text(*r.record, k.created_member, now_text(h));
  set_text(*r.record, k.updated_member, now_text(h));
  auto& resources = tenant_of(h).resources[static_cast<std::size_t>(k.id)];
  std::string key = r.key;
  return &resources.insert_or_assign(std::move(key), std::move(r)).first->second;
}

void begin_update(HandlerContext& h, const Kind& k, Resource& r) {
  absorb_body(h, *r.record);
  set_text(*r.record, k.updated_member, now_text(h));
  if (k.settles) {
    r.transition = "UPDATING";
    r.settles_at = h.call.now + kSettle;
  }
}

// DELETING for a while, then gone; kinds without a status go at once.
void begin_delete(HandlerContext& h, const Kind& k, Resource& r) {
  set_text(*r.record, k.updated_member, now_text(h));
  r.transition = "DELETING";
  r.settles_at = k.settles ? h.call.now + kSettle : h.call.now;
  if (!k.settles && !k.ready.empty()) r.steady = "DELETED";
}

template <KindId K>
void create_handler(HandlerContext& h) {
  const Kind& k = kind(K);
  std::lock_guard lock(h.state.mutex);
  Resource* r = create_resource(h, k, h.in.body_string("name").value_or(""));
  if (r == nullptr) return;
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

template <KindId K>
void get_handler(HandlerContext& h) {
  const Kind& k = kind(K);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_resource(h, k, request_key(h, k));
  if (r == nullptr) return;
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

template <KindId K>
void list_handler(HandlerContext& h) {
  const Kind& k = kind(K);
  std::lock_guard lock(h.state.mutex);
  answer_list(h, k, listed(h, k));
}

template <KindId K>
void update_handler(HandlerContext& h) {
  const Kind& k = kind(K);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_resource(h, k, request_key(h, k));
  if (r == nullptr) return;
  begin_update(h, k, *r);
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

template <KindId K>
void delete_handler(HandlerContext& h) {
  const Kind& k = kind(K);
  std::lock_guard lock(h.state.mutex);
  const std::string key(request_key(h, k));
  Resource* r = find_resource(h, k, key);
  if (r == nullptr) return;
  begin_delete(h, k, *r);
  if (K == KindId::code_interpreter) h.state.code_interpreters.erase(key);
  if (K == KindId::browser) h.state.browsers.erase(key);
  if (K == KindId::memory) h.state.memory.forget(memory_key(h.in.account, h.in.region, key));  // its events and records
  refresh(h, *r);
  answer_record(h, k, *r->record);
  if (r->gone(h.call.now)) tenant_of(h).resources[static_cast<std::size_t>(k.id)].erase(key);
}

// ---- Code interpreters and browsers: the data plane starts sessions on them at once ----------

template <KindId K>
void create_tool(HandlerContext& h) {
  const Kind& k = kind(K);
  std::lock_guard lock(h.state.mutex);
  Resource* r = create_resource(h, k, h.in.body_string("name").value_or(""));
  if (r == nullptr) return;
  (K == KindId::browser ? h.state.browsers : h.state.code_interpreters).insert_or_assign(r->key, true);
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

// ---- Memory: strategies get ids, types and statuses ---------------------------------------------

std::string_view strategy_type(std::string_view input_member) {
  if (input_member == "semanticMemoryStrategy") return "SEMANTIC";
  if (input_member == "summaryMemoryStrategy") return "SUMMARIZATION";
  if (input_member == "userPreferenceMemoryStrategy") return "USER_PREFERENCE";
  if (input_member == "episodicMemoryStrategy") return "EPISODIC";
  return "CUSTOM";
}

// memoryStrategies (the input union list) -> strategies (the output list) in the record.
void add_strategies(HandlerContext& h, JsonDocument& record, const JsonValue* inputs) {
  if (inputs == nullptr || !inputs->IsArray()) return;
  auto& a = record.GetAllocator();
  if (json_member(record, "strategies") == nullptr) {
    record.AddMember("strategies", JsonValue(rapidjson::kArrayType), a);
  }
  JsonValue& list = record["strategies"];
  for (const JsonValue& input : inputs->GetArray()) {
    if (!input.IsObject() || input.MemberCount() == 0) continue;
    const auto& member = *input.MemberBegin();
    const std::string_view type_member(member.name.GetString(), member.name.GetStringLength());
    JsonValue s(member.value, a);
    if (!s.IsObject()) continue;
    const JsonValue* name = json_member(s, "name");
    const std::string base = name != nullptr && name->IsString() ? std::string(name->GetString()) : "strategy";
    const std::string id = base + "-" + random_suffix(10);
    const std::string now = now_text(h);
    s.AddMember("strategyId", JsonValue(id.c_str(), a), a);
    s.AddMember("type", JsonValue(std::string(strategy_type(type_member)).c_str(), a), a);
    if (json_member(s, "namespaces") == nullptr) s.AddMember("namespaces", JsonValue(rapidjson::kArrayType), a);
    if (json_member(s, "namespaceTemplates") == nullptr) {
      s.AddMember("namespaceTemplates", JsonValue(rapidjson::kArrayType), a);
    }
    s.AddMember("status", "ACTIVE", a);
    s.AddMember("createdAt", JsonValue(now.c_str(), a), a);
    s.AddMember("updatedAt", JsonValue(now.c_str(), a), a);
    list.PushBack(s, a);
  }
}

void create_memory(HandlerContext& h) {
  const Kind& k = kind(KindId::memory);
  std::lock_guard lock(h.state.mutex);
  Resource* r = create_resource(h, k, h.in.body_string("name").value_or(""));
  if (r == nullptr) return;
  add_strategies(h, *r->record, json_member(*r->record, "memoryStrategies"));
  r->record->RemoveMember("memoryStrategies");
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

void update_memory(HandlerContext& h) {
  const Kind& k = kind(KindId::memory);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_resource(h, k, request_key(h, k));
  if (r == nullptr) return;
  JsonDocument& record = *r->record;
  for (std::string_view member : {"description", "eventExpiryDuration", "memoryExecutionRoleArn", "streamDeliveryResources"}) {
    if (const JsonValue* v = h.in.body_member(member)) set_value(record, member, *v);
  }
  if (const JsonValue* keys = h.in.body_member("addIndexedKeys"); keys != nullptr && keys->IsArray()) {
    auto& a = record.GetAllocator();
    if (json_member(record, "indexedKeys") == nullptr) record.AddMember("indexedKeys", JsonValue(rapidjson::kArrayType), a);
    for (const JsonValue& key : keys->GetArray()) record["indexedKeys"].PushBack(JsonValue(key, a), a);
  }
  if (const JsonValue* changes = h.in.body_member("memoryStrategies"); changes != nullptr && changes->IsObject()) {
    add_strategies(h, record, json_member(*changes, "addMemoryStrategies"));
    JsonValue* list = const_cast<JsonValue*>(json_member(record, "strategies"));
    if (list != nullptr && list->IsArray()) {
      const auto id_of = [](const JsonValue& v) {
        const JsonValue* id = json_member(v, "memoryStrategyId");
        return id != nullptr && id->IsString() ? std::string_view(id->GetString(), id->GetStringLength())
                                               : std::string_view{};
      };
      if (const JsonValue* drop = json_member(*changes, "deleteMemoryStrategies"); drop != nullptr && drop->IsArray()) {
        for (const JsonValue& d : drop->GetArray()) {
          for (auto it = list->Begin(); it != list->End(); ++it) {
            const JsonValue* sid = json_member(*it, "strategyId");
            if (sid != nullptr && sid->IsString() && std::string_view(sid->GetString()) == id_of(d)) {
              list->Erase(it);
              break;
            }
          }
        }
      }
      if (const JsonValue* modify = json_member(*changes, "modifyMemoryStrategies"); modify != nullptr && modify->IsArray()) {
        for (const JsonValue& m : modify->GetArray()) {
          for (JsonValue& s : list->GetArray()) {
            const JsonValue* sid = json_member(s, "strategyId");
            if (sid == nullptr || !sid->IsString() || std::string_view(sid->GetString()) != id_of(m)) continue;
            for (std::string_view field : {"description", "namespaces", "namespaceTemplates", "configuration"}) {
              if (const JsonValue* v = json_member(m, field)) {
                JsonValue copy(*v, record.GetAllocator());
                if (JsonValue* old = const_cast<JsonValue*>(json_member(s, field))) {
                  *old = std::move(copy);
                } else {
                  s.AddMember(JsonValue(std::string(field).c_str(), record.GetAllocator()), copy, record.GetAllocator());
                }
              }
            }
          }
        }
      }
    }
  }
  set_text(record, k.updated_member, now_text(h));
  r->transition = "UPDATING";
  r->settles_at = h.call.now + kSettle;
  refresh(h, *r);
  answer_record(h, k, record);
}

// ---- Runtimes, their versions and endpoints -----------------------------------------------------

// The data plane's view of a runtime: its ARN, endpoint names and session lifetimes.
void sync_runtime(HandlerContext& h, const Resource& r) {
  const JsonValue* arn = json_member(*r.record, "agentRuntimeArn");
  if (arn == nullptr || !arn->IsString()) return;
  Runtime runtime;
  runtime.arn.assign(arn->GetString(), arn->GetStringLength());
  const auto parts = parse_runtime_arn(runtime.arn);
  if (!parts) return;
  runtime.partition = parts->partition;
  runtime.region = parts->region;
  runtime.account = parts->account;
  runtime.runtime_id = parts->runtime_id;
  runtime.qualifiers.push_back("DEFAULT");
  for (const auto& [key, endpoint] : tenant_of(h).resources[static_cast<std::size_t>(KindId::endpoint)]) {
    if (endpoint.scope != r.key || endpoint.gone(h.call.now) || endpoint.transition == "DELETING") continue;
    const JsonValue* name = json_member(*endpoint.record, "name");
    if (name != nullptr && name->IsString() && std::string_view(name->GetString()) != "DEFAULT") {
      runtime.qualifiers.emplace_back(name->GetString(), name->GetStringLength());
    }
  }
  if (const JsonValue* life = json_member(*r.record, "lifecycleConfiguration"); life != nullptr && life->IsObject()) {
    if (const JsonValue* idle = json_member(*life, "idleRuntimeSessionTimeout"); idle != nullptr && idle->IsInt()) {
      runtime.idle_timeout = idle->GetInt();
    }
    if (const JsonValue* max = json_member(*life, "maxLifetime"); max != nullptr && max->IsInt()) {
      runtime.max_lifetime = max->GetInt();
    }
  }
  runtime.invocation_url = invocation_url_of(*r.record);
  if (const JsonValue* protocol = json_member(*r.record, "protocolConfiguration"); protocol != nullptr && protocol->IsObject()) {
    if (const JsonValue* name = json_member(*protocol, "serverProtocol"); name != nullptr && name->IsString()) {
      runtime.server_protocol.assign(name->GetString(), name->GetStringLength());
    }
  }
  const std::string key = runtime_key(runtime.account, runtime.region, runtime.runtime_id);
  h.state.runtimes.insert_or_assign(key, std::move(runtime));
}

std::string latest_version(const Resource& r) { return std::to_string(r.version); }

void snapshot_version(Resource& r) {
  auto copy = std::make_shared<StoredJson>();
  copy->CopyFrom(*r.record, copy->GetAllocator());
  r.versions.push_back(std::move(copy));
}

// The DEFAULT endpoint follows the latest version; others stay on the version they name.
void ensure_default_endpoint(HandlerContext& h, Resource& runtime) {
  const Kind& ek = kind(KindId::endpoint);
  auto& endpoints = tenant_of(h).resources[static_cast<std::size_t>(KindId::endpoint)];
  const std::string key = runtime.key + "/DEFAULT";
  auto it = endpoints.find(key);
  if (it == endpoints.end()) {
    Resource e;
    e.key = key;
    e.scope = runtime.key;
    e.created_at = h.call.now;
    e.steady = "READY";
    e.record = std::make_shared<StoredJson>();
    e.record->SetObject();
    set_text(*e.record, "name", "DEFAULT");
    set_text(*e.record, "endpointName", "DEFAULT");
    set_text(*e.record, "id", "DEFAULT");
    set_text(*e.record, "agentRuntimeId", runtime.key);
    set_text(*e.record, "agentRuntimeArn", json_member(*runtime.record, "agentRuntimeArn")->GetString());
    set_text(*e.record, ek.arn_member,
             std::string(json_member(*runtime.record, "agentRuntimeArn")->GetString()) + "/runtime-endpoint/DEFAULT");
    set_text(*e.record, ek.created_member, now_text(h));
    it = endpoints.emplace(key, std::move(e)).first;
  }
  set_text(*it->second.record, "liveVersion", latest_version(runtime));
  set_text(*it->second.record, "targetVersion", latest_version(runtime));
  set_text(*it->second.record, ek.updated_member, now_text(h));
}

void create_runtime(HandlerContext& h) {
  const Kind& k = kind(KindId::runtime);
  std::lock_guard lock(h.state.mutex);
  Resource* r = create_resource(h, k, h.in.body_string("agentRuntimeName").value_or(""));
  if (r == nullptr) return;
  JsonDocument& record = *r->record;
  set_text(record, "agentRuntimeVersion", "1");
  JsonDocument details;
  details.SetObject();
  set_text(details, "workloadIdentityArn",
           "arn:aws:bedrock-agentcore:" + h.in.region + ":" + h.in.account +
               ":workload-identity-directory/default/workload-identity/" + r->key);
  set_value(record, "workloadIdentityDetails", details);
  if (json_member(record, "lifecycleConfiguration") == nullptr) {
    JsonDocument life;
    life.SetObject();
    life.AddMember("idleRuntimeSessionTimeout", kRuntimeIdleTimeout, life.GetAllocator());
    life.AddMember("maxLifetime", kRuntimeMaxLifetime, life.GetAllocator());
    set_value(record, "lifecycleConfiguration", life);
  }
  snapshot_version(*r);
  ensure_default_endpoint(h, *r);
  sync_runtime(h, *r);
  refresh(h, *r);
  answer_record(h, k, record);
}

Resource* find_runtime(HandlerContext& h) {
  return find_resource(h, kind(KindId::runtime), h.in.label_value("agentRuntimeId").value_or(""));
}

void get_runtime(HandlerContext& h) {
  const Kind& k = kind(KindId::runtime);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_runtime(h);
  if (r == nullptr) return;
  refresh(h, *r);
  if (const auto version = h.in.query_value("version")) {
    const auto n = parse_int64(*version);
    if (!n || *n < 1 || *n > static_cast<std::int64_t>(r->versions.size())) {
      answer_error(h.call, h.in, "ResourceNotFoundException",
                   "Version " + std::string(*version) + " of agent runtime '" + r->key + "' not found");
      return;
    }
    JsonDocument& old = *r->versions[static_cast<std::size_t>(*n - 1)];
    set_text(old, "status", r->status(h.call.now) == "DELETING" ? "DELETING" : "READY");
    return answer_record(h, k, old);
  }
  answer_record(h, k, *r->record);
}

void list_runtimes(HandlerContext& h) {
  const Kind& k = kind(KindId::runtime);
  std::lock_guard lock(h.state.mutex);
  answer_list(h, k, listed(h, k));
}

void list_runtime_versions(HandlerContext& h) {
  const Kind& k = kind(KindId::runtime);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_runtime(h);
  if (r == nullptr) return;
  std::vector<const JsonValue*> versions;
  const std::string status = r->status(h.call.now);
  for (auto it = r->versions.rbegin(); it != r->versions.rend(); ++it) {  // newest first
    set_text(**it, "status", it == r->versions.rbegin() ? status : std::string("READY"));
    versions.push_back(it->get());
  }
  answer_list(h, k, std::move(versions));
}

void update_runtime(HandlerContext& h) {
  const Kind& k = kind(KindId::runtime);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_runtime(h);
  if (r == nullptr) return;
  if (r->status(h.call.now) == "DELETING") {
    answer_error(h.call, h.in, "ConflictException", "Agent runtime '" + r->key + "' is being deleted");
    return;
  }
  begin_update(h, k, *r);
  r->version += 1;
  set_text(*r->record, "agentRuntimeVersion", latest_version(*r));
  snapshot_version(*r);
  ensure_default_endpoint(h, *r);
  sync_runtime(h, *r);
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

void delete_runtime(HandlerContext& h) {
  const Kind& k = kind(KindId::runtime);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_runtime(h);
  if (r == nullptr) return;
  begin_delete(h, k, *r);
  const JsonValue* arn = json_member(*r->record, "agentRuntimeArn");
  if (const auto parts = arn != nullptr ? parse_runtime_arn(arn->GetString()) : std::nullopt) {
    h.state.runtimes.erase(runtime_key(parts->account, parts->region, parts->runtime_id));
  }
  for (auto& [key, endpoint] : tenant_of(h).resources[static_cast<std::size_t>(KindId::endpoint)]) {
    if (endpoint.scope == r->key) begin_delete(h, kind(KindId::endpoint), endpoint);
  }
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

std::string endpoint_key(HandlerContext& h) {
  return std::string(h.in.label_value("agentRuntimeId").value_or("")) + "/" +
         std::string(h.in.label_value("endpointName").value_or(h.in.body_string("name").value_or("")));
}

// The version an endpoint names must exist.
bool check_version(HandlerContext& h, const Resource& runtime, std::string_view version) {
  const auto n = parse_int64(version);
  if (n && *n >= 1 && *n <= runtime.version) return true;
  answer_error(h.call, h.in, "ResourceNotFoundException",
               "Version " + std::string(version) + " of agent runtime '" + runtime.key + "' not found");
  return false;
}

void create_endpoint(HandlerContext& h) {
  const Kind& k = kind(KindId::endpoint);
  std::lock_guard lock(h.state.mutex);
  Resource* runtime = find_runtime(h);
  if (runtime == nullptr) return;
  const std::string name(h.in.body_string("name").value_or(""));
  const std::string version(h.in.body_string("agentRuntimeVersion").value_or(latest_version(*runtime)));
  if (!check_version(h, *runtime, version)) return;
  if (name_taken(h, k, name, runtime->key)) {
    answer_error(h.call, h.in, "ConflictException",
                 "An endpoint named '" + name + "' already exists for agent runtime '" + runtime->key + "'");
    return;
  }
  Resource e;
  e.key = runtime->key + "/" + name;
  e.scope = runtime->key;
  e.created_at = h.call.now;
  e.steady = "READY";
  e.transition = "CREATING";
  e.settles_at = h.call.now + kSettle;
  e.record = std::make_shared<StoredJson>();
  e.record->SetObject();
  absorb_body(h, *e.record);
  const std::string runtime_arn = json_member(*runtime->record, "agentRuntimeArn")->GetString();
  set_text(*e.record, "endpointName", name);
  set_text(*e.record, "id", name + "-" + random_suffix(10));
  set_text(*e.record, "agentRuntimeId", runtime->key);
  set_text(*e.record, "agentRuntimeArn", runtime_arn);
  set_text(*e.record, k.arn_member, runtime_arn + "/runtime-endpoint/" + name);
  set_text(*e.record, "targetVersion", version);
  set_text(*e.record, "liveVersion", version);
  set_text(*e.record, k.created_member, now_text(h));
  set_text(*e.record, k.updated_member, now_text(h));
  auto& endpoints = tenant_of(h).resources[static_cast<std::size_t>(KindId::endpoint)];
  Resource& stored = endpoints.insert_or_assign(e.key, std::move(e)).first->second;
  sync_runtime(h, *runtime);
  refresh(h, stored);
  answer_record(h, k, *stored.record);
}

Resource* find_endpoint(HandlerContext& h) {
  if (find_runtime(h) == nullptr) return nullptr;
  return find_resource(h, kind(KindId::endpoint), endpoint_key(h));
}

void get_endpoint(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  Resource* e = find_endpoint(h);
  if (e == nullptr) return;
  refresh(h, *e);
  answer_record(h, kind(KindId::endpoint), *e->record);
}

void list_endpoints(HandlerContext& h) {
  const Kind& k = kind(KindId::endpoint);
  std::lock_guard lock(h.state.mutex);
  Resource* runtime = find_runtime(h);
  if (runtime == nullptr) return;
  answer_list(h, k, listed(h, k, runtime->key));
}

void update_endpoint(HandlerContext& h) {
  const Kind& k = kind(KindId::endpoint);
  std::lock_guard lock(h.state.mutex);
  Resource* runtime = find_runtime(h);
  if (runtime == nullptr) return;
  Resource* e = find_resource(h, k, endpoint_key(h));
  if (e == nullptr) return;
  if (const auto version = h.in.body_string("agentRuntimeVersion")) {
    if (!check_version(h, *runtime, *version)) return;
    set_text(*e->record, "targetVersion", *version);
    set_text(*e->record, "liveVersion", *version);
  }
  if (const auto description = h.in.body_string("description")) set_text(*e->record, "description", *description);
  set_text(*e->record, k.updated_member, now_text(h));
  e->transition = "UPDATING";
  e->settles_at = h.call.now + kSettle;
  refresh(h, *e);
  answer_record(h, k, *e->record);
}

void delete_endpoint(HandlerContext& h) {
  const Kind& k = kind(KindId::endpoint);
  std::lock_guard lock(h.state.mutex);
  Resource* runtime = find_runtime(h);
  if (runtime == nullptr) return;
  Resource* e = find_resource(h, k, endpoint_key(h));
  if (e == nullptr) return;
  if (e->key == runtime->key + "/DEFAULT") {
    answer_error(h.call, h.in, "ConflictException", "The DEFAULT endpoint is deleted with its agent runtime");
    return;
  }
  begin_delete(h, k, *e);
  sync_runtime(h, *runtime);
  refresh(h, *e);
  answer_record(h, k, *e->record);
}

// ---- Identity: credential providers and the token vault ----------------------------------------

void create_api_key_provider(HandlerContext& h) {
  const Kind& k = kind(KindId::api_key_provider);
  std::lock_guard lock(h.state.mutex);
  const std::string name(h.in.body_string("name").value_or(""));
  Resource* r = create_resource(h, k, name);
  if (r == nullptr) return;
  const std::string source(h.in.body_string("apiKeySecretSource").value_or("MANAGED"));
  set_text(*r->record, "apiKeySecretSource", source);
  set_secret_arn(*r->record, "apiKeySecretArn",
           "arn:aws:secretsmanager:" + h.in.region + ":" + h.in.account + ":secret:bedrock-agentcore-identity!default/apikey/" +
               name + "-" + random_suffix(6));
  set_text(*r->record, "apiKeySecretJsonKey", "api_key_value");
  answer_record(h, k, *r->record);
}

void create_oauth2_provider(HandlerContext& h) {
  const Kind& k = kind(KindId::oauth2_provider);
  std::lock_guard lock(h.state.mutex);
  const std::string name(h.in.body_string("name").value_or(""));
  Resource* r = create_resource(h, k, name);
  if (r == nullptr) return;
  set_secret_arn(*r->record, "clientSecretArn",
           "arn:aws:secretsmanager:" + h.in.region + ":" + h.in.account +
               ":secret:bedrock-agentcore-identity!default/oauth2/" + name + "-" + random_suffix(6));
  set_text(*r->record, "clientSecretJsonKey", "client_secret");
  set_text(*r->record, "clientSecretSource", "MANAGED");
  set_text(*r->record, "callbackUrl",
           "https://bedrock-agentcore." + h.in.region + ".amazonaws.com/identities/oauth2/callback/" + uuid_v4());
  oauth2_output(*r->record);
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

void update_oauth2_provider(HandlerContext& h) {
  const Kind& k = kind(KindId::oauth2_provider);
  std::lock_guard lock(h.state.mutex);
  Resource* r = find_resource(h, k, request_key(h, k));
  if (r == nullptr) return;
  begin_update(h, k, *r);
  oauth2_output(*r->record);
  refresh(h, *r);
  answer_record(h, k, *r->record);
}

void get_token_vault(HandlerContext& h) {
  JsonWriter w;
  w.begin_object();
  w.field("tokenVaultId", h.in.body_string("tokenVaultId").value_or("default"));
  w.key("kmsConfiguration").begin_object().field("keyType", "ServiceManagedKey").end_object();
  w.field_number("lastModifiedDate", static_cast<double>(epoch_seconds(h.call.now)));
  w.end_object();
  answer(h, w.take());
}

constexpr HandlerRow kControlPlane[] = {
    {kCreateAgentRuntime, create_runtime},
    {kGetAgentRuntime, get_runtime},
    {kListAgentRuntimes, list_runtimes},
    {kUpdateAgentRuntime, update_runtime},
    {kDeleteAgentRuntime, delete_runtime},
    {kListAgentRuntimeVersions, list_runtime_versions},
    {kCreateAgentRuntimeEndpoint, create_endpoint},
    {kGetAgentRuntimeEndpoint, get_endpoint},
    {kListAgentRuntimeEndpoints, list_endpoints},
    {kUpdateAgentRuntimeEndpoint, update_endpoint},
    {kDeleteAgentRuntimeEndpoint, delete_endpoint},
    {kCreateCodeInterpreter, create_tool<KindId::code_interpreter>},
    {kGetCodeInterpreter, get_handler<KindId::code_interpreter>},
    {kListCodeInterpreters, list_handler<KindId::code_interpreter>},
    {kDeleteCodeInterpreter, delete_handler<KindId::code_interpreter>},
    {kCreateBrowser, create_tool<KindId::browser>},
    {kGetBrowser, get_handler<KindId::browser>},
    {kListBrowsers, list_handler<KindId::browser>},
    {kDeleteBrowser, delete_handler<KindId::browser>},
    {kCreateBrowserProfile, create_handler<KindId::browser_profile>},
    {kGetBrowserProfile, get_handler<KindId::browser_profile>},
    {kListBrowserProfiles, list_handler<KindId::browser_profile>},
    {kDeleteBrowserProfile, delete_handler<KindId::browser_profile>},
    {kCreateMemory, create_memory},
    {kGetMemory, get_handler<KindId::memory>},
    {kListMemories, list_handler<KindId::memory>},
    {kUpdateMemory, update_memory},
    {kDeleteMemory, delete_handler<KindId::memory>},
    {kCreateWorkloadIdentity, create_handler<KindId::workload_identity>},
    {kGetWorkloadIdentity, get_handler<KindId::workload_identity>},
    {kListWorkloadIdentities, list_handler<KindId::workload_identity>},
    {kUpdateWorkloadIdentity, update_handler<KindId::workload_identity>},
    {kDeleteWorkloadIdentity, delete_handler<KindId::workload_identity>},
    {kCreateApiKeyCredentialProvider, create_api_key_provider},
    {kGetApiKeyCredentialProvider, get_handler<KindId::api_key_provider>},
    {kListApiKeyCredentialProviders, list_handler<KindId::api_key_provider>},
    {kUpdateApiKeyCredentialProvider, update_handler<KindId::api_key_provider>},
    {kDeleteApiKeyCredentialProvider, delete_handler<KindId::api_key_provider>},
    {kCreateOauth2CredentialProvider, create_oauth2_provider},
    {kGetOauth2CredentialProvider, get_handler<KindId::oauth2_provider>},
    {kListOauth2CredentialProviders, list_handler<KindId::oauth2_provider>},
    {kUpdateOauth2CredentialProvider, update_oauth2_provider},
    {kDeleteOauth2CredentialProvider, delete_handler<KindId::oauth2_provider>},
    {kGetTokenVault, get_token_vault},
};

}  // namespace

std::string invocation_url_of(const JsonValue& record) {
  const JsonValue* tags = json_member(record, "tags");
  const JsonValue* url = tags != nullptr && tags->IsObject() ? json_member(*tags, kInvocationUrlTag) : nullptr;
  return url != nullptr && url->IsString() ? std::string(url->GetString(), url->GetStringLength()) : std::string();
}

std::span<const HandlerRow> control_plane_handlers() { return kControlPlane; }

// The output form of an OAuth2 provider's configuration: the input's, without the secret.
void oauth2_output(JsonDocument& record) {
  const JsonValue* input = json_member(record, "oauth2ProviderConfigInput");
  if (input == nullptr || !input->IsObject()) return;
  JsonDocument output;
  output.CopyFrom(*input, output.GetAllocator());
  for (auto& vendor : output.GetObject()) {
    if (vendor.value.IsObject()) {
      vendor.value.RemoveMember("clientSecret");
      vendor.value.RemoveMember("clientSecretConfig");
      vendor.value.RemoveMember("clientSecretSource");
    }
  }
  set_value(record, "oauth2ProviderConfigOutput", output);
}

void add_fixture_runtime(State& state, const Runtime& runtime, SystemTime now) {
  const std::string at = format_rfc3339_millis(now);
  Resource r;
  r.key = runtime.runtime_id;
  r.created_at = now;
  r.steady = "READY";
  r.record = std::make_shared<StoredJson>();
  JsonDocument& record = *r.record;
  record.SetObject();
  set_text(record, "agentRuntimeId", runtime.runtime_id);
  set_text(record, "agentRuntimeArn", runtime.arn);
  set_text(record, "agentRuntimeName", runtime.runtime_id.substr(0, runtime.runtime_id.size() - 11));
  set_text(record, "agentRuntimeVersion", "1");
  set_text(record, "status", "READY");
  set_text(record, "createdAt", at);
  set_text(record, "lastUpdatedAt", at);
  set_text(record, "roleArn", "arn:aws:iam::" + runtime.account + ":role/agentemu-fixture");
  JsonDocument network;
  network.SetObject();
  set_text(network, "networkMode", "PUBLIC");
  set_value(record, "networkConfiguration", network);
  JsonDocument life;
  life.SetObject();
  life.AddMember("idleRuntimeSessionTimeout", runtime.idle_timeout, life.GetAllocator());
  life.AddMember("maxLifetime", runtime.max_lifetime, life.GetAllocator());
  set_value(record, "lifecycleConfiguration", life);
  if (runtime.server_protocol != "HTTP") {
    JsonDocument protocol;
    protocol.SetObject();
    set_text(protocol, "serverProtocol", runtime.server_protocol);
    set_value(record, "protocolConfiguration", protocol);
  }
  if (!runtime.invocation_url.empty()) {
    JsonDocument tags;
    tags.SetObject();
    set_text(tags, kInvocationUrlTag, runtime.invocation_url);
    set_value(record, "tags", tags);
  }
  auto snapshot = std::make_shared<StoredJson>();
  snapshot->CopyFrom(record, snapshot->GetAllocator());
  r.versions.push_back(std::move(snapshot));
  Tenant& tenant = state.tenant(runtime.account, runtime.region);
  auto& endpoints = tenant.resources[static_cast<std::size_t>(KindId::endpoint)];
  for (const std::string& qualifier : runtime.qualifiers) {
    Resource e;
    e.key = runtime.runtime_id + "/" + qualifier;
    e.scope = runtime.runtime_id;
    e.created_at = now;
    e.steady = "READY";
    e.record = std::make_shared<StoredJson>();
    e.record->SetObject();
    for (std::string_view member : {"name", "endpointName", "id"}) set_text(*e.record, member, qualifier);
    set_text(*e.record, "agentRuntimeId", runtime.runtime_id);
    set_text(*e.record, "agentRuntimeArn", runtime.arn);
    set_text(*e.record, "agentRuntimeEndpointArn", runtime.arn + "/runtime-endpoint/" + qualifier);
    set_text(*e.record, "liveVersion", "1");
    set_text(*e.record, "targetVersion", "1");
    set_text(*e.record, "createdAt", at);
    set_text(*e.record, "lastUpdatedAt", at);
    endpoints.insert_or_assign(e.key, std::move(e));
  }
  tenant.resources[static_cast<std::size_t>(KindId::runtime)].insert_or_assign(r.key, std::move(r));
}

void add_fixture_record(State& state, const Kind& k, const JsonValue& item, SystemTime now) {
  const std::string at = format_rfc3339_millis(now);
  Resource r;
  const JsonValue* id = json_member(item, k.id_member.empty() ? k.name_member : k.id_member);
  r.key.assign(id->GetString(), id->GetStringLength());
  r.created_at = now;
  r.steady = std::string(k.ready);
  r.record = std::make_shared<StoredJson>();
  r.record->CopyFrom(item, r.record->GetAllocator());
  const std::string tenant = fixture_record_tenant(k, item);
  const auto slash = tenant.find('/');
  const std::string_view account = std::string_view(tenant).substr(0, slash);
  const std::string_view region = std::string_view(tenant).substr(slash + 1);
  if (json_member(item, k.arn_member) == nullptr) set_text(*r.record, k.arn_member, resource_arn(k, region, account, r.key));
  if (!k.ready.empty() && json_member(item, "status") == nullptr) set_text(*r.record, "status", k.ready);
  if (json_member(item, k.created_member) == nullptr) set_text(*r.record, k.created_member, at);
  if (json_member(item, k.updated_member) == nullptr) set_text(*r.record, k.updated_member, at);
  if (k.id == KindId::oauth2_provider && json_member(item, "oauth2ProviderConfigOutput") == nullptr) {
    oauth2_output(*r.record);  // what Get shows of a configuration the fixture gives as input
  }
  state.tenant(account, region).resources[static_cast<std::size_t>(k.id)].insert_or_assign(r.key, std::move(r));
}

std::string fixture_record_tenant(const Kind& k, const JsonValue& item) {
  std::string account(kDefaultAccount), region(kDefaultRegion);
  if (const JsonValue* arn = json_member(item, k.arn_member); arn != nullptr && arn->IsString()) {
    const auto parts = split(std::string_view(arn->GetString(), arn->GetStringLength()), ':');
    if (parts.size() >= 6) {
      region.assign(parts[3]);
      account.assign(parts[4]);
    }
  }
  return account + "/" + region;
}

}  // namespace agentemu::agentcore
