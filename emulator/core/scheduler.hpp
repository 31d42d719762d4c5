// Timers for work that finishes later without blocking a thread: graceful shutdowns that wait
// for idle, simulated busy periods, injected latency. Timers on the emulator's clock move when
// PUT /_emulator/clock shifts it, so a test can jump past a 30-second timeout at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "core/clock.hpp"

namespace boost::asio {
class io_context;
}

namespace agentemu {

class Scheduler {
 public:
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;

  Scheduler(boost::asio::io_context& io, const Clock& clock);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `task` on an io thread once the emulator's clock reaches `deadline`.
  TimerId at(SystemTime deadline, Task task);
  // Runs `task` after a real-time delay that clock shifts do not touch.
  TimerId after(Millis delay, Task task);
  // True when the timer was still pending; its task will not run.
  bool cancel(TimerId id);
  // The emulator's clock moved: re-arm every emulator-clock timer against the new "now".
  void clock_changed();
  void cancel_all();
  std::size_t pending() const;

 private:
  struct Entry;
  void arm(TimerId id, Entry& entry);
  void fire(TimerId id, std::uint64_t generation);

  boost::asio::io_context& io_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<TimerId, std::unique_ptr<Entry>> entries_;
  TimerId next_id_ = 1;
};

}  // namespace agentemu
