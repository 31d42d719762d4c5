#include "core/exec/process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace agentemu {

namespace asio = boost::asio;
using Strand = asio::strand<asio::io_context::executor_type>;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxControlLine = 64 * 1024 * 1024;
constexpr int kHighFd = 10;  // pipes are moved up here so the child's dup2 into 0..4 never collides

// Environment variables a child never inherits: agentemu's own settings (the admin token) and
// the AWS credentials of whoever runs agentemu.
bool withheld(std::string_view entry) {
  return entry.starts_with("AGENTEMU_") || entry.starts_with("AWS_ACCESS_KEY_ID=") ||
         entry.starts_with("AWS_SECRET_ACCESS_KEY=") || entry.starts_with("AWS_SESSION_TOKEN=");
}

std::vector<std::string> child_environment(const ProcessSpec& spec) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (withheld(entry)) continue;
    bool replaced = false;
    for (const auto& [name, value] : spec.env) {
      replaced = replaced || (entry.starts_with(name) && entry.size() > name.size() && entry[name.size()] == '=');
    }
    if (!replaced) out.emplace_back(entry);
  }
  for (const auto& [name, value] : spec.env) out.push_back(name + "=" + value);
  return out;
}

int move_high(int fd) {
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, kHighFd);
  ::close(fd);
  return high;
}

struct Pipe {
  int read = -1, write = -1;
  bool open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read = move_high(fds[0]);
    write = move_high(fds[1]);
    return read >= 0 && write >= 0;
  }
  void close_both() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
    read = write = -1;
  }
};

std::uint64_t tasks_now() {
  struct sysinfo info {};
  return sysinfo(&info) == 0 ? info.procs : 0;
}

// Everything the child does between fork and exec: only async-signal-safe calls.
[[noreturn]] void become_child(const char* path, char* const* argv, char* const* envp, const char* cwd, int in,
                               int out, int err, int ctl_in, int ctl_out, int error_pipe, const rlimit* limits,
                               const int* resources, int limit_count) {
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, nullptr);
  }
  const auto fail = [&](int what) {
    const int code = errno;
    const int message[2] = {what, code};
    [[maybe_unused]] const auto n = ::write(error_pipe, message, sizeof message);
    _exit(127);
  };
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) fail(0);
  if (ctl_in >= 0 && (dup2(ctl_in, 3) < 0 || dup2(ctl_out, 4) < 0)) fail(0);
  // Everything else agentemu holds (sockets, files) stays out of the child; the error pipe is
  // close-on-exec and closes itself once exec succeeds.
  for (int fd = ctl_in >= 0 ? 5 : 3; fd < kHighFd; ++fd) ::close(fd);
  if (syscall(SYS_close_range, kHighFd, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) {
    for (int fd = kHighFd; fd < 4096; ++fd) {
      if (fd != error_pipe) ::close(fd);
    }
  }
  if (chdir(cwd) != 0) fail(1);
  for (int i = 0; i < limit_count; ++i) setrlimit(resources[i], &limits[i]);
  execve(path, argv, envp);
  fail(2);
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGINT: return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    case SIGBUS: return "SIGBUS";
    default: return "signal " + std::to_string(signal);
  }
}

ExitStatus from_wait_status(int status) {
  ExitStatus out;
  if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
    out.code = 128 + out.signal;
  } else {
    out.code = WEXITSTATUS(status);
  }
  return out;
}

}  // namespace

std::string ExitStatus::describe() const {
  return signal != 0 ? "killed by " + signal_name(signal) : "exited with " + std::to_string(code);
}

void BoundedText::append(std::string_view bytes) {
  const std::size_t room = cap > text.size() ? cap - text.size() : 0;
  text.append(bytes.substr(0, room));
  if (bytes.size() > room) dropped += bytes.size() - room;
}

std::optional<std::string> find_program(std::string_view name) {
  namespace fs = std::filesystem;
  if (name.empty()) return std::nullopt;
  const auto runnable = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string_view::npos) {
    return runnable(std::string(name)) ? std::optional<std::string>(std::string(name)) : std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const fs::path candidate = fs::path(dir.empty() ? "." : std::string(dir)) / std::string(name);
    if (runnable(candidate)) return candidate.string();
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

// ---- A child's pipes ----------------------------------------------------------------------------

// Everything here runs on the child's strand.
struct Child::Io : std::enable_shared_from_this<Child::Io> {
  Io(asio::io_context& io, int out_fd, int err_fd, int ctl_write_fd, int ctl_read_fd)
      : strand(asio::make_strand(io)), out(strand, out_fd), err(strand, err_fd), ctl_write(strand), ctl_read(strand) {
    if (ctl_write_fd >= 0) ctl_write.assign(ctl_write_fd);
    if (ctl_read_fd >= 0) ctl_read.assign(ctl_read_fd);
  }

  void read(asio::posix::stream_descriptor& d, std::array<char, kReadChunk>& buffer, Output& handler) {
    d.async_read_some(asio::buffer(buffer), [me = shared_from_this(), &d, &buffer, &handler](
                                                const boost::system::error_code& ec, std::size_t n) {
      if (n > 0 && handler) handler(std::string_view(buffer.data(), n));
      if (ec) {
        boost::system::error_code ignored;
        d.close(ignored);
        if (handler) handler({});
        return;
      }
      me->read(d, buffer, handler);
    });
  }

  void read_control() {
    ctl_read.async_read_some(asio::buffer(ctl_buffer), [me = shared_from_this()](const boost::system::error_code& ec,
                                                                                 std::size_t n) {
      me->ctl_pending.append(ctl_buffer_view(*me, n));
      std::size_t start = 0;
      for (std::size_t nl; (nl = me->ctl_pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (me->on_control) me->on_control(std::string_view(me->ctl_pending).substr(start, nl - start));
      }
      me->ctl_pending.erase(0, start);
      if (ec || me->ctl_pending.size() > kMaxControlLine) {
        boost::system::error_code ignored;
        me->ctl_read.close(ignored);
        if (me->on_control) me->on_control({});
        return;
      }
      me->read_control();
    });
  }
  static std::string_view ctl_buffer_view(Io& io, std::size_t n) { return {io.ctl_buffer.data(), n}; }

  void write_next() {
    if (writing || outbox.empty() || !ctl_write.is_open()) return;
    writing = true;
    asio::async_write(ctl_write, asio::buffer(outbox.front()),
                      [me = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        me->writing = false;
                        me->outbox.pop_front();
                        if (ec) {
                          me->outbox.clear();
                          boost::system::error_code ignored;
                          me->ctl_write.close(ignored);
                          return;
                        }
                        me->write_next();
                      });
  }

  void release() {
    on_out = on_err = on_control = nullptr;
    on_exit = nullptr;
    outbox.clear();
  }

  void close_all() {
    boost::system::error_code ignored;
    out.close(ignored);
    err.close(ignored);
    ctl_write.close(ignored);
    ctl_read.close(ignored);
  }

  Strand strand;
  asio::posix::stream_descriptor out, err, ctl_write, ctl_read;
  std::array<char, kReadChunk> out_buffer{}, err_buffer{}, ctl_buffer{};
  std::string ctl_pending;
  std::deque<std::string> outbox;
  bool writing = false;
  Output on_out, on_err, on_control;
  Exit on_exit;
  bool reading = false;
  std::optional<ExitStatus> status;  // once reaped
};

// ---- The supervisor -----------------------------------------------------------------------------

struct ProcessSupervisor::Impl : std::enable_shared_from_this<ProcessSupervisor::Impl> {
  Impl(asio::io_context& io, bool orphans) : sigchld(io, SIGCHLD), reap_orphans(orphans) {}

  void wait_for_signal() {
    sigchld.async_wait([weak = weak_from_this()](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (auto me = weak.lock()) {
        me->reap();
        me->wait_for_signal();
      }
    });
  }

  // Collects every child that ended; their group is killed at once, while its id cannot have
  // been reused yet, so nothing they started outlives them.
  void reap() {
    std::vector<std::pair<std::shared_ptr<Child>, ExitStatus>> ended;
    {
      std::lock_guard lock(mutex);
      const auto collect = [&](int pid, int status) {
        const auto it = children.find(pid);
        if (it == children.end()) return;  // an orphan that was reparented here
        ::kill(-pid, SIGKILL);
        if (auto child = it->second.lock()) ended.emplace_back(std::move(child), from_wait_status(status));
        children.erase(it);
      };
      if (reap_orphans) {
        int status = 0;
        for (int pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) collect(pid, status);
      } else {
        std::vector<int> pids;
        pids.reserve(children.size());
        for (const auto& [pid, child] : children) pids.push_back(pid);
        for (const int pid : pids) {
          int status = 0;
          if (waitpid(pid, &status, WNOHANG) == pid) collect(pid, status);
        }
      }
    }
    for (auto& [child, status] : ended) child->on_reaped(status);
  }

  asio::signal_set sigchld;
  bool reap_orphans;
  mutable std::mutex mutex;
  std::unordered_map<int, std::weak_ptr<Child>> children;
  std::vector<std::weak_ptr<Child::Io>> ios;  // so shutdown can let go of every handler
  bool stopped = false;
};

ProcessSupervisor::ProcessSupervisor(asio::io_context& io, bool reap_orphans)
    : io_(io), impl_(std::make_shared<Impl>(io, reap_orphans)) {
  // Descendants that leave their group (a daemon's double fork) are reparented here instead of
  // to init, so they are reaped too and shutdown() can find them.
  if (reap_orphans) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  impl_->wait_for_signal();
}

ProcessSupervisor::~ProcessSupervisor() { shutdown(std::chrono::milliseconds(500)); }

std::size_t ProcessSupervisor::running() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->children.size();
}

std::shared_ptr<Child> ProcessSupervisor::spawn(const ProcessSpec& spec, std::string& error) {
  if (spec.argv.empty()) {
    error = "no program to run";
    return nullptr;
  }
  const auto path = find_program(spec.argv[0]);
  if (!path) {
    error = spec.argv[0] + ": not found on PATH";
    return nullptr;
  }
  std::vector<std::string> args = spec.argv;
  if (!spec.argv0.empty()) args[0] = spec.argv0;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment(spec);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const ExecLimits& l = spec.limits;
  const std::uint64_t tasks = tasks_now();
  const rlim_t cpu = static_cast<rlim_t>((l.cpu.count() + 999) / 1000);
  const std::array<int, 5> resources{RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_CORE, RLIMIT_CPU};
  const std::array<rlimit, 5> limits{
      rlimit{l.memory_bytes, l.memory_bytes},
      rlimit{l.file_bytes, l.file_bytes},
      // The kernel counts the user's tasks, not the child's: allow that many more than exist now.
      rlimit{tasks + l.processes, tasks + l.processes},
      rlimit{0, 0},
      // SIGXCPU at the soft limit, SIGKILL a second later. An interpreter's budget is set per
      // request (Child::limit_cpu).
      spec.persistent ? rlimit{RLIM_INFINITY, RLIM_INFINITY} : rlimit{cpu, cpu + 1},
  };

  Pipe out, err, ctl_in, ctl_out, failure;
  const int devnull = move_high(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const bool piped = devnull >= 0 && out.open() && err.open() && failure.open() &&
                     (!spec.control || (ctl_in.open() && ctl_out.open()));
  const auto close_all = [&] {
    out.close_both();
    err.close_both();
    ctl_in.close_both();
    ctl_out.close_both();
    failure.close_both();
    if (devnull >= 0) ::close(devnull);
  };
  if (!piped) {
    error = std::string("cannot create pipes: ") + std::strerror(errno);
    close_all();
    return nullptr;
  }

  std::shared_ptr<Child> child;
  {
    // Held across fork and registration, so the reaper cannot miss a child that exits at once.
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) {
      error = "agentemu is shutting down";
      close_all();
      return nullptr;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      become_child(path->c_str(), argv.data(), envp.data(), spec.cwd.empty() ? "." : spec.cwd.c_str(), devnull,
                   out.write, err.write, spec.control ? ctl_in.read : -1, spec.control ? ctl_out.write : -1,
                   failure.write, limits.data(), resources.data(), static_cast<int>(limits.size()));
    }
    if (pid < 0) {
      error = std::string("fork failed: ") + std::strerror(errno);
      close_all();
      return nullptr;
    }
    setpgid(pid, pid);
    child = std::shared_ptr<Child>(new Child(impl_, pid));
    // Ready before the reaper can see the child.
    child->io_ = std::make_shared<Child::Io>(io_, out.read, err.read, spec.control ? ctl_in.write : -1,
                                             spec.control ? ctl_out.read : -1);
    std::erase_if(impl_->ios, [](const std::weak_ptr<Child::Io>& w) { return w.expired(); });
    impl_->ios.push_back(child->io_);
    impl_->children.emplace(pid, child);
  }
  ::close(devnull);
  ::close(out.write);
  ::close(err.write);
  ::close(failure.write);
  if (spec.control) {
    ::close(ctl_in.read);
    ::close(ctl_out.write);
  }
  // The error pipe closes at exec (close-on-exec); before that, a failing child writes why.
  int message[2] = {0, 0};
  ssize_t n;
  do {
    n = ::read(failure.read, message, sizeof message);
  } while (n < 0 && errno == EINTR);
  ::close(failure.read);

  if (n == static_cast<ssize_t>(sizeof message)) {
    static constexpr const char* kStep[] = {"set up its standard streams", "enter", "run"};
    error = std::string("cannot ") + kStep[message[0] < 0 || message[0] > 2 ? 2 : message[0]] + " " +
            (message[0] == 1 ? spec.cwd : *path) + ": " + std::strerror(message[1]);
    return nullptr;  // the child exits 127 and is reaped like any other
  }
  return child;
}

void ProcessSupervisor::shutdown(std::chrono::milliseconds grace) {
  std::vector<int> pids;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
    for (const auto& [pid, child] : impl_->children) {
      ::kill(-pid, SIGKILL);
      pids.push_back(pid);
    }
  }
  // Descendants that left their group and were reparented to agentemu (it is their subreaper).
  if (impl_->reap_orphans) {
    const std::string self = std::to_string(getpid());
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream stat(entry.path() / "stat");
      std::string line;
      std::getline(stat, line);
      const auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(line.substr(close + 2));
      std::string state, ppid;
      fields >> state >> ppid;
      if (ppid == self) {
        const int pid = std::stoi(name);
        ::kill(pid, SIGKILL);
        pids.push_back(pid);
      }
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (const int pid : pids) {
    while (true) {
      int status = 0;
      const pid_t got = waitpid(pid, &status, WNOHANG);
      if (got != 0 || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  std::vector<std::shared_ptr<Child::Io>> ios;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->children.clear();
    for (auto& weak : impl_->ios) {
      if (auto io = weak.lock()) ios.push_back(std::move(io));
    }
    impl_->ios.clear();
  }
  // The io_context has stopped: what the handlers hold (a run waiting for its exit) is let go
  // here, since no handler will run to let go of it.
  for (auto& io : ios) io->release();
}

// ---- A child ------------------------------------------------------------------------------------

Child::Child(std::shared_ptr<ProcessSupervisor::Impl> supervisor, int pid) : supervisor_(std::move(supervisor)), pid_(pid) {}

Child::~Child() {
  // The owner let go: nothing may outlive it. The zombie is reaped by the supervisor.
  kill_group();
  if (io_) {
    asio::post(io_->strand, [io = io_] {
      io->on_out = io->on_err = io->on_control = nullptr;
      io->on_exit = nullptr;
      io->close_all();
    });
  }
}

void Child::start_reading(Output on_stdout, Output on_stderr, Exit on_exit, Output on_control_line) {
  asio::post(io_->strand, [io = io_, out = std::move(on_stdout), err = std::move(on_stderr),
                           exit = std::move(on_exit), control = std::move(on_control_line)]() mutable {
    io->on_out = std::move(out);
    io->on_err = std::move(err);
    io->on_exit = std::move(exit);
    io->on_control = std::move(control);
    io->reading = true;
    io->read(io->out, io->out_buffer, io->on_out);
    io->read(io->err, io->err_buffer, io->on_err);
    if (io->ctl_read.is_open()) io->read_control();
    if (io->status && io->on_exit) io->on_exit(*io->status);  // it ended before anyone listened
  });
}

void Child::send_control(std::string bytes) {
  asio::post(io_->strand, [io = io_, bytes = std::move(bytes)]() mutable {
    io->outbox.push_back(std::move(bytes));
    io->write_next();
  });
}

void Child::on_reaped(ExitStatus status) {
  asio::post(io_->strand, [io = io_, status] {
    io->status = status;
    if (io->reading && io->on_exit) io->on_exit(status);
  });
}

void Child::kill_group() {
  // Only while the child is unreaped: its id (and so its group's) cannot have been reused.
  std::lock_guard lock(supervisor_->mutex);
  if (supervisor_->children.contains(pid_)) ::kill(-pid_, SIGKILL);
}

void Child::close_output() {
  asio::post(io_->strand, [io = io_] {
    boost::system::error_code ignored;
    io->out.cancel(ignored);
    io->err.cancel(ignored);
  });
}

bool Child::limit_cpu(std::chrono::milliseconds more) {
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt: fields 3 to 13
  unsigned long long utime = 0, stime = 0;
  fields >> utime >> stime;
  const long ticks = sysconf(_SC_CLK_TCK);
  const auto used_ms = static_cast<long long>((utime + stime) * 1000ULL / static_cast<unsigned long long>(ticks));
  const rlimit limit{static_cast<rlim_t>((used_ms + more.count() + 999) / 1000), RLIM_INFINITY};
  return prlimit(pid_, RLIMIT_CPU, &limit, nullptr) == 0;
}

// ---- A command run to its end -------------------------------------------------------------------

namespace {
// After the command exits, how long its output may keep arriving: a descendant that left the
// group can hold the pipes open, and the answer must not wait for it.
constexpr std::chrono::milliseconds kOutputGrace{250};
}  // namespace

// Everything but `mutex`-guarded members runs on the child's strand (its callbacks), except the
// timers, which only look at `child` under the mutex.
struct CommandRun::State : std::enable_shared_from_this<CommandRun::State> {
  explicit State(asio::io_context& io) : timer(io), grace(io) {}

  void maybe_finish() {
    if (done_called || !status || streams_open > 0) return;
    done_called = true;
    timer.cancel();
    grace.cancel();
    result.status = *status;
    result.timed_out = timed_out.load();
    result.elapsed = std::chrono::steady_clock::now() - started;
    {
      std::lock_guard lock(mutex);
      result.stdout_text = std::move(out.text);
      result.stderr_text = std::move(err.text);
      result.stdout_truncated = out.truncated();
      result.stderr_truncated = err.truncated();
      finished_flag = true;
      child.reset();
    }
    auto callback = std::move(done);
    if (callback) callback(result);
  }

  std::shared_ptr<Child> running() {
    std::lock_guard lock(mutex);
    return child;
  }

  asio::steady_timer timer, grace;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  mutable std::mutex mutex;  // child, out, err and finished_flag: peek() and stop() come from other threads
  std::shared_ptr<Child> child;
  BoundedText out, err;
  bool finished_flag = false;
  std::atomic<bool> timed_out{false};
  int streams_open = 2;
  std::optional<ExitStatus> status;
  CommandResult result;
  std::function<void(CommandResult&)> done;
  bool done_called = false;
};

std::shared_ptr<CommandRun> CommandRun::start(ProcessSupervisor& supervisor, const ProcessSpec& spec,
                                              std::function<void(CommandResult&)> done, Progress progress) {
  auto run = std::shared_ptr<CommandRun>(new CommandRun());
  auto state = std::make_shared<State>(supervisor.io());
  run->state_ = state;
  state->done = std::move(done);
  state->out.cap = state->err.cap = spec.limits.output_bytes;
  std::string error;
  auto child = supervisor.spawn(spec, error);
  if (!child) {
    state->result.spawn_error = error;
    state->status = ExitStatus{127, 0};
    state->streams_open = 0;
    asio::post(supervisor.io(), [state] { state->maybe_finish(); });
    return run;
  }
  state->child = child;
  const auto keep = [state, progress](BoundedText& into, bool is_stderr) {
    return [state, &into, is_stderr, progress](std::string_view bytes) {
      if (bytes.empty()) {
        --state->streams_open;
        state->maybe_finish();
        return;
      }
      if (progress) progress(is_stderr, bytes);
      std::lock_guard lock(state->mutex);
      into.append(bytes);
    };
  };
  state->timer.expires_after(spec.limits.timeout);
  state->timer.async_wait([weak = std::weak_ptr<State>(state)](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto s = weak.lock()) {
      if (auto c = s->running()) {
        s->timed_out = true;
        c->kill_group();
      }
    }
  });
  child->start_reading(keep(state->out, false), keep(state->err, true), [state](ExitStatus status) {
    state->status = status;
    state->maybe_finish();
    if (state->done_called) return;
    state->grace.expires_after(kOutputGrace);
    state->grace.async_wait([weak = std::weak_ptr<State>(state)](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto s = weak.lock()) {
        if (auto c = s->running()) c->close_output();
      }
    });
  });
  return run;
}

void CommandRun::stop() {
  if (auto child = state_->running()) child->kill_group();
}

void CommandRun::peek(std::string& out, std::string& err) const {
  std::lock_guard lock(state_->mutex);
  if (state_->finished_flag) {
    out = state_->result.stdout_text;
    err = state_->result.stderr_text;
  } else {
    out = state_->out.text;
    err = state_->err.text;
  }
}

bool CommandRun::finished() const {
  std::lock_guard lock(state_->mutex);
  return state_->finished_flag;
}

}  // namespace agentemu
