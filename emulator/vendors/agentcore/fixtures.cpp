// The "agentcore" fixture section: checked whole (every key known, every value well-formed, the
// JSON pointer of the first mistake), then applied to the live state; and the state dump, written
// in the same shape so a dump can be fed back as a fixture.
//
// { "credentials": [{"accessKeyId", "secretAccessKey", "sessionToken"?, "accountId"?}],
//   "runtimes": [{"arn", "qualifiers"?: ["DEFAULT", ...], "idleTimeoutSeconds"?, "maxLifetimeSeconds"?,
//                 "invocationUrl"?, "serverProtocol"?}],
//   "codeInterpreters": [{"id"}], "browsers": [{"id"}],
//   "sessions": [{"kind": "codeInterpreter"|"browser"|"runtime", ...}],
//   "browserProfiles", "memories", "workloadIdentities": [records: the Get output's members],
//   "apiKeyCredentialProviders": [records, and "apiKey"],
//   "oauth2CredentialProviders": [records, and "oauth2ProviderConfigInput"] }
#include <algorithm>
#include <initializer_list>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/data_fixtures.hpp"
#include "vendors/agentcore/operations.hpp"
#include "vendors/agentcore/output.hpp"

namespace agentemu::agentcore {
namespace {

// The shared document reader (core/document.hpp), with the member checks this section uses.
class Checker : public DocumentReader {
 public:
  // A required (or optional) non-empty string member that passes `valid`.
  bool string(const JsonValue& object, const std::string& at, std::string_view key, bool required,
              bool (*valid)(std::string_view) = nullptr, std::string_view shape = {}) {
    const JsonValue* v = json_member(object, key);
    const std::string here = json_pointer(at, key);
    if (!ok()) return false;
    if (v == nullptr) return required ? fail(here, "is required") : true;
    if (!v->IsString() || v->GetStringLength() == 0) return fail(here, "must be a non-empty string");
    if (valid != nullptr && !valid(std::string_view(v->GetString(), v->GetStringLength()))) {
      return fail(here, "must be " + std::string(shape));
    }
    return true;
  }

  bool integer(const JsonValue& object, const std::string& at, std::string_view key, std::int64_t lo, std::int64_t hi) {
    const JsonValue* v = json_member(object, key);
    return v == nullptr ? ok() : DocumentReader::integer(*v, json_pointer(at, key), lo, hi);
  }
};

// In the clock's range: a session created in 9999 is a mistake in the file, not an overflow.
bool is_timestamp(std::string_view s) { return parse_iso8601(s).has_value(); }
bool is_agent_url(std::string_view s) {
  std::string ignored;
  return parse_http_url(s, ignored).has_value();
}
bool is_server_protocol(std::string_view s) { return s == "HTTP" || s == "MCP" || s == "A2A" || s == "AGUI"; }
bool is_status(std::string_view s) { return s == "READY" || s == "TERMINATED"; }
bool is_stream_status(std::string_view s) { return s == "ENABLED" || s == "DISABLED"; }
bool is_tool_id(std::string_view s) { return s.find('/') == std::string_view::npos; }
bool is_kind(std::string_view s) { return s == "codeInterpreter" || s == "browser" || s == "runtime"; }
bool is_runtime_session(std::string_view s) { return s.size() >= 33 && s.size() <= 256; }
bool is_region(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string_view text(const JsonValue& object, std::string_view key, std::string_view fallback = {}) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : fallback;
}

int int_or(const JsonValue& object, std::string_view key, int fallback) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsInt64() ? static_cast<int>(v->GetInt64()) : fallback;
}

SystemTime time_or(const JsonValue& object, std::string_view key, SystemTime fallback) {
  const auto t = parse_iso8601(text(object, key));
  return t ? *t : fallback;
}

bool check_session(Checker& c, const JsonValue& s, const std::string& at) {
  if (!s.IsObject()) return c.fail(at, "must be an object");
  if (!c.string(s, at, "kind", true, is_kind, "codeInterpreter, browser or runtime")) return false;
  const std::string_view kind = text(s, "kind");
  if (kind == "runtime") {
    return c.object(s, at, {"kind", "agentRuntimeArn", "runtimeSessionId", "qualifier", "status", "createdAt",
                            "lastUpdatedAt"}) &&
           c.string(s, at, "agentRuntimeArn", true, is_runtime_arn, "a runtime ARN") &&
           c.string(s, at, "runtimeSessionId", true, is_runtime_session, "33 to 256 characters") &&
           c.string(s, at, "qualifier", false) && c.string(s, at, "status", false, is_status, "READY or TERMINATED") &&
           c.string(s, at, "createdAt", false, is_timestamp, kTimeShape) &&
           c.string(s, at, "lastUpdatedAt", false, is_timestamp, kTimeShape);
  }
  const bool browser = kind == "browser";
  const std::string_view id_key = browser ? "browserIdentifier" : "codeInterpreterIdentifier";
  const bool keys = browser ? c.object(s, at, {"kind", "accountId", "region", "browserIdentifier", "sessionId", "name",
                                               "sessionTimeoutSeconds", "status", "createdAt", "lastUpdatedAt",
                                               "automationStreamStatus"})
                            : c.object(s, at, {"kind", "accountId", "region", "codeInterpreterIdentifier", "sessionId",
                                               "name", "sessionTimeoutSeconds", "status", "createdAt", "lastUpdatedAt"});
  return keys && c.string(s, at, "accountId", false, is_account_id, "12 digits") &&
         c.string(s, at, "region", false, is_region, "a region such as us-east-1") &&
         c.string(s, at, id_key, true, is_tool_id, "an identifier without '/'") &&
         c.string(s, at, "sessionId", true, is_tool_session_id, "1 to 40 letters or digits") &&
         c.string(s, at, "name", false) && c.integer(s, at, "sessionTimeoutSeconds", 1, 28800) &&
         c.string(s, at, "status", false, is_status, "READY or TERMINATED") &&
         c.string(s, at, "createdAt", false, is_timestamp, kTimeShape) &&
         c.string(s, at, "lastUpdatedAt", false, is_timestamp, kTimeShape) &&
         c.string(s, at, "automationStreamStatus", false, is_stream_status, "ENABLED or DISABLED");
}

// The control-plane kinds a fixture may hold as records, by section; the operation whose output
// names their members (what a record may hold); and the secret a record may hold beside them: the
// Create operation's input member the output never shows (the API key; the OAuth2 configuration
// with its client secret), dumped redacted unless secrets are asked for.
struct RecordSection {
  KindId kind;
  OpId get;
  std::string_view secret = {};
  OpId create{};  // with a secret: the operation whose input declares it
};
constexpr RecordSection kRecordSections[] = {
    {KindId::browser_profile, kGetBrowserProfile},
    {KindId::memory, kGetMemory},
    {KindId::workload_identity, kGetWorkloadIdentity},
    {KindId::api_key_provider, kGetApiKeyCredentialProvider, "apiKey", kCreateApiKeyCredentialProvider},
    {KindId::oauth2_provider, kGetOauth2CredentialProvider, "oauth2ProviderConfigInput", kCreateOauth2CredentialProvider},
};

const OutType* record_type(OpId get) {
  const OutType* out = operations()[get].output;
  if (out != nullptr && get == kGetMemory) return member_type(*out, "memory");
  return out;
}

const ParamSpec* secret_spec(const RecordSection& rs) {
  for (const Member& m : operations()[rs.create].members) {
    if (m.spec.name == rs.secret) return &m.spec;
  }
  return nullptr;
}

// The members inside a record's secret that are secrets themselves.
bool is_secret_name(std::string_view name) { return name == "apiKey" || name == "clientSecret"; }

// A value checked against the output shape the dump writes it through: structures hold their
// declared members, lists and maps their items, times are times the clock represents (RFC 3339
// text, or epoch seconds as the dump writes them). A null member is as good as absent.
bool check_shaped(Checker& c, const JsonValue& v, const std::string& at, const OutType& type) {
  const auto must_be = [&](bool good, std::string_view what) {
    return good || c.fail(at, "must be " + std::string(what) + ", not " + json_type_name(v));
  };
  switch (type.kind) {
    case OutKind::structure: {
      std::vector<std::string_view> names;
      for (const OutMember& m : type.members) names.push_back(m.name);
      if (!c.object(v, at, std::span<const std::string_view>(names))) return false;
      for (const auto& m : v.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (!m.value.IsNull() && !check_shaped(c, m.value, json_pointer(at, name), *member_type(type, name))) return false;
      }
      return true;
    }
    case OutKind::list:
      if (!c.array(v, at)) return false;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        if (type.element != nullptr && !check_shaped(c, v[i], json_pointer(at, i), *type.element)) return false;
      }
      return true;
    case OutKind::map:
      if (!must_be(v.IsObject(), "an object")) return false;
      for (const auto& m : v.GetObject()) {
        const std::string here = json_pointer(at, {m.name.GetString(), m.name.GetStringLength()});
        if (type.element != nullptr && !check_shaped(c, m.value, here, *type.element)) return false;
      }
      return true;
    case OutKind::string:
    case OutKind::blob: return must_be(v.IsString(), "a string");
    case OutKind::integer: return must_be(v.IsInt64(), "a whole number");
    case OutKind::number: return must_be(v.IsNumber(), "a number");
    case OutKind::boolean: return c.boolean(v, at);
    case OutKind::timestamp: return c.time(v, at);
    case OutKind::epoch_seconds:
      if (!v.IsNumber()) return c.time(v, at);
      return (v.GetDouble() >= 0 && v.GetDouble() * 1000.0 <= static_cast<double>(kLatestEpochMillis)) ||
             c.fail(at, "must be " + std::string(kTimeShape) + ", or its epoch seconds");
    case OutKind::document: return true;
  }
  return true;
}

// A record: the members of the model's Get output, each as its shape says, and the section's secret.
bool check_record(Checker& c, const JsonValue& item, const std::string& at, const RecordSection& rs,
                  std::string_view required) {
  const OutType* type = record_type(rs.get);
  if (type == nullptr) return c.fail(at, "is not a record the model describes");
  std::vector<std::string_view> names;
  for (const OutMember& m : type->members) names.push_back(m.name);
  if (!rs.secret.empty()) names.push_back(rs.secret);
  if (!c.object(item, at, std::span<const std::string_view>(names))) return false;
  for (const auto& m : item.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == rs.secret || m.value.IsNull()) continue;
    if (!check_shaped(c, m.value, json_pointer(at, name), *member_type(*type, name))) return false;
  }
  if (!rs.secret.empty() && json_member(item, rs.secret) != nullptr) {
    if (const ParamSpec* spec = secret_spec(rs); spec != nullptr && !c.params(item, at, std::span<const ParamSpec>(spec, 1))) {
      return false;
    }
  }
  return c.string(item, at, required, true);
}

// The pointer of the first redacted secret inside `value` (the member `name` of its owner), or "".
std::string redacted_secret(const JsonValue& value, std::string_view name, const std::string& at) {
  if (is_secret_name(name) && is_redacted(value)) return at;
  if (!value.IsObject()) return {};
  for (const auto& m : value.GetObject()) {
    const std::string_view child(m.name.GetString(), m.name.GetStringLength());
    if (auto found = redacted_secret(m.value, child, json_pointer(at, child)); !found.empty()) return found;
  }
  return {};
}

// Loading a dump back: the member `name` of `object`, a redacted secret, becomes what `held` (the
// held record's object at the same place) has, and goes when it has nothing; objects are searched.
void keep_held_secret(JsonValue& object, std::string_view name, const JsonValue* held, JsonDocument::AllocatorType& alloc) {
  const auto m = object.FindMember(JsonValue(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (m == object.MemberEnd()) return;
  const JsonValue* h = held != nullptr && held->IsObject() ? json_member(*held, name) : nullptr;
  if (is_secret_name(name) && is_redacted(m->value)) {
    if (h != nullptr) {
      m->value.CopyFrom(*h, alloc);
    } else {
      object.EraseMember(m);
    }
    return;
  }
  if (!m->value.IsObject()) return;
  std::vector<std::string> children;
  for (const auto& child : m->value.GetObject()) children.emplace_back(child.name.GetString(), child.name.GetStringLength());
  for (const std::string& child : children) keep_held_secret(m->value, child, h, alloc);
}

// A record's secret as the dump writes it: each secret inside shown or redacted.
void write_secret(JsonWriter& w, std::string_view name, const JsonValue& value, const StateOptions& options) {
  w.key(name);
  if (is_secret_name(name) && value.IsString()) {
    w.string(shown_secret({value.GetString(), value.GetStringLength()}, options));
  } else if (value.IsObject()) {
    w.begin_object();
    for (const auto& m : value.GetObject()) write_secret(w, {m.name.GetString(), m.name.GetStringLength()}, m.value, options);
    w.end_object();
  } else {
    w.value(value);
  }
}

}  // namespace

std::optional<FixtureIssue> AgentcoreVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const auto known_credential = [this](const JsonValue& list, rapidjson::SizeType before, std::string_view id) {
    for (rapidjson::SizeType j = 0; j < before; ++j) {
      if (text(list[j], "accessKeyId") == id) return true;
    }
    std::lock_guard lock(state_.mutex);
    return state_.credentials.find(id) != state_.credentials.end();
  };
  // A redacted record secret stands for the one held by the record of the same tenant and id:
  // earlier in this list, or live.
  const auto known_record = [this](const Kind& k, const JsonValue& list, rapidjson::SizeType before, std::string_view id) {
    const std::string_view id_member = k.id_member.empty() ? k.name_member : k.id_member;
    const std::string tenant = fixture_record_tenant(k, list[before]);
    for (rapidjson::SizeType j = 0; j < before; ++j) {
      if (text(list[j], id_member) == id && fixture_record_tenant(k, list[j]) == tenant) return true;
    }
    std::lock_guard lock(state_.mutex);
    const auto t = state_.tenants.find(tenant);
    if (t == state_.tenants.end()) return false;
    const auto& held = t->second.resources[static_cast<std::size_t>(k.id)];
    const auto r = held.find(id);
    return r != held.end() && !r->second.gone(context_.clock.now());
  };
  Checker c;
  const std::string root(pointer);
  if (!c.object(section, root,
                {"credentials", "runtimes", "codeInterpreters", "browsers", "sessions", "browserProfiles", "memories",
                 "workloadIdentities", "apiKeyCredentialProviders", "oauth2CredentialProviders", "memoryEvents",
                 "memoryRecords", "memoryExtractionJobs", "jwtIssuers", "oauth2Tokens",
                 "controlPlane"})) {
    return c.take_issue();
  }
  if (const JsonValue* records = json_member(section, "controlPlane")) {
    if (auto issue = check_control_state(*records, json_pointer(root, "controlPlane"))) return issue;
  }
  for (const RecordSection& rs : kRecordSections) {
    const Kind& k = kind(rs.kind);
    const JsonValue* list = json_member(section, k.state_key);
    if (list == nullptr) continue;
    const std::string at = json_pointer(root, k.state_key);
    if (!c.array(*list, at)) return c.take_issue();
    const std::string_view id_member = k.id_member.empty() ? k.name_member : k.id_member;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const JsonValue& item = (*list)[i];
      const std::string here = json_pointer(at, i);
      if (!check_record(c, item, here, rs, id_member)) return c.take_issue();
      const JsonValue* secret = rs.secret.empty() ? nullptr : json_member(item, rs.secret);
      const std::string redacted = secret == nullptr ? "" : redacted_secret(*secret, rs.secret, json_pointer(here, rs.secret));
      if (!redacted.empty() && !known_record(k, *list, i, text(item, id_member))) {
        return FixtureIssue{redacted, std::string(kRedactedUnknown)};
      }
    }
  }
  for (std::string_view key : {"credentials", "runtimes", "codeInterpreters", "browsers", "sessions"}) {
    const JsonValue* list = json_member(section, key);
    if (list == nullptr) continue;
    const std::string at = json_pointer(root, key);
    if (!c.array(*list, at)) return c.take_issue();
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const JsonValue& item = (*list)[i];
      const std::string here = json_pointer(at, i);
      bool good = true;
      if (key == "credentials") {
        good = c.object(item, here, {"accessKeyId", "secretAccessKey", "sessionToken", "accountId"}) &&
               c.string(item, here, "accessKeyId", true) && c.string(item, here, "secretAccessKey", true) &&
               c.string(item, here, "sessionToken", false) &&
               c.string(item, here, "accountId", false, is_account_id, "12 digits");
        // A redacted dump's secret stands for the one already held for the same access key.
        for (std::string_view secret : {"secretAccessKey", "sessionToken"}) {
          const JsonValue* v = json_member(item, secret);
          if (good && v != nullptr && is_redacted(*v) && !known_credential(*list, i, text(item, "accessKeyId"))) {
            good = c.fail(json_pointer(here, secret), std::string(kRedactedUnknown));
          }
        }
      } else if (key == "runtimes") {
        good = c.object(item, here,
                        {"arn", "qualifiers", "idleTimeoutSeconds", "maxLifetimeSeconds", "invocationUrl", "serverProtocol"}) &&
               c.string(item, here, "invocationUrl", false, is_agent_url, "an http:// or https:// URL") &&
               c.string(item, here, "serverProtocol", false, is_server_protocol, "HTTP, MCP, A2A or AGUI") &&
               c.string(item, here, "arn", true, is_runtime_arn,
                        "a runtime ARN: arn:aws:bedrock-agentcore:<region>:<12-digit account>:runtime/<name>-<10 "
                        "letters or digits>") &&
               c.integer(item, here, "idleTimeoutSeconds", 1, 28800) &&
               c.integer(item, here, "maxLifetimeSeconds", 1, 28800);
        if (good) {
          if (const JsonValue* q = json_member(item, "qualifiers")) {
            const std::string qat = json_pointer(here, "qualifiers");
            good = c.array(*q, qat);
            for (rapidjson::SizeType j = 0; good && j < q->Size(); ++j) {
              if (!(*q)[j].IsString() || (*q)[j].GetStringLength() == 0) {
                good = c.fail(json_pointer(qat, j), "must be a non-empty string");
              }
            }
          }
        }
      } else if (key == "codeInterpreters" || key == "browsers") {
        good = c.object(item, here, {"id"}) && c.string(item, here, "id", true, is_tool_id, "an identifier without '/'");
      } else {
        good = check_session(c, item, here);
      }
      if (!good) return c.take_issue();
    }
  }
  if (auto issue = check_memory_fixtures(section, root, state_)) return issue;
  return check_identity_fixtures(section, root);
}

void AgentcoreVendor::apply_fixture(const JsonValue& section) {
  const SystemTime now = context_.clock.now();
  std::lock_guard lock(state_.mutex);
  const auto list = [&](std::string_view key) -> const JsonValue* {
    const JsonValue* v = json_member(section, key);
    return v != nullptr && v->IsArray() ? v : nullptr;
  };
  if (const JsonValue* creds = list("credentials")) {
    for (const auto& c : creds->GetArray()) {
      const std::string id(text(c, "accessKeyId"));
      const auto held = state_.credentials.find(id);
      // check_fixture made sure a redacted secret or token has a credential to keep it from.
      const auto secret = [&](std::string_view key, const std::string sigv4::Credential::*field) {
        const JsonValue* v = json_member(c, key);
        return v != nullptr && is_redacted(*v) && held != state_.credentials.end() ? held->second.*field
                                                                                    : std::string(text(c, key));
      };
      sigv4::Credential credential;
      credential.secret_access_key = secret("secretAccessKey", &sigv4::Credential::secret_access_key);
      credential.session_token = secret("sessionToken", &sigv4::Credential::session_token);
      credential.account_id = text(c, "accountId", kDefaultAccount);
      state_.credentials.insert_or_assign(id, std::move(credential));
    }
  }
  if (const JsonValue* runtimes = list("runtimes")) {
    for (const auto& r : runtimes->GetArray()) {
      Runtime runtime;
      runtime.arn = text(r, "arn");
      const auto parts = parse_runtime_arn(runtime.arn);
      if (!parts) continue;
      runtime.partition = parts->partition;
      runtime.region = parts->region;
      runtime.account = parts->account;
      runtime.runtime_id = parts->runtime_id;
      runtime.qualifiers.push_back("DEFAULT");
      if (const JsonValue* q = json_member(r, "qualifiers")) {
        for (const auto& name : q->GetArray()) {
          std::string qualifier(name.GetString(), name.GetStringLength());
          if (std::find(runtime.qualifiers.begin(), runtime.qualifiers.end(), qualifier) == runtime.qualifiers.end()) {
            runtime.qualifiers.push_back(std::move(qualifier));
          }
        }
      }
      runtime.idle_timeout = int_or(r, "idleTimeoutSeconds", kRuntimeIdleTimeout);
      runtime.max_lifetime = int_or(r, "maxLifetimeSeconds", kRuntimeMaxLifetime);
      runtime.invocation_url = text(r, "invocationUrl");
      if (const std::string_view protocol = text(r, "serverProtocol"); !protocol.empty()) runtime.server_protocol = protocol;
      add_fixture_runtime(state_, runtime, now);
      state_.runtimes.insert_or_assign(runtime_key(runtime.account, runtime.region, runtime.runtime_id),
                                       std::move(runtime));
    }
  }
  if (const JsonValue* ids = list("codeInterpreters")) {
    for (const auto& t : ids->GetArray()) state_.code_interpreters.insert_or_assign(std::string(text(t, "id")), true);
  }
  if (const JsonValue* ids = list("browsers")) {
    for (const auto& t : ids->GetArray()) state_.browsers.insert_or_assign(std::string(text(t, "id")), true);
  }
  for (const RecordSection& rs : kRecordSections) {
    const Kind& k = kind(rs.kind);
    const JsonValue* items = list(k.state_key);
    if (items == nullptr) continue;
    const std::string_view id_member = k.id_member.empty() ? k.name_member : k.id_member;
    for (const auto& item : items->GetArray()) {
      const JsonValue* secret = rs.secret.empty() ? nullptr : json_member(item, rs.secret);
      if (secret == nullptr || redacted_secret(*secret, rs.secret, "/").empty()) {
        add_fixture_record(state_, k, item, now);
        continue;
      }
      // check_fixture made sure a record holds the redacted secret: it keeps that one.
      const auto t = state_.tenants.find(fixture_record_tenant(k, item));
      const Resource* held = nullptr;
      if (t != state_.tenants.end()) {
        const auto& resources = t->second.resources[static_cast<std::size_t>(k.id)];
        if (const auto r = resources.find(text(item, id_member)); r != resources.end()) held = &r->second;
      }
      JsonDocument filled;
      filled.CopyFrom(item, filled.GetAllocator());
      keep_held_secret(filled, rs.secret, held != nullptr ? held->record.get() : nullptr, filled.GetAllocator());
      add_fixture_record(state_, k, filled, now);
    }
  }
  if (const JsonValue* sessions = list("sessions")) {
    for (const auto& s : sessions->GetArray()) {
      const std::string_view kind = text(s, "kind");
      const bool terminated = text(s, "status") == "TERMINATED";
      const SystemTime created = time_or(s, "createdAt", now);
      const SystemTime updated = time_or(s, "lastUpdatedAt", terminated ? now : created);
      if (kind == "runtime") {
        const auto parts = parse_runtime_arn(text(s, "agentRuntimeArn"));
        if (!parts) continue;
        RuntimeSession r;
        r.created_at = created;
        r.last_active_at = updated;
        r.stopped = terminated;
        r.stopped_at = updated;
        if (const Runtime* runtime = state_.runtime(parts->account, parts->region, parts->runtime_id)) {
          r.idle_timeout = runtime->idle_timeout;
          r.max_lifetime = runtime->max_lifetime;
        }
        if (!r.stopped && r.ended_at() <= now) {  // READY when dumped, and ended since
          r.stopped_at = r.ended_at();
          r.stopped = true;
        }
        if (r.stopped) r.last_active_at = now;  // its retention counts from the load
        Tenant& tenant = state_.tenant(parts->account, parts->region);
        RuntimeSessions& sessions = tenant.runtime_sessions;
        RuntimeSession& added = sessions.add(RuntimeSessions::key(parts->runtime_id, text(s, "runtimeSessionId")),
                                             text(s, "agentRuntimeArn"), std::move(r));
        sessions.set_qualifier(added, text(s, "qualifier", "DEFAULT"));
        continue;
      }
      const bool browser = kind == "browser";
      ToolSession t;
      t.session_id = text(s, "sessionId");
      t.extras_to_change().name = text(s, "name");
      t.timeout_seconds =
          int_or(s, "sessionTimeoutSeconds", browser ? kBrowserDefaultTimeout : kCodeInterpreterDefaultTimeout);
      t.created_at = created;
      t.updated_at = updated;
      t.stopped = terminated;
      t.stopped_at = updated;
      t.extras_to_change().kept_from = now;
      t.automation_enabled = text(s, "automationStreamStatus", "ENABLED") == "ENABLED";
      Tenant& tenant = state_.tenant(text(s, "accountId", kDefaultAccount), text(s, "region", kDefaultRegion));
      (browser ? tenant.browser_sessions : tenant.code_sessions)
          .add(text(s, browser ? "browserIdentifier" : "codeInterpreterIdentifier"), std::move(t));
    }
  }
  apply_memory_fixtures(state_, section, now);
  apply_identity_fixtures(state_, section);
  // Last: a dumped record replaces the one "runtimes" made for the same runtime and endpoints.
  if (const JsonValue* records = list("controlPlane")) apply_control_state(state_, *records, now);
}

void AgentcoreVendor::clear_state() {
  // What runs for real ends with the sessions it belongs to.
  sandboxes_.end_all();
  browsers_.end_all();
  agents_.clear();
  std::lock_guard lock(state_.mutex);
  state_.clear();
}

void AgentcoreVendor::write_state(JsonWriter& w, const StateOptions& options) const {
  const SystemTime now = context_.clock.now();
  std::lock_guard lock(state_.mutex);
  w.begin_object();
  w.key("credentials").begin_array();
  for (const auto& [key, c] : state_.credentials) {
    w.begin_object().field("accessKeyId", key).field("secretAccessKey", shown_secret(c.secret_access_key, options));
    if (!c.session_token.empty()) w.field("sessionToken", shown_secret(c.session_token, options));
    w.field("accountId", c.account_id).end_object();
  }
  w.end_array();
  w.key("runtimes").begin_array();
  for (const auto& [key, r] : state_.runtimes) {
    w.begin_object().field("arn", r.arn).key("qualifiers").begin_array();
    for (const auto& q : r.qualifiers) w.string(q);
    w.end_array();
    w.field_int("idleTimeoutSeconds", r.idle_timeout).field_int("maxLifetimeSeconds", r.max_lifetime);
    if (!r.invocation_url.empty()) w.field("invocationUrl", r.invocation_url);
    if (r.server_protocol != "HTTP") w.field("serverProtocol", r.server_protocol);
    w.end_object();
  }
  w.end_array();
  w.key("codeInterpreters").begin_array();
  for (const auto& [id, unused] : state_.code_interpreters) w.begin_object().field("id", id).end_object();
  w.end_array();
  w.key("browsers").begin_array();
  for (const auto& [id, unused] : state_.browsers) w.begin_object().field("id", id).end_object();
  w.end_array();
  for (const RecordSection& rs : kRecordSections) {
    const Kind& k = kind(rs.kind);
    const OutType* type = record_type(rs.get);
    w.key(k.state_key).begin_array();
    for (const auto& [tenant_key, tenant] : state_.tenants) {
      for (const auto& [key, resource] : tenant.resources[static_cast<std::size_t>(rs.kind)]) {
        if (resource.gone(now) || type == nullptr) continue;
        w.begin_object();
        write_shaped_members(w, *type, *resource.record);
        if (const JsonValue* secret = rs.secret.empty() ? nullptr : json_member(*resource.record, rs.secret)) {
          write_secret(w, rs.secret, *secret, options);
        }
        w.end_object();
      }
    }
    w.end_array();
  }
  write_control_state(w.key("controlPlane"), state_, now);
  w.key("sessions").begin_array();
  for (const auto& [tenant_key, tenant] : state_.tenants) {
    const auto slash = tenant_key.find('/');
    const std::string_view account = std::string_view(tenant_key).substr(0, slash);
    const std::string_view region = std::string_view(tenant_key).substr(slash + 1);
    for (const bool browser : {false, true}) {
      for (const auto& [id, s] : (browser ? tenant.browser_sessions : tenant.code_sessions).all()) {
        w.begin_object();
        w.field("kind", browser ? "browser" : "codeInterpreter");
        w.field("accountId", account).field("region", region);
        w.field(browser ? "browserIdentifier" : "codeInterpreterIdentifier", s.tool());
        w.field("sessionId", s.session_id);
        if (!s.extras().name.empty()) w.field("name", s.extras().name);
        w.field_int("sessionTimeoutSeconds", s.timeout_seconds);
        w.field("status", status_name(s.status(now)));
        w.field("createdAt", format_rfc3339_millis(s.created_at));
        w.field("lastUpdatedAt", format_rfc3339_millis(s.last_updated(now)));
        if (browser) w.field("automationStreamStatus", s.automation_enabled ? "ENABLED" : "DISABLED");
        w.end_object();
      }
    }
    for (const auto& [key, r] : tenant.runtime_sessions.all()) {
      w.begin_object();
      w.field("kind", "runtime");
      w.field("agentRuntimeArn", r.runtime_arn());
      w.field("runtimeSessionId", RuntimeSessions::session_id(key));
      w.field("qualifier", r.qualifier());
      const bool ended = r.status(now) == SessionStatus::terminated;
      w.field("status", ended ? "TERMINATED" : "READY");
      w.field("createdAt", format_rfc3339_millis(r.created_at));
      w.field("lastUpdatedAt", format_rfc3339_millis(ended ? r.ended_at() : r.last_active_at));
      w.end_object();
    }
  }
  w.end_array();
  write_memory_state(w, state_, now);
  write_identity_state(w, state_, options);
  w.end_object();
}

}  // namespace agentemu::agentcore
