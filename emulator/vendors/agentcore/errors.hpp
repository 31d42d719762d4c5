// The error catalogue: every error AgentCore answers, with its HTTP status and default text,
// rendered the restJson1 way (X-Amzn-ErrorType, x-amzn-RequestId, {"message": ...}). Handlers,
// the validator, the SigV4 verifier and scenario rules all name errors by these ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"

namespace agentemu::agentcore {

struct ErrorInfo {
  std::string_view id;  // the X-Amzn-ErrorType value
  int status;
  std::string_view message;      // default text
  std::string_view stream_member;  // InvokeCodeInterpreter's event-stream member, or ""
};

const ErrorInfo* find_error(std::string_view id);

struct FieldProblem {
  std::string name;
  std::string message;
};

// ValidationException's extra members.
struct ValidationDetail {
  std::string_view reason = "FieldValidationFailed";  // CannotParse | FieldValidationFailed |
                                                      // IdempotentParameterMismatchException | ...
  std::vector<FieldProblem> fields;
};

struct RenderedError {
  std::string_view id;
  int status = 0;
  std::string message;  // empty: the catalogue's text
  std::optional<ValidationDetail> validation;
  int retry_after_seconds = -1;
};

// The error's JSON body: {"message":...} plus reason and fieldList for ValidationException.
std::string error_body(const ErrorInfo& info, std::string_view message, const ValidationDetail* validation);

// Writes the whole answer into call.response and sets call.error_code. `request_id` goes in
// x-amzn-RequestId.
void render(Call& call, const RenderedError& error, std::string_view request_id);

}  // namespace agentemu::agentcore
