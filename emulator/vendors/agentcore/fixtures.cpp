// The "agentcore" fixture section: checked whole (every key known, every value well-formed, the
// JSON pointer of the first mistake), then applied to the live state; and the state dump, written
// in the same shape so a dump can be fed back as a fixture.
//
// { "credentials": [{"accessKeyId", "secretAccessKey", "sessionToken"?, "accountId"?}],
//   "runtimes": [{"arn", "qualifiers"?: ["DEFAULT", ...], "idleTimeoutSeconds"?, "maxLifetimeSeconds"?}],
//   "codeInterpreters": [{"id"}], "browsers": [{"id"}],
//   "sessions": [{"kind": "codeInterpreter"|"browser"|"runtime", ...}] }
#include <algorithm>
#include <initializer_list>

#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"

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

}  // namespace

std::optional<FixtureIssue> AgentcoreVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const auto known_credential = [this](const JsonValue& list, rapidjson::SizeType before, std::string_view id) {
    for (rapidjson::SizeType j = 0; j < before; ++j) {
      if (text(list[j], "accessKeyId") == id) return true;
    }
    std::lock_guard lock(state_.mutex);
    return state_.credentials.find(id) != state_.credentials.end();
  };
  Checker c;
  const std::string root(pointer);
  if (!c.object(section, root, {"credentials", "runtimes", "codeInterpreters", "browsers", "sessions"})) return c.take_issue();
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
        good = c.object(item, here, {"arn", "qualifiers", "idleTimeoutSeconds", "maxLifetimeSeconds"}) &&
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
  return std::nullopt;
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
}

void AgentcoreVendor::clear_state() {
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
    w.field_int("idleTimeoutSeconds", r.idle_timeout).field_int("maxLifetimeSeconds", r.max_lifetime).end_object();
  }
  w.end_array();
  w.key("codeInterpreters").begin_array();
  for (const auto& [id, unused] : state_.code_interpreters) w.begin_object().field("id", id).end_object();
  w.end_array();
  w.key("browsers").begin_array();
  for (const auto& [id, unused] : state_.browsers) w.begin_object().field("id", id).end_object();
  w.end_array();
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
  w.end_object();
}

}  // namespace agentemu::agentcore
