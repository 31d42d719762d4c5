#include "vendors/ice/errors.hpp"

#include <array>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "vendors/ice/xml.hpp"

namespace agentemu::ice {
namespace {

// Gateway (POP) codes first, then the IMS product codes. Statuses and messages as the gateway
// and the IMS error table publish them (the README's fidelity notes name the sources);
// IncorrectInstanceStatus is the emulator's choice for an instance that is no longer running.
constexpr std::array kCatalogue = {
    ErrorDef{"MissingParameter", 400,
             "The input parameter that is mandatory for processing this request is not supplied."},
    ErrorDef{"InvalidParameter", 400, "The specified parameter is not valid."},
    ErrorDef{"MissingHeader", 400, "Specified header is mandatory for this action."},
    ErrorDef{"InvalidVersion", 400, "Specified parameter Version is not valid."},
    ErrorDef{"SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation."},
    ErrorDef{"IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."},
    ErrorDef{"InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."},
    ErrorDef{"InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled."},
    ErrorDef{"InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."},
    ErrorDef{"InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."},
    ErrorDef{"SignatureNonceUsed", 400, "Specified signature nonce was used already."},
    ErrorDef{"MissingSecurityToken", 400, "SecurityToken is mandatory for this action."},
    ErrorDef{"InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired."},
    ErrorDef{"InvalidSecurityToken.Malformed", 400, "Specified SecurityToken is malformed."},
    ErrorDef{"InvalidSecurityToken.MismatchWithAccessKey", 400, "Specified SecurityToken mismatch with the AccessKey."},
    ErrorDef{"Throttling", 400, "Request was denied due to flow control."},
    ErrorDef{"Throttling.Api", 400, "Request was denied due to api flow control."},
    ErrorDef{"Throttling.User", 400, "Request was denied due to user flow control."},
    ErrorDef{"Forbidden.RAM", 403,
             "User not authorized to operate on the specified resource, or this API doesn't support RAM."},
    ErrorDef{"InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."},
    ErrorDef{"InvalidApi.NotFound", 404, "Specified api is not found, please check your url and method."},
    ErrorDef{"InternalError", 500,
             "The request processing has failed due to some unknown error, exception or failure."},
    ErrorDef{"ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."},
    ErrorDef{"OperationDenied", 403, "Your account does not open IMS service yet."},
    ErrorDef{"ResourceNotFound", 404, "Resource not found"},
    ErrorDef{"RequestsTooFrequent", 403, "Requests are too frequent"},
    ErrorDef{"Forbidden", 403, "User not authorized to operate on the specified resource."},
    ErrorDef{"IncorrectInstanceStatus", 403, "The current status of the resource does not support this operation."},
    // agentemu's own choices (README, fidelity notes): an account's voiceprints are bounded, and
    // a real ICE action agentemu does not emulate answers 501.
    ErrorDef{"QuotaExceeded", 400, "The quota of this resource is exceeded."},
    ErrorDef{"NotImplemented", 501, "agentemu does not emulate this ICE action."},
};

bool identifier(std::string_view text) {
  if (text.empty() || text.front() < 'A' || text.front() > 'Z') return false;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// The gateway's EncodedDiagnosticMessage is an opaque Base64 blob that RAM's
// DecodeDiagnosticMessage expands; agentemu's holds the denial's own facts as JSON.
std::string encoded_diagnostic(const AccessDenied& denied) {
  JsonWriter w;
  w.begin_object()
      .field("AuthAction", denied.action)
      .field("AuthPrincipalDisplayName", denied.access_key)
      .field("AuthPrincipalOwnerId", denied.account)
      .field("AuthPrincipalType", denied.principal_type)
      .field("NoPermissionType", "ImplicitDeny")
      .field("PolicyType", "AccountLevelIdentityBasedPolicy")
      .end_object();
  return base64_encode(w.text());
}

}  // namespace

const ErrorDef* find_error(std::string_view code) {
  for (const ErrorDef& def : kCatalogue) {
    if (def.code == code) return &def;
  }
  return nullptr;
}

std::optional<ErrorDef> missing_param_error(std::string_view code) {
  constexpr std::string_view kPrefix = "Missing";
  if (!code.starts_with(kPrefix) || !identifier(code.substr(kPrefix.size()))) return std::nullopt;
  if (code == "MissingParameter") return std::nullopt;
  return ErrorDef{code, 400, {}};  // message built from the name by the caller
}

bool known_error(std::string_view code) { return find_error(code) != nullptr || missing_param_error(code).has_value(); }

std::string recommend_url(std::string_view code, std::string_view request_id) {
  std::string url = "https://api.aliyun.com/troubleshoot?q=";
  url += code;
  url += "&product=ICE&requestId=";
  url += request_id;
  return url;
}

void render_error(Response& response, const Envelope& envelope, const ErrorReply& error) {
  JsonWriter w;
  w.begin_object()
      .field("RequestId", envelope.request_id)
      .field("HostId", envelope.host_id)
      .field("Code", error.code)
      .field("Message", error.message)
      .field("Recommend", recommend_url(error.code, envelope.request_id));
  if (error.denied != nullptr) {
    // The seven members, in the order the SDK models' examples show them.
    w.key("AccessDeniedDetail")
        .begin_object()
        .field("AuthAction", error.denied->action)
        .field("AuthPrincipalDisplayName", error.denied->access_key)
        .field("AuthPrincipalOwnerId", error.denied->account)
        .field("AuthPrincipalType", error.denied->principal_type)
        .field("NoPermissionType", "ImplicitDeny")
        .field("PolicyType", "AccountLevelIdentityBasedPolicy")
        .field("EncodedDiagnosticMessage", encoded_diagnostic(*error.denied))
        .end_object();
  }
  w.end_object();
  response.status = error.status;
  if (envelope.xml) {
    response.content_type.assign(kXmlType);
    response.body = json_text_to_xml("Error", w.text());
  } else {
    response.content_type.assign(kJsonType);
    response.body = w.take();
  }
  response.add_header("x-acs-request-id", envelope.request_id);
  int retry_after = error.retry_after_seconds;
  if (retry_after < 0 && error.code.find("Throttling") != std::string_view::npos) retry_after = 1;
  if (retry_after >= 0) response.add_header("x-acs-retry-after", std::to_string(retry_after));
}

}  // namespace agentemu::ice
