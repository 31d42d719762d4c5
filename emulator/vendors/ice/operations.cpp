#include "vendors/ice/operations.hpp"

#include <array>

#include "core/text.hpp"

namespace agentemu::ice {
namespace {

using T = ParamType;

// ---- Patterns (hand-written matchers) ---------------------------------------------------------

bool iso_time(std::string_view v) { return parse_gmt(v).has_value(); }
constexpr Pattern kIsoTime{"yyyy-MM-ddTHH:mm:ssZ (ISO 8601, UTC)", iso_time};

bool positive_integer(std::string_view v) {
  if (v.empty() || v.size() > 9 || v.front() == '0') return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
constexpr Pattern kPositiveInteger{"[1-9][0-9]{0,8}", positive_integer};

bool phone_number(std::string_view v) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (v.size() < 3 || v.size() > 20) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
constexpr Pattern kPhoneNumber{"\\+?[0-9]{3,20}", phone_number};

// ---- Structures carried as JSON text (validated member by member; unknown members pass) -------

constexpr ParamSpec kString{.name = "item", .type = T::string};

constexpr ParamSpec kRuntimeBlock[] = {
    {.name = "AgentUserId", .type = T::string},
    {.name = "AuthToken", .type = T::string},
    {.name = "ChannelId", .type = T::string},
};
constexpr ParamSpec kRuntimeConfig[] = {
    {.name = "AgentUserId", .type = T::string},
    {.name = "AuthToken", .type = T::string},
    {.name = "ChannelId", .type = T::string},
    {.name = "VoiceChat", .type = T::object, .members = kRuntimeBlock},
    {.name = "AvatarChat3D", .type = T::object, .members = kRuntimeBlock},
    {.name = "VisionChat", .type = T::object, .members = kRuntimeBlock},
};

constexpr ParamSpec kChatSyncConfig[] = {
    {.name = "IMAIAgentId", .type = T::string},
    {.name = "ReceiverId", .type = T::string},
};

constexpr ParamSpec kAsrConfig[] = {
    {.name = "AsrHotWords", .type = T::array, .max_length = 128, .items = &kString},
    {.name = "AsrLanguageId", .type = T::string},
    {.name = "AsrMaxSilence", .type = T::integer, .min = 200, .max = 1200},
    {.name = "CustomParams", .type = T::string},
    {.name = "VadDuration", .type = T::integer, .min = 200, .max = 2000},
    {.name = "VadLevel", .type = T::integer, .min = 0, .max = 11},
};
constexpr ParamSpec kAmbientSoundConfig[] = {
    {.name = "ResourceId", .type = T::string},
    {.name = "Volume", .type = T::integer, .min = 0, .max = 100},
};
constexpr ParamSpec kAvatarConfig[] = {{.name = "AvatarId", .type = T::string}};
constexpr std::string_view kNoInterruptModes[] = {"cache", "discard"};
constexpr ParamSpec kInterruptConfig[] = {
    {.name = "EnableVoiceInterrupt", .type = T::boolean},
    {.name = "InterruptWords", .type = T::array, .items = &kString},
    {.name = "KeepInterruptWordsForLLM", .type = T::boolean},
    {.name = "NoInterruptMode", .type = T::string, .one_of = kNoInterruptModes},
};
constexpr ParamSpec kLlmHistoryItem[] = {
    {.name = "Role", .type = T::string},
    {.name = "Content", .type = T::string},
};
constexpr ParamSpec kLlmHistory{.name = "item", .type = T::object, .members = kLlmHistoryItem};
constexpr ParamSpec kLlmConfig[] = {
    {.name = "BailianAppParams", .type = T::string},
    {.name = "HistorySyncWithTTS", .type = T::boolean},
    {.name = "LlmCompleteReply", .type = T::boolean},
    {.name = "LlmHistory", .type = T::array, .items = &kLlmHistory},
    {.name = "LlmHistoryLimit", .type = T::integer, .min = 0},
    {.name = "LlmSystemPrompt", .type = T::string},
    {.name = "OpenAIExtraQuery", .type = T::string},
    {.name = "OutputMaxDelay", .type = T::integer, .min = 1000, .max = 10000},
    {.name = "OutputMinLength", .type = T::integer, .min = 0, .max = 100},
};
// In AIAgentOutboundCallConfig, LlmConfig.OutputMaxDelay is typed string.
constexpr ParamSpec kOutboundLlmConfig[] = {
    {.name = "BailianAppParams", .type = T::string},
    {.name = "LlmHistory", .type = T::array, .items = &kLlmHistory},
    {.name = "LlmHistoryLimit", .type = T::integer, .min = 0},
    {.name = "LlmSystemPrompt", .type = T::string},
    {.name = "OutputMinLength", .type = T::integer, .min = 0, .max = 100},
};
constexpr ParamSpec kTtsConfig[] = {
    {.name = "VoiceId", .type = T::string, .max_length = 64},
    {.name = "VoiceIdList", .type = T::array, .items = &kString},
    {.name = "SpeechRate", .type = T::number, .min = 0.5, .max = 2.0},
    {.name = "Emotion", .type = T::string},
    {.name = "LanguageId", .type = T::string},
    {.name = "ModelId", .type = T::string},
    {.name = "PronunciationRules", .type = T::array, .max_length = 20},
};
constexpr std::string_view kTurnModes[] = {"Normal", "Semantic"};
constexpr std::string_view kEagerness[] = {"Low", "Medium", "High"};
constexpr ParamSpec kTurnDetectionConfig[] = {
    {.name = "Mode", .type = T::string, .one_of = kTurnModes},
    {.name = "Eagerness", .type = T::string, .one_of = kEagerness},
    {.name = "SemanticWaitDuration", .type = T::integer, .min = -1, .max = 10000},
    {.name = "TurnEndWords", .type = T::array, .items = &kString},
};
constexpr std::string_view kRegistrationModes[] = {"Explicit", "Implicit"};
constexpr ParamSpec kVoiceprintConfig[] = {
    {.name = "UseVoiceprint", .type = T::boolean},
    {.name = "VoiceprintId", .type = T::string},
    {.name = "RegistrationMode", .type = T::string, .one_of = kRegistrationModes},
};

constexpr ParamSpec kAgentConfig[] = {
    {.name = "AmbientSoundConfig", .type = T::object, .members = kAmbientSoundConfig},
    {.name = "AsrConfig", .type = T::object, .members = kAsrConfig},
    {.name = "AutoSpeechConfig", .type = T::object},
    {.name = "AvatarConfig", .type = T::object, .members = kAvatarConfig},
    {.name = "AvatarUrl", .type = T::string},
    {.name = "AvatarUrlType", .type = T::string},
    {.name = "BackChannelingConfig", .type = T::array},
    {.name = "BackChannelingConfigs", .type = T::array},
    {.name = "EnableIntelligentSegment", .type = T::boolean},
    {.name = "EnablePushToTalk", .type = T::boolean},
    {.name = "ExperimentalConfig", .type = T::string},
    {.name = "GracefulShutdown", .type = T::boolean},
    {.name = "Greeting", .type = T::string},
    {.name = "InterruptConfig", .type = T::object, .members = kInterruptConfig},
    {.name = "LlmConfig", .type = T::object, .members = kLlmConfig},
    {.name = "MaxIdleTime", .type = T::integer, .min = 0},
    {.name = "TtsConfig", .type = T::object, .members = kTtsConfig},
    {.name = "TurnDetectionConfig", .type = T::object, .members = kTurnDetectionConfig},
    {.name = "UserOfflineTimeout", .type = T::integer, .min = 0},
    {.name = "UserOnlineTimeout", .type = T::integer, .min = 0},
    {.name = "VcrConfig", .type = T::object},
    {.name = "VoiceprintConfig", .type = T::object, .members = kVoiceprintConfig},
    {.name = "Volume", .type = T::integer, .min = 0, .max = 400},
    {.name = "WakeUpQuery", .type = T::string},
    {.name = "WorkflowOverrideParams", .type = T::string},
};

constexpr ParamSpec kOutboundCallConfig[] = {
    {.name = "AmbientSoundConfig", .type = T::object, .members = kAmbientSoundConfig},
    {.name = "AsrConfig", .type = T::object, .members = kAsrConfig},
    {.name = "AutoSpeechConfig", .type = T::object},
    {.name = "BackChannelingConfig", .type = T::object},
    {.name = "BackChannelingConfigs", .type = T::array},
    {.name = "EnableIntelligentSegment", .type = T::boolean},
    {.name = "ExperimentalConfig", .type = T::string},
    {.name = "Greeting", .type = T::string},
    {.name = "GreetingDelay", .type = T::integer, .min = 0, .max = 5000},
    {.name = "InterruptConfig", .type = T::object},
    {.name = "LlmConfig", .type = T::object, .members = kOutboundLlmConfig},
    {.name = "MaxIdleTime", .type = T::integer, .min = 0},
    {.name = "TtsConfig", .type = T::object, .members = kTtsConfig},
    {.name = "TurnDetectionConfig", .type = T::object, .members = kTurnDetectionConfig},
};

constexpr ParamSpec kTemplateBlock[] = {
    {.name = "AsrHotWords", .type = T::array, .items = &kString},
    {.name = "AsrMaxSilence", .type = T::integer, .min = 200, .max = 1200},
    {.name = "EnablePushToTalk", .type = T::boolean},
    {.name = "EnableVoiceInterrupt", .type = T::boolean},
    {.name = "Greeting", .type = T::string, .max_length = 128},
    {.name = "UseVoiceprint", .type = T::boolean},
    {.name = "VoiceId", .type = T::string},
    {.name = "Volume", .type = T::integer, .min = 0, .max = 400},
};
constexpr ParamSpec kTemplateConfig[] = {
    {.name = "VoiceChat", .type = T::object, .members = kTemplateBlock},
    {.name = "AvatarChat3D", .type = T::object, .members = kTemplateBlock},
    {.name = "VisionChat", .type = T::object, .members = kTemplateBlock},
};

// ---- The actions ------------------------------------------------------------------------------

constexpr ParamSpec kStart[] = {
    {.name = "AIAgentId", .required = true},
    {.name = "RuntimeConfig", .type = T::object, .required = true, .members = kRuntimeConfig},
    {.name = "AgentConfig", .type = T::object, .members = kAgentConfig},
    {.name = "ChatSyncConfig", .type = T::object, .members = kChatSyncConfig},
    {.name = "SessionId"},
    {.name = "TemplateConfig", .type = T::object, .members = kTemplateConfig},
    {.name = "UserData"},
};
constexpr ParamSpec kInstanceOnly[] = {{.name = "InstanceId", .required = true}};
constexpr ParamSpec kUpdate[] = {
    {.name = "InstanceId", .required = true},
    {.name = "AgentConfig", .type = T::object, .members = kAgentConfig},
    {.name = "TemplateConfig", .type = T::object, .members = kTemplateConfig},
    {.name = "UserData"},
};
constexpr ParamSpec kList[] = {
    {.name = "AIAgentId", .required = true},
    {.name = "StartTime", .pattern = &kIsoTime},
    {.name = "EndTime", .pattern = &kIsoTime},
    {.name = "PageSize", .type = T::integer, .min = 0, .max = 100},
    {.name = "PageNumber", .type = T::integer, .min = 1, .max = 100},
};
constexpr ParamSpec kGenerate[] = {
    {.name = "AIAgentId", .required = true},
    {.name = "AgentConfig", .type = T::object, .members = kAgentConfig},
    {.name = "ChatSyncConfig", .type = T::object, .members = kChatSyncConfig},
    {.name = "Expire", .type = T::integer, .min = 0, .max = 604800},
    {.name = "SessionId"},
    {.name = "TemplateConfig", .type = T::object, .members = kTemplateConfig},
    {.name = "UserData"},
    {.name = "UserId", .max_length = 64},
};
constexpr std::string_view kSpeechTypes[] = {"Text", "AudioUrl"};
constexpr ParamSpec kSpeech[] = {
    {.name = "InstanceId", .required = true},
    {.name = "Text", .required = true, .max_length = 1024},
    {.name = "Type", .one_of = kSpeechTypes},
    {.name = "EnableInterrupt", .type = T::boolean},
};
constexpr ParamSpec kText[] = {
    {.name = "InstanceId", .required = true},
    {.name = "Text", .required = true},
};
constexpr ParamSpec kDataChannel[] = {
    {.name = "InstanceId", .required = true},
    {.name = "Message", .type = T::json_text, .required = true, .max_length = 8192},
};
constexpr ParamSpec kAgentOnly[] = {{.name = "AIAgentId", .required = true}};
constexpr std::string_view kOrders[] = {"ASC", "DESC"};
constexpr ParamSpec kDialogues[] = {
    {.name = "SessionId", .required = true},
    {.name = "StartTime", .type = T::integer, .required = true, .min = 0},
    {.name = "EndTime", .type = T::integer, .required = true, .min = 0},
    {.name = "Order", .one_of = kOrders},
    {.name = "PageNumber", .type = T::integer, .min = 1},
    {.name = "PageSize", .type = T::integer, .min = 1, .max = 100},
    {.name = "RoundLimit", .pattern = &kPositiveInteger},
};
constexpr ParamSpec kDeleteDialogue[] = {
    {.name = "SessionId", .required = true},
    {.name = "DialogueId", .required = true},
    {.name = "NodeId"},
};
constexpr ParamSpec kOutbound[] = {
    {.name = "AIAgentId", .required = true},
    {.name = "CalledNumber", .required = true, .pattern = &kPhoneNumber},
    {.name = "CallerNumber", .required = true, .pattern = &kPhoneNumber},
    {.name = "Config", .type = T::object, .members = kOutboundCallConfig},
    {.name = "ImsAIAgentFreeObCall"},
    {.name = "SessionId"},
    {.name = "UserData"},
};
constexpr ParamSpec kPhoneNumbers[] = {
    {.name = "Number"},
    {.name = "PageNumber", .type = T::integer, .min = 1},
    {.name = "PageSize", .type = T::integer, .min = 1, .max = 100},
    {.name = "Status", .type = T::integer, .min = 1, .max = 4},
};

// ---- Checks the specs cannot express ----------------------------------------------------------

bool in(std::string_view name, std::span<const std::string_view> names) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// UpdateAIAgentInstance may change only VoiceId, EnableVoiceInterrupt, Greeting, Volume,
// EnablePushToTalk, UseVoiceprint and BailianAppParams, each where AIAgentConfig keeps it.
std::optional<CheckFailure> updatable_only(const IceCall& ice) {
  static constexpr std::string_view kTopLevel[] = {"Greeting", "Volume", "EnablePushToTalk"};
  struct Nested {
    std::string_view block;
    std::string_view key;
  };
  static constexpr Nested kNested[] = {{"TtsConfig", "VoiceId"},
                                       {"InterruptConfig", "EnableVoiceInterrupt"},
                                       {"VoiceprintConfig", "UseVoiceprint"},
                                       {"LlmConfig", "BailianAppParams"}};
  static constexpr std::string_view kUpdatable =
      "Greeting, Volume, EnablePushToTalk, TtsConfig.VoiceId, InterruptConfig.EnableVoiceInterrupt, "
      "VoiceprintConfig.UseVoiceprint, LlmConfig.BailianAppParams";
  static constexpr std::string_view kTemplateBlocks[] = {"VoiceChat", "AvatarChat3D", "VisionChat"};
  static constexpr std::string_view kTemplateKeys[] = {"VoiceId",          "EnableVoiceInterrupt", "Greeting",
                                                       "Volume",           "EnablePushToTalk",     "UseVoiceprint",
                                                       "AsrMaxSilence"};

  if (const std::string* text = ice.find("AgentConfig"); text != nullptr && !text->empty()) {
    JsonDocument doc;
    if (!parse_json(*text, doc) && doc.IsObject()) {
      for (const auto& m : doc.GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if (in(key, kTopLevel)) continue;
        const Nested* nested = nullptr;
        for (const Nested& n : kNested) {
          if (n.block == key) nested = &n;
        }
        if (nested == nullptr) {
          return CheckFailure{"AgentConfig." + std::string(key),
                              "it cannot be updated on a running instance (updatable: " + std::string(kUpdatable) + ")"};
        }
        if (!m.value.IsObject()) continue;  // the spec already required an object
        for (const auto& inner : m.value.GetObject()) {
          const std::string_view inner_key(inner.name.GetString(), inner.name.GetStringLength());
          if (inner_key != nested->key) {
            return CheckFailure{"AgentConfig." + std::string(key) + "." + std::string(inner_key),
                                "it cannot be updated on a running instance (updatable: " + std::string(kUpdatable) +
                                    ")"};
          }
        }
      }
    }
  }
  if (const std::string* text = ice.find("TemplateConfig"); text != nullptr && !text->empty()) {
    JsonDocument doc;
    if (!parse_json(*text, doc) && doc.IsObject()) {
      for (const auto& m : doc.GetObject()) {
        const std::string_view block(m.name.GetString(), m.name.GetStringLength());
        if (!in(block, kTemplateBlocks) || !m.value.IsObject()) {
          return CheckFailure{"TemplateConfig." + std::string(block),
                              "expected one of VoiceChat, AvatarChat3D, VisionChat"};
        }
        for (const auto& inner : m.value.GetObject()) {
          const std::string_view key(inner.name.GetString(), inner.name.GetStringLength());
          if (!in(key, kTemplateKeys)) {
            return CheckFailure{"TemplateConfig." + std::string(block) + "." + std::string(key),
                                "it cannot be updated on a running instance (updatable: " + join(kTemplateKeys) + ")"};
          }
        }
      }
    }
  }
  return std::nullopt;
}

// ---- The table --------------------------------------------------------------------------------

constexpr std::array kOperations = {
    Operation{"StartAIAgentInstance", kStart, start_instance},
    Operation{"StopAIAgentInstance", kInstanceOnly, stop_instance},
    Operation{"UpdateAIAgentInstance", kUpdate, update_instance, updatable_only},
    Operation{"DescribeAIAgentInstance", kInstanceOnly, describe_instance},
    Operation{"ListAIAgentInstance", kList, list_instances},
    Operation{"GenerateAIAgentCall", kGenerate, generate_call},
    Operation{"SendAIAgentSpeech", kSpeech, send_speech},
    Operation{"SendAIAgentText", kText, send_text},
    Operation{"SendAIAgentDataChannelMessage", kDataChannel, send_data_channel_message},
    Operation{"GetAIAgentConcurrency", kAgentOnly, get_concurrency},
    Operation{"ListAIAgentDialogues", kDialogues, list_dialogues},
    Operation{"DeleteAIAgentDialogue", kDeleteDialogue, delete_dialogue},
    Operation{"StartAIAgentOutboundCall", kOutbound, start_outbound_call},
    Operation{"ListAIAgentPhoneNumber", kPhoneNumbers, list_phone_numbers},
};

constexpr auto kNames = [] {
  std::array<std::string_view, kOperations.size()> names{};
  for (std::size_t i = 0; i < kOperations.size(); ++i) names[i] = kOperations[i].name;
  return names;
}();

}  // namespace

std::span<const Operation> operations() { return kOperations; }
std::span<const std::string_view> operation_names() { return kNames; }

const Operation* find_operation(std::string_view action, int& index) {
  for (std::size_t i = 0; i < kOperations.size(); ++i) {
    if (kOperations[i].name == action) {
      index = static_cast<int>(i);
      return &kOperations[i];
    }
  }
  index = -1;
  return nullptr;
}

bool is_parameter_name(std::string_view name) {
  for (const Operation& op : kOperations) {
    if (find_param(op.params, name) != nullptr) return true;
  }
  return false;
}

}  // namespace agentemu::ice
