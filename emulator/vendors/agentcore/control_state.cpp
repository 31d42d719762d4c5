// The "controlPlane" fixture section: the control plane's records of runtimes (with their
// versions), runtime endpoints, code interpreters and browsers, as the state dump writes them,
// so a dump loads back with every record as it was (description, versions, statuses, times).
// The other kinds have sections of their own (browserProfiles, memories...); the data plane's
// view of these four is in "runtimes", "codeInterpreters" and "browsers".
//
// "controlPlane": [{"kind": "runtimes"|"endpoints"|"codeInterpreters"|"browsers", "account", "region",
//                   "key", "scope"?, "record": {...}, "versions"?: [{...}], "version"?,
//                   "transition"?: "CREATING"|"UPDATING"|"DELETING", "settlesAt"?, "createdAt"}]
#include "vendors/agentcore/control.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace agentemu::agentcore {
namespace {

constexpr KindId kDumpedKinds[] = {KindId::runtime, KindId::endpoint, KindId::code_interpreter, KindId::browser};

const Kind* dumped_kind(std::string_view state_key) {
  for (KindId id : kDumpedKinds) {
    if (kind(id).state_key == state_key) return &kind(id);
  }
  return nullptr;
}

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

std::optional<FixtureIssue> check_entry(const JsonValue& item, const std::string& at) {
  static constexpr std::string_view kKeys[] = {"kind",       "account",   "region",    "key",      "scope", "record",
                                               "versions",   "version",   "transition", "settlesAt", "createdAt"};
  if (!item.IsObject()) return FixtureIssue{at, "must be an object"};
  for (const auto& m : item.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      return FixtureIssue{json_pointer(at, key),
                          "unknown key (expected kind, account, region, key, scope, record, versions, version, "
                          "transition, settlesAt, createdAt)"};
    }
  }
  if (dumped_kind(text_of(item, "kind")) == nullptr) {
    return FixtureIssue{json_pointer(at, "kind"), "must be runtimes, endpoints, codeInterpreters or browsers"};
  }
  for (std::string_view key : {"account", "region", "key"}) {
    if (text_of(item, key).empty()) return FixtureIssue{json_pointer(at, key), "must be a non-empty string"};
  }
  const JsonValue* record = json_member(item, "record");
  if (record == nullptr || !record->IsObject()) return FixtureIssue{json_pointer(at, "record"), "must be an object"};
  if (const JsonValue* versions = json_member(item, "versions")) {
    if (!versions->IsArray()) return FixtureIssue{json_pointer(at, "versions"), "must be an array of records"};
    for (rapidjson::SizeType i = 0; i < versions->Size(); ++i) {
      if (!(*versions)[i].IsObject()) return FixtureIssue{json_pointer(json_pointer(at, "versions"), i), "must be an object"};
    }
  }
  if (const JsonValue* v = json_member(item, "version"); v != nullptr && (!v->IsInt() || v->GetInt() < 1)) {
    return FixtureIssue{json_pointer(at, "version"), "must be a whole number from 1"};
  }
  const std::string_view transition = text_of(item, "transition");
  if (json_member(item, "transition") != nullptr && transition != "CREATING" && transition != "UPDATING" &&
      transition != "DELETING") {
    return FixtureIssue{json_pointer(at, "transition"), "must be CREATING, UPDATING or DELETING"};
  }
  for (std::string_view key : {"settlesAt", "createdAt"}) {
    if (json_member(item, key) != nullptr && !parse_iso8601(text_of(item, key))) {
      return FixtureIssue{json_pointer(at, key), "must be an ISO 8601 UTC time"};
    }
  }
  return std::nullopt;
}

std::shared_ptr<JsonDocument> copy_record(const JsonValue& value) {
  auto doc = std::make_shared<StoredJson>();
  doc->CopyFrom(value, doc->GetAllocator());
  return doc;
}

}  // namespace

std::optional<FixtureIssue> check_control_state(const JsonValue& list, const std::string& at) {
  if (!list.IsArray()) return FixtureIssue{at, "must be an array"};
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    if (auto issue = check_entry(list[i], json_pointer(at, i))) return issue;
  }
  return std::nullopt;
}

void apply_control_state(State& state, const JsonValue& list, SystemTime now) {
  for (const JsonValue& item : list.GetArray()) {
    const Kind& k = *dumped_kind(text_of(item, "kind"));
    Resource r;
    r.key = text_of(item, "key");
    r.scope = text_of(item, "scope");
    r.record = copy_record(item["record"]);
    r.steady = std::string(k.ready);
    r.transition = text_of(item, "transition");
    r.settles_at = parse_iso8601(text_of(item, "settlesAt")).value_or(now);
    r.created_at = parse_iso8601(text_of(item, "createdAt")).value_or(now);
    if (const JsonValue* v = json_member(item, "version")) r.version = v->GetInt();
    if (const JsonValue* versions = json_member(item, "versions")) {
      for (const JsonValue& version : versions->GetArray()) r.versions.push_back(copy_record(version));
    }
    Tenant& tenant = state.tenant(text_of(item, "account"), text_of(item, "region"));
    tenant.resources[static_cast<std::size_t>(k.id)].insert_or_assign(r.key, std::move(r));
  }
}

void write_control_state(JsonWriter& w, const State& state, SystemTime now) {
  w.begin_array();
  for (const auto& [tenant_key, tenant] : state.tenants) {
    const auto slash = tenant_key.find('/');
    const std::string_view account = std::string_view(tenant_key).substr(0, slash);
    const std::string_view region = std::string_view(tenant_key).substr(slash + 1);
    for (KindId id : kDumpedKinds) {
      for (const auto& [key, r] : tenant.resources[static_cast<std::size_t>(id)]) {
        if (r.gone(now)) continue;
        w.begin_object().field("kind", kind(id).state_key).field("account", account).field("region", region);
        w.field("key", r.key);
        if (!r.scope.empty()) w.field("scope", r.scope);
        w.field_value("record", *r.record);
        if (id == KindId::runtime) {
          w.field_int("version", r.version).key("versions").begin_array();
          for (const auto& version : r.versions) w.value(*version);
          w.end_array();
        }
        // Written even once settled: the status is the clock's to tell, in the next process too.
        if (!r.transition.empty()) {
          w.field("transition", r.transition).field("settlesAt", format_rfc3339_millis(r.settles_at));
        }
        w.field("createdAt", format_rfc3339_millis(r.created_at)).end_object();
      }
    }
  }
  w.end_array();
}

}  // namespace agentemu::agentcore
