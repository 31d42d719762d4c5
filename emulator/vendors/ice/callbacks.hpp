// ICE's agent callbacks ("Agent callbacks" user guide, help.aliyun.com/zh/ims/user-guide/
// agent-callback): a JSON POST {aiAgentId, instanceId, event, code, message, timestamp, userData,
// data, extendData} to the agent's notify config (SetNotifyConfig: EnableNotify, CallbackUrl,
// EventTypes, Token as "Authorization: Bearer <Token>"), and the result of a video audit task to
// its CallbackConfig {Url, Token}. Built with the state's mutex held; sent after it is released.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/callbacks/callbacks.hpp"
#include "vendors/ice/state.hpp"

namespace agentemu::ice {

struct Notice {
  std::string_view event;  // agent_start, session_start, agent_stop, intent_recognized, ...
  std::string message;
  std::string data;         // a JSON object as text, or "" for none
  std::string extend_data;  // likewise
};

// The notice as the agent's notify config asks for it, or nothing when the config is off, has no
// URL, or its EventTypes leave this event out.
void notify_agent(const Account& account, const Instance& instance, const Notice& notice, SystemTime now,
                  std::vector<CallbackRequest>& out);

// The data of chat_record and the extendData of the workflow events for one dialogue entry.
std::string chat_record_data(const DialogueEntry& entry);
std::string workflow_extend_data(const Instance& instance, const DialogueEntry& entry, SystemTime now);

// The finished task's result to its CallbackConfig.Url (nothing without one).
void notify_video_audit(const VideoAuditTask& task, SystemTime now, std::vector<CallbackRequest>& out);

// When a submitted video audit task is due to call back.
struct AuditWake {
  SystemTime at;
  std::string account;
  std::uint64_t sequence = 0;
};

}  // namespace agentemu::ice
