#include "vendors/agentcore/sandbox.hpp"

#include <filesystem>

#include "core/crypto.hpp"
#include "core/scheduler.hpp"

namespace agentemu::agentcore {

namespace fs = std::filesystem;

ProcessSpec shell_command(const std::string& dir, std::string command, const ExecLimits& limits) {
  static const std::optional<std::string> bash = find_program("/bin/bash");
  ProcessSpec spec;
  if (bash) {
    spec.argv = {*bash, "-c", std::move(command)};
    spec.argv0 = "/bin/sh";
  } else {
    spec.argv = {"/bin/sh", "-c", std::move(command)};
  }
  spec.cwd = dir;
  spec.limits = limits;
  return spec;
}

std::optional<std::string> sandbox_file(const std::string& dir, std::string_view path) {
  if (path.empty()) return std::nullopt;
  const fs::path base(dir);
  const fs::path joined = (path.front() == '/' ? fs::path(std::string(path)) : base / std::string(path)).lexically_normal();
  std::string out = joined.string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out == dir) return out;
  if (!out.starts_with(dir + "/")) return std::nullopt;
  return out;
}

// ---- One sandbox --------------------------------------------------------------------------------

Sandbox::Sandbox(LocalExecution& local, std::string dir) : local_(local), dir_(std::move(dir)) {}

Sandbox::~Sandbox() { end(); }

void Sandbox::end() {
  std::map<Language, std::shared_ptr<Interpreter>> interpreters;
  std::vector<std::shared_ptr<CommandRun>> runs;
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    interpreters.swap(interpreters_);
    for (auto& weak : commands_) {
      if (auto run = weak.lock()) runs.push_back(std::move(run));
    }
    commands_.clear();
    for (auto& [id, task] : tasks_) {
      if (task->run) runs.push_back(task->run);
    }
  }
  for (auto& [language, interpreter] : interpreters) interpreter->stop();
  for (auto& run : runs) run->stop();
  local_.workspace().remove_dir(dir_);
}

void Sandbox::execute_code(Language language, std::string code, bool clear_context, Interpreter::Done done) {
  std::shared_ptr<Interpreter> interpreter;
  {
    std::lock_guard lock(mutex_);
    if (!ended_) {
      auto& slot = interpreters_[language];
      if (slot && (clear_context || !slot->alive())) {
        slot->stop();
        slot.reset();
      }
      if (!slot) slot = Interpreter::start(local_.processes(), local_.workspace(), language, dir_, limits());
      interpreter = slot;
    }
  }
  if (!interpreter) {
    InterpreterResult gone;
    gone.unavailable = true;
    gone.unavailable_reason = "the session has ended";
    return done(gone);
  }
  interpreter->run(std::move(code), std::move(done));
}

std::shared_ptr<CommandRun> Sandbox::execute_command(std::string command, std::function<void(CommandResult&)> done,
                                                     CommandRun::Progress progress,
                                                     std::optional<std::chrono::milliseconds> timeout) {
  ProcessSpec spec = shell_command(dir_, std::move(command), limits());
  if (timeout && *timeout < spec.limits.timeout) spec.limits.timeout = *timeout;
  auto run = CommandRun::start(local_.processes(), spec, std::move(done), std::move(progress));
  std::lock_guard lock(mutex_);
  if (ended_) {
    run->stop();
    return run;
  }
  std::erase_if(commands_, [](const std::weak_ptr<CommandRun>& w) { return w.expired(); });
  commands_.push_back(run);
  return run;
}

std::optional<std::string> Sandbox::start_task(std::string command, std::string& error) {
  std::lock_guard lock(mutex_);
  if (ended_) {
    error = "the session has ended";
    return std::nullopt;
  }
  std::size_t running = 0;
  for (const auto& [id, task] : tasks_) running += task->result ? 0 : 1;
  if (running >= kTasksRunning) {
    error = "this session already runs " + std::to_string(kTasksRunning) + " tasks; stop one or wait for one to finish";
    return std::nullopt;
  }
  // Forget the oldest finished tasks first.
  for (auto it = task_order_.begin(); tasks_.size() >= kTasksKept && it != task_order_.end();) {
    const auto found = tasks_.find(*it);
    if (found != tasks_.end() && found->second->result) {
      tasks_.erase(found);
      it = task_order_.erase(it);
    } else {
      ++it;
    }
  }
  std::string id;
  do {
    id = random_hex(4);
  } while (tasks_.contains(id));
  auto task = std::make_shared<Task>();
  std::weak_ptr<Task> weak = task;
  task->run = CommandRun::start(local_.processes(), shell_command(dir_, std::move(command), limits()),
                                [weak, self = weak_from_this()](CommandResult& result) {
                                  auto me = self.lock();
                                  auto t = weak.lock();
                                  if (!me || !t) return;
                                  std::lock_guard lock(me->mutex_);
                                  t->result = std::move(result);
                                });
  tasks_.emplace(id, task);
  task_order_.push_back(id);
  return id;
}

TaskView Sandbox::task(std::string_view id, bool stop) {
  std::shared_ptr<Task> task;
  {
    std::lock_guard lock(mutex_);
    const auto it = tasks_.find(id);
    if (it == tasks_.end()) return {};
    task = it->second;
    if (stop && !task->result) task->canceled = true;
  }
  if (stop && task->run) task->run->stop();
  std::lock_guard lock(mutex_);
  TaskView view;
  view.found = true;
  view.id.assign(id);
  if (task->result) {
    const CommandResult& r = *task->result;
    view.status = task->canceled ? "canceled" : (r.status.code == 0 && !r.timed_out ? "completed" : "failed");
    view.stdout_text = r.stdout_text;
    view.stderr_text = r.stderr_text;
    view.exit_code = r.status.code;
    view.execution_seconds = std::chrono::duration<double>(r.elapsed).count();
  } else {
    view.status = task->canceled ? "canceled" : "working";
    task->run->peek(view.stdout_text, view.stderr_text);
  }
  return view;
}

// ---- Every session's sandbox --------------------------------------------------------------------

Sandboxes::Sandboxes(const VendorContext& context, State& state) : context_(context), state_(state) {}

Sandboxes::~Sandboxes() { end_all(); }

bool Sandboxes::enabled() const { return context_.local != nullptr && context_.local->options().run_code; }

std::string Sandboxes::key(std::string_view account, std::string_view region, std::string_view session_id) {
  return std::string(account) + "-" + std::string(region) + "-" + std::string(session_id);
}

std::shared_ptr<Sandbox> Sandboxes::open(std::string_view account, std::string_view region, std::string_view session_id,
                                         SystemTime expires_at, std::string& error) {
  const std::string k = key(account, region, session_id);
  // At the session's timeout: if it lives on (the clock moved back), look again at its new end.
  auto next_end = [this, account = std::string(account), region = std::string(region),
                   session_id = std::string(session_id)]() -> std::optional<SystemTime> {
    std::lock_guard lock(state_.mutex);
    const ToolSession* s = state_.tenant(account, region).code_sessions.find(session_id);
    if (s != nullptr && s->status(context_.clock.now()) == SessionStatus::ready) return s->expires_at();
    return std::nullopt;
  };
  return open_dir(k, "code-interpreter-" + k, expires_at, std::move(next_end), error);
}

// A runtime session's id may hold any character: its directory is named by a digest of it.
std::string Sandboxes::runtime_key(std::string_view account, std::string_view region, std::string_view runtime_id,
                                   std::string_view session_id) {
  return "runtime-" + std::string(account) + "-" + std::string(region) + "-" + std::string(runtime_id) + "-" +
         hex_lower(sha256(session_id)).substr(0, 16);
}

std::shared_ptr<Sandbox> Sandboxes::open_runtime(const RuntimeSession& session, std::string_view account,
                                                 std::string_view region, std::string_view runtime_id,
                                                 std::string_view session_id, std::string& error) {
  const std::string k = runtime_key(account, region, runtime_id, session_id);
  // The session's end moves with each invocation and while its agent is busy: at each moment it
  // was due, look again; a session of the same id started since is another session.
  auto next_end = [this, account = std::string(account), region = std::string(region),
                   session_key = RuntimeSessions::key(runtime_id, session_id),
                   created = session.created_at]() -> std::optional<SystemTime> {
    std::lock_guard lock(state_.mutex);
    const SystemTime now = context_.clock.now();
    Tenant& tenant = state_.tenant(account, region);
    tenant.runtime_sessions.advance(now);
    const RuntimeSession* s = tenant.runtime_sessions.find(session_key);
    if (s != nullptr && s->created_at == created && s->status(now) == SessionStatus::ready) return s->ended_at();
    return std::nullopt;
  };
  return open_dir(k, k, session.ended_at(), std::move(next_end), error);
}

std::shared_ptr<Sandbox> Sandboxes::open_dir(const std::string& k, const std::string& dir_name, SystemTime ends_at,
                                             NextEnd next_end, std::string& error) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = sandboxes_.find(k); it != sandboxes_.end()) return it->second;
  }
  const auto dir = context_.local->workspace().make_dir(dir_name, error);
  if (!dir) return nullptr;
  auto sandbox = std::make_shared<Sandbox>(*context_.local, *dir);
  {
    std::lock_guard lock(mutex_);
    // Two first calls raced: keep the one that won (its directory is the same path).
    const auto [it, inserted] = sandboxes_.emplace(k, sandbox);
    if (!inserted) return it->second;
  }
  watch(k, ends_at, std::make_shared<NextEnd>(std::move(next_end)));
  return sandbox;
}

// At the owner's end (emulator clock): if it ended, so does its sandbox; else wait for its new end.
void Sandboxes::watch(std::string k, SystemTime at, std::shared_ptr<NextEnd> next_end) {
  context_.scheduler.at(at, [this, k = std::move(k), next_end = std::move(next_end)]() mutable {
    {
      std::lock_guard lock(mutex_);
      if (!sandboxes_.contains(k)) return;  // already ended (stopped, reset)
    }
    if (const auto still = (*next_end)()) return watch(std::move(k), *still, std::move(next_end));
    end_key(k);
  });
}

void Sandboxes::end_runtime(std::string_view account, std::string_view region, std::string_view runtime_id,
                            std::string_view session_id) {
  end_key(runtime_key(account, region, runtime_id, session_id));
}

void Sandboxes::end(std::string_view account, std::string_view region, std::string_view session_id) {
  end_key(key(account, region, session_id));
}

void Sandboxes::end_key(const std::string& k) {
  std::shared_ptr<Sandbox> sandbox;
  {
    std::lock_guard lock(mutex_);
    const auto it = sandboxes_.find(k);
    if (it == sandboxes_.end()) return;
    sandbox = std::move(it->second);
    sandboxes_.erase(it);
  }
  sandbox->end();
}

void Sandboxes::end_all() {
  std::map<std::string, std::shared_ptr<Sandbox>, std::less<>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(sandboxes_);
  }
  for (auto& [k, sandbox] : all) sandbox->end();
}

}  // namespace agentemu::agentcore
