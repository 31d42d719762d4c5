// The ZEGO vendor's resources: apps (tenants, keyed by AppId) with their registered agents, and
// agent instances with a simulated life: a timeline of busy phases (THINKING, SPEAKING...) on
// the emulator's clock, message history, walkie-talkie listening, graceful shutdown.
//
// Nothing here locks: ZegoVendor guards the whole State with one mutex and applies the Effects
// (answers to finish, timers to arm) after unlocking, so the core is never called under it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include "core/call.hpp"
#include "core/callbacks/callbacks.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/stored_json.hpp"
#include "vendors/zego/operations.hpp"

namespace agentemu::zego {

// A configuration block (LLM, TTS, RTC...) as the client sent it. Immutable, so an instance
// can share its agent's blocks without copying them.
using Block = std::shared_ptr<const JsonDocument>;
Block copy_block(const JsonValue* value);  // nullptr for absent or JSON null

inline constexpr std::uint32_t kDefaultAppId = 1234567890;

// One of an app's callback addresses: the instances whose CallbackConfig.HostTag names its tag
// are called back there; the one without a tag (else the first) serves the others.
struct CallbackUrl {
  std::string url;
  std::string host_tag;
};

// Per-app settings. The first four are ZEGO's; the rest are the emulator's knobs (README).
struct AppConfig {
  std::uint32_t app_id = 0;
  std::string server_secret;
  std::vector<CallbackUrl> callback_urls;  // at most two ("callbackUrls")
  std::string callback_secret;             // signs the callbacks ("callbackSecret")
  int instance_limit = 10;       // "each account can have at most 10 AI agent instances"
  int digital_human_limit = 10;  // "... at most 10 digital human agent instances"
  bool reject_nonce_replay = false;
  int rate_limit_per_second = 0;  // 0: off; ZEGO documents 10 per action
  std::int64_t rate_limit_code = 410000007;
  Millis think{1000};  // simulated LLM latency before the agent speaks
  Millis speak{3000};  // simulated length of one spoken answer
  bool graceful_delete_waits = false;  // answer a graceful DeleteAgentInstance only once it is done
};

// A registered agent as it was at one moment. Never changed in place (UpdateAgent stores a new
// one), so an instance shares the one it was created from: its id, Name and blocks as they were.
struct Agent {
  std::string id;
  std::string name;
  Block llm, tts, asr;
};
using AgentRef = std::shared_ptr<const Agent>;

enum class Status : std::uint8_t { idle, listening, thinking, speaking };
std::string_view status_name(Status status);
std::optional<Status> parse_status(std::string_view name);

enum class Kind : std::uint8_t { standard, digital_human, live_digital_human };
std::string_view kind_name(Kind kind);
std::optional<Kind> parse_kind(std::string_view name);

// One stretch of the agent's timeline. Phases of one task share a round.
struct Phase {
  Status status;
  SystemTime until;  // SystemTime::max(): until something changes it
  int priority;      // 0 Low, 1 Medium, 2 High
  std::int64_t round;
};

// What the agent does in one round, for the callbacks its timeline produces
// (vendors/zego/callbacks.cpp): the LLM's answer, or the text it speaks.
struct Task {
  enum class Kind : std::uint8_t { llm, tts, reply };  // reply: the answer to the user's turn
  Kind kind = Kind::llm;
  std::string text;      // the answer (llm, reply) or the text spoken (tts)
  std::string meta;      // AgentInstanceMetaInfo's MetaInfo as JSON text, or ""
  bool llm_fails = false;  // its LLM cannot be called: an Exception instead of an answer
  bool answered = false;   // LLMResult (or the Exception) is sent
  bool meta_sent = false;
  SystemTime speak_from{}, speak_until{};  // its SPEAKING phase, for Interrupted's PlayedText
};

struct ChatMessage {
  std::string role;  // user | assistant
  std::string content;
};

struct Shutdown {
  SystemTime requested;
  SystemTime deadline;
  std::uint64_t timer = 0;         // generation of the wake-up that is armed
  std::vector<Deferred> waiting;   // DeleteAgentInstance calls answered once it is gone
};

// An instance's UserId and RTC block in one heap block, 8 bytes inline: the two strings every
// instance has, which as std::string and a StoredJson took some 500 bytes (scripts/bench, memory
// per live resource). RTC is kept as JSON text with its four member names packed to one byte
// each (state.cpp), and parsed again where it is read: in callbacks and the state dump.
class UserAndRtc {
 public:
  UserAndRtc() = default;
  UserAndRtc(std::string_view user_id, const JsonValue* rtc);  // rtc: nullptr or JSON null for none
  std::string_view user_id() const;
  bool has_rtc() const { return !packed_rtc().empty(); }
  // The RTC block as the client sent it; JSON null without one.
  StoredJson rtc() const;
  // A string member of RTC (RoomId, AgentUserId...), "" when absent.
  std::string rtc_text(std::string_view member) const;
  // Two of them from one unpacking and parse of the block.
  std::pair<std::string, std::string> rtc_texts(std::string_view first, std::string_view second) const;
  void set_user_id(std::string_view user_id) { *this = UserAndRtc(user_id, packed_rtc()); }
  void set_rtc(const JsonValue* rtc) { *this = UserAndRtc(user_id(), rtc); }

 private:
  UserAndRtc(std::string_view user_id, std::string_view packed_rtc);
  std::string_view packed_rtc() const;
  // [uint32 length of the user id][the user id][RTC packed]['\0']; null when both are empty.
  std::unique_ptr<char[]> block_;
};

// What a client configured beyond UserId and RTC. Most instances take the registered agent's LLM,
// TTS and ASR and set nothing else, so this lives behind one pointer, made on first need.
struct InstanceConfig {
  // Set: the instance's own block (null: it has none); unset: the registered agent's.
  std::optional<Block> llm, tts, asr;
  Block vad, message_history, callback, advanced, digital_human, cdn;
  int communication_mode = 0;  // 2: walkie-talkie
  bool disable_tts = false;
  std::size_t window_size = 20;  // MessageHistory.WindowSize: how many messages the context keeps
  std::int64_t max_idle_seconds = 900;  // live digital humans: AdvancedConfig.MaxIdleTime
};

// What happened to an instance since it was created: its timeline, messages, walkie-talkie turn,
// shutdown and what the callbacks reported. An instance nobody drives never has one.
struct InstanceLife {
  std::vector<ChatMessage> history;  // not a deque: an empty one already holds half a KiB
  std::vector<Phase> phases;  // in time order; finished ones are pruned lazily
  bool listening = false;     // walkie-talkie: between StartListening and StopListening
  std::int64_t listening_round = 0;
  std::int64_t last_round = 0;
  std::map<std::string, std::int64_t, std::less<>> sequences;  // per UserId: newest accepted Sequence
  std::optional<Shutdown> shutdown;
  SystemTime last_driven;  // live digital humans: last SendAgentInstanceTTS; read Instance::last_driven()

  // What the callbacks have told the customer (vendors/zego/callbacks.cpp).
  Status reported_status = Status::idle;
  std::int64_t reported_round = 0;
  SystemTime reported_at{};     // the timeline is reported up to here
  std::map<std::int64_t, Task> tasks;  // by round: the rounds on the timeline, and the one reported
  std::string listening_user;   // walkie-talkie: who holds the floor, and since when
  SystemTime listening_since{};
  std::uint64_t timeline_timer = 0;           // generation of the armed timeline wake-up
  SystemTime timeline_wake = SystemTime::max();
};

// One live instance. Kept small (scripts/bench holds 100,000 of them): what every instance has is
// inline; its configuration and its life are made on first need; its id is the key it is stored
// under in State::instances, and its agent's id, Name and blocks are the Agent it was made from.
struct Instance {
  AgentRef agent;  // null for a fixture instance that names no agent
  UserAndRtc user_and_rtc;
  SystemTime created;
  std::int64_t sequence = 0;  // Sequence of the latest callback
  std::uint32_t app_id = 0;
  Kind kind = Kind::standard;

  // The key in State::instances; "" until State::add_instance stores it.
  std::string_view id() const { return id_ != nullptr ? std::string_view(*id_) : std::string_view(); }
  std::string_view agent_id() const { return agent ? std::string_view(agent->id) : std::string_view(); }
  std::string_view agent_name() const { return agent ? std::string_view(agent->name) : std::string_view(); }
  std::string_view user_id() const { return user_and_rtc.user_id(); }

  const InstanceConfig& config() const { return config_ ? *config_ : kNoConfig; }
  InstanceConfig& mutable_config();
  // The instance's LLM, TTS and ASR: its own when it has them, else its agent's.
  const Block& llm() const;
  const Block& tts() const;
  const Block& asr() const;

  bool has_life() const { return life_ != nullptr; }
  // What happened so far; an instance nothing has happened to reads as an empty life.
  const InstanceLife& life() const { return life_ ? *life_ : kNoLife; }
  InstanceLife& mutable_life();
  SystemTime last_driven() const { return life_ ? life_->last_driven : created; }

  Status status_at(SystemTime now) const;
  // When the agent will be IDLE with nothing more queued; nullopt: not on its own.
  std::optional<SystemTime> idle_at(SystemTime now) const;
  void prune(SystemTime now);
  // Tasks (rounds) waiting behind the one in progress.
  std::size_t queued_tasks(SystemTime now) const;
  bool expired(SystemTime now) const;  // a live digital human idle for longer than MaxIdleTime
  void remember(std::string role, std::string content);

 private:
  friend struct State;
  static const InstanceConfig kNoConfig;
  static const InstanceLife kNoLife;
  const std::string* id_ = nullptr;
  std::unique_ptr<InstanceConfig> config_;
  std::unique_ptr<InstanceLife> life_;
};

struct DeletedInstance {
  std::string id;
  std::uint32_t app_id;
  std::string reason;  // deleted | graceful_idle | graceful_timeout | max_idle_time
  SystemTime at;
};

struct AppState {
  std::shared_ptr<const AppConfig> config;
  bool automatic = false;  // made by --auth lenient for an AppId no fixture names
  std::map<std::string, AgentRef, std::less<>> agents;  // sorted: ListAgents pages through it
  std::unordered_map<std::string, SystemTime> nonces;  // only with reject_nonce_replay
  std::array<std::deque<SystemTime>, kOperationCount> recent;  // only with a rate limit
};

// A wake-up for an instance that is shutting down gracefully.
struct Wake {
  SystemTime at;
  std::string instance_id;
  std::uint64_t generation;
};

// What must happen once the state's mutex is released.
struct Effects {
  std::vector<Deferred> finish;
  std::vector<Wake> wakes;
  std::vector<Wake> timeline;               // the next moment an instance's timeline changes
  std::vector<CallbackRequest> callbacks;   // to the customer's server
  void merge(Effects&& other);
};

// An app's instances as counted by add_instance and remove, so creating one never walks them all.
struct AppInstances {
  std::size_t count = 0;
  std::set<std::string, std::less<>> digital_humans;  // ids of the non-standard ones (a handful)
};

struct State {
  std::map<std::uint32_t, AppState> apps;
  std::map<std::string, Instance, std::less<>> instances;
  std::map<std::uint32_t, AppInstances> instances_per_app;  // apps with no instance are absent
  std::deque<std::uint32_t> automatic_apps;  // lenient apps in the order they were made
  std::deque<DeletedInstance> deleted;  // newest last, the latest kDeletedKept
  std::int64_t last_round = 0;
  std::uint64_t id_sequence = 0;
  std::uint64_t generation = 0;

  static constexpr std::size_t kDeletedKept = 200;
  // --auth lenient makes an app for any AppId; past this many, the oldest that holds nothing
  // (no agent, no instance) is dropped. It costs nothing: the next request makes it again.
  static constexpr std::size_t kAutomaticAppsKept = 1024;

  AppState* app(std::uint32_t app_id);
  // --auth lenient: an app with the default settings for an AppId no fixture names.
  AppState& add_automatic_app(std::uint32_t app_id);
  // Adds the instance under `id` unless one with it exists: then that one is answered, unchanged.
  Instance& add_instance(std::string id, Instance instance);
  // Changes a stored instance's kind (fixtures may), keeping instances_per_app right.
  void set_kind(Instance& instance, Kind kind);
  // Server-wide, increasing, never repeated and not consecutive (round-mechanism doc).
  std::int64_t next_round();
  // A 19-digit numeric string like "1912122918452641792" (a snowflake-style id).
  std::string new_instance_id(SystemTime now);
  std::size_t live_instances(std::uint32_t app_id, bool digital_humans_only, SystemTime now) const;
  // The app's digital-human instances (both kinds) that have not expired.
  std::vector<const Instance*> live_digital_humans(std::uint32_t app_id, SystemTime now) const;
  // Removes every live digital human past its MaxIdleTime (reason max_idle_time), whichever app
  // it belongs to, so instances nobody asks about again do not pile up.
  void sweep_expired(SystemTime now, Effects& effects);

  // Removes an instance and answers every DeleteAgentInstance waiting for it.
  void remove(std::map<std::string, Instance, std::less<>>::iterator it, std::string_view reason, SystemTime now,
              Effects& effects);
  // A graceful shutdown that is due (idle, or past its deadline) deletes the instance: true.
  // Otherwise, with `rearm`, a wake-up is asked for the next moment it could be due.
  bool settle(std::map<std::string, Instance, std::less<>>::iterator it, SystemTime now, bool rearm, Effects& effects);
  // Empties everything and answers every waiting DeleteAgentInstance.
  void clear(Effects& effects);
};

}  // namespace agentemu::zego
