#include "vendors/ice/ice_vendor.hpp"

#include <algorithm>

#include "core/callbacks/callbacks.hpp"
#include "core/crypto.hpp"
#include "core/describe.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"
#include "core/validation.hpp"
#include "vendors/ice/model.hpp"
#include "vendors/ice/operations.hpp"
#include "vendors/ice/xml.hpp"

namespace agentemu::ice {
namespace {

constexpr std::string_view kVersion = "2020-11-09";
constexpr std::string_view kDefaultHost = "ice.cn-shanghai.aliyuncs.com";
constexpr std::string_view kFormType = "application/x-www-form-urlencoded";
// sha256("") in hex: the payload hash of every body-less request.
constexpr std::string_view kEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string request_id() {
  std::string id = uuid_v4();
  for (char& c : id) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return id;
}

bool is_form(const Request& request) { return istarts_with(trim(request.header("content-type")), kFormType); }

// Looks for ICE's marks in a raw query or form body without decoding it: Version=2020-11-09 or
// a SignatureMethod parameter.
bool has_ice_marks(std::string_view raw) {
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const std::string_view piece = raw.substr(0, amp);
    if (piece == "Version=2020-11-09" || piece.starts_with("SignatureMethod=") || piece == "SignatureMethod") {
      return true;
    }
    if (amp == std::string_view::npos) break;
    raw.remove_prefix(amp + 1);
  }
  return false;
}

// Decodes a raw query or form body into `out`; on a malformed percent-encoding names the
// parameter it broke.
std::optional<std::string> decode_params(std::string_view raw, bool in_body, std::vector<Param>& out) {
  QueryParseError error;
  auto parsed = parse_query(raw, PlusIs::space, &error);
  if (!parsed) {
    const std::string_view piece = error.piece;
    return std::string(piece.substr(0, piece.find('=')));
  }
  out.reserve(out.size() + parsed->size());
  for (QueryParam& p : *parsed) out.push_back(Param{std::move(p.name), std::move(p.value), in_body});
  return std::nullopt;
}

// The first parameter name given twice (query and body together), or nullptr.
const std::string* duplicate(const std::vector<Param>& params) {
  std::vector<const std::string*> names;
  names.reserve(params.size());
  for (const Param& p : params) names.push_back(&p.name);
  std::sort(names.begin(), names.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (*names[i] == *names[i - 1]) return names[i];
  }
  return nullptr;
}

// The gateway's Missing<Name> for an absent common parameter, as for action parameters.
std::string missing_code(std::string_view name) { return "Missing" + std::string(name); }
std::string missing_message(std::string_view name) { return std::string(name) + " is mandatory for this action."; }
std::string missing_header(std::string_view name) {
  return "Specified header " + std::string(name) + " is mandatory for this action.";
}

std::string invalid_param(std::string_view name, std::string_view reason) {
  std::string out = "The specified parameter \"" + std::string(name) + "\" is not valid.";
  if (!reason.empty()) {
    out.pop_back();
    out += ": ";
    out += reason;
    out += '.';
  }
  return out;
}

// Parameters as the validator asks for them. An empty value counts as absent, as on the
// gateway, so "InstanceId=" is MissingInstanceId.
class IceParams final : public ParamSource {
 public:
  explicit IceParams(const IceCall& ice) : ice_(ice) {}
  ParamValue find(const ParamSpec& spec) const override {
    const std::string* value = ice_.find(spec.name);
    if (value == nullptr || value->empty()) return ParamValue::missing();
    return ParamValue::of_text(*value);
  }

 private:
  const IceCall& ice_;
};

Envelope envelope_of(const IceCall& ice) { return Envelope{ice.request_id, ice.host_id, ice.xml}; }

}  // namespace

// ---- Routing ----------------------------------------------------------------------------------

bool IceVendor::claims(const Request& request) const {
  if (request.has_header("x-acs-action")) return true;
  // A V3 request that lost its x-acs-action still carries ACS3's Authorization: it must reach
  // ICE to get the gateway's MissingHeader, not the core's 404.
  if (istarts_with(trim(request.header("authorization")), "ACS3-")) return true;
  if (has_ice_marks(request.query)) return true;
  return !request.body.empty() && is_form(request) && has_ice_marks(request.body);
}

std::span<const std::string_view> IceVendor::operation_names() const { return ice::operation_names(); }

// ---- decode: where the parameters are, which signature, which action ------------------------

bool IceVendor::decode(Call& call) {
  auto owned = std::make_unique<IceCall>();
  IceCall& ice = *owned;
  call.state = std::move(owned);
  const Request& request = call.request;
  ice.request_id = request_id();
  ice.host_id = request.host().empty() ? std::string(kDefaultHost) : std::string(request.host());

  if ((request.path != "/" && !request.path.empty()) || (request.method != "GET" && request.method != "POST")) {
    return fail(call, "InvalidAction.NotFound", {});
  }
  if (auto broken = decode_params(request.query, false, ice.params)) {
    return fail(call, "InvalidParameter", invalid_param(*broken, "malformed percent-encoding"));
  }
  if (!request.body.empty() && is_form(request)) {
    if (auto broken = decode_params(request.body, true, ice.params)) {
      return fail(call, "InvalidParameter", invalid_param(*broken, "malformed percent-encoding"));
    }
  }
  if (const std::string* name = duplicate(ice.params)) {
    return fail(call, "InvalidParameter", invalid_param(*name, "it is given more than once"));
  }
  if (const std::string* format = ice.find("Format")) {
    if (iequals(*format, "XML")) {
      ice.xml = true;
    } else if (!iequals(*format, "JSON")) {
      return fail(call, "InvalidParameter", invalid_param("Format", "expected JSON or XML"));
    }
  }

  std::string_view version;
  if (!request.header("authorization").empty()) {
    ice.signature = SignatureVersion::v3;
    ice.action = request.header("x-acs-action");
    version = request.header("x-acs-version");
    if (ice.action.empty()) return fail(call, "MissingHeader", missing_header("x-acs-action"));
    if (version.empty()) return fail(call, "MissingHeader", missing_header("x-acs-version"));
  } else {
    ice.signature = SignatureVersion::v2;
    ice.action = ice.get("Action");
    version = ice.get("Version");
    if (ice.action.empty()) return fail(call, missing_code("Action"), missing_message("Action"));
    if (version.empty()) return fail(call, missing_code("Version"), missing_message("Version"));
  }
  // A real action agentemu does not emulate keeps its index (journal, metrics, scenarios) and
  // no row: it is authenticated like any other, then answered 501 by execute().
  call.operation = action_index(ice.action);
  ice.operation = emulated_operation(call.operation);
  if (version != kVersion) return fail(call, "InvalidVersion", {});
  if (call.operation < 0) return fail(call, "InvalidAction.NotFound", {});
  return true;
}

// ---- authenticate: signature, clock window, nonce, RAM-style policy --------------------------

bool IceVendor::authenticate(Call& call) {
  IceCall& ice = call.state_as<IceCall>();
  return ice.signature == SignatureVersion::v3 ? authenticate_v3(call, ice) : authenticate_v2(call, ice);
}

bool IceVendor::authenticate_v2(Call& call, IceCall& ice) {
  const bool strict = context_.auth == AuthMode::strict;
  static constexpr std::string_view kCommon[] = {"AccessKeyId",      "Signature",      "SignatureMethod",
                                                 "SignatureVersion", "SignatureNonce", "Timestamp"};
  for (std::string_view name : kCommon) {
    if (ice.get(name).empty() && (strict || name == "AccessKeyId")) {
      return fail(call, missing_code(name), missing_message(name));
    }
  }
  ice.access_key_id = ice.get("AccessKeyId");
  if (!strict) {
    const auto key = find_key(call, ice.access_key_id);
    return key != nullptr && check_policy(call, ice, *key);
  }
  if (ice.get("SignatureMethod") != "HMAC-SHA1") {
    return fail(call, "InvalidParameter", invalid_param("SignatureMethod", "only HMAC-SHA1 is supported"));
  }
  if (ice.get("SignatureVersion") != "1.0") {
    return fail(call, "InvalidParameter", invalid_param("SignatureVersion", "only 1.0 is supported"));
  }
  const auto signed_at = check_time(call, ice.get("Timestamp"));
  if (!signed_at) return false;
  const auto key = find_key(call, ice.access_key_id);
  if (key == nullptr || !check_security_token(call, *key, ice.get("SecurityToken"))) return false;

  std::vector<KeyValue> signed_params;
  signed_params.reserve(ice.params.size());
  for (const Param& p : ice.params) signed_params.push_back({p.name, p.value});
  const std::string string_to_sign = v2_string_to_sign(call.request.method, v2_canonical_query(signed_params));
  if (!constant_time_equal(v2_signature(key->secret, string_to_sign), ice.get("Signature"))) {
    return fail(call, "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:" + string_to_sign,
                nullptr,
                "V2: Base64(HMAC-SHA1(AccessKeySecret of " + key->id +
                    " + \"&\", the string to sign in the message)) differs from the request's Signature");
  }
  return check_nonce(call, *key, ice.get("SignatureNonce"), *signed_at) && check_policy(call, ice, *key);
}

bool IceVendor::authenticate_v3(Call& call, IceCall& ice) {
  const Request& request = call.request;
  const auto authorization = parse_v3_authorization(request.header("authorization"));
  if (!authorization) {
    return fail(call, "IncompleteSignature",
                "The request signature does not conform to Aliyun standards. Expected Authorization: "
                "ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<hex>");
  }
  ice.access_key_id = authorization->credential;
  if (context_.auth == AuthMode::lenient) {
    const auto key = find_key(call, ice.access_key_id);
    return key != nullptr && check_policy(call, ice, *key);
  }
  if (authorization->algorithm != kV3Algorithm) {
    return fail(call, "IncompleteSignature",
                "The request signature does not conform to Aliyun standards. Unsupported signature algorithm " +
                    std::string(authorization->algorithm) + " (the emulator verifies ACS3-HMAC-SHA256).");
  }
  const std::string_view date = request.header("x-acs-date");
  if (date.empty()) return fail(call, "MissingHeader", missing_header("x-acs-date"));
  const auto signed_at = check_time(call, date);
  if (!signed_at) return false;
  const V3SignedHeaders signed_headers = v3_signed_headers(request, authorization->signed_headers);
  if (!signed_headers.unsigned_header.empty()) {
    return fail(call, "IncompleteSignature",
                "The request signature does not conform to Aliyun standards. Header " +
                    signed_headers.unsigned_header + " must be listed in SignedHeaders.");
  }
  const auto key = find_key(call, ice.access_key_id);
  if (key == nullptr || !check_security_token(call, *key, request.header("x-acs-security-token"))) return false;

  std::vector<KeyValue> query_params;
  query_params.reserve(ice.params.size());
  for (const Param& p : ice.params) {
    if (!p.in_body) query_params.push_back({p.name, p.value});
  }
  // The body's own hash, never the x-acs-content-sha256 the client claims: a request whose header
  // lies about its body fails here even when it was signed over the lie (README, fidelity notes).
  const std::string body_hash = request.body.empty() ? std::string() : hex_lower(sha256(request.body));
  const std::string_view payload_hash = request.body.empty() ? kEmptyPayloadHash : std::string_view(body_hash);
  const std::string canonical_request =
      v3_canonical_request(request.method, v3_canonical_query(query_params), signed_headers.headers, payload_hash);
  const std::string string_to_sign = v3_string_to_sign(canonical_request);
  if (!v3_signature_matches(key->secret, string_to_sign, authorization->signature)) {
    std::string why = "V3: server canonical request is [" + canonical_request + "]";
    if (const std::string_view claimed = request.header("x-acs-content-sha256");
        !claimed.empty() && !iequals(claimed, payload_hash)) {
      why += "; x-acs-content-sha256 says " + std::string(claimed) + " but the body received hashes to " +
             std::string(payload_hash);
    }
    return fail(call, "SignatureDoesNotMatch",
                "Specified signature does not match our calculation. server StringToSign is [" + string_to_sign + "]",
                nullptr, why);
  }
  const std::string_view nonce = request.header("x-acs-signature-nonce");
  return (nonce.empty() || check_nonce(call, *key, nonce, *signed_at)) && check_policy(call, ice, *key);
}

std::optional<SystemTime> IceVendor::check_time(Call& call, std::string_view text) {
  // Read wide first, so a well-formed time years away (9999) is Expired, not Format, and never
  // becomes an instant the clock cannot represent.
  const auto when_ms = parse_iso8601_millis(text);
  if (!when_ms) {
    fail(call, "InvalidTimeStamp.Format", {});
    return std::nullopt;
  }
  const auto when = within_millis(*when_ms, call.now, NonceCache::kWindow) ? parse_iso8601(text) : std::nullopt;
  if (!when || !NonceCache::within_window(*when, call.now)) {
    fail(call, "InvalidTimeStamp.Expired", {}, nullptr,
         "request time " + std::string(text) + ", server time " + format_iso8601_seconds(call.now) +
             ", allowed skew 15 minutes");
    return std::nullopt;
  }
  return when;
}

std::shared_ptr<const AccessKey> IceVendor::find_key(Call& call, std::string_view id) {
  if (auto key = state_.find_key(id)) return key;
  if (context_.auth == AuthMode::lenient) {
    auto stand_in = std::make_shared<AccessKey>();
    stand_in->id = id;
    stand_in->account = id;
    stand_in->allow = {"ice:*"};
    return stand_in;
  }
  fail(call, "InvalidAccessKeyId.NotFound", {});
  return nullptr;
}

bool IceVendor::check_nonce(Call& call, const AccessKey& key, std::string_view nonce, SystemTime signed_at) {
  if (key.allow_nonce_reuse) return true;
  switch (nonces_.remember(key.id, nonce, signed_at, call.now)) {
    case NonceCache::Verdict::fresh: return true;
    case NonceCache::Verdict::replayed: return fail(call, "SignatureNonceUsed", {});
    // Too many live nonces to remember one more: refused rather than risk forgetting one
    // still inside its window (README, fidelity notes).
    case NonceCache::Verdict::key_full: return fail(call, "Throttling.User", {});
    case NonceCache::Verdict::full: return fail(call, "Throttling", {});
  }
  return fail(call, "Throttling", {});
}

bool IceVendor::check_security_token(Call& call, const AccessKey& key, std::string_view token) {
  if (token.empty()) {
    return !key.is_sts() || fail(call, "MissingSecurityToken", "SecurityToken is mandatory for this action.", nullptr,
                                 "access key " + key.id + " is an STS credential: send its SecurityToken");
  }
  if (!key.is_sts() || !constant_time_equal(token, key.security_token)) {
    // Another credential's token is a mismatch; a token of none at all is malformed. A permanent
    // key sent with any token is refused the same way (README, fidelity notes).
    const auto owner = state_.find_key_by_token(token);
    if (owner != nullptr) {
      return fail(call, "InvalidSecurityToken.MismatchWithAccessKey", {}, nullptr,
                  "the SecurityToken belongs to " + owner->id + ", the request is signed by " + key.id);
    }
    return fail(call, "InvalidSecurityToken.Malformed", {}, nullptr,
                key.is_sts() ? "the SecurityToken is not " + key.id + "'s"
                             : "access key " + key.id + " is permanent and takes no SecurityToken");
  }
  if (key.expiration && *key.expiration <= call.now) {
    return fail(call, "InvalidSecurityToken.Expired", {}, nullptr,
                "the STS credential " + key.id + " expired at " + format_iso8601_seconds(*key.expiration) +
                    ", server time " + format_iso8601_seconds(call.now));
  }
  return true;
}

bool IceVendor::check_policy(Call& call, IceCall& ice, const AccessKey& key) {
  ice.account = key.account;
  std::string ram_action = "ice:";
  ram_action += ice.action;
  if (key.allows(ram_action)) return true;
  const AccessDenied denied{key.account, key.id, ram_action, key.is_sts() ? "AssumedRoleUser" : "SubUser"};
  std::string allowed;
  for (const std::string& glob : key.allow) allowed += (allowed.empty() ? "" : ", ") + glob;
  return fail(call, "Forbidden.RAM", {}, &denied,
              ram_action + " is not allowed for access key " + key.id + " (its allow list: [" + allowed + "])");
}

// ---- validate: the operation's row ------------------------------------------------------------

bool IceVendor::validate(Call& call) {
  IceCall& ice = call.state_as<IceCall>();
  if (ice.operation == nullptr) return true;  // not emulated: execute() answers 501
  const IceParams source(ice);
  for (const ParamSpec& spec : ice.operation->params) {
    const auto violation = validate_value(spec, source.find(spec), std::string(spec.name));
    if (!violation) continue;
    if (violation->problem == Problem::missing && violation->spec == &spec) {
      const std::string name(spec.name);
      return fail(call, "Missing" + name, name + " is mandatory for this action.");
    }
    // Members of a JSON-string parameter come back without the parameter's name: put it back.
    std::string path = violation->path;
    std::string reason = violation->message;
    if (violation->spec != &spec) {
      path = std::string(spec.name) + "." + violation->path;
      if (reason.starts_with(violation->path)) reason = std::string(spec.name) + "." + reason;
    }
    return fail(call, "InvalidParameter", invalid_param(path, reason));
  }
  if (ice.operation->check != nullptr) {
    if (const auto failure = ice.operation->check(ice)) {
      return fail(call, "InvalidParameter", invalid_param(failure->path, failure->reason));
    }
  }
  return true;
}

// ---- execute ----------------------------------------------------------------------------------

void IceVendor::send_callbacks(std::vector<CallbackRequest>& callbacks) {
  if (context_.callbacks == nullptr) return;
  for (CallbackRequest& request : callbacks) context_.callbacks->send(std::move(request));
}

// The emulator's clock passed a video audit task's last capture window: its result goes out.
void IceVendor::video_audit_finished(const std::string& account, std::uint64_t sequence) {
  std::vector<CallbackRequest> callbacks;
  {
    std::lock_guard lock(state_.mutex);
    const auto found = state_.accounts.find(account);
    if (found == state_.accounts.end()) return;
    const auto task = found->second.video_audit_tasks.find(sequence);
    if (task == found->second.video_audit_tasks.end()) return;  // forgotten, or the state was reset
    notify_video_audit(task->second, context_.clock.now(), callbacks);
  }
  send_callbacks(callbacks);
}

void IceVendor::execute(Call& call) {
  IceCall& ice = call.state_as<IceCall>();
  if (ice.operation == nullptr) {
    fail(call, "NotImplemented", "agentemu does not emulate the ICE action " + ice.action + ".");
    return;
  }
  JsonWriter out;
  out.begin_object().field("RequestId", ice.request_id);
  HandlerContext context{ice, state_, call.now, out};
  {
    std::lock_guard lock(state_.mutex);
    // Finished instances past their retention go before any action looks at the account.
    if (const auto account = state_.accounts.find(ice.account); account != state_.accounts.end()) {
      account->second.prune(call.now);
    }
    ice.operation->handler(context);
  }
  send_callbacks(context.callbacks);
  for (AuditWake& wake : context.audit_wakes) {
    context_.scheduler.at(wake.at, [this, account = std::move(wake.account), sequence = wake.sequence] {
      video_audit_finished(account, sequence);
    });
  }
  if (context.failed) {
    fail(call, context.code, context.message);
    return;
  }
  out.end_object();
  Response& response = call.response;
  response.status = 200;
  if (ice.xml) {
    response.content_type.assign(kXmlType);
    response.body = json_text_to_xml(ice.action + "Response", out.text());
  } else {
    response.content_type.assign(kJsonType);
    response.body = out.take();
  }
  response.add_header("x-acs-request-id", ice.request_id);
}

// ---- errors -----------------------------------------------------------------------------------

bool IceVendor::fail(Call& call, std::string_view code, std::string_view message, const AccessDenied* denied,
                     std::string_view diagnostic) {
  const ErrorDef* def = find_error(code);
  const int status = def != nullptr ? def->status : 400;  // not in the catalogue: Missing<Name>
  const std::string_view text = !message.empty() ? message : def != nullptr ? def->message : std::string_view{};
  const auto* ice = dynamic_cast<const IceCall*>(call.state.get());
  const std::string fallback_id = ice == nullptr ? request_id() : std::string();
  const Envelope envelope = ice != nullptr ? envelope_of(*ice) : Envelope{fallback_id, kDefaultHost, false};
  call.response.clear();
  ice::render_error(call.response, envelope, ErrorReply{code, status, text, -1, denied});
  call.response.diagnostic.assign(diagnostic);
  call.error_code = code;
  return false;
}

bool IceVendor::knows_error(std::string_view id) const {
  if (find_error(id) != nullptr) return true;
  return missing_param_error(id).has_value();
}

void IceVendor::render_error(Call& call, const ErrorRequest& error) {
  const ErrorDef* def = find_error(error.id);
  std::string message(error.message);
  int status = error.status;
  if (def != nullptr) {
    if (message.empty()) message = def->message;
    if (status == 0) status = def->status;
  } else {
    // Missing<Name>
    if (message.empty()) message = std::string(error.id.substr(7)) + " is mandatory for this action.";
    if (status == 0) status = 400;
  }
  const auto* ice = dynamic_cast<const IceCall*>(call.state.get());
  const std::string fallback_id = ice == nullptr ? request_id() : std::string();
  const Envelope envelope = ice != nullptr ? envelope_of(*ice) : Envelope{fallback_id, kDefaultHost, false};
  ice::render_error(call.response, envelope, ErrorReply{error.id, status, message, error.retry_after_seconds, nullptr});
  call.error_code = error.id;
}

std::optional<std::string> IceVendor::param(const Call& call, std::string_view name) const {
  const auto* ice = dynamic_cast<const IceCall*>(call.state.get());
  if (ice == nullptr) return std::nullopt;
  if (name == "Action") return ice->action;
  if (name == "AccessKeyId" && !ice->access_key_id.empty()) return ice->access_key_id;
  if (const std::string* value = ice->find(name)) return *value;
  return std::nullopt;
}

// An action's parameters (the table), Action, and the V2 common parameters a request carries.
bool IceVendor::knows_param(std::string_view name) const {
  static constexpr std::string_view kCommon[] = {"Action",           "Version",        "Format",
                                                 "AccessKeyId",      "Signature",      "SignatureMethod",
                                                 "SignatureVersion", "SignatureNonce", "Timestamp"};
  for (std::string_view common : kCommon) {
    if (common == name) return true;
  }
  return is_parameter_name(name);
}

// Every action of the SDK model: the emulated ones with their table (types, ranges, nested
// members), the others with the model's top-level parameters and "emulated": false.
void IceVendor::describe_operations(JsonWriter& out) const {
  const auto names = operation_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string route = "/?Action=" + std::string(names[i]);
    const Operation* op = emulated_operation(static_cast<int>(i));
    begin_operation(out, name(), OperationInfo{.name = names[i], .method = "GET|POST", .route = route,
                                               .emulated = op != nullptr});
    if (op != nullptr) {
      for (const ParamSpec& spec : op->params) write_param(out, spec, "query");
    } else if (const ModelAction* action = api_model().find(names[i])) {
      for (const ModelParam& param : action->params) {
        write_param(out, ParamSpec{.name = param.name, .type = param.type, .required = param.required}, param.in);
      }
    }
    begin_errors(out);
    if (op == nullptr) out.string("NotImplemented");
    end_operation(out);
  }
}

}  // namespace agentemu::ice
