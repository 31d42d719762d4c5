// The admin API as a table, the shape the vendors' operation tables have: each row is a method,
// a route and a handler. One rule answers 404 (no route has this path) and one answers 405 (a
// route has the path, but not for this method), so an endpoint is a row, never a branch.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "core/admin/context.hpp"

namespace agentemu::admin {

enum class Access {
  token,    // needs the admin token, when one is set
  open,     // served without it (/metrics, for scrapers)
};

struct Route {
  std::string_view method;   // GET also answers HEAD
  std::string_view pattern;  // "/_emulator/requests/{id}": a {name} segment matches any one segment
  Handler handler;
  Access access = Access::token;
};

std::span<const Route> routes();

struct RouteMatch {
  const Route* route = nullptr;  // the row for this method and path; nullptr: see below
  const Route* path = nullptr;   // the first row with this path, whatever its method (nullptr: 404)
  PathParams params;
  std::string allow;  // the methods the path takes
};

// `path` without its query. A trailing '/' is ignored, so "/_emulator/health/" is health.
RouteMatch match_route(std::span<const Route> table, std::string_view method, std::string_view path);

// "health, reset, requests, ..." for the 404's hint.
std::string endpoint_list(std::span<const Route> table);

}  // namespace agentemu::admin
