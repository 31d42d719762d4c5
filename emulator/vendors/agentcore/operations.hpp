// The table of the twelve data-plane operations: how each is routed (method + path template with
// one label), its members with the model's constraints, and the errors it may raise. One generic
// validator (validate_members) reads it; handlers never check a field by hand.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/http.hpp"
#include "core/validation.hpp"

namespace agentemu::agentcore {

enum class Where : std::uint8_t { label, query, header, body, payload };

enum OpId : int {
  kInvokeAgentRuntime,
  kStopRuntimeSession,
  kStartCodeInterpreterSession,
  kStopCodeInterpreterSession,
  kGetCodeInterpreterSession,
  kListCodeInterpreterSessions,
  kInvokeCodeInterpreter,
  kStartBrowserSession,
  kStopBrowserSession,
  kGetBrowserSession,
  kListBrowserSessions,
  kUpdateBrowserStream,
  kOperationCount
};

struct Member {
  ParamSpec spec;         // spec.name is the model's member name (what fieldList reports)
  std::string_view wire;  // header or query name; "" for labels, body members and the payload
};

struct Operation {
  OpId id;
  std::string_view name;
  std::string_view method;
  std::string_view collection;  // first path segment: runtimes | code-interpreters | browsers
  std::string_view rest;        // the path after the label, e.g. "sessions/start"
  std::span<const Member> members;
  bool json_body;  // members bound to the body arrive as one JSON object
  std::span<const std::string_view> errors;
};

std::span<const Operation> operations();
std::span<const std::string_view> operation_names();
const Member* find_member(const Operation& op, std::string_view name);

// The operation a method and raw path name, with the label's raw text. nullptr when nothing
// matches; `path_known` then says whether only the method was wrong.
const Operation* match_route(std::string_view method, std::string_view raw_path, std::string_view& raw_label,
                             bool& path_known);

// Where validate_members finds each member's value.
class MemberSource {
 public:
  virtual ~MemberSource() = default;
  virtual ParamValue find(const Member& member) const = 0;
};

// The first constraint the request breaks, checked member by member in table order; unions
// (exactly one member set) are checked after the plain constraints pass.
std::optional<Violation> validate_members(const Operation& op, const MemberSource& source);

// Coral's wording: "Member must have length less than or equal to 256".
std::string constraint_text(const Violation& v);
// "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: <constraint>"
std::string violation_message(const Violation& v);

// Identifiers with a documented shape.
bool is_runtime_id(std::string_view s);   // [a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}
bool is_runtime_arn(std::string_view s);  // arn:aws(-[^:]+)?:bedrock-agentcore:<region>:<account>:runtime/<id>
bool is_tool_session_id(std::string_view s);  // [0-9a-zA-Z]{1,40}
bool is_account_id(std::string_view s);       // [0-9]{12}

struct RuntimeArnParts {
  std::string_view partition, region, account, runtime_id;
};
std::optional<RuntimeArnParts> parse_runtime_arn(std::string_view arn);

}  // namespace agentemu::agentcore
