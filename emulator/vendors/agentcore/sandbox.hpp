// A code-interpreter session's sandbox when code runs for real (--code-interpreter exec): a
// working directory of its own under agentemu's workspace, one persistent interpreter per
// language (variables and imports survive between calls, clearContext starts afresh), shell
// commands and background tasks, everything under --exec-limits. It ends (processes killed,
// directory removed) when the session stops or expires, on the emulator's clock.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/exec/interpreter.hpp"
#include "core/local.hpp"
#include "core/vendor.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

// What getTask and stopTask report.
struct TaskView {
  bool found = false;
  std::string id;
  std::string status;  // working | completed | failed | canceled
  std::string stdout_text, stderr_text;
  std::optional<int> exit_code;
  std::optional<double> execution_seconds;
};

inline constexpr std::size_t kTasksKept = 64;     // per session; the oldest finished ones go first
inline constexpr std::size_t kTasksRunning = 16;  // at once, per session

class Sandbox : public std::enable_shared_from_this<Sandbox> {
 public:
  Sandbox(LocalExecution& local, std::string dir);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::string& dir() const { return dir_; }
  const ExecLimits& limits() const { return local_.options().limits; }

  void execute_code(Language language, std::string code, bool clear_context, Interpreter::Done done);
  // `progress` sees the output as it arrives; `timeout` shortens --exec-limits' wall clock.
  std::shared_ptr<CommandRun> execute_command(std::string command, std::function<void(CommandResult&)> done,
                                              CommandRun::Progress progress = nullptr,
                                              std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // A background task's id, or nullopt with the reason.
  std::optional<std::string> start_task(std::string command, std::string& error);
  TaskView task(std::string_view id, bool stop);

  // Kills everything still running and removes the directory. Later calls find nothing to run.
  void end();

 private:
  struct Task {
    std::shared_ptr<CommandRun> run;
    std::optional<CommandResult> result;
    bool canceled = false;
  };

  LocalExecution& local_;
  const std::string dir_;
  std::mutex mutex_;
  bool ended_ = false;
  std::map<Language, std::shared_ptr<Interpreter>> interpreters_;
  std::vector<std::weak_ptr<CommandRun>> commands_;
  std::map<std::string, std::shared_ptr<Task>, std::less<>> tasks_;
  std::deque<std::string> task_order_;
};

// A shell command line as AgentCore's sandbox runs it: bash invoked as /bin/sh (so its messages
// read "/bin/sh: line 1: ..."), or /bin/sh where there is no bash.
ProcessSpec shell_command(const std::string& dir, std::string command, const ExecLimits& limits);

// "report.txt" or "/…/session-dir/report.txt" inside `dir`, normalized; nullopt for a path
// outside it (or empty).
std::optional<std::string> sandbox_file(const std::string& dir, std::string_view path);

// Every session's sandbox, by tenant and session id.
class Sandboxes {
 public:
  Sandboxes(const VendorContext& context, State& state);
  ~Sandboxes();

  bool enabled() const;  // --code-interpreter exec
  // The sandbox of a READY session, made at first use; its end (`expires_at` at the latest) is
  // watched on the emulator clock.
  std::shared_ptr<Sandbox> open(std::string_view account, std::string_view region, std::string_view session_id,
                                SystemTime expires_at, std::string& error);
  void end(std::string_view account, std::string_view region, std::string_view session_id);
  // A runtime session's working directory (InvokeAgentRuntimeCommand), made at first use; it ends
  // with the session (StopRuntimeSession, idle timeout, lifetime).
  std::shared_ptr<Sandbox> open_runtime(const RuntimeSession& session, std::string_view account,
                                        std::string_view region, std::string_view runtime_id,
                                        std::string_view session_id, std::string& error);
  void end_runtime(std::string_view account, std::string_view region, std::string_view runtime_id,
                   std::string_view session_id);
  void end_all();

 private:
  // The owner's end as it stands now, or nullopt once it has ended.
  using NextEnd = std::function<std::optional<SystemTime>()>;
  static std::string key(std::string_view account, std::string_view region, std::string_view session_id);
  static std::string runtime_key(std::string_view account, std::string_view region, std::string_view runtime_id,
                                 std::string_view session_id);
  std::shared_ptr<Sandbox> open_dir(const std::string& key, const std::string& dir_name, SystemTime ends_at,
                                    NextEnd next_end, std::string& error);
  void watch(std::string key, SystemTime at, std::shared_ptr<NextEnd> next_end);
  void end_key(const std::string& key);

  const VendorContext& context_;
  State& state_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Sandbox>, std::less<>> sandboxes_;
};

}  // namespace agentemu::agentcore
