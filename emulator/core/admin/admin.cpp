#include "core/admin.hpp"

#include "core/admin/routes.hpp"
#include "core/crypto.hpp"
#include "core/pipeline.hpp"
#include "core/text.hpp"

namespace agentemu {

AdminApi::AdminApi(std::string token, VendorRegistry& vendors, Fixtures& fixtures, Journal& journal, Metrics& metrics,
                   Clock& clock, Scheduler& scheduler)
    : token_(std::move(token)), context_{vendors, fixtures, journal, metrics, clock, scheduler} {}

// The token as a Bearer token, or as the password of Basic credentials (any user name): that is
// how a browser sends it for the dashboard, and then with every request the page makes.
AdminApi::Credentials AdminApi::credentials(const Call& call) const {
  if (token_.empty()) return Credentials::none_needed;
  const std::string_view header = call.request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  constexpr std::string_view kBasic = "Basic ";
  if (istarts_with(header, kBearer)) {
    return constant_time_equal(header.substr(kBearer.size()), token_) ? Credentials::bearer : Credentials::wrong;
  }
  if (istarts_with(header, kBasic)) {
    const auto pair = base64_decode(trim(header.substr(kBasic.size())));
    const auto colon = pair ? pair->find(':') : std::string::npos;
    if (colon == std::string::npos) return Credentials::wrong;
    return constant_time_equal(std::string_view(*pair).substr(colon + 1), token_) ? Credentials::basic
                                                                                  : Credentials::wrong;
  }
  return Credentials::wrong;
}

namespace {

// A browser sends Basic credentials it remembers with any request to the origin, whichever page
// asks: a change made that way must come from agentemu's own page (Origin is that of the Host).
bool same_origin(const Call& call) {
  const std::string_view origin = call.request.header("origin");
  if (origin.empty()) return call.request.header("sec-fetch-site") != "cross-site";
  const auto scheme = origin.find("://");
  return scheme != std::string_view::npos && iequals(origin.substr(scheme + 3), call.request.header("host"));
}

bool changes_state(std::string_view method) { return method != "GET" && method != "HEAD"; }

}  // namespace

void AdminApi::handle(Call& call) {
  const std::string_view path = call.request.path;
  const std::string_view method = call.request.method;
  const auto table = admin::routes();
  const admin::RouteMatch match = admin::match_route(table, method, path);
  const bool open = match.path != nullptr && match.path->access == admin::Access::open;
  const Credentials given = open ? Credentials::none_needed : credentials(call);
  if (given == Credentials::wrong) {
    set_core_error(call.response, 401, "unauthorized", "the admin API needs Authorization: Bearer <admin token>");
    call.response.add_header("WWW-Authenticate", "Bearer realm=\"agentemu\"");
    // A browser asks for the token (as the password) once, for the dashboard's page, then answers
    // this challenge from its cache for every API call the page makes.
    call.response.add_header("WWW-Authenticate", "Basic realm=\"agentemu\"");
    return;
  }
  if (given == Credentials::basic && changes_state(method) && !same_origin(call)) {
    set_core_error(call.response, 403, "cross_origin",
                   "a change sent with the browser's credentials must come from the dashboard's own origin");
    return;
  }
  if (match.route != nullptr) return match.route->handler(context_, call, match.params);
  if (!match.allow.empty()) {
    set_core_error(call.response, 405, "method_not_allowed",
                   std::string(method) + " is not allowed on " + std::string(path) + " (allowed: " + match.allow + ")");
    call.response.add_header("Allow", match.allow);
    return;
  }
  set_core_error(call.response, 404, "not_found",
                 "no admin endpoint " + std::string(path) + " (see " + admin::endpoint_list(table) + ")");
}

}  // namespace agentemu
