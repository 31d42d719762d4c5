#include "core/admin/routes.hpp"

#include <array>
#include <string>

#include "core/admin/endpoints.hpp"

namespace agentemu::admin {
namespace {

// The whole admin API. More specific routes need no ordering: a literal segment beats {name}.
constexpr Route kRoutes[] = {
    {"GET", "/metrics", metrics, Access::open},
    {"GET", "/_emulator/health", health},
    {"POST", "/_emulator/reset", reset},
    {"GET", "/_emulator/requests", list_requests},
    {"DELETE", "/_emulator/requests", clear_requests},
    {"GET", "/_emulator/requests/count", count_requests},
    {"GET", "/_emulator/requests/unmatched", unmatched_requests},
    {"GET", "/_emulator/requests/{id}", one_request},
    {"GET", "/_emulator/state", read_state},
    {"POST", "/_emulator/state", merge_state},
    {"POST", "/_emulator/state/save", save_state},
    {"GET", "/_emulator/operations", operations},
    {"GET", "/_emulator/clock", read_clock},
    {"PUT", "/_emulator/clock", move_clock},
    {"GET", "/_emulator/scenarios", list_scenarios},
    {"DELETE", "/_emulator/scenarios", remove_all_scenarios},
    {"PUT", "/_emulator/scenarios/{name}", put_scenario},
    {"DELETE", "/_emulator/scenarios/{name}", remove_scenario},
    {"POST", "/_emulator/scenarios/{name}/reload", reload_scenario},
    {"GET", "/_emulator/ui", ui_page},
    {"GET", "/_emulator/ui/{file}", ui_asset},
    {"GET", "/_emulator/callbacks", list_callbacks},
    {"GET", "/_emulator/callbacks/count", count_callbacks},
};

// "/a/b/c" as its segments; one trailing '/' is ignored.
struct Segments {
  explicit Segments(std::string_view path) {
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (true) {
      if (count == items.size()) {
        overflow = true;  // deeper than any route
        break;
      }
      const auto slash = path.find('/');
      items[count++] = path.substr(0, slash);
      if (slash == std::string_view::npos) break;
      path.remove_prefix(slash + 1);
    }
  }
  std::array<std::string_view, 8> items{};
  std::size_t count = 0;
  bool overflow = false;
};

bool is_param(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

// How many literal segments the pattern has when it matches the path, or -1.
int specificity(std::string_view pattern, const Segments& path, PathParams* params) {
  const Segments want(pattern);
  if (path.overflow || want.count != path.count) return -1;
  int literals = 0;
  for (std::size_t i = 0; i < want.count; ++i) {
    if (is_param(want.items[i])) {
      if (path.items[i].empty()) return -1;
      if (params != nullptr) params->push_back(path.items[i]);
    } else if (want.items[i] == path.items[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

// The pattern that matches the path with the most literal segments, or "".
std::string_view best_pattern(std::span<const Route> table, const Segments& path) {
  std::string_view best;
  int best_literals = -1;
  for (const Route& route : table) {
    const int literals = specificity(route.pattern, path, nullptr);
    if (literals > best_literals) {
      best_literals = literals;
      best = route.pattern;
    }
  }
  return best;
}

}  // namespace

std::span<const Route> routes() { return kRoutes; }

RouteMatch match_route(std::span<const Route> table, std::string_view method, std::string_view path) {
  RouteMatch out;
  const Segments segments(path);
  const std::string_view pattern = best_pattern(table, segments);
  if (pattern.empty()) return out;
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  for (const Route& route : table) {
    if (route.pattern != pattern) continue;
    if (out.path == nullptr) out.path = &route;
    if (route.method == wanted && out.route == nullptr) {
      out.route = &route;
      specificity(route.pattern, segments, &out.params);
    }
    if (!out.allow.empty()) out.allow += ", ";
    out.allow += route.method;
  }
  return out;
}

std::string endpoint_list(std::span<const Route> table) {
  constexpr std::string_view kPrefix = "/_emulator/";
  std::string out;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const std::string_view pattern = table[i].pattern;
    bool seen = !pattern.starts_with(kPrefix);
    for (std::size_t j = 0; j < i && !seen; ++j) seen = table[j].pattern == pattern;
    if (seen) continue;
    if (!out.empty()) out += ", ";
    out += pattern.substr(kPrefix.size());
  }
  return out;
}

}  // namespace agentemu::admin
