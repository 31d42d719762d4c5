// The "agentcore" fixture section: checked whole (every key known, every value well-formed, the
// JSON pointer of the first mistake), then applied to the live state; and the state dump, written
// in the same shape so a dump can be fed back as a fixture.
//
// { "credentials": [{"accessKeyId", "secretAccessKey", "sessionToken"?, "accountId"?}],
//   "runtimes": [{"arn", "qualifiers"?: ["DEFAULT", ...], "idleTimeoutSeconds"?, "maxLifetimeSeconds"?,
//                 "invocationUrl"?, "serverProtocol"?}],
//   "codeInterpreters": [{"id"}], "browsers": [{"id"}],
//   "sessions": [{"kind": "codeInterpreter"|"browser"|"runtime", ...}] }
#include <algorithm>
#include <initializer_list>

#include "core/net/http_client.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/data_fixtures.hpp"
#include "vendors/agentcore/operations.hpp"
#include "vendors/agentcore/output.hpp"

namespace agentemu::agentcore {
namespace {

class Checker {
 public:
  std::optional<FixtureIssue> issue;

  bool fail(std::string pointer, std::string message) {
    if (!issue) issue = FixtureIssue{std::move(pointer), std::move(message)};
    return false;
  }

  bool object(const JsonValue& v, const std::string& at, std::initializer_list<std::string_view> keys) {
    if (!v.IsObject()) return fail(at, std::string("must be an object, not ") + json_type_name(v));
    for (const auto& m : v.GetObject()) {
      const std::string_view name(m.name.GetString(), m.name.GetStringLength());
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        std::string known;
        for (std::string_view k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
        return fail(json_pointer(at, name), "unknown key (expected " + known + ")");
      }
    }
    return true;
  }

  bool array(const JsonValue& v, const std::string& at) {
    if (!v.IsArray()) return fail(at, std::string("must be an array, not ") + json_type_name(v));
    return true;
  }

  // A required (or optional) non-empty string member that passes `ok`.
  bool string(const JsonValue& object, const std::string& at, std::string_view key, bool required,
              bool (*ok)(std::string_view) = nullptr, std::string_view shape = {}) {
    const JsonValue* v = json_member(object, key);
    const std::string here = json_pointer(at, key);
    if (v == nullptr) return required ? fail(here, "is required") : true;
    if (!v->IsString() || v->GetStringLength() == 0) return fail(here, "must be a non-empty string");
    if (ok != nullptr && !ok(std::string_view(v->GetString(), v->GetStringLength()))) {
      return fail(here, "must be " + std::string(shape));
    }
    return true;
  }

  bool integer(const JsonValue& object, const std::string& at, std::string_view key, std::int64_t lo, std::int64_t hi) {
    const JsonValue* v = json_member(object, key);
    if (v == nullptr) return true;
    if (!v->IsInt64() || v->GetInt64() < lo || v->GetInt64() > hi) {
      return fail(json_pointer(at, key), "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return true;
  }
};

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
           c.string(s, at, "createdAt", false, is_timestamp, "an ISO 8601 UTC time") &&
           c.string(s, at, "lastUpdatedAt", false, is_timestamp, "an ISO 8601 UTC time");
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
         c.string(s, at, "createdAt", false, is_timestamp, "an ISO 8601 UTC time") &&
         c.string(s, at, "lastUpdatedAt", false, is_timestamp, "an ISO 8601 UTC time") &&
         c.string(s, at, "automationStreamStatus", false, is_stream_status, "ENABLED or DISABLED");
}

// The control-plane kinds a fixture may hold as records, by section, and the operation whose
// output names their members (what a record may hold).
struct RecordSection {
  KindId kind;
  OpId get;
};
constexpr RecordSection kRecordSections[] = {
    {KindId::browser_profile, kGetBrowserProfile},       {KindId::memory, kGetMemory},
    {KindId::workload_identity, kGetWorkloadIdentity},   {KindId::api_key_provider, kGetApiKeyCredentialProvider},
    {KindId::oauth2_provider, kGetOauth2CredentialProvider},
};

const OutType* record_type(OpId get) {
  const OutType* out = operations()[get].output;
  if (out != nullptr && get == kGetMemory) return member_type(*out, "memory");
  return out;
}

// Keys a record may hold: the members of the Get operation's output.
bool record_keys(Checker& c, const JsonValue& item, const std::string& at, const OutType* type,
                 std::string_view required, KindId kind) {
  if (!item.IsObject()) return c.fail(at, "must be an object");
  for (const auto& m : item.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if ((type == nullptr || member_type(*type, name) == nullptr) && !is_secret_member(kind, name)) {
      return c.fail(json_pointer(at, name), "unknown key (expected a member of the model's Get output)");
    }
  }
  return c.string(item, at, required, true);
}

}  // namespace

std::optional<FixtureIssue> AgentcoreVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  Checker c;
  const std::string root(pointer);
  if (!c.object(section, root,
                {"credentials", "runtimes", "codeInterpreters", "browsers", "sessions", "browserProfiles", "memories",
                 "workloadIdentities", "apiKeyCredentialProviders", "oauth2CredentialProviders", "memoryEvents",
                 "memoryRecords", "memoryExtractionJobs", "jwtIssuers", "oauth2Tokens",
                 "controlPlane"})) {
    return c.issue;
  }
  if (const JsonValue* records = json_member(section, "controlPlane")) {
    if (auto issue = check_control_state(*records, json_pointer(root, "controlPlane"))) return issue;
  }
  for (const RecordSection& rs : kRecordSections) {
    const Kind& k = kind(rs.kind);
    const JsonValue* list = json_member(section, k.state_key);
    if (list == nullptr) continue;
    const std::string at = json_pointer(root, k.state_key);
    if (!c.array(*list, at)) return c.issue;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string_view required = k.id_member.empty() ? k.name_member : k.id_member;
      if (!record_keys(c, (*list)[i], json_pointer(at, i), record_type(rs.get), required, rs.kind)) return c.issue;
    }
  }
  for (std::string_view key : {"credentials", "runtimes", "codeInterpreters", "browsers", "sessions"}) {
    const JsonValue* list = json_member(section, key);
    if (list == nullptr) continue;
    const std::string at = json_pointer(root, key);
    if (!c.array(*list, at)) return c.issue;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const JsonValue& item = (*list)[i];
      const std::string here = json_pointer(at, i);
      bool good = true;
      if (key == "credentials") {
        good = c.object(item, here, {"accessKeyId", "secretAccessKey", "sessionToken", "accountId"}) &&
               c.string(item, here, "accessKeyId", true) && c.string(item, here, "secretAccessKey", true) &&
               c.string(item, here, "sessionToken", false) &&
               c.string(item, here, "accountId", false, is_account_id, "12 digits");
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
      if (!good) return c.issue;
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
      sigv4::Credential credential;
      credential.secret_access_key = text(c, "secretAccessKey");
      credential.session_token = text(c, "sessionToken");
      credential.account_id = text(c, "accountId", kDefaultAccount);
      state_.credentials.insert_or_assign(std::string(text(c, "accessKeyId")), std::move(credential));
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
    for (const auto& item : items->GetArray()) add_fixture_record(state_, k, item, now);
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
        r.runtime_id = parts->runtime_id;
        r.runtime_arn = text(s, "agentRuntimeArn");
        r.session_id = text(s, "runtimeSessionId");
        r.qualifier = text(s, "qualifier", "DEFAULT");
        r.created_at = created;
        r.last_active_at = updated;
        r.stopped = terminated;
        r.stopped_at = updated;
        r.kept_from = now;
        if (const Runtime* runtime = state_.runtime(parts->account, parts->region, parts->runtime_id)) {
          r.idle_timeout = runtime->idle_timeout;
          r.max_lifetime = runtime->max_lifetime;
        }
        Tenant& tenant = state_.tenant(parts->account, parts->region);
        tenant.runtime_sessions.add(r.runtime_id + "\n" + r.session_id, std::move(r));
        continue;
      }
      const bool browser = kind == "browser";
      ToolSession t;
      t.tool = text(s, browser ? "browserIdentifier" : "codeInterpreterIdentifier");
      t.session_id = text(s, "sessionId");
      t.name = text(s, "name");
      t.timeout_seconds =
          int_or(s, "sessionTimeoutSeconds", browser ? kBrowserDefaultTimeout : kCodeInterpreterDefaultTimeout);
      t.created_at = created;
      t.updated_at = updated;
      t.stopped = terminated;
      t.stopped_at = updated;
      t.kept_from = now;
      t.automation_enabled = text(s, "automationStreamStatus", "ENABLED") == "ENABLED";
      Tenant& tenant = state_.tenant(text(s, "accountId", kDefaultAccount), text(s, "region", kDefaultRegion));
      (browser ? tenant.browser_sessions : tenant.code_sessions).add(std::move(t));
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
    w.begin_object().field("accessKeyId", key).field("secretAccessKey", c.secret_access_key);
    if (!c.session_token.empty()) w.field("sessionToken", c.session_token);
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
        write_record_with_secrets(w, rs.kind, *type, *resource.record, options);
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
        w.field(browser ? "browserIdentifier" : "codeInterpreterIdentifier", s.tool);
        w.field("sessionId", s.session_id);
        if (!s.name.empty()) w.field("name", s.name);
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
      w.field("agentRuntimeArn", r.runtime_arn);
      w.field("runtimeSessionId", r.session_id);
      w.field("qualifier", r.qualifier.empty() ? std::string_view("DEFAULT") : std::string_view(r.qualifier));
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
