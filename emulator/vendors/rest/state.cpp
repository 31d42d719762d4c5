#include "vendors/rest/state.hpp"

#include <algorithm>

#include "core/crypto.hpp"

namespace agentemu::rest {

Agent* AgentStore::find(std::string_view id) {
  const auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

const AgentExtras& AgentExtras::none() {
  static const AgentExtras empty;
  return empty;
}

Agent& AgentStore::insert(Agent agent) {
  agent.sequence = ++sequence_;
  // The agent with that id, if any, is replaced whole.
  if (const auto old = agents_.find(agent.id); old != agents_.end()) agents_.erase(old);
  // The key views a copy of the id while the agent moves into its node, then the id where it
  // stays (extracting by iterator reads no key).
  const std::string id = agent.id;
  auto node = agents_.extract(agents_.emplace(std::string_view(id), std::move(agent)).first);
  node.key() = node.mapped().id;
  return agents_.insert(std::move(node)).position->second;
}

void AgentStore::release(StopWaiter& waiter) {
  if (waiter.timer != 0) scheduler_.cancel(waiter.timer);
  waiter.timer = 0;
}

void AgentStore::released_all(Agent& agent) {
  AgentExtras* extras = agent.made_extras();
  if (extras == nullptr) return;
  if (extras->busy_timer_id != 0) scheduler_.cancel(extras->busy_timer_id);
  extras->busy_timer_id = 0;
  extras->busy_timer = SystemTime{};  // the next waiting stop arms a new one
}

void AgentStore::set_busy_timer(Agent& agent, Scheduler::TimerId timer) {
  AgentExtras& extras = agent.extras_to_change();
  if (extras.busy_timer_id != 0) scheduler_.cancel(extras.busy_timer_id);
  extras.busy_timer_id = timer;
}

bool AgentStore::erase(std::string_view id, StopOutcome::Kind kind, std::int64_t now_ms, std::vector<StopOutcome>& out) {
  const auto it = agents_.find(id);
  if (it == agents_.end()) return false;
  if (AgentExtras* extras = it->second.made_extras()) {
    for (StopWaiter& waiter : extras->waiters) {
      release(waiter);
      out.push_back({kind, std::move(waiter.deferred), waiter.profile, it->second.id, now_ms});
    }
  }
  released_all(it->second);
  // The database deletes the agent's entity and rooms, and their log rows with them.
  const std::string& gone = it->second.id;
  std::erase_if(logs_, [&](const LogEntry& log) { return log.entity_id == gone || log.room_id == gone; });
  agents_.erase(it);
  return true;
}

std::vector<const Agent*> AgentStore::ordered() const {
  std::vector<const Agent*> out;
  out.reserve(agents_.size());
  for (const auto& [id, agent] : agents_) out.push_back(&agent);
  std::sort(out.begin(), out.end(), [](const Agent* a, const Agent* b) { return a->sequence < b->sequence; });
  return out;
}

bool AgentStore::any_active() const {
  for (const auto& [id, agent] : agents_) {
    if (agent.active) return true;
  }
  return false;
}

void AgentStore::start(Agent& agent, std::int64_t started_ms) {
  agent.active = true;
  agent.started_ms = started_ms;
  log_event(agent, "started", started_ms);
}

void AgentStore::stop_now(Agent& agent, std::int64_t stopped_ms, std::vector<StopOutcome>& out) {
  if (agent.active) log_event(agent, "stopped", stopped_ms);
  agent.active = false;
  agent.stopped_ms = stopped_ms;
  // Whatever the runtime was doing is abandoned with it.
  agent.busy_until = SystemTime{};
  if (AgentExtras* extras = agent.made_extras()) {
    for (StopWaiter& waiter : extras->waiters) {
      release(waiter);
      out.push_back({StopOutcome::Kind::stopped, std::move(waiter.deferred), waiter.profile, agent.id, stopped_ms});
    }
    extras->waiters.clear();
  }
  released_all(agent);
}

void AgentStore::settle(Agent& agent, SystemTime now, std::vector<StopOutcome>& out) {
  if (!agent.has_waiters()) return;
  std::vector<StopWaiter>& waiters = agent.extras_to_change().waiters;
  if (!agent.active) {
    // Stopped some other way meanwhile (a forced stop, a fixture): the wait is over.
    stop_now(agent, agent.stopped_ms >= 0 ? agent.stopped_ms : epoch_millis(now), out);
    return;
  }
  if (!agent.busy(now)) {
    // The work is over. A request whose timeout came before the work ended had timed out by
    // then, even when a clock jump lets us notice both at once.
    const SystemTime ended = agent.busy_until;
    std::vector<StopWaiter> remaining;
    for (StopWaiter& waiter : waiters) {
      if (waiter.deadline < ended) {
        log_event(agent, "stop_timed_out", epoch_millis(waiter.deadline), entry(Err::graceful_timeout).id);
        release(waiter);
        out.push_back({StopOutcome::Kind::timed_out, std::move(waiter.deferred), waiter.profile, agent.id, 0});
      } else {
        remaining.push_back(std::move(waiter));
      }
    }
    waiters.clear();
    if (remaining.empty()) {
      released_all(agent);
      return;
    }
    if (agent.stop_fails) {
      log_event(agent, "stop_failed", epoch_millis(ended), entry(Err::stop_failed).id);
      for (StopWaiter& waiter : remaining) {
        release(waiter);
        out.push_back({StopOutcome::Kind::failed, std::move(waiter.deferred), waiter.profile, agent.id, 0});
      }
      released_all(agent);
      return;
    }
    waiters = std::move(remaining);
    // stoppedAt: the moment the last piece of work finished, when there was some.
    const std::int64_t at = ended == SystemTime{} ? epoch_millis(now) : epoch_millis(ended);
    stop_now(agent, at, out);
    return;
  }
  // Still working: only the requests whose own timeout passed give up. The agent stays active.
  auto keep = waiters.begin();
  for (auto it = waiters.begin(); it != waiters.end(); ++it) {
    if (it->deadline <= now) {
      log_event(agent, "stop_timed_out", epoch_millis(it->deadline), entry(Err::graceful_timeout).id);
      release(*it);
      out.push_back({StopOutcome::Kind::timed_out, std::move(it->deferred), it->profile, agent.id, 0});
    } else {
      if (keep != it) *keep = std::move(*it);
      ++keep;
    }
  }
  waiters.erase(keep, waiters.end());
  if (waiters.empty()) released_all(agent);
}

void AgentStore::add_api_key(std::string key) {
  if (std::find(api_keys_.begin(), api_keys_.end(), key) == api_keys_.end()) api_keys_.push_back(std::move(key));
}

void AgentStore::clear(std::int64_t now_ms, std::vector<StopOutcome>& out) {
  for (auto& [id, agent] : agents_) {
    if (AgentExtras* extras = agent.made_extras()) {
      for (StopWaiter& waiter : extras->waiters) {
        release(waiter);
        out.push_back({StopOutcome::Kind::gone, std::move(waiter.deferred), waiter.profile, agent.id, now_ms});
      }
    }
    released_all(agent);
  }
  agents_.clear();
  api_keys_.clear();
  logs_.clear();
}

void AgentStore::log_event(const Agent& agent, std::string_view event, std::int64_t at_ms, std::string_view error) {
  LogEntry row;
  row.id = uuid_v4();
  row.entity_id = agent.id;
  row.room_id = agent.id;  // the agent's own room, whose id is the agent's (elizaOS's SELF room)
  row.type = kLifecycleLogType;
  row.created_ms = at_ms;
  JsonWriter body;
  body.begin_object().field("event", event).field("agentId", agent.id).field("agentName", agent.name);
  if (!error.empty()) body.field("error", error);
  row.body = body.end_object().take();
  push_log(std::move(row));
}

void AgentStore::add_log(LogEntry row) {
  erase_log(row.id);
  push_log(std::move(row));
}

void AgentStore::push_log(LogEntry row) {
  row.sequence = ++log_sequence_;
  logs_.push_back(std::move(row));
  while (logs_.size() > kMaxLogs) logs_.pop_front();
}

bool AgentStore::erase_log(std::string_view id) {
  return std::erase_if(logs_, [&](const LogEntry& log) { return log.id == id; }) > 0;
}

}  // namespace agentemu::rest
