#include "vendors/ice/callbacks.hpp"

#include <chrono>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/text.hpp"

namespace agentemu::ice {
namespace {

using namespace std::chrono_literals;

// ICE documents no retries for these callbacks (README, fidelity notes): agentemu tries three
// times in all, a second and then two after a failed attempt.
constexpr Millis kRetries[] = {1000ms, 2000ms};

bool wants(const NotifyConfig& config, std::string_view event) {
  if (config.event_types.empty()) return true;  // "If you do not specify this parameter, all event types"
  for (std::string_view name : split(config.event_types, ',')) {
    if (name == event) return true;
  }
  return false;
}

// `json` is what a JsonWriter wrote (chat_record_data, workflow_extend_data).
void raw_member(JsonWriter& w, std::string_view name, const std::string& json) {
  if (!json.empty()) w.key(name).raw(json);
}

}  // namespace

void notify_agent(const Account& account, const Instance& instance, const Notice& notice, SystemTime now,
                  std::vector<CallbackRequest>& out) {
  const auto it = account.notify_configs.find(instance.agent_id());
  if (it == account.notify_configs.end()) return;
  const NotifyConfig& config = it->second;
  if (!config.enable_notify || config.callback_url.empty() || !wants(config, notice.event)) return;
  JsonWriter w;
  w.begin_object()
      .field("aiAgentId", instance.agent_id())
      .field("instanceId", instance.id())
      .field("event", notice.event)
      .field_int("code", 0)
      .field("message", notice.message)
      .field("timestamp", format_iso8601_seconds(now))
      .field("userData", instance.extras().user_data);
  raw_member(w, "data", notice.data);
  raw_member(w, "extendData", notice.extend_data);
  w.end_object();
  CallbackRequest request{"ice", std::string(notice.event), config.callback_url, {{"Content-Type", "application/json"}},
                          w.take(), kRetries};
  // The guide's sample server accepts `Authorization: Bearer <token>`.
  if (!config.token.empty()) request.headers.emplace_back("Authorization", "Bearer " + config.token);
  out.push_back(std::move(request));
}

std::string chat_record_data(const DialogueEntry& entry) {
  JsonWriter w;
  w.begin_object().field("requestId", random_hex(16)).field("code", "Success").field("message", "Success");
  w.key("dialogues").begin_array();
  w.begin_object()
      .field("roundId", entry.round_id)
      .field("dialogueId", entry.dialogue_id)
      .field("producer", entry.producer)
      .field("source", entry.source)
      .field("type", entry.type)
      .field("text", entry.text)
      .field_int("time", entry.time_ms)
      .end_object();
  w.end_array().end_object();
  return w.take();
}

std::string workflow_extend_data(const Instance& instance, const DialogueEntry& entry, SystemTime now) {
  std::string channel = instance.runtime_config.string_member("ChannelId").value_or(std::string());
  if (channel.empty()) channel = instance.extras().channel_id;
  JsonWriter w;
  w.begin_object()
      .field("channelId", channel)
      .field_int("sentenceId", static_cast<std::int64_t>(entry.sequence))
      .field("requestTimestamp", format_gmt(from_epoch_millis(entry.time_ms)))
      .field("responseTimestamp", format_gmt(now))
      .end_object();
  return w.take();
}

void notify_video_audit(const VideoAuditTask& task, SystemTime now, std::vector<CallbackRequest>& out) {
  if (task.callback_url.empty()) return;
  JsonWriter w;
  w.begin_object()
      .field("JobId", task.job_id)
      .field("AIAgentId", task.agent_id)
      .field("Status", "Finished")
      .field("UserData", task.user_data)
      .field("FinishTime", format_gmt(now));
  w.key("Results").begin_array();
  if (task.capture_policies.IsArray()) {
    for (const JsonValue& policy : task.capture_policies.GetArray()) {
      w.begin_object();
      for (const char* name : {"StartTime", "Duration", "FrameCount", "Prompt"}) {
        if (const JsonValue* v = json_member(policy, name)) w.field_value(name, *v);
      }
      w.field("Text", "agentemu simulated video audit result").end_object();
    }
  }
  w.end_array().end_object();
  CallbackRequest request{"ice", "video_audit", task.callback_url, {{"Content-Type", "application/json"}}, w.take(),
                          kRetries};
  // CallbackConfig.Token is the whole header value: the SDK's example is "Bearer Token".
  if (!task.callback_token.empty()) request.headers.emplace_back("Authorization", task.callback_token);
  out.push_back(std::move(request));
}

}  // namespace agentemu::ice
