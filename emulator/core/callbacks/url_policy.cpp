#include "core/callbacks/url_policy.hpp"

#include <arpa/inet.h>

#include "core/net/http_client.hpp"
#include "core/text.hpp"

namespace agentemu {

bool is_loopback_literal(std::string_view host) {
  std::string name = to_lower(host);
  if (name.ends_with('.')) name.pop_back();
  if (name == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, name.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

CallbackUrlPolicy::CallbackUrlPolicy(std::vector<std::string> allowed_hosts) {
  for (std::string& glob : allowed_hosts) allowed_.push_back(to_lower(glob));
}

std::optional<std::string> CallbackUrlPolicy::refusal(std::string_view url) const {
  std::string error;
  const auto parsed = parse_http_url(url, error);
  if (!parsed) return error;
  if (is_loopback_literal(parsed->host)) return std::nullopt;
  const std::string host = to_lower(parsed->host);
  for (const std::string& glob : allowed_) {
    if (glob_match(glob, host)) return std::nullopt;
  }
  return "agentemu calls back only loopback hosts unless --callback-allow names the host: \"" + parsed->host +
         "\" is not loopback and no --callback-allow glob matches it";
}

}  // namespace agentemu
