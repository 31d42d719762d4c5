#include "vendors/ice/operations.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <vector>

#include "core/text.hpp"
#include "vendors/ice/model.hpp"

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

// Where ICE calls back: an absolute http(s) URL with a host.
bool http_url(std::string_view v) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (v.size() > scheme.size() && v.substr(0, scheme.size()) == scheme && v[scheme.size()] != '/') return true;
  }
  return false;
}
constexpr Pattern kHttpUrl{"an http:// or https:// URL with a host", http_url};

// SetNotifyConfig's EventTypes: comma-separated event names such as agent_start,agent_stop,error.
bool event_list(std::string_view v) {
  if (v.empty() || v.size() > 1024) return false;
  bool item = false;
  for (char c : v) {
    if (c == ',') {
      if (!item) return false;
      item = false;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      item = true;
    } else {
      return false;
    }
  }
  return item;
}
constexpr Pattern kEventList{"event[,event...] (agent_start, agent_stop, error, ...)", event_list};

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

constexpr ParamSpec kForward[] = {
    {.name = "CalledNumber", .required = true, .pattern = &kPhoneNumber},
    {.name = "CallerNumber", .pattern = &kPhoneNumber},
    {.name = "ErrorPrompt"},
    {.name = "InstanceId", .required = true},
    {.name = "TransferPrompt"},
};
constexpr ParamSpec kTakeover[] = {
    {.name = "HumanAgentUserId", .max_length = 64},
    {.name = "InstanceId", .required = true},
    {.name = "RequireToken", .type = T::boolean},
};
constexpr std::string_view kAudioFormats[] = {"wav", "WAV"};
constexpr std::string_view kAudioSources[] = {"url", "oss"};
constexpr ParamSpec kVoiceprintInput[] = {
    {.name = "Data", .required = true, .max_length = 2048},
    {.name = "Format", .one_of = kAudioFormats},
    {.name = "Type", .one_of = kAudioSources},
};
constexpr ParamSpec kSetVoiceprint[] = {
    {.name = "Input", .type = T::object, .required = true, .members = kVoiceprintInput},
    {.name = "VoiceprintId", .min_length = 1, .max_length = 127},
};
constexpr ParamSpec kClearVoiceprint[] = {
    {.name = "RegistrationMode", .one_of = kRegistrationModes},
    {.name = "VoiceprintId", .max_length = 127},
};
constexpr ParamSpec kListVoiceprints[] = {
    {.name = "PageNumber", .type = T::integer, .min = 1},
    {.name = "PageSize", .type = T::integer, .min = 1, .max = 100},
    {.name = "RegistrationMode", .one_of = kRegistrationModes},
    {.name = "VoiceprintId", .max_length = 127},
};
constexpr ParamSpec kAuditCallback[] = {
    {.name = "Token", .max_length = 1024},
    {.name = "Url", .required = true, .max_length = 2048, .pattern = &kHttpUrl},
};
constexpr std::string_view kAuditInputTypes[] = {"OSS"};
constexpr ParamSpec kAuditInput[] = {
    {.name = "Media", .required = true, .max_length = 2048, .pattern = &kHttpUrl},
    {.name = "Type", .one_of = kAuditInputTypes},
};
constexpr ParamSpec kCapturePolicy[] = {
    {.name = "Duration", .type = T::integer, .min = 0, .max = 86400},
    {.name = "FrameCount", .type = T::integer, .min = 1, .max = 1000},
    {.name = "Prompt", .max_length = 4096},
    {.name = "StartTime", .type = T::integer, .min = 0, .max = 86400},
};
// Items are checked by check_capture_policies: the generic validator does not reach into the
// items of an array sent as JSON text.
constexpr ParamSpec kCapturePolicyItem{.name = "item", .type = T::object, .members = kCapturePolicy};
constexpr ParamSpec kVideoAudit[] = {
    {.name = "AIAgentId", .required = true},
    {.name = "AuditInterval", .type = T::integer, .min = 0, .max = 5000},
    {.name = "CallbackConfig", .type = T::object, .members = kAuditCallback},
    {.name = "CapturePolicies", .type = T::array, .required = true, .min_length = 1, .max_length = 100},
    {.name = "Input", .type = T::object, .required = true, .members = kAuditInput},
    {.name = "UserData", .max_length = 4096},
};
constexpr ParamSpec kSetNotify[] = {
    {.name = "AIAgentId", .required = true},
    {.name = "AudioOssPath", .max_length = 1024},
    {.name = "CallbackUrl", .max_length = 2048, .pattern = &kHttpUrl},
    {.name = "EnableAudioRecording", .type = T::boolean},
    {.name = "EnableNotify", .type = T::boolean, .required = true},
    {.name = "EventTypes", .pattern = &kEventList},
    {.name = "Token", .max_length = 1024},
};

// ---- Checks the specs cannot express ----------------------------------------------------------

std::optional<CheckFailure> check_capture_policies(const IceCall& ice) {
  JsonDocument doc;
  if (parse_json(ice.get("CapturePolicies"), doc) || !doc.IsArray()) return std::nullopt;  // the spec said so
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const std::string path = "CapturePolicies[" + std::to_string(i) + "]";
    if (auto violation = validate_value(kCapturePolicyItem, ParamValue::of_json(&doc[i]), path)) {
      return CheckFailure{violation->path, violation->message};
    }
  }
  return std::nullopt;
}

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
    Operation{"ForwardAIAgentCall", kForward, forward_call},
    Operation{"TakeoverAIAgentCall", kTakeover, takeover_call},
    Operation{"SetAIAgentVoiceprint", kSetVoiceprint, set_voiceprint},
    Operation{"ClearAIAgentVoiceprint", kClearVoiceprint, clear_voiceprint},
    Operation{"ListAIAgentVoiceprints", kListVoiceprints, list_voiceprints},
    Operation{"SubmitAIAgentVideoAuditTask", kVideoAudit, submit_video_audit_task, check_capture_policies},
    Operation{"SetNotifyConfig", kSetNotify, set_notify_config},
    Operation{"DescribeNotifyConfig", kAgentOnly, describe_notify_config},
};

// Every real action: the table's rows first (their index is the row's), then the rest of the
// SDK model in its order. The journal, metrics and scenarios name an action by this index.
struct ActionNames {
  std::vector<std::string_view> names;
  std::unordered_map<std::string_view, int> index;
};

const ActionNames& action_names() {
  static const ActionNames all = [] {
    ActionNames out;
    for (const Operation& op : kOperations) out.names.push_back(op.name);
    for (const ModelAction& action : api_model().actions) {
      if (std::find(out.names.begin(), out.names.end(), action.name) == out.names.end()) {
        out.names.push_back(action.name);
      }
    }
    for (std::size_t i = 0; i < out.names.size(); ++i) out.index.emplace(out.names[i], static_cast<int>(i));
    return out;
  }();
  return all;
}

}  // namespace

std::span<const Operation> operations() { return kOperations; }
std::span<const std::string_view> operation_names() { return action_names().names; }

int action_index(std::string_view action) {
  const auto& index = action_names().index;
  const auto it = index.find(action);
  return it == index.end() ? -1 : it->second;
}

const Operation* emulated_operation(int index) {
  return index >= 0 && static_cast<std::size_t>(index) < kOperations.size() ? &kOperations[static_cast<std::size_t>(index)]
                                                                          : nullptr;
}

bool is_parameter_name(std::string_view name) {
  for (const Operation& op : kOperations) {
    if (find_param(op.params, name) != nullptr) return true;
  }
  for (const ModelAction& action : api_model().actions) {
    for (const ModelParam& param : action.params) {
      if (param.name == name) return true;
    }
  }
  return false;
}

}  // namespace agentemu::ice
