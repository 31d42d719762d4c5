// A persistent interpreter: one python3 or node process running agentemu's driver
// (core/exec/drivers/), which keeps one namespace from request to request, so variables and
// imports survive between calls. Requests run one at a time, in order, each under the limits
// (wall clock and CPU per request; memory, file size and processes for the process). A request
// that kills the process (a timeout, a limit, exit()) ends the context: the next one starts afresh.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/exec/limits.hpp"
#include "core/exec/process.hpp"
#include "core/exec/workspace.hpp"

namespace agentemu {

struct InterpreterResult {
  int exit_code = 0;  // 0: ran; 1: raised; n: the code exited with n (or was killed: 128 + signal)
  std::string stdout_text, stderr_text;
  bool truncated = false;
  std::chrono::nanoseconds elapsed{0};
  // The process ended during the request (its context is gone) and why: "the 2 s wall-clock
  // limit", "killed by SIGXCPU"...
  bool context_lost = false;
  std::string ended;
  bool timed_out = false;
  // It could not run at all: no interpreter installed, TypeScript without a runner...
  bool unavailable = false;
  std::string unavailable_reason;
};

class Interpreter : public std::enable_shared_from_this<Interpreter> {
 public:
  using Done = std::function<void(InterpreterResult&)>;

  // Starts the interpreter for `language` in `cwd`. Requests wait until it is ready.
  static std::shared_ptr<Interpreter> start(ProcessSupervisor& supervisor, Workspace& workspace, Language language,
                                            std::string cwd, ExecLimits limits);
  ~Interpreter();

  // Queues `code`; `done` runs once, on an io thread, when it finished or the process ended.
  void run(std::string code, Done done);
  // Kills the process; queued requests end as context_lost.
  void stop();
  // False once the process ended; a new Interpreter is needed then.
  bool alive() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The program and arguments that run the driver for `language`.
std::vector<std::string> interpreter_command(Language language, const std::string& driver);
std::string_view language_name(Language language);

}  // namespace agentemu
