#include "core/exec/interpreter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace agentemu {
namespace {

constexpr std::chrono::milliseconds kOutputGrace{250};

// One stream of one request: everything before the marker, up to the cap. The last bytes are
// held back while they could still be the start of the marker.
struct MarkedCapture {
  BoundedText kept;
  std::string pending;
  std::string_view marker;
  bool found = false;

  void append(std::string_view bytes) {
    if (found) return;
    pending.append(bytes);
    if (const auto at = pending.find(marker); at != std::string::npos) {
      kept.append(std::string_view(pending).substr(0, at));
      pending.clear();
      found = true;
      return;
    }
    const std::size_t hold = std::min(pending.size(), marker.size() - 1);
    kept.append(std::string_view(pending).substr(0, pending.size() - hold));
    pending.erase(0, pending.size() - hold);
  }
  // The stream ended without a marker: what was held back is output too.
  void flush() {
    kept.append(pending);
    pending.clear();
  }
};

}  // namespace

std::string_view language_name(Language language) {
  switch (language) {
    case Language::python: return "python";
    case Language::javascript: return "javascript";
    case Language::typescript: return "typescript";
  }
  return "python";
}

std::vector<std::string> interpreter_command(Language language, const std::string& driver) {
  switch (language) {
    case Language::python: return {"python3", "-u", driver};
    case Language::javascript: return {"node", driver};
    case Language::typescript: return {"node", driver, "--typescript"};
  }
  return {};
}

struct Interpreter::Impl : std::enable_shared_from_this<Interpreter::Impl> {
  Impl(boost::asio::io_context& io, Language lang, ExecLimits l) : language(lang), limits(l), timer(io), grace(io) {}

  // The owner let go (the session ended) with requests still waiting: each still gets its answer.
  ~Impl() {
    if (child) child->kill_group();
    Finished finished;
    if (active) {
      InterpreterResult r;
      r.context_lost = true;
      r.exit_code = 137;
      r.ended = "the end of its session";
      r.stdout_text = std::move(active->out.kept.text);
      r.stderr_text = std::move(active->err.kept.text);
      finished.emplace_back(std::move(active->done), std::move(r));
    }
    if (!exit) exit = ExitStatus{137, 9};
    fail_queue(finished);
    deliver(finished);
  }

  struct Pending {
    std::string code;
    Done done;
  };
  struct Active {
    std::uint64_t id = 0;
    std::string marker;
    MarkedCapture out, err;
    bool answered = false;
    int exit_code = 0;
    std::chrono::steady_clock::time_point started;
    Done done;
  };
  using Finished = std::vector<std::pair<Done, InterpreterResult>>;

  enum class Phase { starting, ready, ended };

  void on_output(bool is_err, std::string_view bytes) {
    Finished finished;
    {
      std::lock_guard lock(mutex);
      if (bytes.empty()) {
        --streams_open;
        if (active) (is_err ? active->err : active->out).flush();
      } else if (active) {
        (is_err ? active->err : active->out).append(bytes);
      }
      settle(finished);
    }
    deliver(finished);
  }

  void on_control(std::string_view line) {
    Finished finished;
    {
      std::lock_guard lock(mutex);
      JsonDocument message;
      if (line.empty() || parse_json(line, message) || !message.IsObject()) {
        settle(finished);
      } else if (json_member(message, "ready") != nullptr) {
        const JsonValue* ts = json_member(message, "typescript");
        if (language == Language::typescript && (ts == nullptr || !ts->IsBool() || !ts->GetBool())) {
          unavailable = "TypeScript needs a runner, and agentemu found none: Node.js 22.6 or later (type "
                        "stripping) or the typescript package where node can require it";
          if (const JsonValue* v = json_member(message, "version"); v != nullptr && v->IsString()) {
            unavailable += " (this is Node.js " + std::string(v->GetString()) + ")";
          }
          if (child) child->kill_group();
          phase = Phase::ended;
          fail_queue(finished);
        } else {
          phase = Phase::ready;
          dispatch();
        }
      } else if (const JsonValue* id = json_member(message, "id"); id != nullptr && id->IsUint64() && active &&
                                                                   active->id == id->GetUint64()) {
        const JsonValue* code = json_member(message, "exitCode");
        active->answered = true;
        active->exit_code = code != nullptr && code->IsInt() ? code->GetInt() : 1;
        settle(finished);
      }
    }
    deliver(finished);
  }

  void on_exit(ExitStatus status) {
    Finished finished;
    {
      std::lock_guard lock(mutex);
      phase = Phase::ended;
      exit = status;
      if (!active) fail_queue(finished);
      settle(finished);
      if (active) {
        // Output pipes a stray descendant still holds must not keep the answer waiting.
        grace.expires_after(kOutputGrace);
        grace.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
          if (ec) return;
          if (auto me = weak.lock()) {
            std::lock_guard lock(me->mutex);
            if (me->child) me->child->close_output();
          }
        });
      }
    }
    deliver(finished);
  }

  // Sends the next request when the driver is free. mutex held.
  void dispatch() {
    if (phase != Phase::ready || active || queue.empty()) return;
    Pending next = std::move(queue.front());
    queue.pop_front();
    active.emplace(Active{});
    active->id = ++last_id;
    active->marker = "\x1e" "agentemu-end-" + random_hex(12) + "\x1e";
    active->out.marker = active->marker;
    active->err.marker = active->marker;
    active->out.kept.cap = active->err.kept.cap = limits.output_bytes;
    active->done = std::move(next.done);
    active->started = std::chrono::steady_clock::now();
    child->limit_cpu(limits.cpu);
    JsonWriter w;
    w.begin_object().key("id").uint64(active->id).field("code", next.code).field("marker", active->marker).end_object();
    std::string line = w.take();
    line += '\n';
    child->send_control(std::move(line));
    timer.expires_after(limits.timeout);
    timer.async_wait([weak = weak_from_this(), id = active->id](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto me = weak.lock()) {
        std::lock_guard lock(me->mutex);
        if (me->active && me->active->id == id && me->child) {
          me->timed_out = true;
          me->child->kill_group();
        }
      }
    });
  }

  // Finishes the active request if it is complete (answered and both markers seen) or can no
  // longer complete (the process ended and its output is drained). mutex held.
  void settle(Finished& finished) {
    if (!active) return;
    const bool complete = active->answered && active->out.found && active->err.found;
    const bool lost = phase == Phase::ended && streams_open <= 0;
    if (!complete && !lost) return;
    timer.cancel();
    InterpreterResult r;
    r.elapsed = std::chrono::steady_clock::now() - active->started;
    r.stdout_text = std::move(active->out.kept.text);
    r.stderr_text = std::move(active->err.kept.text);
    r.truncated = active->out.kept.truncated() || active->err.kept.truncated();
    if (complete) {
      r.exit_code = active->exit_code;
    } else {
      r.context_lost = true;
      r.timed_out = timed_out;
      const ExitStatus status = exit.value_or(ExitStatus{137, 9});
      r.exit_code = status.code;
      r.ended = timed_out ? "the " + std::to_string(limits.timeout.count()) + " ms wall-clock limit" : status.describe();
      if (status.signal == 24 /* SIGXCPU */) r.ended = "the CPU time limit (" + std::to_string(limits.cpu.count()) + " ms)";
      if (status.signal == 25 /* SIGXFSZ */) r.ended = "the file-size limit (" + std::to_string(limits.file_bytes) + " bytes)";
    }
    finished.emplace_back(std::move(active->done), std::move(r));
    active.reset();
    timed_out = false;
    if (phase == Phase::ended) {
      fail_queue(finished);
    } else {
      dispatch();
    }
  }

  // The process is gone: what was queued cannot run in it. mutex held.
  void fail_queue(Finished& finished) {
    while (!queue.empty()) {
      InterpreterResult r;
      if (!unavailable.empty()) {
        r.unavailable = true;
        r.unavailable_reason = unavailable;
      } else {
        r.context_lost = true;
        r.exit_code = exit ? exit->code : 1;
        r.ended = exit ? exit->describe() : "the interpreter stopped";
      }
      finished.emplace_back(std::move(queue.front().done), std::move(r));
      queue.pop_front();
    }
  }

  static void deliver(Finished& finished) {
    for (auto& [done, result] : finished) {
      if (done) done(result);
    }
  }

  Language language;
  ExecLimits limits;
  boost::asio::steady_timer timer, grace;
  mutable std::mutex mutex;
  std::shared_ptr<Child> child;
  Phase phase = Phase::starting;
  std::deque<Pending> queue;
  std::optional<Active> active;
  std::uint64_t last_id = 0;
  int streams_open = 2;
  std::optional<ExitStatus> exit;
  bool timed_out = false;
  std::string unavailable;  // why no request can run (spawn failure, no TypeScript runner)
};

std::shared_ptr<Interpreter> Interpreter::start(ProcessSupervisor& supervisor, Workspace& workspace, Language language,
                                                std::string cwd, ExecLimits limits) {
  auto interpreter = std::shared_ptr<Interpreter>(new Interpreter());
  auto impl = std::make_shared<Impl>(supervisor.io(), language, limits);
  interpreter->impl_ = impl;
  std::string error;
  const auto driver = workspace.driver(language, error);
  ProcessSpec spec;
  if (driver) {
    spec.argv = interpreter_command(language, *driver);
    spec.cwd = std::move(cwd);
    spec.limits = limits;
    spec.persistent = true;
    spec.control = true;
    spec.env = {{"PYTHONDONTWRITEBYTECODE", "1"}, {"PYTHONIOENCODING", "utf-8"}};
    impl->child = supervisor.spawn(spec, error);
  }
  if (!impl->child) {
    impl->phase = Impl::Phase::ended;
    const std::string program = spec.argv.empty() ? "the driver" : spec.argv[0];
    impl->unavailable = error.find("not found on PATH") != std::string::npos
                            ? std::string(language_name(language)) + " needs " + program +
                                  ", which agentemu did not find on PATH"
                            : "cannot start " + program + ": " + error;
    return interpreter;
  }
  std::weak_ptr<Impl> weak = impl;
  impl->child->start_reading(
      [weak](std::string_view bytes) {
        if (auto me = weak.lock()) me->on_output(false, bytes);
      },
      [weak](std::string_view bytes) {
        if (auto me = weak.lock()) me->on_output(true, bytes);
      },
      [weak](ExitStatus status) {
        if (auto me = weak.lock()) me->on_exit(status);
      },
      [weak](std::string_view line) {
        if (auto me = weak.lock()) me->on_control(line);
      });
  return interpreter;
}

Interpreter::~Interpreter() { stop(); }

void Interpreter::run(std::string code, Done done) {
  Impl::Finished finished;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->queue.push_back({std::move(code), std::move(done)});
    if (impl_->phase == Impl::Phase::ended && !impl_->active) {
      impl_->fail_queue(finished);
    } else {
      impl_->dispatch();
    }
  }
  Impl::deliver(finished);
}

void Interpreter::stop() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->child) impl_->child->kill_group();
}

bool Interpreter::alive() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->phase != Impl::Phase::ended;
}

}  // namespace agentemu
