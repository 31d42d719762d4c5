// The "zego" fixture section and the state dump (GET /_emulator/state?vendor=zego).
//
// { "apps":      [{"AppId": 1234567890, "ServerSecret": "...", <emulator options>}],
//   "agents":    [{"AppId"?, "AgentId", "Name"?, "LLM"?, "TTS"?, "ASR"?}],
//   "instances": [{"AgentInstanceId", "AppId"?, "AgentId"?, "UserId"?, "Kind"?, "RTC"?, "LLM"?,
//                  "TTS"?, "ASR"?, "AdvancedConfig"?, "Messages"?, "Status"?, "BusySeconds"?}] }
//
// POST /_emulator/state merges such a document live: an app or agent that exists is updated, an
// instance that exists gets the members the document names (typically Status and BusySeconds,
// to hold an agent busy while a test exercises a graceful shutdown).
#include <algorithm>
#include <cmath>

#include "core/validation.hpp"
#include "vendors/zego/errors.hpp"
#include "vendors/zego/operations.hpp"
#include "vendors/zego/zego_vendor.hpp"

namespace agentemu::zego {
namespace {

using T = ParamType;

constexpr std::string_view kStatuses[] = {"IDLE", "LISTENING", "THINKING", "SPEAKING"};
constexpr std::string_view kKinds[] = {"standard", "digitalHuman", "liveDigitalHuman"};

constexpr ParamSpec kAppSpecs[] = {
    {.name = "AppId", .type = T::integer, .required = true, .min = 0.0, .max = 4294967295.0},
    {.name = "ServerSecret", .min_length = 1},
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
      {.name = "DigitalHuman", .type = T::object},
      {.name = "Messages", .type = T::array, .items = &message_spec()},
      {.name = "Status", .one_of = kStatuses},
      {.name = "BusySeconds", .type = T::number, .min = 0.001, .max = 1e9},
  };
  return specs;
}

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

void set_status(State& state, Instance& instance, Status status, const JsonValue* busy_seconds, SystemTime now) {
  instance.phases.clear();
  instance.listening = false;
  if (status == Status::idle) return;
  SystemTime until = SystemTime::max();
  if (busy_seconds != nullptr) until = add_saturating(now, Millis(std::llround(busy_seconds->GetDouble() * 1000.0)));
  instance.last_round = state.next_round();
  instance.phases.push_back(Phase{status, until, 1, instance.last_round});
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
  auto block = std::make_shared<JsonDocument>();
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

}  // namespace

std::optional<FixtureIssue> ZegoVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const std::string base(pointer);
  DocumentReader reader;
  if (!reader.object(section, base, {"apps", "agents", "instances"})) return reader.take_issue();
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
        Agent& agent = app.agents[id];
        agent.id = id;
        if (present(item, "Name")) agent.name = str_member(item, "Name");
        if (const JsonValue* v = present(item, "LLM")) agent.llm = keep_api_key(*v, agent.llm);
        if (const JsonValue* v = present(item, "TTS")) agent.tts = copy_block(v);
        if (const JsonValue* v = present(item, "ASR")) agent.asr = copy_block(v);
      }
    }
    if (const JsonValue* list = json_member(section, "instances")) {
      for (const JsonValue& item : list->GetArray()) {
        const std::string id(str_member(item, "AgentInstanceId"));
        auto it = state_.instances.find(id);
        if (it == state_.instances.end()) {
          Instance fresh;
          fresh.id = id;
          fresh.app_id = static_cast<std::uint32_t>(int_member(item, "AppId", kDefaultAppId));
          fresh.created = fresh.last_driven = now;
          it = state_.instances.find(state_.add_instance(std::move(fresh)).id);
        }
        Instance& instance = it->second;
        if (present(item, "AgentId")) {
          instance.agent_id = str_member(item, "AgentId");
          // The registered agent is the template for the blocks the fixture leaves out.
          if (AppState* app = state_.app(instance.app_id)) {
            if (const auto agent = app->agents.find(instance.agent_id); agent != app->agents.end()) {
              if (!present(item, "LLM") && !instance.llm) instance.llm = agent->second.llm;
              if (!present(item, "TTS") && !instance.tts) instance.tts = agent->second.tts;
              if (!present(item, "ASR") && !instance.asr) instance.asr = agent->second.asr;
            }
          }
        }
        if (present(item, "UserId")) instance.user_id = str_member(item, "UserId");
        if (present(item, "Kind")) instance.kind = parse_kind(str_member(item, "Kind")).value_or(Kind::standard);
        if (const JsonValue* v = present(item, "RTC")) instance.rtc = copy_block(v);
        if (const JsonValue* v = present(item, "LLM")) instance.llm = keep_api_key(*v, instance.llm);
        if (const JsonValue* v = present(item, "TTS")) instance.tts = copy_block(v);
        if (const JsonValue* v = present(item, "ASR")) instance.asr = copy_block(v);
        if (const JsonValue* v = present(item, "DigitalHuman")) instance.digital_human = copy_block(v);
        if (const JsonValue* v = present(item, "AdvancedConfig")) {
          instance.advanced = copy_block(v);
          instance.communication_mode = static_cast<int>(int_member(*v, "CommunicationMode", 0));
          const JsonValue* disable = present(*v, "DisableTTS");
          instance.disable_tts = disable != nullptr && disable->GetBool();
        }
        if (const JsonValue* v = present(item, "Messages")) {
          instance.history.clear();
          for (const JsonValue& m : v->GetArray()) {
            instance.remember(std::string(str_member(m, "Role")), std::string(str_member(m, "Content")));
          }
        }
        if (present(item, "Status")) {
          set_status(state_, instance, parse_status(str_member(item, "Status")).value_or(Status::idle),
                     present(item, "BusySeconds"), now);
        }
        // A shutdown waiting for this agent may be due now, or at another time.
        state_.settle(it, now, true, effects);
      }
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
        .field("ServerSecret", shown_secret(c.server_secret, options))
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
    for (const auto& [id, agent] : app.agents) {
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
    w.begin_object()
        .field("AgentInstanceId", instance.id)
        .field_int("AppId", instance.app_id)
        .field("AgentId", instance.agent_id)
        .field("UserId", instance.user_id)
        .field("Kind", kind_name(instance.kind))
        .field("Status", status_name(instance.status_at(now)));
    const auto idle = instance.idle_at(now);
    idle ? w.field("IdleAt", format_rfc3339_millis(*idle)) : w.field_null("IdleAt");
    w.field_int("Round", instance.last_round)
        .field_bool("Listening", instance.listening)
        .field_int("CommunicationMode", instance.communication_mode)
        .field("Created", format_rfc3339_millis(instance.created));
    write_optional_block(w, "RTC", instance.rtc);
    write_llm_block(w, instance.llm, options);
    write_optional_block(w, "TTS", instance.tts);
    write_optional_block(w, "ASR", instance.asr);
    write_optional_block(w, "DigitalHuman", instance.digital_human);
    w.key("Messages").begin_array();
    for (const ChatMessage& m : instance.history) w.begin_object().field("Role", m.role).field("Content", m.content).end_object();
    w.end_array();
    w.key("ShuttingDown");
    if (instance.shutdown) {
      w.begin_object()
          .field("Requested", format_rfc3339_millis(instance.shutdown->requested))
          .field("Deadline", format_rfc3339_millis(instance.shutdown->deadline))
          .field_int("WaitingCalls", static_cast<std::int64_t>(instance.shutdown->waiting.size()))
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
