// The 19 AI Agent actions as a table: name (the Action query value), body members as ParamSpecs
// (shared schemas from api-reference/shared-components.yaml) and the codes each may answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>

#include "core/validation.hpp"

namespace agentemu::zego {

enum class Op : int {
  RegisterAgent,
  UnregisterAgent,
  UpdateAgent,
  ListAgents,
  QueryAgents,
  CreateAgentInstance,
  CreateDigitalHumanAgentInstance,
  CreateLiveDigitalHumanAgentInstance,
  UpdateAgentInstance,
  DeleteAgentInstance,
  SendAgentInstanceLLM,
  SendAgentInstanceTTS,
  QueryAgentInstanceStatus,
  InterruptAgentInstance,
  GetAgentInstanceMsgList,
  ResetAgentInstanceMsgList,
  AddAgentInstanceMsg,
  StartListening,
  StopListening,
};
inline constexpr std::size_t kOperationCount = 19;

struct Operation {
  Op op;
  std::string_view name;
  std::span<const ParamSpec> body;       // JSON body members (or query members on GET)
  std::span<const std::int64_t> errors;  // business codes it can answer besides 410000003/4
};

std::span<const Operation> operations();
std::span<const std::string_view> operation_names();
// Index into operations() of an Action value, or -1.
int find_operation(std::string_view action);
inline const Operation& operation(Op op) { return operations()[static_cast<std::size_t>(op)]; }

// Shared schemas the handlers and fixtures reuse.
const ParamSpec& message_spec();          // MessageHistory.Messages[] / AddAgentInstanceMsg.Messages[]
std::span<const ParamSpec> llm_members();  // LLM
std::span<const ParamSpec> tts_members();  // TTS
std::span<const ParamSpec> asr_members();  // ASR
std::span<const ParamSpec> rtc_members();  // RTC of a standard instance
std::span<const ParamSpec> advanced_members();
std::span<const ParamSpec> callback_members();  // CallbackConfig of a standard instance

// Constraints a ParamSpec cannot express (an enum with a hole, one-of-two members, blank
// strings). Answers the Message of a 410000003, naming the member, or nothing.
std::optional<std::string> extra_violation(Op op, const JsonValue& body);

}  // namespace agentemu::zego
