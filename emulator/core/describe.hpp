// The one shape in which every vendor lists its operations, for GET /_emulator/operations and
// `agentemu describe`: a vendor's describe_operations() writes each operation with these helpers,
// so the endpoint, the CLI and the near-miss diagnosis read one format whatever the vendor.
//
//   {"vendor","operation","method","route","emulated","plane"?,
//    "parameters":[{"name","in","wire"?,"type","required",constraints...,"members"?,"items"?}],
//    "errors":["ThrottlingException", ...]}
#pragma once

#include <string_view>

#include "core/json.hpp"
#include "core/validation.hpp"

namespace agentemu {

struct OperationInfo {
  std::string_view name;    // the vendor's own name: InvokeAgentRuntime, StartAIAgentInstance
  std::string_view method;  // "POST"; RPC vendors that take either name both: "GET|POST"
  std::string_view route;   // "/runtimes/{agentRuntimeArn}/invocations", "/?Action=StartAIAgentInstance"
  bool emulated = true;     // false: a real operation agentemu answers with 501
  std::string_view plane;   // a vendor's sub-API ("data", "control"); "" when it has one
};

// Opens the operation's object, writes its head and opens "parameters".
void begin_operation(JsonWriter& out, std::string_view vendor, const OperationInfo& info);
// One parameter with its constraints; nested members and array items recursively. `in` is where
// the vendor reads it (query, header, body, path, label...); `wire` its name there when that
// differs from spec.name (a header name, say).
void write_param(JsonWriter& out, const ParamSpec& spec, std::string_view in, std::string_view wire = {});
// Closes "parameters" and opens "errors": the caller then writes each error id as a string.
void begin_errors(JsonWriter& out);
// Closes "errors" and the operation.
void end_operation(JsonWriter& out);

std::string_view type_name(ParamType type);

}  // namespace agentemu
