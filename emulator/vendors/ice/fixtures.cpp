// The "ice" fixture section: checked whole (unknown keys are mistakes), then applied to the live
// state; and the state dump of GET /_emulator/state, in the same shape.
//
// { "accessKeys":   [{"accessKeyId", "accessKeySecret", "allow": ["ice:*"], "account", "allowNonceReuse"}],
//   "agents":       [{"AIAgentId", "account", "type": "voice|avatar|vision"}],
//   "instances":    [{"InstanceId", "AIAgentId", "account", "Status", "RuntimeConfig", "AgentConfig",
//                     "TemplateConfig", "UserData", "SessionId", "CallLogUrl", "GmtCreate", "GmtModified"}],
//   "phoneNumbers": [{"PhoneNumber", "Status": 1-4, "account"}],
//   "notifyConfigs": [{"AIAgentId", "account", "EnableNotify", "CallbackUrl", "EventTypes", "Token",
//                      "AudioOssPath", "EnableAudioRecording"}],
//   "voiceprints":  [{"VoiceprintId", "RegistrationMode", "account", "Input": {"Type", "Format", "Data"},
//                     "GmtCreate", "GmtModified"}],
//   "videoAuditTasks": [{"JobId", "AIAgentId", "account", "Input": {"Media", "Type"}, "CapturePolicies": [],
//                        "AuditInterval", "CallbackConfig": {"Url", "Token"}, "UserData", "GmtCreate"}],
//   "dialogues":    [{"SessionId", "account", "Dialogues": [{"DialogueId", "RoundId", "NodeId", "Producer",
//                     "Source", "Type", "Text", "Time"}]}] }
// The dump adds what an instance's life left in it (Kind, ChatSyncConfig, the call's numbers,
// UserId, ChannelId...) and each video audit task's GmtFinish, so that it loads back as it was.
// STS credentials are access keys with a securityToken (and an expiration); their allow list is
// the policy they carry.
#include <algorithm>
#include <initializer_list>

#include "core/text.hpp"
#include "vendors/ice/ice_vendor.hpp"

namespace agentemu::ice {
namespace {

struct Field {
  std::string_view name;
  enum Kind { string, boolean, object, string_list, integer, integer64, time, array, any_string } kind;
  bool required = false;
};

std::optional<FixtureIssue> check_object(const JsonValue& item, const std::string& at, std::initializer_list<Field> fields) {
  std::vector<std::string_view> names;
  for (const Field& f : fields) names.push_back(f.name);
  DocumentReader reader;
  if (!reader.object(item, at, std::span<const std::string_view>(names))) return reader.take_issue();
  for (const Field& f : fields) {
    const JsonValue* v = json_member(item, f.name);
    const std::string here = json_pointer(at, f.name);
    if (v == nullptr) {
      if (f.required) return FixtureIssue{here, "is required"};
      continue;
    }
    switch (f.kind) {
      case Field::string:
        if (!v->IsString() || v->GetStringLength() == 0) return FixtureIssue{here, "must be a non-empty string"};
        break;
      case Field::boolean:
        if (!v->IsBool()) return FixtureIssue{here, "must be true or false"};
        break;
      case Field::object:
        if (!v->IsObject()) return FixtureIssue{here, "must be an object"};
        break;
      case Field::array:
        if (!v->IsArray()) return FixtureIssue{here, "must be an array"};
        break;
      case Field::any_string:
        if (!v->IsString()) return FixtureIssue{here, "must be a string"};
        break;
      case Field::integer:
        if (!v->IsInt()) return FixtureIssue{here, "must be a whole number"};
        break;
      case Field::integer64:
        if (!v->IsInt64()) return FixtureIssue{here, "must be a whole number"};
        break;
      case Field::time:
        if (!v->IsString() || !parse_gmt({v->GetString(), v->GetStringLength()})) {
          return FixtureIssue{here, "must be " + std::string(kTimeShape)};
        }
        break;
      case Field::string_list:
        if (!v->IsArray()) return FixtureIssue{here, "must be an array of strings"};
        for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
          const JsonValue& s = (*v)[i];
          if (!s.IsString() || s.GetStringLength() == 0) {
            return FixtureIssue{json_pointer(here, i), "must be a non-empty string"};
          }
          if (!glob_valid({s.GetString(), s.GetStringLength()})) {
            return FixtureIssue{json_pointer(here, i), "bad glob: a '[' class is not closed"};
          }
        }
        break;
    }
  }
  return std::nullopt;
}

std::string text(const JsonValue& item, std::string_view name, std::string_view fallback = {}) {
  const JsonValue* v = json_member(item, name);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string(fallback);
}

// Instances and phone numbers without an account belong to the section's first access key.
std::string default_account(const JsonValue& section) {
  const JsonValue* keys = json_member(section, "accessKeys");
  if (keys == nullptr || !keys->IsArray() || keys->Empty()) return {};
  const JsonValue& first = (*keys)[0];
  return text(first, "account", text(first, "accessKeyId"));
}

const JsonValue* array_member(const JsonValue& section, std::string_view name) {
  const JsonValue* v = json_member(section, name);
  return v != nullptr && v->IsArray() ? v : nullptr;
}

std::string_view kind_name(InstanceKind kind) {
  switch (kind) {
    case InstanceKind::generated: return "generated";
    case InstanceKind::outbound: return "outbound";
    case InstanceKind::started: break;
  }
  return "started";
}

std::int64_t whole(const JsonValue& item, std::string_view name, std::int64_t fallback) {
  const JsonValue* v = json_member(item, name);
  return v != nullptr && v->IsInt64() ? v->GetInt64() : fallback;
}

// A text member of the item into the instance's extras, made only when the text is not empty
// (a dump writes empty members of instances that have none).
void extra_text(Instance& instance, std::string InstanceExtras::*member, const JsonValue& item, std::string_view name) {
  std::string value = text(item, name);
  if (!value.empty()) instance.make_extras().*member = std::move(value);
}

// What StartAIAgentInstance, GenerateAIAgentCall and StartAIAgentOutboundCall left in an
// instance beyond the fixture's own members (written by the dump).
void apply_instance_life(Instance& instance, const JsonValue& item) {
  const std::string kind = text(item, "Kind", "started");
  instance.kind = kind == "generated" ? InstanceKind::generated
                  : kind == "outbound" ? InstanceKind::outbound
                                       : InstanceKind::started;
  if (const JsonValue* v = json_member(item, "ChatSyncConfig")) instance.make_extras().chat_sync_config.assign(*v);
  extra_text(instance, &InstanceExtras::caller_number, item, "CallerNumber");
  extra_text(instance, &InstanceExtras::called_number, item, "CalledNumber");
  extra_text(instance, &InstanceExtras::forwarded_to, item, "ForwardedTo");
  extra_text(instance, &InstanceExtras::human_agent_user_id, item, "HumanAgentUserId");
  extra_text(instance, &InstanceExtras::user_id, item, "UserId");
  extra_text(instance, &InstanceExtras::channel_id, item, "ChannelId");
  if (const std::int64_t role = whole(item, "HangupRole", 0); role != 0) {
    instance.make_extras().hangup_role = static_cast<int>(role);
  }
  if (const std::int64_t expire = whole(item, "ExpireSeconds", 0); expire != 0) {
    instance.make_extras().expire_seconds = expire;
  }
}

void apply_dialogues(State& state, const JsonValue& section, const std::string& fallback_account) {
  const JsonValue* items = array_member(section, "dialogues");
  if (items == nullptr) return;
  for (const JsonValue& item : items->GetArray()) {
    auto& entries = state.account(text(item, "account", fallback_account)).dialogues[text(item, "SessionId")];
    entries.clear();  // a session's dialogue is replaced whole
    for (const JsonValue& d : (*json_member(item, "Dialogues")).GetArray()) {
      DialogueEntry e;
      e.sequence = state.next_sequence++;
      e.dialogue_id = text(d, "DialogueId");
      e.round_id = text(d, "RoundId", std::to_string(e.sequence));
      e.node_id = text(d, "NodeId");
      e.producer = text(d, "Producer", "user");
      e.source = text(d, "Source", "call");
      e.type = text(d, "Type", "normal");
      e.text = text(d, "Text");
      e.time_ms = whole(d, "Time", 0);
      entries.push_back(std::move(e));
    }
    // As many as a session keeps through the API (handlers.cpp), the newest.
    constexpr std::size_t kKept = 10000;
    if (entries.size() > kKept) entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(kKept));
  }
}

// ---- Tokens a dump redacts besides the access keys' ------------------------------------------
// RuntimeConfig.<Type>.AuthToken of an instance (the RTC token it joins with), Token of a notify
// config and CallbackConfig.Token of a video audit task (what the callbacks authenticate with).

const VideoAuditTask* find_task(const Account& account, std::string_view job_id) {
  for (const auto& [sequence, task] : account.video_audit_tasks) {
    if (task.job_id == job_id) return &task;
  }
  return nullptr;
}

// The pointer below `item` of its first redacted token, or "".
std::string redacted_token(const JsonValue& item) {
  if (const JsonValue* runtime = json_member(item, "RuntimeConfig"); runtime != nullptr && runtime->IsObject()) {
    for (const auto& type : runtime->GetObject()) {
      if (!type.value.IsObject()) continue;
      if (const JsonValue* token = json_member(type.value, "AuthToken"); token != nullptr && is_redacted(*token)) {
        return json_pointer(json_pointer("/RuntimeConfig", {type.name.GetString(), type.name.GetStringLength()}),
                            "AuthToken");
      }
    }
  }
  if (const JsonValue* token = json_member(item, "Token"); token != nullptr && is_redacted(*token)) return "/Token";
  if (const JsonValue* callback = json_member(item, "CallbackConfig"); callback != nullptr && callback->IsObject()) {
    if (const JsonValue* token = json_member(*callback, "Token"); token != nullptr && is_redacted(*token)) {
      return "/CallbackConfig/Token";
    }
  }
  return {};
}

// A RuntimeConfig as given, each <Type>.AuthToken shown or redacted.
void write_runtime_config(JsonWriter& out, const JsonValue& config, const StateOptions& options) {
  out.key("RuntimeConfig").begin_object();
  for (const auto& type : config.GetObject()) {
    out.key({type.name.GetString(), type.name.GetStringLength()});
    if (!type.value.IsObject()) {
      out.value(type.value);
      continue;
    }
    out.begin_object();
    for (const auto& m : type.value.GetObject()) {
      const std::string_view name(m.name.GetString(), m.name.GetStringLength());
      if (name == "AuthToken" && m.value.IsString()) {
        out.field(name, shown_secret({m.value.GetString(), m.value.GetStringLength()}, options));
      } else {
        out.key(name).value(m.value);
      }
    }
    out.end_object();
  }
  out.end_object();
}

// Loading a dump back: each redacted AuthToken of `config` becomes the one `held` has for that
// type, or goes when it has none.
void keep_auth_tokens(JsonText& kept, const JsonText* held_text) {
  if (!kept.is_object()) return;
  StoredJson config, held;
  kept.parse(config);
  if (held_text != nullptr) held_text->parse(held);
  for (auto& type : config.GetObject()) {
    if (!type.value.IsObject()) continue;
    const auto token = type.value.FindMember("AuthToken");
    if (token == type.value.MemberEnd() || !is_redacted(token->value)) continue;
    const JsonValue* held_type =
        held.IsObject() ? json_member(held, {type.name.GetString(), type.name.GetStringLength()}) : nullptr;
    const JsonValue* held_token = held_type != nullptr && held_type->IsObject() ? json_member(*held_type, "AuthToken") : nullptr;
    if (held_token != nullptr) {
      token->value.CopyFrom(*held_token, config.GetAllocator());
    } else {
      type.value.RemoveMember(token);
    }
  }
  kept.assign(config);
}

// The three sections SetNotifyConfig, SetAIAgentVoiceprint and SubmitAIAgentVideoAuditTask fill.
void apply_notify_configs(State& state, const JsonValue& section, const std::string& fallback_account) {
  const JsonValue* items = array_member(section, "notifyConfigs");
  if (items == nullptr) return;
  for (const JsonValue& item : items->GetArray()) {
    NotifyConfig config;
    const JsonValue* enable = json_member(item, "EnableNotify");
    config.enable_notify = enable != nullptr && enable->GetBool();
    config.callback_url = text(item, "CallbackUrl");
    config.event_types = text(item, "EventTypes");
    config.token = text(item, "Token");
    config.audio_oss_path = text(item, "AudioOssPath");
    const JsonValue* recording = json_member(item, "EnableAudioRecording");
    config.enable_audio_recording = recording != nullptr && recording->GetBool();
    NotifyConfig& held = state.account(text(item, "account", fallback_account)).notify_configs[text(item, "AIAgentId")];
    if (const JsonValue* token = json_member(item, "Token"); token != nullptr && is_redacted(*token)) {
      config.token = held.token;  // a redacted dump keeps the token already held
    }
    held = std::move(config);
  }
}

void apply_voiceprints(State& state, const JsonValue& section, const std::string& fallback_account, SystemTime now) {
  const JsonValue* items = array_member(section, "voiceprints");
  if (items == nullptr) return;
  for (const JsonValue& item : items->GetArray()) {
    Voiceprint v;
    v.id = text(item, "VoiceprintId");
    v.mode = text(item, "RegistrationMode", "Explicit");
    if (const JsonValue* input = json_member(item, "Input")) {
      v.input_type = text(*input, "Type", "url");
      v.input_format = text(*input, "Format", "wav");
      v.input_data = text(*input, "Data");
    }
    v.created = parse_gmt(text(item, "GmtCreate")).value_or(now);
    v.modified = parse_gmt(text(item, "GmtModified")).value_or(v.created);
    v.sequence = state.next_sequence++;
    state.account(text(item, "account", fallback_account)).voiceprints[{v.mode, v.id}] = std::move(v);
  }
}

void apply_video_audit_tasks(State& state, const JsonValue& section, const std::string& fallback_account, SystemTime now) {
  const JsonValue* items = array_member(section, "videoAuditTasks");
  if (items == nullptr) return;
  for (const JsonValue& item : items->GetArray()) {
    VideoAuditTask task;
    task.job_id = text(item, "JobId");
    task.agent_id = text(item, "AIAgentId");
    task.user_data = text(item, "UserData");
    if (const JsonValue* input = json_member(item, "Input")) {
      task.media = text(*input, "Media");
      task.input_type = text(*input, "Type", "OSS");
    }
    auto& tasks = state.account(text(item, "account", fallback_account)).video_audit_tasks;
    if (const JsonValue* callback = json_member(item, "CallbackConfig")) {
      task.callback_url = text(*callback, "Url");
      task.callback_token = text(*callback, "Token");
      if (const JsonValue* token = json_member(*callback, "Token"); token != nullptr && is_redacted(*token)) {
        const VideoAuditTask* held = find_task(state.account(text(item, "account", fallback_account)), task.job_id);
        task.callback_token = held != nullptr ? held->callback_token : std::string();
      }
    }
    if (const JsonValue* interval = json_member(item, "AuditInterval")) task.audit_interval_ms = interval->GetInt();
    if (const JsonValue* policies = json_member(item, "CapturePolicies")) {
      task.capture_policies.CopyFrom(*policies, task.capture_policies.GetAllocator());
    } else {
      task.capture_policies.SetArray();
    }
    task.created = parse_gmt(text(item, "GmtCreate")).value_or(now);
    // A seeded task is Finished unless it says Processing (then it finishes a second after
    // loading); a dumped one finishes when it would have.
    task.finishes = text(item, "Status") == "Processing" ? now + std::chrono::seconds(1) : task.created;
    if (const auto finishes = parse_gmt(text(item, "GmtFinish"))) task.finishes = *finishes;
    task.sequence = state.next_sequence++;
    std::erase_if(tasks, [&](const auto& entry) { return entry.second.job_id == task.job_id; });
    while (tasks.size() >= kVideoAuditTasksKept) tasks.erase(tasks.begin());
    tasks.emplace(task.sequence, std::move(task));
  }
}

// An unordered map's entries by key, so the dump's order does not depend on the hash table's.
template <typename Map>
std::vector<std::pair<std::string_view, const typename Map::mapped_type*>> sorted(const Map& map) {
  std::vector<std::pair<std::string_view, const typename Map::mapped_type*>> entries;
  for (const auto& [key, value] : map) entries.emplace_back(key, &value);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return entries;
}

// The members apply_instance_life reads, written when they hold something.
void write_instance_life(JsonWriter& out, const Instance& instance) {
  const InstanceExtras& life = instance.extras();
  if (instance.kind != InstanceKind::started) out.field("Kind", kind_name(instance.kind));
  if (life.chat_sync_config.is_object()) out.key("ChatSyncConfig").raw(life.chat_sync_config.text());
  const auto text_if = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) out.field(name, value);
  };
  text_if("CallerNumber", life.caller_number);
  text_if("CalledNumber", life.called_number);
  if (life.hangup_role != 0) out.field_int("HangupRole", life.hangup_role);
  text_if("ForwardedTo", life.forwarded_to);
  text_if("HumanAgentUserId", life.human_agent_user_id);
  text_if("UserId", life.user_id);
  text_if("ChannelId", life.channel_id);
  if (life.expire_seconds != 0) out.field_int("ExpireSeconds", life.expire_seconds);
}

}  // namespace

std::optional<FixtureIssue> IceVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const std::string at(pointer);
  DocumentReader reader;
  if (!reader.object(section, at,
                     {"accessKeys", "agents", "instances", "phoneNumbers", "notifyConfigs", "voiceprints",
                      "videoAuditTasks", "dialogues"})) {
    return reader.take_issue();
  }
  for (const auto& m : section.GetObject()) {
    if (!reader.array(m.value, json_pointer(at, {m.name.GetString(), m.name.GetStringLength()}))) return reader.take_issue();
  }
  const bool has_default_account = !default_account(section).empty();
  if (const JsonValue* keys = array_member(section, "accessKeys")) {
    for (rapidjson::SizeType i = 0; i < keys->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "accessKeys"), i);
      if (auto issue = check_object((*keys)[i], here,
                                    {{"accessKeyId", Field::string, true},
                                     {"accessKeySecret", Field::string, true},
                                     {"allow", Field::string_list},
                                     {"account", Field::string},
                                     {"allowNonceReuse", Field::boolean},
                                     {"securityToken", Field::string},
                                     {"expiration", Field::time}})) {
        return issue;
      }
      const JsonValue& item = (*keys)[i];
      const std::string id = text(item, "accessKeyId");
      const bool has_token = json_member(item, "securityToken") != nullptr;
      if (!has_token && id.starts_with("STS.")) {
        return FixtureIssue{json_pointer(here, "securityToken"), "is required for an STS.* access key"};
      }
      if (!has_token && json_member(item, "expiration") != nullptr) {
        return FixtureIssue{json_pointer(here, "expiration"), "needs a securityToken (only STS credentials expire)"};
      }
      // A redacted dump's secret and token stand for the ones already held for the same AccessKeyId.
      const auto earlier = [&] {
        for (rapidjson::SizeType j = 0; j < i; ++j) {
          if (text((*keys)[j], "accessKeyId") == id) return true;
        }
        return false;
      };
      for (std::string_view secret : {"accessKeySecret", "securityToken"}) {
        const JsonValue* v = json_member(item, secret);
        if (v == nullptr || !is_redacted(*v) || earlier()) continue;
        const auto held = state_.find_key(id);
        if (held == nullptr || (secret == "securityToken" && !held->is_sts())) {
          return FixtureIssue{json_pointer(here, secret), std::string(kRedactedUnknown)};
        }
      }
    }
  }
  if (const JsonValue* agents = array_member(section, "agents")) {
    for (rapidjson::SizeType i = 0; i < agents->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "agents"), i);
      if (auto issue = check_object((*agents)[i], here,
                                    {{"AIAgentId", Field::string, true}, {"account", Field::string}, {"type", Field::string}})) {
        return issue;
      }
      const std::string type = text((*agents)[i], "type", "voice");
      if (type != "voice" && type != "avatar" && type != "vision") {
        return FixtureIssue{json_pointer(here, "type"), "must be voice, avatar or vision"};
      }
    }
  }
  if (const JsonValue* instances = array_member(section, "instances")) {
    for (rapidjson::SizeType i = 0; i < instances->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "instances"), i);
      const JsonValue& item = (*instances)[i];
      if (auto issue = check_object(item, here,
                                    {{"InstanceId", Field::string, true},
                                     {"AIAgentId", Field::string, true},
                                     {"account", Field::string},
                                     {"Status", Field::string},
                                     {"RuntimeConfig", Field::object},
                                     {"AgentConfig", Field::object},
                                     {"TemplateConfig", Field::object},
                                     // The dump writes these empty when the instance has none.
                                     {"UserData", Field::any_string},
                                     {"SessionId", Field::any_string},
                                     {"CallLogUrl", Field::any_string},
                                     {"GmtCreate", Field::time},
                                     {"GmtModified", Field::time},
                                     // Written by the dump (apply_instance_life).
                                     {"Kind", Field::string},
                                     {"ChatSyncConfig", Field::object},
                                     {"CallerNumber", Field::any_string},
                                     {"CalledNumber", Field::any_string},
                                     {"HangupRole", Field::integer},
                                     {"ForwardedTo", Field::any_string},
                                     {"HumanAgentUserId", Field::any_string},
                                     {"UserId", Field::any_string},
                                     {"ChannelId", Field::any_string},
                                     {"ExpireSeconds", Field::integer}})) {
        return issue;
      }
      if (const std::string kind = text(item, "Kind", "started"); kind != "started" && kind != "generated" && kind != "outbound") {
        return FixtureIssue{json_pointer(here, "Kind"), "must be started, generated or outbound"};
      }
      const std::string status = text(item, "Status", "Executing");
      if (status != "Executing" && status != "Finished") {
        return FixtureIssue{json_pointer(here, "Status"), "must be Executing or Finished"};
      }
      if (json_member(item, "account") == nullptr && !has_default_account) {
        return FixtureIssue{here, "needs an account (this section has no accessKeys to take it from)"};
      }
    }
  }
  if (const JsonValue* numbers = array_member(section, "phoneNumbers")) {
    for (rapidjson::SizeType i = 0; i < numbers->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "phoneNumbers"), i);
      const JsonValue& item = (*numbers)[i];
      if (auto issue = check_object(item, here,
                                    {{"PhoneNumber", Field::string, true}, {"Status", Field::integer}, {"account", Field::string}})) {
        return issue;
      }
      if (const JsonValue* s = json_member(item, "Status"); s != nullptr && (s->GetInt() < 1 || s->GetInt() > 4)) {
        return FixtureIssue{json_pointer(here, "Status"), "must be 1 (activating), 2 (normal), 3 (deactivating) or 4"};
      }
      if (json_member(item, "account") == nullptr && !has_default_account) {
        return FixtureIssue{here, "needs an account (this section has no accessKeys to take it from)"};
      }
    }
  }
  const auto check_each = [&](std::string_view name, std::initializer_list<Field> fields) -> std::optional<FixtureIssue> {
    const JsonValue* items = array_member(section, name);
    if (items == nullptr) return std::nullopt;
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, name), i);
      if (auto issue = check_object((*items)[i], here, fields)) return issue;
      if (json_member((*items)[i], "account") == nullptr && !has_default_account) {
        return FixtureIssue{here, "needs an account (this section has no accessKeys to take it from)"};
      }
    }
    return std::nullopt;
  };
  if (auto issue = check_each("notifyConfigs", {{"AIAgentId", Field::string, true},
                                                {"account", Field::string},
                                                {"EnableNotify", Field::boolean},
                                                {"CallbackUrl", Field::any_string},
                                                {"EventTypes", Field::any_string},
                                                {"Token", Field::any_string},
                                                {"AudioOssPath", Field::any_string},
                                                {"EnableAudioRecording", Field::boolean}})) {
    return issue;
  }
  if (auto issue = check_each("voiceprints", {{"VoiceprintId", Field::string, true},
                                              {"RegistrationMode", Field::string},
                                              {"account", Field::string},
                                              {"Input", Field::object},
                                              {"GmtCreate", Field::time},
                                              {"GmtModified", Field::time}})) {
    return issue;
  }
  if (const JsonValue* items = array_member(section, "voiceprints")) {
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      const std::string mode = text((*items)[i], "RegistrationMode", "Explicit");
      if (mode != "Explicit" && mode != "Implicit") {
        return FixtureIssue{json_pointer(json_pointer(json_pointer(at, "voiceprints"), i), "RegistrationMode"),
                            "must be Explicit or Implicit"};
      }
    }
  }
  if (auto issue = check_each("videoAuditTasks", {{"JobId", Field::string, true},
                                                  {"AIAgentId", Field::string, true},
                                                  {"account", Field::string},
                                                  {"Input", Field::object},
                                                  {"CapturePolicies", Field::array},
                                                  {"AuditInterval", Field::integer},
                                                  {"CallbackConfig", Field::object},
                                                  {"UserData", Field::any_string},
                                                  {"GmtCreate", Field::time},
                                                  {"GmtFinish", Field::time},
                                                  {"Status", Field::string}})) {
    return issue;
  }
  if (auto issue = check_each("dialogues", {{"SessionId", Field::string, true},
                                            {"account", Field::string},
                                            {"Dialogues", Field::array, true}})) {
    return issue;
  }
  if (const JsonValue* items = array_member(section, "dialogues")) {
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(json_pointer(at, "dialogues"), i), "Dialogues");
      const JsonValue& list = (*items)[i]["Dialogues"];
      for (rapidjson::SizeType j = 0; j < list.Size(); ++j) {
        if (auto issue = check_object(list[j], json_pointer(here, j),
                                      {{"DialogueId", Field::string, true},
                                       {"RoundId", Field::any_string},
                                       {"NodeId", Field::any_string},
                                       {"Producer", Field::string},
                                       {"Source", Field::string},
                                       {"Type", Field::string},
                                       {"Text", Field::any_string},
                                       {"Time", Field::integer64}})) {
          return issue;
        }
      }
    }
  }
  return check_redacted_tokens(section, at);
}

// The tokens a dump redacts besides the access keys' (each instance's RuntimeConfig.<Type>.AuthToken,
// each notify config's Token, each video audit task's CallbackConfig.Token) stand for the ones
// held for the same account and id: earlier in this section, or in the live state.
std::optional<FixtureIssue> IceVendor::check_redacted_tokens(const JsonValue& section, const std::string& at) const {
  const std::string fallback = default_account(section);
  struct TokenList {
    std::string_view list, id_key;
    bool (*held)(const Account&, const std::string&);
  };
  static constexpr TokenList kLists[] = {
      {"instances", "InstanceId", [](const Account& a, const std::string& id) { return a.instances.contains(id); }},
      {"notifyConfigs", "AIAgentId", [](const Account& a, const std::string& id) { return a.notify_configs.contains(id); }},
      {"videoAuditTasks", "JobId", [](const Account& a, const std::string& id) { return find_task(a, id) != nullptr; }},
  };
  for (const TokenList& t : kLists) {
    const JsonValue* items = array_member(section, t.list);
    if (items == nullptr) continue;
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      const JsonValue& item = (*items)[i];
      const std::string redacted = redacted_token(item);
      if (redacted.empty()) continue;
      const std::string account = text(item, "account", fallback), id = text(item, t.id_key);
      bool known = false;
      for (rapidjson::SizeType j = 0; j < i && !known; ++j) {
        known = text((*items)[j], t.id_key) == id && text((*items)[j], "account", fallback) == account;
      }
      if (!known) {
        std::lock_guard lock(state_.mutex);
        const auto a = state_.accounts.find(account);
        known = a != state_.accounts.end() && t.held(a->second, id);
      }
      if (!known) return FixtureIssue{json_pointer(json_pointer(at, t.list), i) + redacted, std::string(kRedactedUnknown)};
    }
  }
  return std::nullopt;
}

void IceVendor::apply_fixture(const JsonValue& section) {
  const std::string fallback_account = default_account(section);
  const SystemTime now = context_.clock.now();
  std::lock_guard lock(state_.mutex);
  if (const JsonValue* keys = array_member(section, "accessKeys")) {
    for (const JsonValue& item : keys->GetArray()) {
      auto key = std::make_shared<AccessKey>();
      key->id = text(item, "accessKeyId");
      key->secret = text(item, "accessKeySecret");
      key->security_token = text(item, "securityToken");
      // A redacted dump keeps the secret and token already held (check_fixture made sure one is).
      if (const auto held = state_.keys.find(key->id); held != state_.keys.end()) {
        if (is_redacted(item["accessKeySecret"])) key->secret = held->second->secret;
        if (const JsonValue* token = json_member(item, "securityToken"); token != nullptr && is_redacted(*token)) {
          key->security_token = held->second->security_token;
        }
      }
      key->account = text(item, "account", key->id);
      if (const JsonValue* allow = json_member(item, "allow")) {
        for (const JsonValue& a : allow->GetArray()) key->allow.emplace_back(a.GetString(), a.GetStringLength());
      } else {
        key->allow = {"ice:*"};
      }
      if (const JsonValue* reuse = json_member(item, "allowNonceReuse")) key->allow_nonce_reuse = reuse->GetBool();
      if (const std::string expiration = text(item, "expiration"); !expiration.empty()) {
        key->expiration = parse_gmt(expiration);
      }
      state_.keys[key->id] = std::move(key);
    }
  }
  if (const JsonValue* agents = array_member(section, "agents")) {
    for (const JsonValue& item : agents->GetArray()) {
      Agent agent{text(item, "AIAgentId"), text(item, "account"), text(item, "type", "voice")};
      state_.agents[agent.id] = std::move(agent);
    }
  }
  if (const JsonValue* instances = array_member(section, "instances")) {
    for (const JsonValue& item : instances->GetArray()) {
      auto instance = std::make_unique<Instance>();
      instance->set_id(text(item, "InstanceId"));
      instance->status = text(item, "Status") == "Finished" ? InstanceStatus::finished : InstanceStatus::executing;
      extra_text(*instance, &InstanceExtras::user_data, item, "UserData");
      extra_text(*instance, &InstanceExtras::session_id, item, "SessionId");
      extra_text(*instance, &InstanceExtras::call_log_url, item, "CallLogUrl");
      if (const JsonValue* v = json_member(item, "RuntimeConfig")) instance->runtime_config.assign(*v);
      if (const JsonValue* v = json_member(item, "AgentConfig")) instance->make_extras().agent_config.assign(*v);
      if (const JsonValue* v = json_member(item, "TemplateConfig")) instance->make_extras().template_config.assign(*v);
      const Instance* held = state_.find_instance(text(item, "account", fallback_account), instance->id());
      keep_auth_tokens(instance->runtime_config, held != nullptr ? &held->runtime_config : nullptr);
      const std::string created = text(item, "GmtCreate");
      const std::string modified = text(item, "GmtModified");
      apply_instance_life(*instance, item);
      instance->created = created.empty() ? now : parse_gmt(created).value_or(now);
      instance->modified = modified.empty() ? instance->created : parse_gmt(modified).value_or(now);
      if (instance->status == InstanceStatus::finished) {
        InstanceExtras& finished = instance->make_extras();
        finished.finished = instance->modified;
        finished.finished_seen = now;  // a seeded Finished instance is kept for the retention from now
      }
      instance->sequence = state_.next_sequence++;
      const std::string account = text(item, "account", fallback_account);
      state_.account(account).add(std::move(instance), text(item, "AIAgentId"));
    }
  }
  if (const JsonValue* numbers = array_member(section, "phoneNumbers")) {
    for (const JsonValue& item : numbers->GetArray()) {
      const JsonValue* status = json_member(item, "Status");
      PhoneNumber number{text(item, "PhoneNumber"), status != nullptr ? status->GetInt() : 2};
      auto& list = state_.account(text(item, "account", fallback_account)).phone_numbers;
      const auto same = std::find_if(list.begin(), list.end(), [&](const PhoneNumber& p) { return p.number == number.number; });
      if (same != list.end()) {
        *same = std::move(number);
      } else {
        list.push_back(std::move(number));
      }
    }
  }
  apply_notify_configs(state_, section, fallback_account);
  apply_voiceprints(state_, section, fallback_account, now);
  apply_video_audit_tasks(state_, section, fallback_account, now);
  apply_dialogues(state_, section, fallback_account);
}

void IceVendor::clear_state() {
  {
    std::lock_guard lock(state_.mutex);
    state_.clear();
  }
  nonces_.clear();
}

void IceVendor::write_state(JsonWriter& out, const StateOptions& options) const {
  std::lock_guard lock(state_.mutex);
  out.begin_object();
  out.key("accessKeys").begin_array();
  for (const auto& [id, held] : sorted(state_.keys)) {
    const auto& key = *held;
    out.begin_object().field("accessKeyId", key->id).field("accessKeySecret", shown_secret(key->secret, options));
    out.field("account", key->account);
    out.key("allow").begin_array();
    for (const std::string& a : key->allow) out.string(a);
    out.end_array().field_bool("allowNonceReuse", key->allow_nonce_reuse);
    if (key->is_sts()) {
      out.field("securityToken", shown_secret(key->security_token, options));
      if (key->expiration) out.field("expiration", format_iso8601_seconds(*key->expiration));
    }
    out.end_object();
  }
  out.end_array();
  out.key("agents").begin_array();
  for (const auto& [id, agent] : sorted(state_.agents)) {
    out.begin_object().field("AIAgentId", agent->id);
    if (!agent->account.empty()) out.field("account", agent->account);
    out.field("type", agent->type).end_object();
  }
  out.end_array();
  const auto write_doc = [&](std::string_view name, const JsonText& doc) {
    if (doc.is_object()) out.key(name).raw(doc.text());
  };
  out.key("instances").begin_array();
  for (const auto& [account_id, account] : sorted(state_.accounts)) {
    // In creation order, so that a dump loaded back dumps the same.
    std::vector<const Instance*> instances;
    for (const auto& instance : account->instances) instances.push_back(instance.get());
    // GmtCreate keeps whole seconds: within one, by id, as a loaded dump would order them too.
    std::sort(instances.begin(), instances.end(), [](const Instance* a, const Instance* b) {
      const auto second = [](const Instance* i) { return std::chrono::floor<std::chrono::seconds>(i->created); };
      return std::pair(second(a), a->id()) < std::pair(second(b), b->id());
    });
    for (const Instance* instance : instances) {
      out.begin_object()
          .field("InstanceId", instance->id())
          .field("AIAgentId", instance->agent_id())
          .field("account", account_id)
          .field("Status", status_name(instance->status));
      if (instance->runtime_config.is_object()) {
        StoredJson runtime_config;
        instance->runtime_config.parse(runtime_config);
        write_runtime_config(out, runtime_config, options);
      }
      const InstanceExtras& extras = instance->extras();
      write_doc("AgentConfig", extras.agent_config);
      write_doc("TemplateConfig", extras.template_config);
      out.field("UserData", extras.user_data)
          .field("SessionId", extras.session_id)
          .field("CallLogUrl", extras.call_log_url)
          .field("GmtCreate", format_gmt(instance->created))
          .field("GmtModified", format_gmt(instance->modified));
      write_instance_life(out, *instance);
      out.end_object();
    }
  }
  out.end_array();
  out.key("dialogues").begin_array();
  for (const auto& [account_id, account] : sorted(state_.accounts)) {
    for (const auto& [session, entries] : sorted(account->dialogues)) {
      out.begin_object().field("account", account_id).field("SessionId", session).key("Dialogues").begin_array();
      for (const DialogueEntry& e : *entries) {
        out.begin_object()
            .field("DialogueId", e.dialogue_id)
            .field("RoundId", e.round_id)
            .field("NodeId", e.node_id)
            .field("Producer", e.producer)
            .field("Source", e.source)
            .field("Type", e.type)
            .field("Text", e.text)
            .field_int("Time", e.time_ms)
            .end_object();
      }
      out.end_array().end_object();
    }
  }
  out.end_array();
  out.key("phoneNumbers").begin_array();
  for (const auto& [account_id, account] : sorted(state_.accounts)) {
    for (const PhoneNumber& p : account->phone_numbers) {
      out.begin_object().field("PhoneNumber", p.number).field_int("Status", p.status).field("account", account_id).end_object();
    }
  }
  out.end_array();
  out.key("notifyConfigs").begin_array();
  for (const auto& [account_id, account] : sorted(state_.accounts)) {
    for (const auto& [agent_id, c] : account->notify_configs) {
      out.begin_object()
          .field("AIAgentId", agent_id)
          .field("account", account_id)
          .field_bool("EnableNotify", c.enable_notify)
          .field("CallbackUrl", c.callback_url)
          .field("EventTypes", c.event_types)
          .field("Token", shown_secret(c.token, options))
          .field("AudioOssPath", c.audio_oss_path)
          .field_bool("EnableAudioRecording", c.enable_audio_recording)
          .end_object();
    }
  }
  out.end_array();
  out.key("voiceprints").begin_array();
  for (const auto& [account_id, account] : sorted(state_.accounts)) {
    for (const auto& [key, v] : account->voiceprints) {
      out.begin_object()
          .field("VoiceprintId", v.id)
          .field("RegistrationMode", v.mode)
          .field("account", account_id);
      if (v.mode == "Explicit") {
        out.key("Input").begin_object().field("Type", v.input_type).field("Format", v.input_format).field("Data", v.input_data).end_object();
      }
      out.field("GmtCreate", format_gmt(v.created)).field("GmtModified", format_gmt(v.modified)).end_object();
    }
  }
  out.end_array();
  const SystemTime now = context_.clock.now();
  out.key("videoAuditTasks").begin_array();
  for (const auto& [account_id, account] : sorted(state_.accounts)) {
    for (const auto& [sequence, t] : account->video_audit_tasks) {
      out.begin_object().field("JobId", t.job_id).field("AIAgentId", t.agent_id).field("account", account_id);
      out.key("Input").begin_object().field("Media", t.media).field("Type", t.input_type).end_object();
      out.field_value("CapturePolicies", t.capture_policies);
      out.field_int("AuditInterval", t.audit_interval_ms);
      if (!t.callback_url.empty()) {
        out.key("CallbackConfig").begin_object().field("Url", t.callback_url).field("Token", shown_secret(t.callback_token, options)).end_object();
      }
      out.field("UserData", t.user_data)
          .field("GmtCreate", format_gmt(t.created))
          .field("GmtFinish", format_gmt(t.finishes))
          .field("Status", t.status(now))
          .end_object();
    }
  }
  out.end_array();
  out.end_object();
}

}  // namespace agentemu::ice
