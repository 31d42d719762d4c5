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

// ---- JsonText, Instance ----------------------------------------------------------------------

void JsonText::assign(const JsonValue& value) {
  if (!value.IsObject()) {
    text_.reset();
    return;
  }
  JsonWriter w;
  w.value(value);
  const std::string& text = w.text();
  text_ = std::make_unique<char[]>(text.size() + 1);  // zeroed: the last one ends the text
  text.copy(text_.get(), text.size());
}

void JsonText::parse(JsonDocument& doc) const {
  doc.SetNull();
  if (text_) parse_json(text(), doc);  // written by JsonWriter: it parses
}

std::optional<std::string> JsonText::string_member(std::string_view name) const {
  if (!text_) return std::nullopt;
  StoredJson doc;  // small chunks: the configs are small
  parse(doc);
  const JsonValue* v = json_member(doc, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

const InstanceExtras Instance::kNoExtras{};

void Instance::set_id(std::string_view id) {
  if (id.size() <= kInlineId) {
    id.copy(inline_id_, id.size());
    id_size_ = static_cast<std::uint8_t>(id.size());
  } else {
    make_extras().long_id = id;
    id_size_ = kLongId;
  }
}

InstanceExtras& Instance::make_extras() {
  if (!extras_) extras_ = std::make_unique<InstanceExtras>();
  return *extras_;
}

// ---- Account ----------------------------------------------------------------------------------

Instance& Account::add(std::unique_ptr<Instance> instance, std::string_view agent_id) {
  // Counted first, so replacing an instance of the same session keeps the session's dialogue.
  if (!instance->session_id().empty()) ++session_users_[instance->session_id()];
  if (const auto old = instances.find(instance->id()); old != instances.end()) {
    unindex(**old, instance->dialogue_key());
    instances.erase(old);
  }
  Instance& ref = *instance;
  auto agent = by_agent_.find(agent_id);
  if (agent == by_agent_.end()) agent = by_agent_.try_emplace(std::string(agent_id)).first;
  ref.agent_id_ = &agent->first;
  agent->second.by_created.insert(&ref);
  if (ref.status == InstanceStatus::executing) {
    ++agent->second.executing;
  } else {
    finished_.emplace(ref.extras().finished_seen, ref.sequence, ref.id());
  }
  instances.insert(std::move(instance));
  return ref;
}

Instance* Account::find(std::string_view instance_id) const {
  const auto it = instances.find(instance_id);
  return it == instances.end() ? nullptr : it->get();
}

void Account::finish(Instance& instance, SystemTime now) {
  if (instance.status == InstanceStatus::finished) return;
  InstanceExtras& extras = instance.make_extras();
  instance.status = InstanceStatus::finished;
  instance.modified = now;
  extras.finished = now;
  extras.finished_seen = now;
  --by_agent_.find(instance.agent_id())->second.executing;
  finished_.emplace(extras.finished_seen, instance.sequence, instance.id());
}

void Account::unindex(const Instance& instance, std::string_view kept_dialogue) {
  if (const auto agent = by_agent_.find(instance.agent_id()); agent != by_agent_.end()) {
    agent->second.by_created.erase(&instance);
    if (instance.status == InstanceStatus::executing) --agent->second.executing;
    // The last use of the instance's agent id: it is this entry's key.
    if (agent->second.by_created.empty()) by_agent_.erase(agent);
  }
  if (instance.status == InstanceStatus::finished) {
    finished_.erase({instance.extras().finished_seen, instance.sequence, std::string(instance.id())});
  }
  const std::string& session = instance.session_id();
  if (!session.empty()) {
    const auto users = session_users_.find(session);
    if (users == session_users_.end() || --users->second > 0) return;  // others of the session keep it
    session_users_.erase(users);
  }
  const std::string_view key = instance.dialogue_key();
  if (key != kept_dialogue && !dialogue_shared(key, instance)) dialogues.erase(std::string(key));
}

bool Account::dialogue_shared(std::string_view key, const Instance& leaving) const {
  if (session_users_.contains(key)) return true;
  const Instance* same_id = find(key);
  return same_id != nullptr && same_id != &leaving && same_id->session_id().empty();
}

void Account::prune(SystemTime now) {
  while (!finished_.empty() &&
         (finished_.size() > kFinishedKept || std::get<0>(*finished_.begin()) + kFinishedRetention <= now)) {
    const auto it = instances.find(std::string_view(std::get<2>(*finished_.begin())));
    if (it == instances.end()) {
      finished_.erase(finished_.begin());  // cannot happen: every entry has its instance
      continue;
    }
    unindex(**it);  // also drops its finished_ entry
    instances.erase(it);
  }
}

const AgentInstances* Account::agent(std::string_view agent_id) const {
  const auto it = by_agent_.find(agent_id);
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
  return a->second.find(instance_id);
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
