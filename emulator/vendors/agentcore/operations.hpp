// Finding an operation and checking a request against it. The operations themselves, both planes
// with every constraint, are the generated tables (model.hpp); here is what reads them: routing by
// method, path and Host, the one validator, and Coral's wording of a violation.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"
#include "core/validation.hpp"
#include "vendors/agentcore/model.hpp"

namespace agentemu::agentcore {

const Member* find_member(const Operation& op, std::string_view name);
// The operation named `name`, or nullptr.
const Operation* find_operation(std::string_view name);

// Which planes a request may address: a Host naming one (bedrock-agentcore-control.<region>...,
// bedrock-agentcore.<region>...) restricts it; any other Host (localhost) reaches both, whose
// routes never overlap (the generator checks).
struct Planes {
  bool data = true;
  bool control = true;
};
Planes planes_for_host(std::string_view host);

// The labels of a matched route, raw (still percent-encoded), in the order the URI names them.
inline constexpr std::size_t kMaxLabels = 6;
struct RouteMatch {
  const Operation* op = nullptr;
  std::array<std::string_view, kMaxLabels> labels{};
  std::size_t label_count = 0;
  bool path_known = false;  // no operation, but one has this path with another method
};
RouteMatch match_route(std::string_view method, std::string_view raw_path, Planes planes);

// The first segment of every route of both planes ("runtimes", "memories", "identities"...):
// paths under these belong to AgentCore.
std::span<const std::string_view> route_prefixes();

// Where validate_members finds each member's value.
class MemberSource {
 public:
  virtual ~MemberSource() = default;
  virtual ParamValue find(const Member& member) const = 0;
};

// The first constraint the request breaks, member by member in table order.
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

// Not in the data-plane model (agentRuntimeArn is a bare String there): the shape of the runtime
// ARNs the control plane hands out, or of a bare agent id used with ?accountId=.
extern const Pattern kRuntimeArnOrId;

}  // namespace agentemu::agentcore
