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

// ---- Account ----------------------------------------------------------------------------------

Instance& Account::add(std::unique_ptr<Instance> instance) {
  // Counted first, so replacing an instance of the same session keeps the session's dialogue.
  ++dialogue_users_[instance->dialogue_key()];
  if (const auto old = instances.find(instance->id); old != instances.end()) {
    unindex(*old->second);
    instances.erase(old);
  }
  Instance& ref = *instance;
  AgentInstances& agent = by_agent_[ref.agent_id];
  agent.by_created.emplace(std::pair(ref.created, ref.sequence), &ref);
  if (ref.status == InstanceStatus::executing) {
    ++agent.executing;
  } else {
    finished_.emplace(ref.finished_seen, ref.sequence, ref.id);
  }
  std::string id = ref.id;
  instances.emplace(std::move(id), std::move(instance));
  return ref;
}

void Account::finish(Instance& instance, SystemTime now) {
  if (instance.status == InstanceStatus::finished) return;
  instance.status = InstanceStatus::finished;
  instance.modified = now;
  instance.finished = now;
  instance.finished_seen = now;
  --by_agent_[instance.agent_id].executing;
  finished_.emplace(instance.finished_seen, instance.sequence, instance.id);
}

void Account::unindex(const Instance& instance) {
  if (const auto agent = by_agent_.find(instance.agent_id); agent != by_agent_.end()) {
    agent->second.by_created.erase(std::pair(instance.created, instance.sequence));
    if (instance.status == InstanceStatus::executing) --agent->second.executing;
    if (agent->second.by_created.empty()) by_agent_.erase(agent);
  }
  if (instance.status == InstanceStatus::finished) finished_.erase({instance.finished_seen, instance.sequence, instance.id});
  if (const auto users = dialogue_users_.find(instance.dialogue_key()); users != dialogue_users_.end()) {
    if (--users->second == 0) {
      dialogues.erase(users->first);
      dialogue_users_.erase(users);
    }
  }
}

void Account::prune(SystemTime now) {
  while (!finished_.empty() &&
         (finished_.size() > kFinishedKept || std::get<0>(*finished_.begin()) + kFinishedRetention <= now)) {
    const auto it = instances.find(std::get<2>(*finished_.begin()));
    if (it == instances.end()) {
      finished_.erase(finished_.begin());  // cannot happen: every entry has its instance
      continue;
    }
    unindex(*it->second);  // also drops its finished_ entry
    instances.erase(it);
  }
}

const AgentInstances* Account::agent(std::string_view agent_id) const {
  const auto it = by_agent_.find(std::string(agent_id));
  return it == by_agent_.end() ? nullptr : &it->second;
}

// ---- State ------------------------------------------------------------------------------------

std::shared_ptr<const AccessKey> State::find_key(std::string_view id) {
  std::lock_guard lock(mutex);
  const auto it = keys.find(std::string(id));
  return it == keys.end() ? nullptr : it->second;
}

std::shared_ptr<const AccessKey> State::find_key_by_token(std::string_view security_token) {
  std::lock_guard lock(mutex);
  for (const auto& [id, key] : keys) {
    if (key->is_sts() && key->security_token == security_token) return key;
  }
  return nullptr;
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
  std::string text = format_rfc3339_millis(t);  // ...T12:00:00.123Z, with the offset for the Z
  text.pop_back();
  text += "+00:00";
  return text;
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
