// ICE's resources: access keys (with their account and RAM-style allow list), AI agents,
// agent instances and the dialogues of their sessions, and phone numbers. Everything but the
// access keys and agents lives per account (tenant). One mutex guards it all.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/stored_json.hpp"

namespace agentemu::ice {

struct AccessKey {
  std::string id;
  std::string secret;
  std::string account;             // tenant; defaults to the key's own id
  std::vector<std::string> allow;  // globs over "ice:<Action>": "ice:*", "ice:StopAIAgentInstance"
  bool allow_nonce_reuse = false;  // bench fixtures only: replaying one signed request is allowed
  // STS credentials (an AssumeRole result): the token every request must carry, and its expiry
  // (none: it never expires). `allow` is then the policy the credential carries.
  std::string security_token;
  std::optional<SystemTime> expiration;

  bool is_sts() const { return !security_token.empty(); }
  bool allows(std::string_view ram_action) const;
};

struct Agent {
  std::string id;
  std::string account;  // empty: every account knows it
  std::string type;     // voice | avatar | vision (informational; avatar agents get an AvatarUserId)
};

enum class InstanceStatus : std::uint8_t { executing, finished };
std::string_view status_name(InstanceStatus status);

enum class InstanceKind : std::uint8_t { started, generated, outbound };

// A JSON object an instance keeps and echoes back, held as its compact text: 8 bytes while
// absent, and for the small configs instances carry a fraction of a parsed StoredJson (its
// document, its pool and the pool's first 256-byte chunk; scripts/bench, memory per live
// resource). Answers copy the text as it is (JsonWriter::raw); the few readers of a member parse
// it again. Only objects are kept (every config is one; anything else reads as absent), and the
// text is NUL-terminated: compact JSON never holds a raw NUL.
class JsonText {
 public:
  bool is_object() const { return text_ != nullptr; }
  std::string_view text() const { return text_ ? std::string_view(text_.get()) : std::string_view(); }
  // `value` as JsonWriter writes it, if it is an object; absent otherwise.
  void assign(const JsonValue& value);
  // The object into `doc`; JSON null while absent.
  void parse(JsonDocument& doc) const;
  // A string member's text; none when it is absent or no string.
  std::optional<std::string> string_member(std::string_view name) const;

 private:
  std::unique_ptr<char[]> text_;
};

// What an instance holds beyond what every instance needs, made the first time one of its members
// is given: most instances (StartAIAgentInstance with a RuntimeConfig) never have any of these.
struct InstanceExtras {
  std::string long_id;     // an InstanceId longer than Instance::kInlineId (fixtures only)
  std::string session_id;  // as given; empty when the caller gave none (Start)
  std::string user_data;
  std::string call_log_url;
  JsonText agent_config;
  JsonText template_config;
  JsonText chat_sync_config;
  // Outbound calls
  std::string caller_number;
  std::string called_number;
  int hangup_role = 0;           // CallInfo.HangupRole once Finished: 0 agent, 2 transferred (Forward)
  std::string forwarded_to;      // ForwardAIAgentCall's CalledNumber
  std::string human_agent_user_id;  // TakeoverAIAgentCall
  // GenerateAIAgentCall
  std::string user_id;
  std::string channel_id;
  std::int64_t expire_seconds = 0;
  // Once Finished
  SystemTime finished;
  SystemTime finished_seen;  // when the emulator saw it Finished (fixtures: when loaded); retention counts from it
};

// One live instance. Kept small, because an account may hold a great many (scripts/bench: under
// 300 bytes each): the id in place (agentemu's are 32 hex characters), the agent id shared with
// the account's index of that agent, RuntimeConfig as text, and everything rarer in extras().
class Instance {
 public:
  static constexpr std::size_t kInlineId = 32;

  InstanceStatus status = InstanceStatus::executing;
  InstanceKind kind = InstanceKind::started;
  JsonText runtime_config;
  SystemTime created;
  SystemTime modified;
  std::uint64_t sequence = 0;  // creation order, breaks GmtCreate ties

  std::string_view id() const {
    return id_size_ <= kInlineId ? std::string_view(inline_id_, id_size_) : std::string_view(extras().long_id);
  }
  void set_id(std::string_view id);
  // The AIAgentId; Account::add sets it.
  const std::string& agent_id() const { return *agent_id_; }

  // The rarer members: read through extras() (all empty while there are none), given through
  // make_extras(), which makes them the first time.
  const InstanceExtras& extras() const { return extras_ ? *extras_ : kNoExtras; }
  InstanceExtras& make_extras();
  const std::string& session_id() const { return extras().session_id; }

  // The key a session's dialogue is stored under: SessionId, or the InstanceId without one.
  std::string_view dialogue_key() const { return session_id().empty() ? id() : std::string_view(session_id()); }

 private:
  friend class Account;
  static constexpr std::uint8_t kLongId = 0xff;  // id_size_ of an id kept in extras
  static const InstanceExtras kNoExtras;

  char inline_id_[kInlineId] = {};
  std::uint8_t id_size_ = 0;
  const std::string* agent_id_ = nullptr;  // the key of the account's AgentInstances entry
  std::unique_ptr<InstanceExtras> extras_;
};

struct DialogueEntry {
  std::string dialogue_id;
  std::string round_id;
  std::string node_id;
  std::string producer;  // user | agent
  std::string source;    // call | chat
  std::string type;      // greeting | normal | speech | custom
  std::string text;
  std::int64_t time_ms = 0;
  std::uint64_t sequence = 0;
};

// A voiceprint of the account: registered with SetAIAgentVoiceprint (Explicit) or by an agent
// whose VoiceprintConfig asks for Implicit registration.
struct Voiceprint {
  std::string id;
  std::string mode;  // Explicit | Implicit
  std::string input_type;
  std::string input_format;
  std::string input_data;
  SystemTime created;
  SystemTime modified;
  std::uint64_t sequence = 0;  // registration order, for listing
};

// SetNotifyConfig, per agent: where and what ICE calls back (the callback engine reads it).
struct NotifyConfig {
  bool enable_notify = false;
  std::string callback_url;
  std::string event_types;  // comma-separated; empty: every event
  std::string token;        // sent in the callback's Authorization header
  std::string audio_oss_path;
  bool enable_audio_recording = false;
};

// SubmitAIAgentVideoAuditTask: a job that is Processing until the emulator's clock passes the
// end of its last capture window, then Finished. Its results go to CallbackConfig.Url.
struct VideoAuditTask {
  std::string job_id;
  std::string agent_id;
  std::string media;
  std::string input_type;
  std::int64_t audit_interval_ms = 3000;
  std::string callback_url;
  std::string callback_token;
  std::string user_data;
  StoredJson capture_policies;  // the array as given
  SystemTime created;
  SystemTime finishes;
  std::uint64_t sequence = 0;

  std::string_view status(SystemTime now) const { return now >= finishes ? "Finished" : "Processing"; }
};

struct PhoneNumber {
  std::string number;
  int status = 2;  // 1 activating, 2 normal, 3 deactivating, 4 deactivated
};

// Finished instances (with their dialogues) are forgotten an hour after they finished, and past
// this many per account, oldest first (README, fidelity notes).
inline constexpr std::chrono::seconds kFinishedRetention{3600};
inline constexpr std::size_t kFinishedKept = 1000;
// Voiceprints an account may hold (past it SetAIAgentVoiceprint is refused), and video audit
// tasks it keeps (past it the oldest is forgotten).
inline constexpr std::size_t kVoiceprintsKept = 10000;
inline constexpr std::size_t kVideoAuditTasksKept = 1000;

// Orders an agent's instances by (created, sequence); a (created, sequence) pair finds its place.
struct ByCreated {
  using is_transparent = void;
  using Key = std::pair<SystemTime, std::uint64_t>;
  static Key key(const Instance* i) { return {i->created, i->sequence}; }
  bool operator()(const Instance* a, const Instance* b) const { return key(a) < key(b); }
  bool operator()(const Instance* a, const Key& b) const { return key(a) < b; }
  bool operator()(const Key& a, const Instance* b) const { return a < key(b); }
};

// One agent's instances in an account: by creation (what ListAIAgentInstance pages through)
// and how many are Executing (what GetAIAgentConcurrency answers), so neither scans.
struct AgentInstances {
  std::set<const Instance*, ByCreated> by_created;
  std::int64_t executing = 0;
};

// The account's instances, found by their own id: the id is stored once, in the instance.
struct InstanceIdHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id); }
  std::size_t operator()(const std::unique_ptr<Instance>& i) const noexcept { return (*this)(i->id()); }
};
struct InstanceIdEqual {
  using is_transparent = void;
  static std::string_view id(std::string_view id) { return id; }
  static std::string_view id(const std::unique_ptr<Instance>& i) { return i->id(); }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return id(a) == id(b);
  }
};
using InstanceSet = std::unordered_set<std::unique_ptr<Instance>, InstanceIdHash, InstanceIdEqual>;

// A hash for string-keyed maps that find by string_view without making a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

class Account {
 public:
  InstanceSet instances;
  std::unordered_map<std::string, std::vector<DialogueEntry>> dialogues;  // by session key
  std::vector<PhoneNumber> phone_numbers;
  std::map<std::pair<std::string, std::string>, Voiceprint> voiceprints;  // (mode, id)
  std::map<std::string, NotifyConfig> notify_configs;                     // by AIAgentId
  std::map<std::uint64_t, VideoAuditTask> video_audit_tasks;              // by submission order

  // Adds (or replaces) an instance of `agent_id`, Executing or Finished as it says.
  Instance& add(std::unique_ptr<Instance> instance, std::string_view agent_id);
  Instance* find(std::string_view instance_id) const;
  // Executing -> Finished at `now`.
  void finish(Instance& instance, SystemTime now);
  // Forgets Finished instances past kFinishedRetention or kFinishedKept, and the dialogues of
  // sessions no remaining instance belongs to.
  void prune(SystemTime now);
  const AgentInstances* agent(std::string_view agent_id) const;

 private:
  // Drops the instance from the indexes, and its dialogue unless `kept_dialogue` (the key of the
  // instance replacing it) is the same.
  void unindex(const Instance& instance, std::string_view kept_dialogue = {});
  // Whether an instance besides `leaving` keeps the dialogue under `key` (a session's, or a
  // session-less instance's own).
  bool dialogue_shared(std::string_view key, const Instance& leaving) const;

  std::unordered_map<std::string, AgentInstances, StringHash, std::equal_to<>> by_agent_;
  std::set<std::tuple<SystemTime, std::uint64_t, std::string>> finished_;  // (finished_seen, sequence, id)
  // Instances per SessionId. An instance without one has its dialogue (under its own id) to
  // itself, so it needs no count.
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> session_users_;
};

class State {
 public:
  // Everything below is only touched with mutex held.
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const AccessKey>> keys;
  std::unordered_map<std::string, Agent> agents;
  std::unordered_map<std::string, Account> accounts;
  std::uint64_t next_sequence = 1;

  std::shared_ptr<const AccessKey> find_key(std::string_view id);  // locks
  std::shared_ptr<const AccessKey> find_key_by_token(std::string_view security_token);  // locks
  const Agent* find_agent(std::string_view account, std::string_view agent_id) const;
  Instance* find_instance(std::string_view account, std::string_view instance_id);
  Account& account(std::string_view id) { return accounts[std::string(id)]; }
  void clear();
};

// "2025-07-18T06:39:08.000+00:00", the format of GmtCreate/GmtModified.
std::string format_gmt(SystemTime t);
// ISO 8601 with Z, or the +00:00 form format_gmt writes.
std::optional<SystemTime> parse_gmt(std::string_view text);

}  // namespace agentemu::ice
