#include "vendors/agentcore/operations.hpp"

#include <algorithm>
#include <map>

#include "core/json.hpp"
#include "core/text.hpp"

namespace agentemu::agentcore {
namespace {

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool lower_alnum_dash(char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '-'; }

bool account_digits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (!digit(c)) return false;
  }
  return true;
}

// arn:aws(-[a-z-]+)?:<service>:<region [a-z0-9-]+>:<account>: and what follows; false when the
// prefix does not fit.
bool arn_prefix(std::string_view& s, std::string_view service, bool strict_partition) {
  if (!s.starts_with("arn:aws")) return false;
  s.remove_prefix(7);
  if (!s.empty() && s.front() == '-') {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon < 2) return false;
    if (strict_partition) {
      for (char c : s.substr(1, colon - 1)) {
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
      }
    }
    s.remove_prefix(colon);
  }
  if (!s.starts_with(':') || !s.substr(1).starts_with(service) || s.size() < service.size() + 2 ||
      s[service.size() + 1] != ':') {
    return false;
  }
  s.remove_prefix(service.size() + 2);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : s.substr(0, colon)) {
    if (!lower_alnum_dash(c)) return false;
  }
  s.remove_prefix(colon + 1);
  if (s.size() < 13 || !account_digits(s.substr(0, 12)) || s[12] != ':') return false;
  s.remove_prefix(13);
  return true;
}

bool runtime_arn_or_id(std::string_view s) { return is_runtime_arn(s) || is_runtime_id(s); }


// ---- Routes ------------------------------------------------------------------------------------

// A route template split once: "/runtimes/{agentRuntimeId}/" -> ["runtimes", "{agentRuntimeId}"].
struct Route {
  const Operation* op;
  std::vector<std::string_view> segments;  // views into op->uri (static text)
};

// Appends the segments of `path` to `out` (views into it).
void split_path(std::string_view path, std::vector<std::string_view>& out) {
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.ends_with('/')) path.remove_suffix(1);  // "/runtimes/" and "/runtimes" are one route
  if (path.empty()) return;
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

bool is_label(std::string_view segment) { return segment.starts_with('{') && segment.ends_with('}'); }

// Routes by their first segment, built once from the tables.
struct RouteIndex {
  std::map<std::string_view, std::vector<Route>, std::less<>> by_prefix;
  std::vector<std::string_view> prefixes;

  RouteIndex() {
    for (const Operation& op : operations()) {
      Route r{&op, {}};
      split_path(op.uri.substr(0, op.uri.find('?')), r.segments);
      if (r.segments.empty()) continue;
      by_prefix[r.segments.front()].push_back(std::move(r));
    }
    for (const auto& [prefix, routes] : by_prefix) prefixes.push_back(prefix);
  }
};

const RouteIndex& route_index() {
  static const RouteIndex index;
  return index;
}

}  // namespace

const Pattern kRuntimeArnOrId{
    "^arn:aws(-[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:runtime/[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$"
    " or an agent id ^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$",
    runtime_arn_or_id};

const Member* find_member(const Operation& op, std::string_view name) {
  for (const Member& m : op.members) {
    if (m.spec.name == name) return &m;
  }
  return nullptr;
}

const Operation* find_operation(std::string_view name) {
  const auto names = operation_names();
  const auto it = std::lower_bound(names.begin(), names.end(), name);
  if (it == names.end() || *it != name) return nullptr;
  return &operations()[static_cast<std::size_t>(it - names.begin())];
}

Planes planes_for_host(std::string_view host) {
  const std::string lower = to_lower(host);
  if (lower.starts_with("bedrock-agentcore-control.") || lower.starts_with("bedrock-agentcore-control-fips.")) {
    return {false, true};
  }
  if (lower.starts_with("bedrock-agentcore.") || lower.starts_with("bedrock-agentcore-fips.")) return {true, false};
  return {};
}

RouteMatch match_route(std::string_view method, std::string_view raw_path, Planes planes) {
  RouteMatch out;
  thread_local std::vector<std::string_view> path;  // keeps its capacity: no allocation per request
  path.clear();
  split_path(raw_path, path);
  if (path.empty()) return out;
  const RouteIndex& index = route_index();
  const auto it = index.by_prefix.find(path.front());
  if (it == index.by_prefix.end()) return out;
  for (const Route& route : it->second) {
    if (route.segments.size() != path.size()) continue;
    if (!(route.op->plane == Plane::data ? planes.data : planes.control)) continue;
    bool fits = true;
    for (std::size_t i = 1; i < path.size() && fits; ++i) {
      fits = is_label(route.segments[i]) || route.segments[i] == path[i];
    }
    if (!fits) continue;
    out.path_known = true;
    if (route.op->method != method) continue;
    out.op = route.op;
    for (std::size_t i = 1; i < path.size() && out.label_count < kMaxLabels; ++i) {
      if (is_label(route.segments[i])) out.labels[out.label_count++] = path[i];
    }
    return out;
  }
  return out;
}

std::span<const std::string_view> route_prefixes() { return route_index().prefixes; }

std::optional<Violation> validate_members(const Operation& op, const MemberSource& source) {
  for (const Member& m : op.members) {
    if (auto v = validate_value(m.spec, source.find(m), std::string(m.spec.name))) return v;
  }
  return std::nullopt;
}

std::string constraint_text(const Violation& v) {
  const ParamSpec& spec = *v.spec;
  switch (v.problem) {
    case Problem::missing: return "Member must not be null";
    case Problem::not_exactly_one: {
      const auto at = v.message.find(" must have exactly one");
      return "Member" + (at == std::string::npos ? std::string(" must have exactly one member set") : v.message.substr(at));
    }
    case Problem::wrong_type: {
      const auto at = v.message.rfind(" must be ");
      return "Member must be " + (at == std::string::npos ? std::string("of the modeled type") : v.message.substr(at + 9));
    }
    case Problem::too_short:
      return "Member must have length greater than or equal to " + std::to_string(spec.min_length.value_or(0));
    case Problem::too_long:
      return "Member must have length less than or equal to " + std::to_string(spec.max_length.value_or(0));
    case Problem::below_minimum:
      return "Member must have value greater than or equal to " + format_number(spec.min.value_or(0));
    case Problem::above_maximum:
      return "Member must have value less than or equal to " + format_number(spec.max.value_or(0));
    case Problem::pattern_mismatch:
      return "Member must satisfy regular expression pattern: " +
             std::string(spec.pattern != nullptr ? spec.pattern->text : "");
    case Problem::not_one_of: {
      std::string set;
      for (std::string_view option : spec.one_of) {
        if (!set.empty()) set += ", ";
        set += option;
      }
      return "Member must satisfy enum value set: [" + set + "]";
    }
    case Problem::invalid_json:
      return "Member must be valid JSON";
  }
  return "Member is invalid";
}

std::string violation_message(const Violation& v) {
  std::string value = v.problem == Problem::missing && v.value.empty() ? "null" : "'" + v.value + "'";
  return "1 validation error detected: Value " + value + " at '" + v.path +
         "' failed to satisfy constraint: " + constraint_text(v);
}

bool is_runtime_id(std::string_view s) {
  if (s.size() < 12 || s.size() > 59) return false;
  const std::size_t dash = s.size() - 11;
  if (s[dash] != '-') return false;
  for (char c : s.substr(dash + 1)) {
    if (!alnum(c)) return false;
  }
  const std::string_view name = s.substr(0, dash);
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
  for (char c : name) {
    if (!alnum(c) && c != '_') return false;
  }
  return true;
}

std::optional<RuntimeArnParts> parse_runtime_arn(std::string_view arn) {
  std::string_view s = arn;
  if (!arn_prefix(s, "bedrock-agentcore", false)) return std::nullopt;
  if (!s.starts_with("runtime/") || !is_runtime_id(s.substr(8))) return std::nullopt;
  // Re-split the now validated text for the parts.
  const auto parts = split(arn, ':');
  if (parts.size() != 6) return std::nullopt;
  return RuntimeArnParts{parts[1], parts[3], parts[4], s.substr(8)};
}

bool is_runtime_arn(std::string_view s) { return parse_runtime_arn(s).has_value(); }

bool is_tool_session_id(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    if (!alnum(c)) return false;
  }
  return true;
}

bool is_account_id(std::string_view s) { return account_digits(s); }

}  // namespace agentemu::agentcore
