#include "vendors/ice/state.hpp"

#include <cstdio>

#include "core/text.hpp"

namespace agentemu::ice {

bool AccessKey::allows(std::string_view ram_action) const {
  for (const std::string& pattern : allow) {
    if (glob_match(pattern, ram_action)) return true;
  }
  return false;
}

std::string_view status_name(InstanceStatus status) {
  return status == InstanceStatus::executing ? "Executing" : "Finished";
}

std::shared_ptr<const AccessKey> State::find_key(std::string_view id) {
  std::lock_guard lock(mutex);
  const auto it = keys.find(std::string(id));
  return it == keys.end() ? nullptr : it->second;
}

const Agent* State::find_agent(std::string_view account, std::string_view agent_id) const {
  const auto it = agents.find(std::string(agent_id));
  if (it == agents.end()) return nullptr;
  if (!it->second.account.empty() && it->second.account != account) return nullptr;
  return &it->second;
}

Instance* State::find_instance(std::string_view account, std::string_view instance_id) {
  const auto a = accounts.find(std::string(account));
  if (a == accounts.end()) return nullptr;
  const auto it = a->second.instances.find(std::string(instance_id));
  return it == a->second.instances.end() ? nullptr : it->second.get();
}

void State::clear() {
  keys.clear();
  agents.clear();
  accounts.clear();
  next_sequence = 1;
}

std::string format_gmt(SystemTime t) {
  const UtcFields f = utc_fields(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", f.year, f.month, f.day, f.hour, f.minute,
                f.second, f.millis);
  return buf;
}

std::optional<SystemTime> parse_gmt(std::string_view text) {
  constexpr std::string_view kUtcOffset = "+00:00";
  if (text.ends_with(kUtcOffset)) {
    std::string z(text.substr(0, text.size() - kUtcOffset.size()));
    z += 'Z';
    return parse_iso8601(z);
  }
  return parse_iso8601(text);
}

}  // namespace agentemu::ice
