#include "vendors/zego/state.hpp"

#include <algorithm>
#include <cstring>

#include "core/crypto.hpp"
#include "vendors/zego/callbacks.hpp"
#include "vendors/zego/errors.hpp"

namespace agentemu::zego {

Block copy_block(const JsonValue* value) {
  if (value == nullptr || value->IsNull()) return nullptr;
  auto doc = std::make_shared<StoredJson>();
  doc->CopyFrom(*value, doc->GetAllocator());
  return doc;
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::idle: return "IDLE";
    case Status::listening: return "LISTENING";
    case Status::thinking: return "THINKING";
    case Status::speaking: return "SPEAKING";
  }
  return "IDLE";
}

std::optional<Status> parse_status(std::string_view name) {
  if (name == "IDLE") return Status::idle;
  if (name == "LISTENING") return Status::listening;
  if (name == "THINKING") return Status::thinking;
  if (name == "SPEAKING") return Status::speaking;
  return std::nullopt;
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::standard: return "standard";
    case Kind::digital_human: return "digitalHuman";
    case Kind::live_digital_human: return "liveDigitalHuman";
  }
  return "standard";
}

std::optional<Kind> parse_kind(std::string_view name) {
  if (name == "standard") return Kind::standard;
  if (name == "digitalHuman") return Kind::digital_human;
  if (name == "liveDigitalHuman") return Kind::live_digital_human;
  return std::nullopt;
}

// ---- UserAndRtc ----------------------------------------------------------------------------

namespace {

// RTC's member names as they open a member (`"RoomId":`), each written as one byte, its index
// plus 1. Minified JSON never holds a raw byte below 0x20 (the writer escapes them inside
// strings), so each such byte is one of these.
constexpr std::string_view kRtcMembers[] = {R"("RoomId":)", R"("AgentStreamId":)", R"("AgentUserId":)",
                                            R"("UserStreamId":)"};

// The minified text with each of kRtcMembers replaced by its byte. One opens a member only after
// '{' or ',': inside a string every quote is escaped, and a string in an array is never followed
// by ':'.
std::string pack_rtc(const JsonValue& rtc) {
  JsonWriter w;
  w.value(rtc);
  std::string text = w.take();
  for (std::size_t code = 0; code < std::size(kRtcMembers); ++code) {
    const std::string_view token = kRtcMembers[code];
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + 1)) {
      if (at > 0 && (text[at - 1] == '{' || text[at - 1] == ',')) text.replace(at, token.size(), 1, static_cast<char>(code + 1));
    }
  }
  return text;
}

std::string unpack_rtc(std::string_view packed) {
  std::string text;
  text.reserve(packed.size() + 64);
  for (const char c : packed) {
    const auto code = static_cast<unsigned char>(c);
    if (code >= 1 && code <= std::size(kRtcMembers)) {
      text += kRtcMembers[code - 1];
    } else {
      text += c;
    }
  }
  return text;
}

}  // namespace

UserAndRtc::UserAndRtc(std::string_view user_id, const JsonValue* rtc)
    : UserAndRtc(user_id, rtc == nullptr || rtc->IsNull() ? std::string() : pack_rtc(*rtc)) {}

UserAndRtc::UserAndRtc(std::string_view user_id, std::string_view packed_rtc) {
  if (user_id.empty() && packed_rtc.empty()) return;
  const auto length = static_cast<std::uint32_t>(user_id.size());
  block_ = std::make_unique_for_overwrite<char[]>(sizeof length + user_id.size() + packed_rtc.size() + 1);
  char* out = block_.get();
  std::memcpy(out, &length, sizeof length);
  out += sizeof length;
  out = std::copy(user_id.begin(), user_id.end(), out);
  out = std::copy(packed_rtc.begin(), packed_rtc.end(), out);
  *out = '\0';
}

std::string_view UserAndRtc::user_id() const {
  if (!block_) return {};
  std::uint32_t length = 0;
  std::memcpy(&length, block_.get(), sizeof length);
  return {block_.get() + sizeof length, length};
}

std::string_view UserAndRtc::packed_rtc() const {
  if (!block_) return {};
  const std::string_view user = user_id();
  return std::string_view(user.data() + user.size());  // up to the terminating '\0'
}

StoredJson UserAndRtc::rtc() const {
  StoredJson doc;
  if (has_rtc()) parse_json(unpack_rtc(packed_rtc()), doc);  // it was written from parsed JSON
  return doc;
}

namespace {
std::string string_member(const StoredJson& doc, std::string_view member) {
  const JsonValue* v = doc.IsObject() ? json_member(doc, member) : nullptr;
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}
}  // namespace

std::string UserAndRtc::rtc_text(std::string_view member) const {
  return has_rtc() ? string_member(rtc(), member) : std::string();
}

std::pair<std::string, std::string> UserAndRtc::rtc_texts(std::string_view first, std::string_view second) const {
  if (!has_rtc()) return {};
  const StoredJson doc = rtc();
  return {string_member(doc, first), string_member(doc, second)};
}

// ---- Instance ------------------------------------------------------------------------------

const InstanceConfig Instance::kNoConfig{};
const InstanceLife Instance::kNoLife{};

InstanceConfig& Instance::mutable_config() {
  if (!config_) config_ = std::make_unique<InstanceConfig>();
  return *config_;
}

InstanceLife& Instance::mutable_life() {
  if (!life_) {
    life_ = std::make_unique<InstanceLife>();
    // Until now nothing happened: nothing was driven since creation, and everything is reported
    // (there was no timeline to report).
    life_->last_driven = created;
    life_->reported_at = created;
  }
  return *life_;
}

namespace {
const Block kNoBlock;
const Block& own_or_agent(const std::optional<Block>& own, const AgentRef& agent, Block Agent::*block) {
  if (own) return *own;
  return agent ? (*agent).*block : kNoBlock;
}
}  // namespace

const Block& Instance::llm() const { return own_or_agent(config().llm, agent, &Agent::llm); }
const Block& Instance::tts() const { return own_or_agent(config().tts, agent, &Agent::tts); }
const Block& Instance::asr() const { return own_or_agent(config().asr, agent, &Agent::asr); }

Status Instance::status_at(SystemTime now) const {
  for (const Phase& p : life().phases) {
    if (p.until > now) return p.status;
  }
  return life().listening ? Status::listening : Status::idle;
}

std::optional<SystemTime> Instance::idle_at(SystemTime now) const {
  const InstanceLife& l = life();
  if (l.listening) return std::nullopt;
  if (l.phases.empty()) return now;
  const SystemTime last = l.phases.back().until;
  if (last == SystemTime::max()) return std::nullopt;
  return std::max(last, now);
}

void Instance::prune(SystemTime now) {
  if (!life_) return;
  std::vector<Phase>& phases = life_->phases;
  const auto first_live = std::find_if(phases.begin(), phases.end(), [now](const Phase& p) { return p.until > now; });
  phases.erase(phases.begin(), first_live);
}

std::size_t Instance::queued_tasks(SystemTime now) const {
  std::size_t tasks = 0;
  std::int64_t current = -1;
  bool first = true;
  for (const Phase& p : life().phases) {
    if (p.until <= now) continue;
    if (first) {
      current = p.round;  // the task in progress
      first = false;
      continue;
    }
    if (p.round != current) {
      ++tasks;
      current = p.round;
    }
  }
  return tasks;
}

bool Instance::expired(SystemTime now) const {
  return kind == Kind::live_digital_human && now - last_driven() >= std::chrono::seconds(config().max_idle_seconds);
}

void Instance::remember(std::string role, std::string content) {
  std::vector<ChatMessage>& history = mutable_life().history;
  const std::size_t window_size = config().window_size;
  history.push_back(ChatMessage{std::move(role), std::move(content)});
  if (history.size() > window_size) history.erase(history.begin(), history.end() - static_cast<std::ptrdiff_t>(window_size));
}

// ---- Effects, State ----------------------------------------------------------------------------

void Effects::merge(Effects&& other) {
  for (auto& d : other.finish) finish.push_back(std::move(d));
  for (auto& w : other.wakes) wakes.push_back(std::move(w));
  for (auto& w : other.timeline) timeline.push_back(std::move(w));
  for (auto& c : other.callbacks) callbacks.push_back(std::move(c));
}

AppState* State::app(std::uint32_t app_id) {
  const auto it = apps.find(app_id);
  return it == apps.end() ? nullptr : &it->second;
}

AppState& State::add_automatic_app(std::uint32_t app_id) {
  // Drop the oldest automatic app that holds nothing. One that holds agents or instances stays
  // (it is state the client made) and goes to the back of the line, so it is dropped once it is
  // emptied. Each app is looked at once at most, so this ends even when all hold state.
  for (std::size_t looked = automatic_apps.size(); looked > 0 && automatic_apps.size() >= kAutomaticAppsKept; --looked) {
    const std::uint32_t oldest = automatic_apps.front();
    automatic_apps.pop_front();
    const auto it = apps.find(oldest);
    if (it == apps.end() || !it->second.automatic) continue;  // reset, or named by fixtures since
    if (it->second.agents.empty() && !instances_per_app.contains(oldest)) {
      apps.erase(it);
    } else {
      automatic_apps.push_back(oldest);
    }
  }
  AppState& app = apps[app_id];
  auto config = std::make_shared<AppConfig>();
  config->app_id = app_id;
  app.config = std::move(config);
  app.automatic = true;
  automatic_apps.push_back(app_id);
  return app;
}

Instance& State::add_instance(std::string id, Instance instance) {
  const auto [it, added] = instances.try_emplace(std::move(id), std::move(instance));
  if (added) {
    it->second.id_ = &it->first;  // a map's keys stay where they are while the entry lives
    AppInstances& counted = instances_per_app[it->second.app_id];
    ++counted.count;
    if (it->second.kind != Kind::standard) counted.digital_humans.insert(it->first);
  }
  return it->second;
}

void State::set_kind(Instance& instance, Kind kind) {
  instance.kind = kind;
  const auto counted = instances_per_app.find(instance.app_id);
  if (counted == instances_per_app.end() || instance.id_ == nullptr) return;  // add_instance will count it
  if (kind == Kind::standard) {
    counted->second.digital_humans.erase(*instance.id_);
  } else {
    counted->second.digital_humans.insert(*instance.id_);
  }
}

std::int64_t State::next_round() {
  last_round += 1 + static_cast<std::int64_t>(random_u64() % 16);
  return last_round;
}

std::string State::new_instance_id(SystemTime now) {
  // Twitter-style snowflake: milliseconds since 2010-11-04 in the high bits, a sequence below.
  // With today's clock that is a 19-digit number, the shape of ZEGO's "1912122918452641792".
  constexpr std::int64_t kEpochMs = 1288834974657;
  const std::int64_t ms = std::max<std::int64_t>(epoch_millis(now) - kEpochMs, 1LL << 37);
  for (;;) {
    const std::uint64_t id = (static_cast<std::uint64_t>(ms) << 22) | (++id_sequence & 0x3fffff);
    std::string text = std::to_string(id & 0x7fffffffffffffffULL);
    if (!instances.contains(text)) return text;
  }
}

std::vector<const Instance*> State::live_digital_humans(std::uint32_t app_id, SystemTime now) const {
  std::vector<const Instance*> live;
  const auto counted = instances_per_app.find(app_id);
  if (counted == instances_per_app.end()) return live;
  for (const std::string& id : counted->second.digital_humans) {
    const auto it = instances.find(id);
    if (it != instances.end() && !it->second.expired(now)) live.push_back(&it->second);
  }
  return live;
}

std::size_t State::live_instances(std::uint32_t app_id, bool digital_humans_only, SystemTime now) const {
  const auto counted = instances_per_app.find(app_id);
  if (counted == instances_per_app.end()) return 0;
  // Only live digital humans expire, so the standard ones are the count less the digital ones.
  const std::size_t digital = live_digital_humans(app_id, now).size();
  return digital_humans_only ? digital : counted->second.count - counted->second.digital_humans.size() + digital;
}

void State::sweep_expired(SystemTime now, Effects& effects) {
  std::vector<std::string> expired;
  for (const auto& [app_id, counted] : instances_per_app) {
    for (const std::string& id : counted.digital_humans) {
      if (const auto it = instances.find(id); it != instances.end() && it->second.expired(now)) expired.push_back(id);
    }
  }
  for (const std::string& id : expired) {
    if (const auto it = instances.find(id); it != instances.end()) remove(it, "max_idle_time", now, effects);
  }
}

void State::remove(std::map<std::string, Instance, std::less<>>::iterator it, std::string_view reason, SystemTime now,
                   Effects& effects) {
  Instance& instance = it->second;
  // What the timeline did up to now is told first, then the deletion and its reason.
  report_until(*this, instance, now, effects);
  report_deleted(*this, instance, reason, now, effects);
  if (instance.has_life() && instance.mutable_life().shutdown) {
    for (Deferred& waiting : instance.mutable_life().shutdown->waiting) {
      render_ok(waiting.call());
      effects.finish.push_back(std::move(waiting));
    }
  }
  deleted.push_back(DeletedInstance{it->first, instance.app_id, std::string(reason), now});
  while (deleted.size() > kDeletedKept) deleted.pop_front();
  if (const auto counted = instances_per_app.find(instance.app_id); counted != instances_per_app.end()) {
    counted->second.digital_humans.erase(it->first);
    if (--counted->second.count == 0) instances_per_app.erase(counted);
  }
  instances.erase(it);
}

bool State::settle(std::map<std::string, Instance, std::less<>>::iterator it, SystemTime now, bool rearm,
                   Effects& effects) {
  Instance& instance = it->second;
  if (!instance.life().shutdown) return false;
  Shutdown& shutdown = *instance.mutable_life().shutdown;
  if (instance.status_at(now) == Status::idle) {
    remove(it, "graceful_idle", now, effects);
    return true;
  }
  if (now >= shutdown.deadline) {
    remove(it, "graceful_timeout", now, effects);
    return true;
  }
  if (rearm) {
    SystemTime wake = shutdown.deadline;
    if (const auto idle = instance.idle_at(now)) wake = std::min(wake, *idle);
    shutdown.timer = ++generation;
    effects.wakes.push_back(Wake{wake, it->first, shutdown.timer});
  }
  return false;
}

void State::clear(Effects& effects) {
  for (auto& [id, instance] : instances) {
    if (!instance.life().shutdown) continue;
    for (Deferred& waiting : instance.mutable_life().shutdown->waiting) {
      render_ok(waiting.call());
      effects.finish.push_back(std::move(waiting));
    }
  }
  apps.clear();
  instances.clear();
  instances_per_app.clear();
  automatic_apps.clear();
  deleted.clear();
  ++generation;
}

}  // namespace agentemu::zego
