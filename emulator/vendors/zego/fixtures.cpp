// The "zego" fixture section and the state dump (GET /_emulator/state?vendor=zego).
//
// { "apps":      [{"AppId": 1234567890, "ServerSecret": "...", "callbackUrls": [URL | {"url", "hostTag"}],
//                  "callbackSecret": "...", <emulator options>}],
//   "agents":    [{"AppId"?, "AgentId", "Name"?, "LLM"?, "TTS"?, "ASR"?}],
//   "instances": [{"AgentInstanceId", "AppId"?, "AgentId"?, "UserId"?, "Kind"?, "RTC"?, "LLM"?,
//                  "TTS"?, "ASR"?, "AdvancedConfig"?, "CallbackConfig"?, "Messages"?, "Status"?, "BusySeconds"?}],
//   "deletedInstances": [{"AgentInstanceId", "AppId", "Reason", "At"}] }
//
// The dump writes each instance's whole life too (IdleAt, Round, Listening, Created, LastDriven,
// ShuttingDown, VAD, MessageHistory, CallbackConfig, CDN), so that it loads back as it was: a
// busy instance holds its current status until IdleAt.
//
// POST /_emulator/state merges such a document live: an app or agent that exists is updated, an
// instance that exists gets the members the document names (typically Status and BusySeconds,
// to hold an agent busy while a test exercises a graceful shutdown).
#include <algorithm>
#include <cmath>

#include "core/validation.hpp"
#include "vendors/zego/callbacks.hpp"
#include "vendors/zego/errors.hpp"
#include "vendors/zego/operations.hpp"
#include "vendors/zego/zego_vendor.hpp"

namespace agentemu::zego {
namespace {

using T = ParamType;

constexpr std::string_view kStatuses[] = {"IDLE", "LISTENING", "THINKING", "SPEAKING"};
constexpr std::string_view kKinds[] = {"standard", "digitalHuman", "liveDigitalHuman"};

// callbackUrls' items are a URL or {"url", "hostTag"}: check_callback_urls reads them.
constexpr ParamSpec kCallbackUrlItem{.name = "callbackUrls", .type = T::any};
constexpr ParamSpec kAppSpecs[] = {
    {.name = "AppId", .type = T::integer, .required = true, .min = 0.0, .max = 4294967295.0},
    {.name = "ServerSecret", .min_length = 1},
    {.name = "callbackUrls", .type = T::array, .max_length = 2, .items = &kCallbackUrlItem},
    {.name = "callbackSecret"},
    {.name = "InstanceLimit", .type = T::integer, .min = 0.0, .max = 1000000.0},
    {.name = "DigitalHumanInstanceLimit", .type = T::integer, .min = 0.0, .max = 1000000.0},
    {.name = "RejectNonceReplay", .type = T::boolean},
    {.name = "RateLimitPerSecond", .type = T::integer, .min = 0.0, .max = 1000000.0},
    {.name = "RateLimitCode", .type = T::integer, .min = 1.0},
    {.name = "ThinkSeconds", .type = T::number, .min = 0.0, .max = 86400.0},
    {.name = "SpeakSeconds", .type = T::number, .min = 0.0, .max = 86400.0},
    {.name = "GracefulDeleteWaits", .type = T::boolean},
};

// Built at first use: they borrow the action table's shared schemas.
std::span<const ParamSpec> agent_specs() {
  static const ParamSpec specs[] = {
      {.name = "AppId", .type = T::integer, .min = 0.0, .max = 4294967295.0},
      {.name = "AgentId", .required = true, .min_length = 1, .max_length = 128},
      {.name = "Name", .max_length = 256},
      {.name = "LLM", .type = T::object, .members = llm_members()},
      {.name = "TTS", .type = T::object, .members = tts_members()},
      {.name = "ASR", .type = T::object, .members = asr_members()},
  };
  return specs;
}

std::span<const ParamSpec> instance_specs() {
  static const ParamSpec specs[] = {
      {.name = "AgentInstanceId", .required = true, .min_length = 1},
      {.name = "AppId", .type = T::integer, .min = 0.0, .max = 4294967295.0},
      {.name = "AgentId", .min_length = 1},
      {.name = "UserId", .min_length = 1, .max_length = 32},
      {.name = "Kind", .one_of = kKinds},
      {.name = "RTC", .type = T::object},
      {.name = "LLM", .type = T::object, .members = llm_members()},
      {.name = "TTS", .type = T::object, .members = tts_members()},
      {.name = "ASR", .type = T::object, .members = asr_members()},
      {.name = "AdvancedConfig", .type = T::object, .members = advanced_members()},
      {.name = "CallbackConfig", .type = T::object, .members = callback_members()},
      {.name = "DigitalHuman", .type = T::object},
      {.name = "Messages", .type = T::array, .items = &message_spec()},
      {.name = "Status", .one_of = kStatuses},
      {.name = "BusySeconds", .type = T::number, .min = 0.001, .max = 1e9},
      // What the dump adds, so that it loads back (see above).
      {.name = "VAD", .type = T::object},
      {.name = "MessageHistory", .type = T::object},
      {.name = "CallbackConfig", .type = T::object},
      {.name = "CDN", .type = T::object},
      {.name = "IdleAt", .min_length = 1},
      {.name = "Round", .type = T::integer, .min = 0.0},
      {.name = "Listening", .type = T::boolean},
      {.name = "CommunicationMode", .type = T::integer, .min = 0.0, .max = 2.0},
      {.name = "Created", .min_length = 1},
      {.name = "LastDriven", .min_length = 1},
      {.name = "ShuttingDown", .type = T::object},
  };
  return specs;
}

std::span<const ParamSpec> deleted_specs() {
  static const ParamSpec specs[] = {
      {.name = "AgentInstanceId", .required = true, .min_length = 1},
      {.name = "AppId", .type = T::integer, .required = true, .min = 0.0, .max = 4294967295.0},
      {.name = "Reason", .required = true, .min_length = 1},
      {.name = "At", .required = true, .min_length = 1},
  };
  return specs;
}

// The instance members that hold a time, as the dump writes them (2025-10-13T12:00:00.123Z).
constexpr std::string_view kInstanceTimes[] = {"IdleAt", "Created", "LastDriven"};

std::optional<FixtureIssue> check_object(const JsonValue& item, const std::string& at, std::span<const ParamSpec> specs) {
  DocumentReader reader;
  if (!reader.object(item, at, specs) || !reader.params(item, at, specs)) return reader.take_issue();
  return std::nullopt;
}

std::int64_t int_member(const JsonValue& item, std::string_view name, std::int64_t fallback) {
  const JsonValue* v = json_member(item, name);
  return v != nullptr && v->IsInt64() ? v->GetInt64() : fallback;
}

std::string_view str_member(const JsonValue& item, std::string_view name) {
  const JsonValue* v = json_member(item, name);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

const JsonValue* present(const JsonValue& item, std::string_view name) {
  const JsonValue* v = json_member(item, name);
  return v == nullptr || v->IsNull() ? nullptr : v;
}

Millis seconds_member(const JsonValue& item, std::string_view name, Millis fallback) {
  const JsonValue* v = present(item, name);
  return v != nullptr && v->IsNumber() ? Millis(std::llround(v->GetDouble() * 1000.0)) : fallback;
}

std::optional<SystemTime> time_member(const JsonValue& item, std::string_view name) {
  const JsonValue* v = present(item, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return parse_iso8601({v->GetString(), v->GetStringLength()});
}

// `until`: BusySeconds from now, or the dump's IdleAt; neither holds the status until changed.
void set_status(State& state, Instance& instance, Status status, const JsonValue& item, SystemTime now) {
  InstanceLife& life = instance.mutable_life();
  life.phases.clear();
  life.listening = false;
  if (status == Status::idle) return;
  SystemTime until = time_member(item, "IdleAt").value_or(SystemTime::max());
  if (const JsonValue* busy_seconds = present(item, "BusySeconds")) {
    until = add_saturating(now, Millis(std::llround(busy_seconds->GetDouble() * 1000.0)));
  }
  life.last_round = state.next_round();
  life.phases.push_back(Phase{status, until, 1, life.last_round});
}

bool http_url(std::string_view url) { return url.starts_with("http://") || url.starts_with("https://"); }

// Up to two addresses, at most one without a tag, no tag twice.
std::optional<FixtureIssue> check_callback_urls(const JsonValue& list, const std::string& at) {
  std::vector<std::string_view> tags;
  bool untagged = false;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const std::string here = json_pointer(at, i);
    const JsonValue& item = list[i];
    std::string_view url, tag;
    if (item.IsString()) {
      url = {item.GetString(), item.GetStringLength()};
    } else if (item.IsObject()) {
      for (const auto& m : item.GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if ((key != "url" && key != "hostTag") || !m.value.IsString()) {
          return FixtureIssue{json_pointer(here, key), key == "url" || key == "hostTag"
                                                           ? "must be a string"
                                                           : "unknown key \"" + std::string(key) + "\" (expected url, hostTag)"};
        }
      }
      url = str_member(item, "url");
      tag = str_member(item, "hostTag");
    } else {
      return FixtureIssue{here, "must be a URL or {\"url\", \"hostTag\"}"};
    }
    if (!http_url(url)) return FixtureIssue{item.IsString() ? here : json_pointer(here, "url"), "must be an http:// or https:// URL"};
    if (tag.empty() ? std::exchange(untagged, true) : std::find(tags.begin(), tags.end(), tag) != tags.end()) {
      return FixtureIssue{here, tag.empty() ? "only one callback URL may go without a hostTag"
                                            : "hostTag \"" + std::string(tag) + "\" is given twice"};
    }
    if (!tag.empty()) tags.push_back(tag);
  }
  return std::nullopt;
}

std::optional<FixtureIssue> check_times(const JsonValue& item, const std::string& at, std::span<const std::string_view> names,
                                        bool required = false) {
  for (std::string_view name : names) {
    const JsonValue* v = present(item, name);
    if (v == nullptr && !required) continue;
    if (v == nullptr || !v->IsString() || !parse_iso8601({v->GetString(), v->GetStringLength()})) {
      return FixtureIssue{json_pointer(at, name), "must be a UTC time such as 2025-10-13T12:00:00.123Z"};
    }
  }
  return std::nullopt;
}

// The members only a dump holds: the instance's timeline, rounds and shutdown as they were.
void apply_dumped_life(State& state, Instance& instance, const JsonValue& item) {
  if (const JsonValue* v = present(item, "VAD")) instance.mutable_config().vad = copy_block(v);
  if (const JsonValue* v = present(item, "CallbackConfig")) instance.mutable_config().callback = copy_block(v);
  if (const JsonValue* v = present(item, "CDN")) instance.mutable_config().cdn = copy_block(v);
  if (const JsonValue* v = present(item, "AdvancedConfig"); v && instance.kind == Kind::live_digital_human) {
    instance.mutable_config().max_idle_seconds = int_member(*v, "MaxIdleTime", 900);
  }
  if (present(item, "CommunicationMode")) {
    instance.mutable_config().communication_mode = static_cast<int>(int_member(item, "CommunicationMode", 0));
  }
  if (auto t = time_member(item, "Created")) {
    instance.mutable_life();  // keeps LastDriven where it was: it starts as the old creation time
    instance.created = *t;
  }
  if (auto t = time_member(item, "LastDriven")) instance.mutable_life().last_driven = *t;
  if (present(item, "Round")) {
    InstanceLife& life = instance.mutable_life();
    life.last_round = int_member(item, "Round", life.last_round);
    for (Phase& phase : life.phases) phase.round = life.last_round;
    state.last_round = std::max(state.last_round, life.last_round);  // rounds keep increasing
  }
  if (const JsonValue* v = present(item, "Listening")) {
    InstanceLife& life = instance.mutable_life();
    life.listening = v->GetBool();
    if (life.listening) life.listening_round = life.last_round;
  }
  if (const JsonValue* v = present(item, "ShuttingDown")) {
    // The shutdown goes on. The calls that waited for it were the old process's (WaitingCalls is
    // informational); a live one keeps the calls waiting for it here.
    std::optional<Shutdown>& shutdown = instance.mutable_life().shutdown;
    if (!shutdown) shutdown.emplace();
    shutdown->requested = *time_member(*v, "Requested");
    shutdown->deadline = *time_member(*v, "Deadline");
  }
}

void write_optional_block(JsonWriter& w, std::string_view name, const Block& block) {
  w.key(name);
  if (block) {
    w.value(*block);
  } else {
    w.null();
  }
}

// LLM.ApiKey is a secret: "<redacted>" in the dump unless secrets are asked for; loaded back, a
// redacted one keeps the key the same agent or instance already holds.
void write_llm_block(JsonWriter& w, const Block& block, const StateOptions& options) {
  if (!block || !block->IsObject()) return write_optional_block(w, "LLM", block);
  w.key("LLM").begin_object();
  for (const auto& m : block->GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "ApiKey" && m.value.IsString()) {
      w.field(name, shown_secret({m.value.GetString(), m.value.GetStringLength()}, options));
    } else {
      w.key(name).value(m.value);
    }
  }
  w.end_object();
}

bool redacted_api_key(const JsonValue& item) {
  const JsonValue* llm = present(item, "LLM");
  const JsonValue* key = llm != nullptr && llm->IsObject() ? json_member(*llm, "ApiKey") : nullptr;
  return key != nullptr && is_redacted(*key);
}

// The LLM block `llm` as a fixture gives it, a redacted ApiKey replaced by the one `held` has (or
// dropped when it has none).
Block keep_api_key(const JsonValue& llm, const Block& held) {
  if (!llm.IsObject()) return copy_block(&llm);
  auto block = std::make_shared<StoredJson>();
  block->CopyFrom(llm, block->GetAllocator());
  const auto key = block->FindMember("ApiKey");
  if (key == block->MemberEnd() || !is_redacted(key->value)) return block;
  const JsonValue* held_key = held && held->IsObject() ? json_member(*held, "ApiKey") : nullptr;
  if (held_key != nullptr) {
    key->value.CopyFrom(*held_key, block->GetAllocator());
  } else {
    block->RemoveMember(key);
  }
  return block;
}

// A fixture names the instance's AgentId: the registered agent of that id becomes its template
// for the blocks the fixture leaves out, except those the instance already has, which it keeps.
// An id no agent is registered under is kept with the Name the instance had.
void set_agent(State& state, Instance& instance, std::string_view agent_id, const JsonValue& item) {
  AgentRef registered;
  if (const AppState* app = state.app(instance.app_id)) {
    if (const auto found = app->agents.find(agent_id); found != app->agents.end()) registered = found->second;
  }
  if (!registered) {
    auto kept = std::make_shared<Agent>();
    kept->id = agent_id;
    kept->name = instance.agent_name();
    registered = std::move(kept);
  }
  const Block llm = instance.llm(), tts = instance.tts(), asr = instance.asr();
  instance.agent = std::move(registered);
  // A block the instance had (from the previous agent too) stays its own; one it did not have is
  // the new agent's, unless the fixture gives it: then the fixture's replaces the one it had.
  const auto keep = [&](std::optional<Block> InstanceConfig::*own, const Block& had, std::string_view name) {
    if (instance.config().*own || (!had && !present(item, name))) return;
    instance.mutable_config().*own = had;
  };
  keep(&InstanceConfig::llm, llm, "LLM");
  keep(&InstanceConfig::tts, tts, "TTS");
  keep(&InstanceConfig::asr, asr, "ASR");
}

}  // namespace

std::optional<FixtureIssue> ZegoVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const std::string base(pointer);
  DocumentReader reader;
  if (!reader.object(section, base, {"apps", "agents", "instances", "deletedInstances"})) return reader.take_issue();
  for (const auto& m : section.GetObject()) {
    if (!reader.array(m.value, json_pointer(base, {m.name.GetString(), m.name.GetStringLength()}))) return reader.take_issue();
  }

  std::lock_guard lock(mutex_);
  std::vector<std::uint32_t> apps;  // known after this document: live ones and declared ones
  for (const auto& [id, app] : state_.apps) apps.push_back(id);
  const auto known_app = [&](std::uint32_t id) { return std::find(apps.begin(), apps.end(), id) != apps.end(); };

  if (const JsonValue* list = json_member(section, "apps")) {
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string at = json_pointer(json_pointer(base, "apps"), i);
      const JsonValue& item = (*list)[i];
      if (auto issue = check_object(item, at, kAppSpecs)) return issue;
      if (const JsonValue* urls = present(item, "callbackUrls")) {
        if (auto issue = check_callback_urls(*urls, json_pointer(at, "callbackUrls"))) return issue;
      }
      const auto id = static_cast<std::uint32_t>(int_member(item, "AppId", 0));
      if (!known_app(id) && present(item, "ServerSecret") == nullptr) {
        return FixtureIssue{json_pointer(at, "ServerSecret"), "is required for a new app"};
      }
      // A redacted dump's ServerSecret stands for the one the app already has.
      if (const JsonValue* secret = present(item, "ServerSecret"); secret && is_redacted(*secret) && !known_app(id)) {
        return FixtureIssue{json_pointer(at, "ServerSecret"), std::string(kRedactedUnknown)};
      }
      if (const JsonValue* code = present(item, "RateLimitCode"); code && find_error(code->GetInt64()) == nullptr) {
        return FixtureIssue{json_pointer(at, "RateLimitCode"), "must be one of the codes of return-codes.mdx"};
      }
      apps.push_back(id);
    }
  }
  if (const JsonValue* list = json_member(section, "agents")) {
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string at = json_pointer(json_pointer(base, "agents"), i);
      const JsonValue& item = (*list)[i];
      if (auto issue = check_object(item, at, agent_specs())) return issue;
      const auto id = static_cast<std::uint32_t>(int_member(item, "AppId", kDefaultAppId));
      if (!known_app(id)) {
        return FixtureIssue{json_pointer(at, "AppId"), "app " + std::to_string(id) + " is not declared (add it to apps)"};
      }
      if (redacted_api_key(item)) {
        const std::string_view agent_id = str_member(item, "AgentId");
        bool held = false;
        for (rapidjson::SizeType j = 0; j < i && !held; ++j) {
          held = int_member((*list)[j], "AppId", kDefaultAppId) == id && str_member((*list)[j], "AgentId") == agent_id;
        }
        if (const auto app = state_.apps.find(id); !held && app != state_.apps.end()) {
          held = app->second.agents.contains(std::string(agent_id));
        }
        if (!held) return FixtureIssue{json_pointer(json_pointer(at, "LLM"), "ApiKey"), std::string(kRedactedUnknown)};
      }
    }
  }
  if (const JsonValue* list = json_member(section, "instances")) {
    std::vector<std::string_view> declared;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string at = json_pointer(json_pointer(base, "instances"), i);
      const JsonValue& item = (*list)[i];
      if (auto issue = check_object(item, at, instance_specs())) return issue;
      if (present(item, "BusySeconds") != nullptr && present(item, "Status") == nullptr) {
        return FixtureIssue{json_pointer(at, "BusySeconds"), "needs Status (the status the agent stays in)"};
      }
      if (auto issue = check_times(item, at, kInstanceTimes)) return issue;
      if (const JsonValue* shutdown = present(item, "ShuttingDown")) {
        static constexpr std::string_view kShutdownTimes[] = {"Requested", "Deadline"};
        if (auto issue = check_times(*shutdown, json_pointer(at, "ShuttingDown"), kShutdownTimes, true)) return issue;
      }
      const std::string_view id = str_member(item, "AgentInstanceId");
      const auto live = state_.instances.find(id);
      const bool exists = live != state_.instances.end() ||
                          std::find(declared.begin(), declared.end(), id) != declared.end();
      declared.push_back(id);
      if (!exists && redacted_api_key(item)) {
        return FixtureIssue{json_pointer(json_pointer(at, "LLM"), "ApiKey"), std::string(kRedactedUnknown)};
      }
      if (const JsonValue* app = present(item, "AppId")) {
        if (live != state_.instances.end() && live->second.app_id != app->GetInt64()) {
          return FixtureIssue{json_pointer(at, "AppId"), "instance " + std::string(id) + " belongs to app " +
                                                             std::to_string(live->second.app_id)};
        }
      }
      if (!exists) {
        const auto app = static_cast<std::uint32_t>(int_member(item, "AppId", kDefaultAppId));
        if (!known_app(app)) {
          return FixtureIssue{json_pointer(at, "AppId"), "app " + std::to_string(app) + " is not declared (add it to apps)"};
        }
      }
    }
  }
  if (const JsonValue* list = json_member(section, "deletedInstances")) {
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string at = json_pointer(json_pointer(base, "deletedInstances"), i);
      if (auto issue = check_object((*list)[i], at, deleted_specs())) return issue;
      static constexpr std::string_view kAt[] = {"At"};
      if (auto issue = check_times((*list)[i], at, kAt)) return issue;
    }
  }
  return std::nullopt;
}

void ZegoVendor::apply_fixture(const JsonValue& section) {
  Effects effects;
  {
    std::lock_guard lock(mutex_);
    const SystemTime now = ctx_.clock.now();
    if (const JsonValue* list = json_member(section, "apps")) {
      for (const JsonValue& item : list->GetArray()) {
        const auto id = static_cast<std::uint32_t>(int_member(item, "AppId", 0));
        AppState& app = state_.apps[id];
        app.automatic = false;  // named by the fixtures: kept like any configured app
        auto config = app.config ? std::make_shared<AppConfig>(*app.config) : std::make_shared<AppConfig>();
        config->app_id = id;
        if (const JsonValue* secret = present(item, "ServerSecret"); secret && !is_redacted(*secret)) {
          config->server_secret = str_member(item, "ServerSecret");
        }
        if (const JsonValue* urls = present(item, "callbackUrls")) {
          config->callback_urls.clear();
          for (const JsonValue& u : urls->GetArray()) {
            config->callback_urls.push_back(u.IsString() ? CallbackUrl{u.GetString(), ""}
                                                         : CallbackUrl{std::string(str_member(u, "url")),
                                                                       std::string(str_member(u, "hostTag"))});
          }
        }
        if (const JsonValue* secret = present(item, "callbackSecret"); secret && !is_redacted(*secret)) {
          config->callback_secret = str_member(item, "callbackSecret");
        }
        config->instance_limit = static_cast<int>(int_member(item, "InstanceLimit", config->instance_limit));
        config->digital_human_limit =
            static_cast<int>(int_member(item, "DigitalHumanInstanceLimit", config->digital_human_limit));
        if (const JsonValue* v = present(item, "RejectNonceReplay")) config->reject_nonce_replay = v->GetBool();
        config->rate_limit_per_second =
            static_cast<int>(int_member(item, "RateLimitPerSecond", config->rate_limit_per_second));
        config->rate_limit_code = int_member(item, "RateLimitCode", config->rate_limit_code);
        config->think = seconds_member(item, "ThinkSeconds", config->think);
        config->speak = seconds_member(item, "SpeakSeconds", config->speak);
        if (const JsonValue* v = present(item, "GracefulDeleteWaits")) config->graceful_delete_waits = v->GetBool();
        app.config = std::move(config);
      }
    }
    if (const JsonValue* list = json_member(section, "agents")) {
      for (const JsonValue& item : list->GetArray()) {
        AppState& app = state_.apps[static_cast<std::uint32_t>(int_member(item, "AppId", kDefaultAppId))];
        const std::string id(str_member(item, "AgentId"));
        AgentRef& stored = app.agents[id];
        // A new Agent: the instances made from the old one keep it as it was.
        auto agent = stored ? std::make_shared<Agent>(*stored) : std::make_shared<Agent>();
        agent->id = id;
        if (present(item, "Name")) agent->name = str_member(item, "Name");
        if (const JsonValue* v = present(item, "LLM")) agent->llm = keep_api_key(*v, agent->llm);
        if (const JsonValue* v = present(item, "TTS")) agent->tts = copy_block(v);
        if (const JsonValue* v = present(item, "ASR")) agent->asr = copy_block(v);
        stored = std::move(agent);
      }
    }
    if (const JsonValue* list = json_member(section, "instances")) {
      for (const JsonValue& item : list->GetArray()) {
        const std::string id(str_member(item, "AgentInstanceId"));
        auto it = state_.instances.find(id);
        if (it == state_.instances.end()) {
          Instance fresh;
          fresh.app_id = static_cast<std::uint32_t>(int_member(item, "AppId", kDefaultAppId));
          fresh.created = now;
          it = state_.instances.find(state_.add_instance(id, std::move(fresh)).id());
        }
        Instance& instance = it->second;
        if (present(item, "AgentId")) set_agent(state_, instance, str_member(item, "AgentId"), item);
        if (present(item, "UserId")) instance.user_and_rtc.set_user_id(str_member(item, "UserId"));
        if (present(item, "Kind")) state_.set_kind(instance, parse_kind(str_member(item, "Kind")).value_or(Kind::standard));
        if (const JsonValue* v = present(item, "RTC")) instance.user_and_rtc.set_rtc(v);
        if (const JsonValue* v = present(item, "LLM")) instance.mutable_config().llm = keep_api_key(*v, instance.llm());
        if (const JsonValue* v = present(item, "TTS")) instance.mutable_config().tts = copy_block(v);
        if (const JsonValue* v = present(item, "ASR")) instance.mutable_config().asr = copy_block(v);
        if (const JsonValue* v = present(item, "DigitalHuman")) instance.mutable_config().digital_human = copy_block(v);
        if (const JsonValue* v = present(item, "CallbackConfig")) instance.mutable_config().callback = copy_block(v);
        if (const JsonValue* v = present(item, "AdvancedConfig")) {
          InstanceConfig& config = instance.mutable_config();
          config.advanced = copy_block(v);
          config.communication_mode = static_cast<int>(int_member(*v, "CommunicationMode", 0));
          const JsonValue* disable = present(*v, "DisableTTS");
          config.disable_tts = disable != nullptr && disable->GetBool();
        }
        if (const JsonValue* v = present(item, "MessageHistory")) {  // before Messages: its window
          InstanceConfig& config = instance.mutable_config();
          config.message_history = copy_block(v);
          config.window_size = static_cast<std::size_t>(std::max<std::int64_t>(0, int_member(*v, "WindowSize", 20)));
        }
        if (const JsonValue* v = present(item, "Messages")) {
          instance.mutable_life().history.clear();
          for (const JsonValue& m : v->GetArray()) {
            instance.remember(std::string(str_member(m, "Role")), std::string(str_member(m, "Content")));
          }
        }
        if (present(item, "Status")) {
          set_status(state_, instance, parse_status(str_member(item, "Status")).value_or(Status::idle), item, now);
          // Loaded where it is: only what its timeline does from here is called back.
          sync_reported(state_, instance, now, effects);
        }
        apply_dumped_life(state_, instance, item);
        // A shutdown waiting for this agent may be due now, or at another time.
        state_.settle(it, now, true, effects);
      }
    }
  }
  if (const JsonValue* list = json_member(section, "deletedInstances")) {
    std::lock_guard lock(mutex_);
    for (const JsonValue& item : list->GetArray()) {
      DeletedInstance d{std::string(str_member(item, "AgentInstanceId")),
                        static_cast<std::uint32_t>(int_member(item, "AppId", kDefaultAppId)),
                        std::string(str_member(item, "Reason")), *time_member(item, "At")};
      // Loading the same dump twice keeps one record of each deletion.
      std::erase_if(state_.deleted, [&](const DeletedInstance& o) { return o.id == d.id && o.at == d.at; });
      state_.deleted.push_back(std::move(d));
      if (state_.deleted.size() > State::kDeletedKept) state_.deleted.pop_front();
    }
  }
  run(effects);
}

void ZegoVendor::clear_state() {
  Effects effects;
  {
    std::lock_guard lock(mutex_);
    state_.clear(effects);
  }
  run(effects);
}

void ZegoVendor::write_state(JsonWriter& w, const StateOptions& options) const {
  std::lock_guard lock(mutex_);
  const SystemTime now = ctx_.clock.now();
  w.begin_object();
  w.key("apps").begin_array();
  for (const auto& [id, app] : state_.apps) {
    const AppConfig& c = *app.config;
    w.begin_object()
        .field_int("AppId", id)
        .field("ServerSecret", shown_secret(c.server_secret, options));
    w.key("callbackUrls").begin_array();
    for (const CallbackUrl& u : c.callback_urls) {
      if (u.host_tag.empty()) {
        w.string(u.url);
      } else {
        w.begin_object().field("url", u.url).field("hostTag", u.host_tag).end_object();
      }
    }
    w.end_array();
    w.field("callbackSecret", shown_secret(c.callback_secret, options))
        .field_int("InstanceLimit", c.instance_limit)
        .field_int("DigitalHumanInstanceLimit", c.digital_human_limit)
        .field_bool("RejectNonceReplay", c.reject_nonce_replay)
        .field_int("RateLimitPerSecond", c.rate_limit_per_second)
        .field_int("RateLimitCode", c.rate_limit_code)
        .field_number("ThinkSeconds", static_cast<double>(c.think.count()) / 1000.0)
        .field_number("SpeakSeconds", static_cast<double>(c.speak.count()) / 1000.0)
        .field_bool("GracefulDeleteWaits", c.graceful_delete_waits)
        .end_object();
  }
  w.end_array();
  w.key("agents").begin_array();
  for (const auto& [app_id, app] : state_.apps) {
    for (const auto& [id, stored] : app.agents) {
      const Agent& agent = *stored;
      w.begin_object().field_int("AppId", app_id).field("AgentId", agent.id).field("Name", agent.name);
      write_llm_block(w, agent.llm, options);
      write_optional_block(w, "TTS", agent.tts);
      write_optional_block(w, "ASR", agent.asr);
      w.end_object();
    }
  }
  w.end_array();
  w.key("instances").begin_array();
  for (const auto& [id, instance] : state_.instances) {
    if (instance.expired(now)) continue;  // gone; removed for good when next touched
    w.begin_object().field("AgentInstanceId", id).field_int("AppId", instance.app_id);
    // A fixture instance may have neither; the fixture section holds only non-empty ones.
    if (!instance.agent_id().empty()) w.field("AgentId", instance.agent_id());
    if (!instance.user_id().empty()) w.field("UserId", instance.user_id());
    w.field("Kind", kind_name(instance.kind))
        .field("Status", status_name(instance.status_at(now)));
    // null: idle now, or busy until something changes it (Status tells which).
    const auto idle = instance.idle_at(now);
    idle && *idle > now ? w.field("IdleAt", format_rfc3339_millis(*idle)) : w.field_null("IdleAt");
    const InstanceLife& life = instance.life();
    const InstanceConfig& config = instance.config();
    w.field_int("Round", life.last_round)
        .field_bool("Listening", life.listening)
        .field_int("CommunicationMode", config.communication_mode)
        .field("Created", format_rfc3339_millis(instance.created))
        .field("LastDriven", format_rfc3339_millis(instance.last_driven()));
    w.key("RTC").value(instance.user_and_rtc.rtc());  // JSON null without one
    write_llm_block(w, instance.llm(), options);
    write_optional_block(w, "TTS", instance.tts());
    write_optional_block(w, "ASR", instance.asr());
    write_optional_block(w, "DigitalHuman", config.digital_human);
    write_optional_block(w, "AdvancedConfig", config.advanced);
    write_optional_block(w, "VAD", config.vad);
    write_optional_block(w, "MessageHistory", config.message_history);
    write_optional_block(w, "CallbackConfig", config.callback);
    write_optional_block(w, "CDN", config.cdn);
    w.key("Messages").begin_array();
    for (const ChatMessage& m : life.history) w.begin_object().field("Role", m.role).field("Content", m.content).end_object();
    w.end_array();
    w.key("ShuttingDown");
    if (life.shutdown) {
      w.begin_object()
          .field("Requested", format_rfc3339_millis(life.shutdown->requested))
          .field("Deadline", format_rfc3339_millis(life.shutdown->deadline))
          .field_int("WaitingCalls", static_cast<std::int64_t>(life.shutdown->waiting.size()))
          .end_object();
    } else {
      w.null();
    }
    w.end_object();
  }
  w.end_array();
  w.key("deletedInstances").begin_array();
  for (const DeletedInstance& d : state_.deleted) {
    w.begin_object()
        .field("AgentInstanceId", d.id)
        .field_int("AppId", d.app_id)
        .field("Reason", d.reason)
        .field("At", format_rfc3339_millis(d.at))
        .end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace agentemu::zego
