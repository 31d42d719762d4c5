// The table of the REST agent runtime: seven operations, the same names in both profiles, how
// each is routed and the parameters each takes (checked by core/validation.hpp).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "core/validation.hpp"
#include "vendors/rest/errors.hpp"

namespace agentemu::rest {

enum class Op : int { list, create, get, update, remove, start, stop };

inline constexpr std::array<std::string_view, 7> kOperationNames{
    "ListAgents", "CreateAgent", "GetAgent", "UpdateAgent", "DeleteAgent", "StartAgent", "StopAgent"};

// ParamSpec::where for this vendor.
enum Where : std::uint8_t { in_path = 0, in_query = 1, in_body = 2 };

inline constexpr std::string_view kDocsPrefix = "/agents";
inline constexpr std::string_view kElizaPrefix = "/api/agents";

struct RouteMatch {
  Op op;
  std::string_view agent_id;  // raw path segment; empty for the collection
};

// Which operation a method and path name in a profile; nullopt: no such route (404).
// Paths may end with one '/', as Express's non-strict routing allows.
std::optional<RouteMatch> match_route(Profile profile, std::string_view method, std::string_view path);

// Parameters, by profile and operation.
const ParamSpec& agent_id_spec();
std::span<const ParamSpec> query_specs(Profile profile, Op op);
std::span<const ParamSpec> body_specs(Profile profile, Op op);

// Stop's limits (milliseconds).
inline constexpr double kDefaultStopTimeoutMs = 30000;
inline constexpr double kMaxStopTimeoutMs = 3600000;
inline constexpr std::int64_t kMaxListLimit = 1000;

}  // namespace agentemu::rest
