#include "vendors/zego/operations.hpp"

#include <array>

#include "vendors/zego/errors.hpp"

namespace agentemu::zego {
namespace {

using T = ParamType;

constexpr bool alnum_char(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// "[...]+": one character or more, each passing `ok` (an empty value does not match, as the
// pattern text says; the match fuzz target holds each matcher to its text).
constexpr bool one_or_more(std::string_view v, bool (*ok)(char)) {
  if (v.empty()) return false;
  for (char c : v) {
    if (!ok(c)) return false;
  }
  return true;
}

// accessing-server-apis.mdx: AgentId may hold digits, letters and !#$%&()+-:;\<=.>?@[]^_{}|~,
constexpr Pattern kAgentIdPattern{
    "[0-9A-Za-z!#$%&()+\\-:;\\\\<=.>?@\\[\\]^_{}|~,]+", [](std::string_view v) {
      return one_or_more(v, [](char c) { return alnum_char(c) || std::string_view("!#$%&()+-:;\\<=.>?@[]^_{}|~,").find(c) != std::string_view::npos; });
    }};
// UserId: digits, letters, '-' and '_'.
constexpr Pattern kUserIdPattern{"[0-9A-Za-z_-]+", [](std::string_view v) {
                                   return one_or_more(v, [](char c) { return alnum_char(c) || c == '-' || c == '_'; });
                                 }};
// RTC schema: "only numbers, English characters, '_', '-', and '.' are supported".
constexpr Pattern kRtcIdPattern{"[0-9A-Za-z_.-]+", [](std::string_view v) {
                                  return one_or_more(v, [](char c) { return alnum_char(c) || c == '-' || c == '_' || c == '.'; });
                                }};

constexpr std::string_view kLlmVendors[] = {"OpenAIChat", "OpenAIResponses"};
constexpr std::string_view kAsrVendors[] = {"Tencent",      "AliyunParaformer", "Microsoft",
                                            "AliyunFunASR", "AliyunQwenASR",    "VolcSeedASR"};
constexpr std::string_view kRoles[] = {"user", "assistant"};
constexpr std::string_view kPriorities[] = {"Low", "Medium", "High"};
constexpr std::string_view kSamePriorityOptions[] = {"ClearAndInterrupt", "Enqueue"};
constexpr std::string_view kConfigIds[] = {"mobile", "web"};
constexpr std::string_view kEncodeCodes[] = {"H264"};

// ---- shared-components.yaml -------------------------------------------------------------

constexpr ParamSpec kRtc[] = {
    {.name = "RoomId", .required = true, .min_length = 1, .max_length = 128, .pattern = &kRtcIdPattern},
    {.name = "AgentStreamId", .required = true, .min_length = 1, .max_length = 128, .pattern = &kRtcIdPattern},
    {.name = "AgentUserId", .required = true, .min_length = 1, .max_length = 32, .pattern = &kRtcIdPattern},
    {.name = "UserStreamId", .required = true, .min_length = 1, .max_length = 128, .pattern = &kRtcIdPattern},
    {.name = "StreamExtraInfo", .max_length = 1024},
};

constexpr ParamSpec kRtcLive[] = {
    {.name = "RoomId", .required = true, .min_length = 1, .max_length = 128, .pattern = &kRtcIdPattern},
    {.name = "AgentStreamId", .required = true, .min_length = 1, .max_length = 128, .pattern = &kRtcIdPattern},
    {.name = "AgentUserId", .required = true, .min_length = 1, .max_length = 32, .pattern = &kRtcIdPattern},
    {.name = "StreamExtraInfo", .max_length = 1024},
};

constexpr ParamSpec kRtcUpdate[] = {
    {.name = "UserStreamId", .min_length = 1, .max_length = 128, .pattern = &kRtcIdPattern},
};

constexpr ParamSpec kCdn[] = {
    {.name = "Url", .required = true, .min_length = 1},
};

constexpr ParamSpec kLlm[] = {
    {.name = "Vendor", .one_of = kLlmVendors},
    {.name = "Url", .required = true, .min_length = 1},
    {.name = "ApiKey", .required = true},
    {.name = "Model", .required = true, .min_length = 1},
    {.name = "SystemPrompt"},
    {.name = "Temperature", .type = T::number, .min = 0.0, .max = 2.0},
    {.name = "TopP", .type = T::number, .min = 0.0, .max = 1.0},
    {.name = "Params", .type = T::object},
    {.name = "AddAgentInfo", .type = T::boolean},
    {.name = "AgentExtraInfo", .type = T::object},
};

constexpr ParamSpec kTtsParams[] = {
    {.name = "app", .type = T::object, .required = true},
};
constexpr ParamSpec kFilterText[] = {
    {.name = "BeginCharacters", .required = true},
    {.name = "EndCharacters", .required = true},
};
constexpr ParamSpec kFilterTextItem{.name = "FilterText", .type = T::object, .members = kFilterText};
constexpr ParamSpec kCharacterFilterItem{.name = "CharacterFilter", .max_length = 2};

// Vendor is a free string: the yaml's enum lacks "ByteDance", which the docs' own examples and
// ZEGO's sample server send (README, fidelity notes).
constexpr ParamSpec kTts[] = {
    {.name = "Vendor", .required = true, .min_length = 1},
    {.name = "Url"},
    {.name = "Params", .type = T::object, .required = true, .members = kTtsParams},
    {.name = "FilterText", .type = T::array, .items = &kFilterTextItem},
    {.name = "TerminatorText", .max_length = 4},
    {.name = "CharacterFilter", .type = T::array, .items = &kCharacterFilterItem},
};

constexpr ParamSpec kAsr[] = {
    {.name = "Vendor", .one_of = kAsrVendors},
    {.name = "Params", .type = T::object},
    {.name = "VADSilenceSegmentation", .type = T::number, .min = 200.0, .max = 2000.0},
    {.name = "PauseInterval", .type = T::number, .min = 200.0, .max = 2000.0},
    {.name = "VADSensitiveLevel", .type = T::integer, .min = 0.0, .max = 3.0},
    {.name = "VADMinSpeechDur", .type = T::number, .min = 0.0, .max = 1000.0},
    {.name = "VADEnergyThreshold", .type = T::number, .min = 0.0, .max = 1.0},
    {.name = "HotWord"},
};

constexpr ParamSpec kTurnDetect[] = {
    {.name = "SilenceSegmentation", .type = T::integer, .min = 200.0, .max = 2000.0},
    {.name = "PauseInterval", .type = T::integer, .min = 200.0, .max = 2000.0},
};
constexpr ParamSpec kSensitive[] = {
    {.name = "Level", .type = T::integer, .min = 0.0, .max = 3.0},
    {.name = "MinSpeechDur", .type = T::integer, .min = 0.0, .max = 1000.0},
    {.name = "EnergyThreshold", .type = T::number, .min = 0.0, .max = 1.0},
};
constexpr ParamSpec kVoiceDetect[] = {
    {.name = "SensitiveConfig", .type = T::object, .members = kSensitive},
};
constexpr ParamSpec kVad[] = {
    {.name = "TurnDetectConfig", .type = T::object, .members = kTurnDetect},
    {.name = "VoiceDetectConfig", .type = T::object, .members = kVoiceDetect},
};

constexpr ParamSpec kMessageMembers[] = {
    {.name = "Role", .required = true, .one_of = kRoles},
    {.name = "Content", .required = true},
};
constexpr ParamSpec kMessage{.name = "Message", .type = T::object, .members = kMessageMembers};

constexpr ParamSpec kZim[] = {
    {.name = "RobotId"},
    {.name = "LoadMessageCount", .type = T::integer, .min = 0.0, .max = 500.0},
};
constexpr ParamSpec kMessageHistory[] = {
    {.name = "SyncMode", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "Messages", .type = T::array, .max_length = 100, .items = &kMessage},
    {.name = "WindowSize", .type = T::integer, .min = 0.0, .max = 500.0},
    {.name = "ZIM", .type = T::object, .members = kZim},
};

constexpr ParamSpec kCallback[] = {
    {.name = "ASRResult", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "LLMResult", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "Interrupted", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "UserSpeakAction", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "AgentInstanceStatus", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "UserAudioData", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "HostTag"},
};
constexpr ParamSpec kCallbackLive[] = {
    {.name = "Interrupted", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "AgentInstanceStatus", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "HostTag"},
};

constexpr ParamSpec kSendMetaKey{.name = "SendMetaKeys"};
constexpr ParamSpec kLlmMetaInfo[] = {
    {.name = "BeginCharacters", .min_length = 1},
    {.name = "EndCharacters", .min_length = 1},
    {.name = "SendMetaKeys", .type = T::array, .items = &kSendMetaKey},
};
// CommunicationMode's enum is [0, 2]; extra_violation() refuses 1, since a ParamSpec's range
// cannot leave a hole.
constexpr ParamSpec kAdvanced[] = {
    {.name = "InterruptMode", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "MaxIdleTime", .type = T::integer, .min = 10.0, .max = 1800.0},
    {.name = "DisableTTS", .type = T::boolean},
    {.name = "CommunicationMode", .type = T::integer, .min = 0.0, .max = 2.0},
    {.name = "LLMMetaInfo", .type = T::object, .members = kLlmMetaInfo},
    {.name = "AddASRInfo", .type = T::boolean},
    {.name = "TTSParamPaths", .type = T::object},
};
constexpr ParamSpec kAdvancedLive[] = {
    {.name = "MaxIdleTime", .type = T::integer, .min = 30.0, .max = 86400.0},
    {.name = "DisableTTS", .type = T::boolean},
    {.name = "TTSParamPaths", .type = T::object},
};

constexpr ParamSpec kDigitalHuman[] = {
    {.name = "DigitalHumanId", .required = true, .min_length = 1},
    {.name = "ConfigId", .one_of = kConfigIds},
    {.name = "EncodeCode", .one_of = kEncodeCodes},
};

// ---- the actions' bodies ---------------------------------------------------------------------

constexpr ParamSpec kInstanceIdOnly[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
};

constexpr ParamSpec kRegisterAgent[] = {
    {.name = "AgentId", .required = true, .min_length = 1, .max_length = 128, .pattern = &kAgentIdPattern},
    {.name = "Name", .max_length = 256},
    {.name = "LLM", .type = T::object, .members = kLlm},
    {.name = "TTS", .type = T::object, .members = kTts},
    {.name = "ASR", .type = T::object, .members = kAsr},
};
constexpr ParamSpec kUnregisterAgent[] = {
    {.name = "AgentId", .required = true, .min_length = 1},
};
// update-agent.yaml allows a Name of 64 characters where register-agent.yaml allows 256.
constexpr ParamSpec kUpdateAgent[] = {
    {.name = "AgentId", .required = true, .min_length = 1},
    {.name = "Name", .max_length = 64},
    {.name = "LLM", .type = T::object, .members = kLlm},
    {.name = "TTS", .type = T::object, .members = kTts},
    {.name = "ASR", .type = T::object, .members = kAsr},
};
constexpr ParamSpec kListAgents[] = {
    {.name = "Limit", .type = T::integer, .min = 0.0, .max = 10.0},
    {.name = "Cursor"},
};
constexpr ParamSpec kAgentIdItem{.name = "AgentIds"};
constexpr ParamSpec kQueryAgents[] = {
    {.name = "AgentIds", .type = T::array, .required = true, .max_length = 10, .items = &kAgentIdItem},
};

constexpr ParamSpec kCreateInstance[] = {
    {.name = "AgentId", .required = true, .min_length = 1},
    {.name = "UserId", .required = true, .min_length = 1, .max_length = 32, .pattern = &kUserIdPattern},
    {.name = "RTC", .type = T::object, .required = true, .members = kRtc},
    {.name = "LLM", .type = T::object, .members = kLlm},
    {.name = "TTS", .type = T::object, .members = kTts},
    {.name = "ASR", .type = T::object, .members = kAsr},
    {.name = "VAD", .type = T::object, .members = kVad},
    {.name = "MessageHistory", .type = T::object, .members = kMessageHistory},
    {.name = "CallbackConfig", .type = T::object, .members = kCallback},
    {.name = "AdvancedConfig", .type = T::object, .members = kAdvanced},
};
constexpr ParamSpec kCreateDigitalHumanInstance[] = {
    {.name = "AgentId", .required = true, .min_length = 1},
    {.name = "UserId", .required = true, .min_length = 1, .max_length = 32, .pattern = &kUserIdPattern},
    {.name = "RTC", .type = T::object, .required = true, .members = kRtc},
    {.name = "LLM", .type = T::object, .members = kLlm},
    {.name = "TTS", .type = T::object, .members = kTts},
    {.name = "ASR", .type = T::object, .members = kAsr},
    {.name = "VAD", .type = T::object, .members = kVad},
    {.name = "MessageHistory", .type = T::object, .members = kMessageHistory},
    {.name = "CallbackConfig", .type = T::object, .members = kCallback},
    {.name = "AdvancedConfig", .type = T::object, .members = kAdvanced},
    {.name = "DigitalHuman", .type = T::object, .required = true, .members = kDigitalHuman},
};
constexpr ParamSpec kCreateLiveDigitalHumanInstance[] = {
    {.name = "AgentId", .required = true, .min_length = 1},
    {.name = "RTC", .type = T::object, .members = kRtcLive},
    {.name = "CDN", .type = T::object, .members = kCdn},
    {.name = "TTS", .type = T::object, .members = kTts},
    {.name = "CallbackConfig", .type = T::object, .members = kCallbackLive},
    {.name = "AdvancedConfig", .type = T::object, .members = kAdvancedLive},
    {.name = "DigitalHuman", .type = T::object, .required = true, .members = kDigitalHuman},
};
constexpr ParamSpec kUpdateInstance[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
    {.name = "LLM", .type = T::object, .members = kLlm},
    {.name = "TTS", .type = T::object, .members = kTts},
    {.name = "ASR", .type = T::object, .members = kAsr},
    {.name = "RTC", .type = T::object, .members = kRtcUpdate},
};
constexpr ParamSpec kDeleteInstance[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
    {.name = "GracefulShutdown", .type = T::boolean},
    {.name = "GracefulShutdownTimeout", .type = T::integer, .min = 1.0, .max = 120.0},
};
constexpr ParamSpec kSendLlm[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
    {.name = "Text", .required = true, .min_length = 1},
    {.name = "SystemPrompt"},
    {.name = "AddQuestionToHistory", .type = T::boolean},
    {.name = "AddAnswerToHistory", .type = T::boolean},
    {.name = "Priority", .one_of = kPriorities},
    {.name = "SamePriorityOption", .one_of = kSamePriorityOptions},
};
constexpr ParamSpec kSendTts[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
    {.name = "Text", .required = true, .min_length = 1, .max_length = 300},
    {.name = "AddHistory", .type = T::boolean},
    {.name = "InterruptMode", .type = T::integer, .min = 0.0, .max = 1.0},
    {.name = "Priority", .one_of = kPriorities},
    {.name = "SamePriorityOption", .one_of = kSamePriorityOptions},
};
constexpr ParamSpec kAddMessages[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
    {.name = "Messages", .type = T::array, .items = &kMessage},
};
constexpr ParamSpec kListening[] = {
    {.name = "AgentInstanceId", .required = true, .min_length = 1},
    {.name = "UserId", .min_length = 1, .max_length = 32, .pattern = &kUserIdPattern},
    {.name = "Sequence", .type = T::integer},
};

// ---- the codes each action can answer (besides the gateway's, 410000003 and 410000004) -------
using namespace code;
constexpr std::int64_t kRegisterErrors[] = {kAgentExists, kZegoTestUrl};
constexpr std::int64_t kAgentErrors[] = {kAgentNotFound};
constexpr std::int64_t kUpdateAgentErrors[] = {kAgentNotFound, kZegoTestUrl};
constexpr std::int64_t kNoErrors[] = {kSystemError};
constexpr std::int64_t kCreateErrors[] = {kAgentNotFound, kInstanceLimit, kZegoTestUrl};
constexpr std::int64_t kCreateDigitalErrors[] = {kAgentNotFound, kInstanceLimit, kDigitalHumanLimit,
                                                 kDigitalHumanStreamDuplicate, kZegoTestUrl};
constexpr std::int64_t kInstanceErrors[] = {kInstanceNotFound, kShuttingDown, kLiveDigitalHuman};
constexpr std::int64_t kUpdateInstanceErrors[] = {kInstanceNotFound, kShuttingDown, kLiveDigitalHuman, kZegoTestUrl};
constexpr std::int64_t kDeleteErrors[] = {kInstanceNotFound, kShuttingDown};
constexpr std::int64_t kSendLlmErrors[] = {kInstanceNotFound, kShuttingDown, kLiveDigitalHuman, kAgentListening,
                                           kActiveLlmFailed};
constexpr std::int64_t kSendTtsErrors[] = {kInstanceNotFound, kShuttingDown, kAgentListening, kActiveTtsFailed};
constexpr std::int64_t kStatusErrors[] = {kInstanceNotFound, kShuttingDown};
constexpr std::int64_t kListeningErrors[] = {kInstanceNotFound, kShuttingDown, kLiveDigitalHuman, kNotWalkieTalkie,
                                             kStaleSequence};

constexpr std::array<Operation, kOperationCount> kOperations = {{
    {Op::RegisterAgent, "RegisterAgent", kRegisterAgent, kRegisterErrors},
    {Op::UnregisterAgent, "UnregisterAgent", kUnregisterAgent, kAgentErrors},
    {Op::UpdateAgent, "UpdateAgent", kUpdateAgent, kUpdateAgentErrors},
    {Op::ListAgents, "ListAgents", kListAgents, kNoErrors},
    {Op::QueryAgents, "QueryAgents", kQueryAgents, kNoErrors},
    {Op::CreateAgentInstance, "CreateAgentInstance", kCreateInstance, kCreateErrors},
    {Op::CreateDigitalHumanAgentInstance, "CreateDigitalHumanAgentInstance", kCreateDigitalHumanInstance,
     kCreateDigitalErrors},
    {Op::CreateLiveDigitalHumanAgentInstance, "CreateLiveDigitalHumanAgentInstance", kCreateLiveDigitalHumanInstance,
     kCreateDigitalErrors},
    {Op::UpdateAgentInstance, "UpdateAgentInstance", kUpdateInstance, kUpdateInstanceErrors},
    {Op::DeleteAgentInstance, "DeleteAgentInstance", kDeleteInstance, kDeleteErrors},
    {Op::SendAgentInstanceLLM, "SendAgentInstanceLLM", kSendLlm, kSendLlmErrors},
    {Op::SendAgentInstanceTTS, "SendAgentInstanceTTS", kSendTts, kSendTtsErrors},
    {Op::QueryAgentInstanceStatus, "QueryAgentInstanceStatus", kInstanceIdOnly, kStatusErrors},
    {Op::InterruptAgentInstance, "InterruptAgentInstance", kInstanceIdOnly, kInstanceErrors},
    {Op::GetAgentInstanceMsgList, "GetAgentInstanceMsgList", kInstanceIdOnly, kInstanceErrors},
    {Op::ResetAgentInstanceMsgList, "ResetAgentInstanceMsgList", kInstanceIdOnly, kInstanceErrors},
    {Op::AddAgentInstanceMsg, "AddAgentInstanceMsg", kAddMessages, kInstanceErrors},
    {Op::StartListening, "StartListening", kListening, kListeningErrors},
    {Op::StopListening, "StopListening", kListening, kListeningErrors},
}};

constexpr auto kNames = [] {
  std::array<std::string_view, kOperationCount> names{};
  for (std::size_t i = 0; i < kOperationCount; ++i) names[i] = kOperations[i].name;
  return names;
}();

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kOperationCount; ++i) {
    if (static_cast<std::size_t>(kOperations[i].op) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order());

}  // namespace

std::span<const Operation> operations() { return kOperations; }
std::span<const std::string_view> operation_names() { return kNames; }

int find_operation(std::string_view action) {
  for (std::size_t i = 0; i < kOperationCount; ++i) {
    if (kNames[i] == action) return static_cast<int>(i);
  }
  return -1;
}

const ParamSpec& message_spec() { return kMessage; }
std::span<const ParamSpec> llm_members() { return kLlm; }
std::span<const ParamSpec> tts_members() { return kTts; }
std::span<const ParamSpec> asr_members() { return kAsr; }
std::span<const ParamSpec> rtc_members() { return kRtc; }
std::span<const ParamSpec> advanced_members() { return kAdvanced; }
std::span<const ParamSpec> callback_members() { return kCallback; }

std::optional<std::string> extra_violation(Op op, const JsonValue& body) {
  const JsonValue* advanced = json_member(body, "AdvancedConfig");
  if (advanced != nullptr && advanced->IsObject()) {
    if (const JsonValue* mode = json_member(*advanced, "CommunicationMode"); mode && mode->IsInt64() && mode->GetInt64() == 1) {
      return "AdvancedConfig.CommunicationMode must be one of: 0, 2";
    }
    // "Cannot be empty or only whitespace".
    if (const JsonValue* meta = json_member(*advanced, "LLMMetaInfo"); meta && meta->IsObject()) {
      for (std::string_view name : {std::string_view("BeginCharacters"), std::string_view("EndCharacters")}) {
        const JsonValue* v = json_member(*meta, name);
        if (v == nullptr || !v->IsString()) continue;
        const std::string_view text(v->GetString(), v->GetStringLength());
        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
          return "AdvancedConfig.LLMMetaInfo." + std::string(name) + " must not be empty or only whitespace";
        }
      }
    }
  }
  if (op == Op::CreateLiveDigitalHumanAgentInstance) {
    const JsonValue* rtc = json_member(body, "RTC");
    const JsonValue* cdn = json_member(body, "CDN");
    if ((rtc == nullptr || rtc->IsNull()) && (cdn == nullptr || cdn->IsNull())) return "RTC or CDN is required";
  }
  return std::nullopt;
}

}  // namespace agentemu::zego
