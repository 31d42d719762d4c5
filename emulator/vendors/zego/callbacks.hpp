// ZEGO's server callbacks (docs: server/callbacks/receiving-callback.mdx and the round-mechanism
// page), produced from the instance's timeline: a POST of JSON {AppId, Event, Nonce, Timestamp,
// Signature, AgentInstanceId, AgentUserId, AgentId, Name, RoomId, Sequence, Data} to the app's
// callback URL that CallbackConfig.HostTag picks, retried at 2, 4, 8, 16 and 32 s.
//
// Everything here runs with the vendor's mutex held and only fills Effects: the requests go to
// the core's CallbackSender, and the timeline's next wake-up is armed, once it is released.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "vendors/zego/state.hpp"

namespace agentemu::zego {

// sha1 hex of callbacksecret, timestamp and nonce sorted as strings and joined
// (SignatureVerification: "1234121470820198secret" -> 5bd59fd6...).
std::string callback_signature(std::string_view secret, std::string_view timestamp, std::string_view nonce);

// The agent's (status, round) at `t` by its timeline.
struct Activity {
  Status status = Status::idle;
  std::int64_t round = 0;
  bool operator==(const Activity&) const = default;
};
Activity activity_at(const Instance& instance, SystemTime t);

// Reports every change of the timeline up to `now` (status phases, LLM answers, MetaInfo), in
// order. Called before a handler changes the timeline, and by the timeline's wake-up.
void report_until(State& state, Instance& instance, SystemTime now, Effects& effects);
// After a handler changed the timeline: reports where it is now and arms the next wake-up.
void timeline_changed(State& state, Instance& instance, SystemTime now, Effects& effects);
// The agent starts from where it is without telling anyone (fixtures set its status).
void sync_reported(State& state, Instance& instance, SystemTime now, Effects& effects);
// The next moment the timeline changes on its own (a phase ends, a live digital human's idle
// time runs out): asks Effects for a wake-up at it.
void arm_timeline(State& state, Instance& instance, SystemTime now, Effects& effects);

// Interrupted.Reason
enum class InterruptReason : int { user_speaking = 1, llm = 2, tts = 3, api = 4 };
// The task in progress (THINKING or SPEAKING) is cut short: Interrupted, then IDLE. Nothing when
// the agent is not busy.
void report_interrupt(State& state, Instance& instance, InterruptReason reason, SystemTime now, Effects& effects);

void report_created(State& state, Instance& instance, SystemTime now, Effects& effects);
// `reason` as State::remove names it: deleted, graceful_idle, graceful_timeout (Code 0: through
// DeleteAgentInstance) or max_idle_time (1202).
void report_deleted(State& state, Instance& instance, std::string_view reason, SystemTime now, Effects& effects);

// Walkie-talkie: the user takes the floor (StartListening) and gives it back (StopListening).
void report_speak_begin(State& state, Instance& instance, SystemTime now, Effects& effects);
void report_speak_end(State& state, Instance& instance, std::string_view recognized, SystemTime now, Effects& effects);

// "[[{...}]]" metadata in a TTS text, as AdvancedConfig.LLMMetaInfo marks it, with only the keys
// SendMetaKeys lists (all of them without the list): the MetaInfo object as JSON text, or "".
std::string meta_info(const Instance& instance, std::string_view text);

}  // namespace agentemu::zego
