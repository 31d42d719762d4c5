// AgentCore's resources and their life cycle. Everything lives in tenants keyed by account and
// region, so two suites signing with different accounts never see each other's sessions. One
// mutex (State::mutex) guards it all; handlers hold it only while they read or change state.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/stored_json.hpp"
#include "vendors/agentcore/auth.hpp"
#include "vendors/agentcore/identity_state.hpp"
#include "vendors/agentcore/memory_state.hpp"

namespace agentemu::agentcore {

inline constexpr std::string_view kDefaultAccount = "123456789012";
inline constexpr std::string_view kDefaultRegion = "us-east-1";
inline constexpr int kCodeInterpreterDefaultTimeout = 900;
inline constexpr int kBrowserDefaultTimeout = 3600;
inline constexpr int kRuntimeIdleTimeout = 900;      // the runtime's default idle session timeout
inline constexpr int kRuntimeMaxLifetime = 28800;    // and maximum session lifetime (8 hours)
inline constexpr std::size_t kIdempotencyLimit = 10000;  // remembered clientTokens per tenant
inline constexpr std::size_t kActiveSessionLimit = 1000;  // READY sessions per tool per tenant
// TERMINATED sessions are forgotten an hour after they ended, and past this many per tool per
// tenant (runtime sessions: per tenant), oldest first (README, fidelity notes).
inline constexpr std::chrono::seconds kTerminatedRetention{3600};
inline constexpr std::size_t kTerminatedKept = 1000;
// READY runtime sessions per tenant. AWS counts them against a per-account quota that differs by
// region and is raised on request; agentemu does not refuse a session for it (a suite invoking
// without session ids would be throttled), but past this many the one due to end first ends now,
// as at its idle timeout, so sessions cannot take memory without bound (README, fidelity notes).
inline constexpr std::size_t kReadyRuntimeSessionsKept = 10000;

enum class SessionStatus { ready, terminated };
std::string_view status_name(SessionStatus s);

struct Task {
  std::string command;
  std::string stdout_text;
  std::string status;  // working | completed | canceled
};

// What most tool sessions never have: a name, a fixture's load time, a code interpreter's files
// (absolute path -> bytes) and background tasks. Made on first need.
struct SessionExtras {
  std::string name;
  SystemTime kept_from{};  // fixtures: when loaded; the retention of a TERMINATED one counts from it too
  std::map<std::string, std::string> files;
  std::map<std::string, Task> tasks;
  std::uint64_t next_task = 1;

  static const SessionExtras& none();  // what a session without extras reads
};

// A code-interpreter or browser session.
class ToolSession {
 public:
  std::string session_id;  // never changed once stored: ToolSessions' key views it
  int timeout_seconds = 0;
  bool stopped = false;  // stopped, or found past its timeout (then stopped_at is expires_at())
  bool automation_enabled = true;  // browser: the automation stream
  SystemTime created_at{};
  SystemTime updated_at{};  // last change while READY (a stream update)
  SystemTime stopped_at{};
  // Members echoed by Get*Session (viewPort, certificates, ...), as sent; null when none was.
  std::shared_ptr<JsonDocument> config;

  // The resolved code interpreter or browser id (set by ToolSessions::add).
  std::string_view tool() const { return tool_ != nullptr ? std::string_view(*tool_) : std::string_view(); }
  // `label` names the session's tool: its id, or an ARN ending in "/" and the id.
  bool tool_named_by(std::string_view label) const;
  const SessionExtras& extras() const { return extras_ ? *extras_ : SessionExtras::none(); }
  SessionExtras& extras_to_change() {
    if (!extras_) extras_ = std::make_unique<SessionExtras>();
    return *extras_;
  }

  SystemTime expires_at() const { return created_at + std::chrono::seconds(timeout_seconds); }
  SessionStatus status(SystemTime now) const {
    return stopped || now >= expires_at() ? SessionStatus::terminated : SessionStatus::ready;
  }
  // When it last changed: its stop, its expiry, or its last update.
  SystemTime last_updated(SystemTime now) const;

 private:
  friend class ToolSessions;
  const std::string* tool_ = nullptr;  // the id its tool's index is kept under: one copy per tool
  std::unique_ptr<SessionExtras> extras_;
};

// Its runtime id and session id are its key in RuntimeSessions (runtime id + '\n' + session id).
class RuntimeSession {
 public:
  SystemTime created_at{};
  // READY: the last invocation, which the idle timeout counts from. Stopped: no longer read as
  // that; the retention counts from it when it is later than stopped_at (a fixture's load time).
  SystemTime last_active_at{};
  SystemTime stopped_at{};
  int idle_timeout = kRuntimeIdleTimeout;
  int max_lifetime = kRuntimeMaxLifetime;
  std::uint32_t invocations = 0;
  bool stopped = false;  // stopped, or found idle or past its lifetime (then stopped_at is when)
  bool busy = false;  // its agent's /ping says HealthyBusy: the idle timeout does not run

  // Set by RuntimeSessions (add, set_qualifier), which keeps one copy of each for all sessions.
  std::string_view runtime_arn() const { return runtime_arn_ != nullptr ? std::string_view(*runtime_arn_) : ""; }
  std::string_view qualifier() const { return qualifier_ != nullptr ? std::string_view(*qualifier_) : "DEFAULT"; }

  SessionStatus status(SystemTime now) const;
  // When it ended (stopped) or will end: idle timeout or maximum lifetime, whichever is first
  // (only the lifetime while busy).
  SystemTime ended_at() const;

 private:
  friend class RuntimeSessions;
  const std::string* runtime_arn_ = nullptr;
  const std::string* qualifier_ = nullptr;  // the endpoint it was last invoked through
};

// Strings many sessions share (their runtime's ARN, an endpoint's name), each kept once for as
// long as some session holds it.
class SharedStrings {
 public:
  const std::string* hold(std::string_view text);
  void release(const std::string* text);  // nullptr: nothing held
  std::size_t size() const { return held_.size(); }

 private:
  std::map<std::string, std::size_t, std::less<>> held_;  // text -> sessions holding it
};

// Sessions by the moment they end: READY ones (when they will end, unless something changes
// it) and TERMINATED ones (when they ended). Counting READY sessions, expiring them and pruning
// old TERMINATED ones never scans the sessions themselves. An entry points at the key of its
// session's map node (nodes never move), so the index holds no copy of the key.
class EndIndex {
 public:
  struct Entry {
    SystemTime at;
    const std::string* key;
  };
  struct Order {  // by time, then by key: the order is the same whatever the addresses
    bool operator()(const Entry& a, const Entry& b) const { return a.at != b.at ? a.at < b.at : *a.key < *b.key; }
  };
  using Entries = std::set<Entry, Order>;

  // `key` is the map's own key, alive while the entry is; remove may be given any equal string.
  void add(const std::string& key, bool ready, SystemTime at);
  void remove(const std::string& key, bool ready, SystemTime at);
  std::size_t ready() const { return ready_.size(); }
  std::size_t terminated() const { return ended_.size(); }
  const Entries& ready_entries() const { return ready_; }
  const Entries& ended_entries() const { return ended_; }

  // READY entries whose end is due by `now` become TERMINATED; `end(key, at)` marks each and
  // answers the time its retention counts from.
  template <class End>
  void expire(SystemTime now, End&& end) {
    while (!ready_.empty() && ready_.begin()->at <= now) {
      auto node = ready_.extract(ready_.begin());
      node.value().at = end(*node.value().key, node.value().at);
      ended_.insert(std::move(node));
    }
  }
  // TERMINATED entries that ended kTerminatedRetention before `now`, then the oldest past
  // kTerminatedKept: `forget(key)` erases each (and with it the key the entry points at).
  template <class Forget>
  void prune(SystemTime now, Forget&& forget) {
    while (!ended_.empty() &&
           (ended_.size() > kTerminatedKept || ended_.begin()->at + kTerminatedRetention <= now)) {
      const auto oldest = ended_.begin();
      const std::string* key = oldest->key;
      ended_.erase(oldest);
      forget(*key);
    }
  }

 private:
  Entries ready_, ended_;
};

// The code-interpreter (or browser) sessions of one tenant, with an EndIndex per tool.
class ToolSessions {
 public:
  // Brings one tool's sessions up to `now`: those past their timeout end, and TERMINATED ones
  // past the retention or the cap are forgotten.
  void advance(std::string_view tool, SystemTime now);
  ToolSession* find(std::string_view session_id);
  bool contains(std::string_view session_id) const { return sessions_.contains(session_id); }
  std::size_t ready(std::string_view tool) const;
  const EndIndex* index(std::string_view tool) const;
  // Adds (or replaces) a session of `tool`, READY or stopped as it says.
  ToolSession& add(std::string_view tool, ToolSession session);
  void stop(ToolSession& session, SystemTime now);
  const std::map<std::string_view, ToolSession>& all() const { return sessions_; }
  std::size_t size() const { return sessions_.size(); }

 private:
  // By a view of the session's own id (a node never moves), so the id is kept once; the index
  // entries point at that id too.
  std::map<std::string_view, ToolSession> sessions_;
  std::map<std::string, EndIndex, std::less<>> tools_;        // by tool id
};

// The runtime sessions of one tenant, by runtime id + '\n' + session id.
class RuntimeSessions {
 public:
  static std::string key(std::string_view runtime_id, std::string_view session_id) {
    std::string k(runtime_id);
    k += '\n';
    k += session_id;
    return k;
  }
  static std::string_view session_id(std::string_view key) { return key.substr(key.find('\n') + 1); }
  // Sessions idle or past their lifetime end; TERMINATED ones past the retention or the cap go.
  void advance(SystemTime now);
  RuntimeSession* find(std::string_view key);
  // Adds (or replaces) a session of the runtime with that ARN, READY or stopped as it says.
  RuntimeSession& add(std::string key, std::string_view runtime_arn, RuntimeSession session);
  void set_qualifier(RuntimeSession& session, std::string_view qualifier);
  // Below kReadyRuntimeSessionsKept READY sessions: those due to end first end at `now`.
  void make_room(SystemTime now);
  // An invocation: the idle timer starts again.
  void touch(std::string_view key, RuntimeSession& session, SystemTime now);
  // The agent reported HealthyBusy (true) or not: once it is no longer busy, idle time counts from now.
  void set_busy(std::string_view key, RuntimeSession& session, bool busy, SystemTime now);
  void stop(std::string_view key, RuntimeSession& session, SystemTime now);
  const std::map<std::string, RuntimeSession, std::less<>>& all() const { return sessions_; }
  std::size_t size() const { return sessions_.size(); }
  std::size_t shared_strings() const { return shared_.size(); }  // distinct ARNs and endpoint names held

 private:
  // Erases a stored session, and its hold on the shared strings.
  void forget(std::map<std::string, RuntimeSession, std::less<>>::iterator it);

  std::map<std::string, RuntimeSession, std::less<>> sessions_;
  EndIndex ends_;
  SharedStrings shared_;
};

// The first successful answer to a request carrying a clientToken.
struct RememberedAnswer {
  std::string fingerprint;  // the operation's parameters, clientToken excluded
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The kinds of control-plane resource (control.hpp describes each).
enum class KindId : std::uint8_t {
  runtime, endpoint, code_interpreter, browser, browser_profile, memory, workload_identity,
  api_key_provider, oauth2_provider, count
};
inline constexpr std::size_t kKindCount = static_cast<std::size_t>(KindId::count);

// A control-plane resource: a record (its members by the model's output names) and its status on
// the emulator's clock: `transition` (CREATING, UPDATING, DELETING) until settles_at, then
// `steady` (READY, ACTIVE); a DELETING one is gone once it settles.
struct Resource {
  std::string key;    // how requests name it: its id, its name (identities), runtime id/endpoint
  std::string scope;  // endpoints: the runtime id they belong to
  std::shared_ptr<JsonDocument> record;
  std::string steady;
  std::string transition;
  SystemTime settles_at{};
  SystemTime created_at{};
  int version = 1;                                      // runtimes: the latest version
  std::vector<std::shared_ptr<JsonDocument>> versions;  // runtimes: each version's record

  std::string status(SystemTime now) const;
  bool gone(SystemTime now) const;
};

struct Tenant {
  std::array<std::map<std::string, Resource, std::less<>>, kKindCount> resources;  // by key, per kind
  ToolSessions code_sessions;
  ToolSessions browser_sessions;
  RuntimeSessions runtime_sessions;
  std::map<std::string, RememberedAnswer, std::less<>> answers;      // by operation + '\n' + clientToken
  std::deque<std::string> answer_order;

  const RememberedAnswer* answer(std::string_view key) const;
  void remember(std::string key, RememberedAnswer answer);
};

struct Runtime {
  std::string arn;
  std::string partition, region, account, runtime_id;
  std::vector<std::string> qualifiers;  // endpoint names; DEFAULT always
  int idle_timeout = kRuntimeIdleTimeout;
  int max_lifetime = kRuntimeMaxLifetime;
  std::string invocation_url;  // a local agent's base URL (agent_link.hpp); "" keeps the echo
  std::string server_protocol = "HTTP";  // protocolConfiguration.serverProtocol: HTTP, MCP, A2A, AGUI
};

struct FixtureCredential {
  std::string access_key_id;
  sigv4::Credential credential;
};

class State : public sigv4::CredentialStore {
 public:
  bool find(std::string_view access_key_id, sigv4::Credential& out) const override;

  mutable std::mutex mutex;
  std::map<std::string, sigv4::Credential, std::less<>> credentials;  // by access key id
  std::map<std::string, Runtime, std::less<>> runtimes;  // by account/region/runtime id
  std::map<std::string, bool, std::less<>> code_interpreters;  // ids (value unused)
  std::map<std::string, bool, std::less<>> browsers;
  std::map<std::string, Tenant, std::less<>> tenants;  // by account/region
  MemoryStore memory;      // Memory's events and records, by account/region/memory id
  IdentityStore identity;  // Identity's issuers, tokens and authorization sessions

  Tenant& tenant(std::string_view account, std::string_view region);
  const Runtime* runtime(std::string_view account, std::string_view region, std::string_view runtime_id) const;
  void clear();
};

std::string runtime_key(std::string_view account, std::string_view region, std::string_view runtime_id);

// Newest first; a page starts after the cursor `after` (created_at millis + session id).
struct Cursor {
  std::int64_t created_ms = 0;
  std::string session_id;
};
std::string encode_cursor(const Cursor& c);
std::optional<Cursor> decode_cursor(std::string_view token);

std::string new_tool_session_id();  // 26 characters of [0-9A-Z]

}  // namespace agentemu::agentcore
