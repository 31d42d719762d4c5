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

enum class InstanceStatus { executing, finished };
std::string_view status_name(InstanceStatus status);

enum class InstanceKind { started, generated, outbound };

struct Instance {
  std::string id;
  std::string agent_id;
  std::string session_id;  // as given; empty when the caller gave none (Start)
  InstanceStatus status = InstanceStatus::executing;
  InstanceKind kind = InstanceKind::started;
  std::string user_data;
  std::string call_log_url;
  LazyJson runtime_config;   // objects, echoed back verbatim (JSON null when absent)
  LazyJson agent_config;
  LazyJson template_config;
  LazyJson chat_sync_config;
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
  SystemTime created;
  SystemTime modified;
  SystemTime finished;
  SystemTime finished_seen;  // when the emulator saw it Finished (fixtures: when loaded); retention counts from it
  std::uint64_t sequence = 0;  // creation order, breaks GmtCreate ties

  // The key a session's dialogue is stored under: SessionId, or the InstanceId without one.
  const std::string& dialogue_key() const { return session_id.empty() ? id : session_id; }
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

// One agent's instances in an account: by creation (what ListAIAgentInstance pages through)
// and how many are Executing (what GetAIAgentConcurrency answers), so neither scans.
struct AgentInstances {
  std::map<std::pair<SystemTime, std::uint64_t>, const Instance*> by_created;  // (created, sequence)
  std::int64_t executing = 0;
};

class Account {
 public:
  std::unordered_map<std::string, std::unique_ptr<Instance>> instances;
  std::unordered_map<std::string, std::vector<DialogueEntry>> dialogues;  // by session key
  std::vector<PhoneNumber> phone_numbers;
  std::map<std::pair<std::string, std::string>, Voiceprint> voiceprints;  // (mode, id)
  std::map<std::string, NotifyConfig> notify_configs;                     // by AIAgentId
  std::map<std::uint64_t, VideoAuditTask> video_audit_tasks;              // by submission order

  // Adds (or replaces) an instance, Executing or Finished as it says.
  Instance& add(std::unique_ptr<Instance> instance);
  // Executing -> Finished at `now`.
  void finish(Instance& instance, SystemTime now);
  // Forgets Finished instances past kFinishedRetention or kFinishedKept, and the dialogues of
  // sessions no remaining instance belongs to.
  void prune(SystemTime now);
  const AgentInstances* agent(std::string_view agent_id) const;

 private:
  void unindex(const Instance& instance);

  std::unordered_map<std::string, AgentInstances> by_agent_;
  std::set<std::tuple<SystemTime, std::uint64_t, std::string>> finished_;  // (finished_seen, sequence, id)
  std::unordered_map<std::string, std::size_t> dialogue_users_;  // instances per session key
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
