#include "core/admin.hpp"

#include "core/admin/routes.hpp"
#include "core/crypto.hpp"
#include "core/pipeline.hpp"
#include "core/text.hpp"

namespace agentemu {

AdminApi::AdminApi(std::string token, VendorRegistry& vendors, Fixtures& fixtures, Journal& journal, Metrics& metrics,
                   Clock& clock, Scheduler& scheduler)
    : token_(std::move(token)), context_{vendors, fixtures, journal, metrics, clock, scheduler} {}

bool AdminApi::authorized(const Call& call) const {
  if (token_.empty()) return true;
  const std::string_view header = call.request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!istarts_with(header, kBearer)) return false;
  return constant_time_equal(header.substr(kBearer.size()), token_);
}

void AdminApi::handle(Call& call) {
  const std::string_view path = call.request.path;
  const std::string_view method = call.request.method;
  const auto table = admin::routes();
  const admin::RouteMatch match = admin::match_route(table, method, path);
  if ((match.path == nullptr || match.path->access != admin::Access::open) && !authorized(call)) {
    set_core_error(call.response, 401, "unauthorized", "the admin API needs Authorization: Bearer <admin token>");
    call.response.add_header("WWW-Authenticate", "Bearer realm=\"agentemu\"");
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
