#include "core/scheduler.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <optional>

namespace agentemu {

struct Scheduler::Entry {
  explicit Entry(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::optional<SystemTime> deadline;  // set for emulator-clock timers
  Task task;
  std::uint64_t generation = 0;  // bumped on every re-arm, so a stale wakeup is ignored
};

Scheduler::Scheduler(boost::asio::io_context& io, const Clock& clock) : io_(io), clock_(clock) {}

Scheduler::~Scheduler() { cancel_all(); }

void Scheduler::arm(TimerId id, Entry& entry) {
  const std::uint64_t generation = ++entry.generation;
  if (entry.deadline) {
    const auto remaining = *entry.deadline - clock_.now();
    entry.timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        remaining.count() > 0 ? remaining : SystemTime::duration::zero()));
  }
  entry.timer.async_wait([this, id, generation](const boost::system::error_code& ec) {
    if (!ec) fire(id, generation);
  });
}

Scheduler::TimerId Scheduler::at(SystemTime deadline, Task task) {
  std::lock_guard lock(mutex_);
  const TimerId id = next_id_++;
  auto entry = std::make_unique<Entry>(io_);
  entry->deadline = deadline;
  entry->task = std::move(task);
  arm(id, *entry);
  entries_.emplace(id, std::move(entry));
  return id;
}

Scheduler::TimerId Scheduler::after(Millis delay, Task task) {
  std::lock_guard lock(mutex_);
  const TimerId id = next_id_++;
  auto entry = std::make_unique<Entry>(io_);
  entry->task = std::move(task);
  entry->timer.expires_after(delay);
  arm(id, *entry);
  entries_.emplace(id, std::move(entry));
  return id;
}

void Scheduler::fire(TimerId id, std::uint64_t generation) {
  Task task;
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end() || it->second->generation != generation) return;
    Entry& entry = *it->second;
    if (entry.deadline && *entry.deadline > clock_.now()) {
      arm(id, entry);  // the clock went backwards while we slept
      return;
    }
    task = std::move(entry.task);
    entries_.erase(it);
  }
  task();
}

bool Scheduler::cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  it->second->timer.cancel();
  entries_.erase(it);
  return true;
}

void Scheduler::clock_changed() {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : entries_) {
    if (!entry->deadline) continue;
    entry->timer.cancel();
    arm(id, *entry);
  }
}

void Scheduler::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : entries_) entry->timer.cancel();
  entries_.clear();
}

std::size_t Scheduler::pending() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace agentemu
