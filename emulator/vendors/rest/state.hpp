// The agents both profiles share (one store, two skins), their runtime life cycle and the
// graceful stops waiting on them. One mutex guards it all; callers hold it through lock().
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/call.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/stored_json.hpp"
#include "core/scheduler.hpp"
#include "vendors/rest/errors.hpp"

namespace agentemu::rest {

// A graceful stop request waiting, without a thread, for the agent's in-progress work to end.
struct StopWaiter {
  std::uint64_t id = 0;
  SystemTime deadline;  // the request's own timeout on the emulator clock
  Deferred deferred;
  Profile profile = Profile::docs;
  Scheduler::TimerId timer = 0;  // the wake-up at `deadline`; cancelled once the stop settles
};

// Graceful stops one agent may have waiting at once; one more is refused with 429 (README).
inline constexpr std::size_t kMaxWaitingStops = 64;

// A world the agent's runtime made (POST /api/agents/{agentId}/worlds): plugin-sql's worlds row.
// JSON values held here are compact text, not documents: a document's allocator takes 64 KiB at
// its first member, too much for a thousand small rows.
struct World {
  std::string id;
  std::string name;
  std::string metadata;           // JSON text; "" : null
  std::string message_server_id;  // "" : null
  std::int64_t created_ms = 0;
};

// A public GET route a plugin of the agent registers, listed by GET .../panels. agentemu runs no
// plugins: fixtures name them.
struct Panel {
  std::string name;
  std::string path;
};

// A row of the server's logs table. The real runtime logs actions, evaluators and model calls;
// agentemu runs none of them, so its life cycle writes these (type kLifecycleLogType).
struct LogEntry {
  std::string id;
  std::string entity_id;
  std::string room_id;
  std::string type;
  std::string body;        // JSON text of an object
  std::string model_type;  // body.modelType when it is a string (excludeTypes reads it)
  std::int64_t created_ms = 0;
  std::uint64_t sequence = 0;  // insertion order, for rows created in the same millisecond
};

inline constexpr std::string_view kLifecycleLogType = "agent_event";
// Log rows kept (the oldest go first) and worlds per agent: the real server bounds neither, an
// emulator that runs for days must.
inline constexpr std::size_t kMaxLogs = 1000;
inline constexpr std::size_t kMaxWorldsPerAgent = 100;

// What most agents never have: a character configured beyond the name, worlds, panels, graceful
// stops waiting. Kept behind one pointer and made on first need, so that an agent made with a
// name alone costs a couple of hundred bytes (scripts/bench, memory per live resource).
struct AgentExtras {
  AgentExtras() { character.SetObject(); }
  // Everything else the client configured (bio, lore, style, settings, plugins...), an object.
  StoredJson character;
  std::vector<World> worlds;
  std::vector<Panel> panels;
  std::vector<StopWaiter> waiters;
  SystemTime busy_timer{};  // the busy_until a wake-up is armed for
  Scheduler::TimerId busy_timer_id = 0;  // that wake-up; cancelled when no stop waits any more

  // What an agent without extras reads: an empty character, no worlds, panels or waiters.
  static const AgentExtras& none();
};

struct Agent {
  std::string id;  // lowercase UUID; never changed once stored (the store's key views it)
  std::uint64_t sequence = 0;  // creation order, for listing
  std::string name;
  bool active = false;
  bool enabled = true;
  bool enable_autonomy = false;
  bool stop_fails = false;   // emulation control: the runtime refuses to stop ("Failed to stop agent runtime")
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t started_ms = -1;  // -1: never
  std::int64_t stopped_ms = -1;
  // Emulation control (fixtures / POST /_emulator/state): in-progress work ends then; in the past: idle.
  SystemTime busy_until{};

  bool busy(SystemTime now) const { return busy_until > now; }

  // Reading makes nothing; changing makes the extras on first need.
  const AgentExtras& extras() const { return extras_ ? *extras_ : AgentExtras::none(); }
  AgentExtras& extras_to_change() {
    if (!extras_) extras_ = std::make_unique<AgentExtras>();
    return *extras_;
  }
  AgentExtras* made_extras() { return extras_.get(); }  // nullptr until made
  bool has_waiters() const { return extras_ && !extras_->waiters.empty(); }
  const JsonValue& character() const { return extras().character; }
  // Takes `character` (an object) as the agent's; an empty one makes no extras.
  void set_character(StoredJson& character) {
    if (extras_ || character.MemberCount() > 0) extras_to_change().character.Swap(character);
  }

 private:
  std::unique_ptr<AgentExtras> extras_;
};

// How a waiting stop ends; rendered and finished after the lock is released.
struct StopOutcome {
  enum class Kind { stopped, timed_out, failed, gone };
  Kind kind = Kind::stopped;
  Deferred deferred;
  Profile profile = Profile::docs;
  std::string agent_id;
  std::int64_t stopped_ms = 0;
};

class AgentStore {
 public:
  // The scheduler that holds the waiters' wake-ups. Cancelling under the store's lock is safe:
  // the scheduler runs a task only after releasing its own lock.
  explicit AgentStore(Scheduler& scheduler) : scheduler_(scheduler) {}

  std::unique_lock<std::mutex> lock() const { return std::unique_lock(mutex_); }

  // Everything below: the lock is held.
  Agent* find(std::string_view id);
  Agent& insert(Agent agent);
  // Removes the agent; its waiting stops end as `kind`.
  bool erase(std::string_view id, StopOutcome::Kind kind, std::int64_t now_ms, std::vector<StopOutcome>& out);
  // Every agent in creation order.
  std::vector<const Agent*> ordered() const;
  std::size_t size() const { return agents_.size(); }
  bool any_active() const;

  // A runtime starts for the agent (it was not running).
  void start(Agent& agent, std::int64_t started_ms);
  // The runtime stops at once; every waiting stop succeeds with the same stoppedAt.
  void stop_now(Agent& agent, std::int64_t stopped_ms, std::vector<StopOutcome>& out);
  // Resolves whatever waiting stops are due at `now`: the work ended (stop, or fail when the
  // runtime refuses), or a request's own timeout passed first.
  void settle(Agent& agent, SystemTime now, std::vector<StopOutcome>& out);
  // Replaces the agent's busy wake-up (cancelling the one it had).
  void set_busy_timer(Agent& agent, Scheduler::TimerId timer);

  std::uint64_t next_waiter_id() { return ++waiter_ids_; }

  // The life cycle's log rows: event "started", "stopped", "stop_failed", "stop_timed_out".
  void log_event(const Agent& agent, std::string_view event, std::int64_t at_ms, std::string_view error = {});
  void add_log(LogEntry entry);  // a fixture's row; one with a known id replaces it
  const std::deque<LogEntry>& logs() const { return logs_; }
  // Removes the row with this id; false when there is none.
  bool erase_log(std::string_view id);

  // API keys named by the fixtures; none: no auth.
  const std::vector<std::string>& api_keys() const { return api_keys_; }
  void add_api_key(std::string key);

  // Empties the store; every waiting stop ends as gone.
  void clear(std::int64_t now_ms, std::vector<StopOutcome>& out);

 private:
  // A waiting stop ended: its wake-up goes, and the agent's busy wake-up once none is left.
  void release(StopWaiter& waiter);
  void push_log(LogEntry row);
  void released_all(Agent& agent);

  Scheduler& scheduler_;
  mutable std::mutex mutex_;
  // Keyed by a view of the stored agent's own id (a node never moves), so the id is kept once.
  std::unordered_map<std::string_view, Agent> agents_;
  std::vector<std::string> api_keys_;
  std::deque<LogEntry> logs_;
  std::uint64_t log_sequence_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t waiter_ids_ = 0;
};

}  // namespace agentemu::rest
