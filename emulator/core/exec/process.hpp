// Child processes on the server's io_context: each in a process group of its own (so a
// runaway and everything it started die together), with setrlimit limits, stdin on /dev/null,
// stdout and stderr read as they arrive, and every child reaped. The supervisor ends them all
// when agentemu exits. Nothing here knows a vendor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/exec/limits.hpp"

namespace boost::asio {
class io_context;
}

namespace agentemu {

class Child;

// How a child ended: its exit status, or the signal that killed it.
struct ExitStatus {
  int code = -1;   // exit status; 128 + signal when signalled (the shell's convention)
  int signal = 0;  // the signal that killed it, 0 when it exited
  std::string describe() const;  // "exited with 3", "killed by SIGKILL"
};

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it contains '/'
  std::string argv0;              // what the program sees as argv[0]; empty: argv[0]
  std::string cwd;
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) the inherited environment
  ExecLimits limits;
  bool persistent = false;  // an interpreter: no CPU limit at start (set per request with limit_cpu)
  bool control = false;     // fd 3 carries requests to the child, fd 4 its answers
};

class ProcessSupervisor {
 public:
  // `reap_orphans`: also reap children agentemu did not start (descendants that left their
  // group and were reparented here, as to a subreaper or PID 1).
  ProcessSupervisor(boost::asio::io_context& io, bool reap_orphans);
  ~ProcessSupervisor();
  ProcessSupervisor(const ProcessSupervisor&) = delete;
  ProcessSupervisor& operator=(const ProcessSupervisor&) = delete;

  // Starts the child, or answers why it could not (no such program, fork failed...).
  std::shared_ptr<Child> spawn(const ProcessSpec& spec, std::string& error);

  // Kills every process group still alive and reaps what it can within `grace`; later spawns
  // fail. Call it once the io_context has stopped: what waits for a child is let go unanswered.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  std::size_t running() const;

  boost::asio::io_context& io() { return io_; }

  struct Impl;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<Impl> impl_;
};

// A running child. Output and the exit arrive as callbacks on the io_context; the handlers are
// set before start_reading() and run one at a time.
class Child : public std::enable_shared_from_this<Child> {
 public:
  using Output = std::function<void(std::string_view bytes)>;  // empty bytes: the stream ended
  using Exit = std::function<void(ExitStatus)>;

  ~Child();
  int pid() const { return pid_; }

  // Begins delivering stdout/stderr (and the control channel's lines) and the exit.
  void start_reading(Output on_stdout, Output on_stderr, Exit on_exit, Output on_control_line = nullptr);
  // Writes to the control channel (fd 3 of the child).
  void send_control(std::string bytes);
  // SIGKILL to the whole process group. Safe to call more than once and after the exit.
  void kill_group();
  // Sets RLIMIT_CPU of the (persistent) child to the CPU time it used so far plus `more`.
  bool limit_cpu(std::chrono::milliseconds more);
  // Stops reading stdout and stderr (each handler gets its end): for output pipes that a
  // descendant which escaped the group still holds open after the child exited.
  void close_output();

  struct Io;

 private:
  friend struct ProcessSupervisor::Impl;
  friend class ProcessSupervisor;
  Child(std::shared_ptr<ProcessSupervisor::Impl> supervisor, int pid);
  void on_reaped(ExitStatus status);

  std::shared_ptr<ProcessSupervisor::Impl> supervisor_;
  int pid_;
  std::shared_ptr<Io> io_;
};

// The result of a command run to its end.
struct CommandResult {
  ExitStatus status;
  bool timed_out = false;  // killed at the wall-clock limit
  std::string stdout_text, stderr_text;
  bool stdout_truncated = false, stderr_truncated = false;
  std::chrono::nanoseconds elapsed{0};
  std::string spawn_error;  // set when it never started
};

// A one-shot command with its limits: output kept up to limits.output_bytes per stream, killed
// (with its whole group) at the wall-clock limit, and any leftover members of its group killed
// once it exits. `done` runs once, on the io_context. The returned handle stops it early.
class CommandRun {
 public:
  // Output as it arrives (`is_stderr` says which stream), for a caller that streams it on; the
  // bytes are also kept, bounded, in the result. Runs on the io_context, before `done`.
  using Progress = std::function<void(bool is_stderr, std::string_view bytes)>;
  static std::shared_ptr<CommandRun> start(ProcessSupervisor& supervisor, const ProcessSpec& spec,
                                           std::function<void(CommandResult&)> done, Progress progress = nullptr);
  void stop();  // kills it; `done` still runs, with the status of the kill
  // What it printed so far (a background task being polled).
  void peek(std::string& out, std::string& err) const;
  bool finished() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Bytes kept up to a cap; what is dropped is counted.
struct BoundedText {
  std::string text;
  std::size_t cap = 0;
  std::size_t dropped = 0;
  void append(std::string_view bytes);
  bool truncated() const { return dropped != 0; }
};

// Where a program is: `name` itself when it has a '/', else the first executable on PATH.
std::optional<std::string> find_program(std::string_view name);

}  // namespace agentemu
