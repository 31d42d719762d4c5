// Where agentemu may call back. A callback URL comes from fixtures and from API calls anyone who
// reaches the port can make (ICE's SetNotifyConfig takes any URL), so agentemu would otherwise
// POST wherever a caller asks: on a shared machine or a CI runner that makes it a request
// forger into networks the caller cannot reach. Loopback hosts are always allowed; any other
// host only when a --callback-allow glob names it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentemu {

class CallbackUrlPolicy {
 public:
  explicit CallbackUrlPolicy(std::vector<std::string> allowed_hosts = {});

  // Why agentemu will not call `url`, or nullopt when it may.
  std::optional<std::string> refusal(std::string_view url) const;

 private:
  std::vector<std::string> allowed_;  // host globs, lowercase
};

// 127.0.0.0/8, ::1, ::ffff:127.x.x.x and "localhost" (any case, a trailing dot allowed). Names
// other than localhost are not resolved here: a name that resolves to a loopback address is not
// loopback by its name, and the client would resolve it again anyway.
bool is_loopback_literal(std::string_view host);

}  // namespace agentemu
