#include "vendors/agentcore/errors.hpp"

#include "core/json.hpp"

namespace agentemu::agentcore {
namespace {

// The modeled errors of both planes (model/*.service-2.json, "exception": true),
// then the front end's own (authentication, unknown operations), which the SDK surfaces by name.
constexpr ErrorInfo kErrors[] = {
    {"ValidationException", 400, "The input fails to satisfy the constraints specified by the service.",
     "validationException"},
    {"UnauthorizedException", 401, "The bearer token is missing or invalid.", ""},
    {"ServiceQuotaExceededException", 402, "The request would exceed a service quota.",
     "serviceQuotaExceededException"},
    {"AccessDeniedException", 403, "You do not have sufficient access to perform this action.",
     "accessDeniedException"},
    {"ResourceNotFoundException", 404, "The specified resource does not exist.", "resourceNotFoundException"},
    {"ConflictException", 409, "The request conflicts with the current state of the resource.", "conflictException"},
    {"RetryableConflictException", 409, "The resource is being modified by another request. Retry the request.", ""},
    {"RuntimeClientError", 424, "The agent runtime returned an error.", ""},
    {"ThrottlingException", 429, "Rate exceeded", "throttlingException"},
    {"InternalServerException", 500, "The service encountered an internal error. Retry the request.",
     "internalServerException"},
    {"ServiceUnavailableException", 503, "Service Unavailable", ""},
    {"ConcurrentModificationException", 409, "The resource is being modified by another request.", ""},
    {"DecryptionFailure", 400, "The resource could not be decrypted with its KMS key.", ""},
    {"EncryptionFailure", 400, "The resource could not be encrypted with its KMS key.", ""},
    {"DuplicateIdException", 409, "A record with this id already exists.", ""},
    {"InvalidInputException", 400, "The input is invalid.", ""},
    {"ResourceLimitExceededException", 400, "The request would exceed a resource limit.", ""},
    {"ServiceException", 500, "The service encountered an error.", ""},
    {"ThrottledException", 429, "Rate exceeded", ""},
    {"MissingAuthenticationTokenException", 403, "Missing Authentication Token", ""},
    {"UnrecognizedClientException", 403, "The security token included in the request is invalid.", ""},
    {"InvalidSignatureException", 403,
     "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
     "Key and signing method. Consult the service documentation for details.",
     ""},
    {"IncompleteSignatureException", 400, "The request signature does not conform to AWS standards.", ""},
    {"UnknownOperationException", 404, "The operation is not supported by this service.", ""},
    // agentemu's own: a real operation it does not emulate.
    {"NotImplementedException", 501, "agentemu does not emulate this operation.", ""},
};

}  // namespace

const ErrorInfo* find_error(std::string_view id) {
  for (const ErrorInfo& e : kErrors) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

std::string error_body(const ErrorInfo& info, std::string_view message, const ValidationDetail* validation) {
  JsonWriter w;
  w.begin_object().field("message", message.empty() ? info.message : message);
  if (info.id == "ValidationException") {
    w.field("reason", validation != nullptr ? validation->reason : std::string_view("FieldValidationFailed"));
    if (validation != nullptr && !validation->fields.empty()) {
      w.key("fieldList").begin_array();
      for (const FieldProblem& f : validation->fields) {
        w.begin_object().field("name", f.name).field("message", f.message).end_object();
      }
      w.end_array();
    }
  }
  w.end_object();
  return w.take();
}

void render(Call& call, const RenderedError& error, std::string_view request_id) {
  const ErrorInfo* info = find_error(error.id);
  if (info == nullptr) info = find_error("InternalServerException");
  Response& r = call.response;
  r.headers.clear();
  r.fault = NetworkFault::none;
  r.set(error.status > 0 ? error.status : info->status, kJson,
        error_body(*info, error.message, error.validation ? &*error.validation : nullptr));
  r.add_header("X-Amzn-ErrorType", info->id);
  r.add_header("x-amzn-RequestId", request_id);
  if (error.retry_after_seconds >= 0) r.add_header("Retry-After", std::to_string(error.retry_after_seconds));
  call.error_code.assign(info->id);
}

}  // namespace agentemu::agentcore
