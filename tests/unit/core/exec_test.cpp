// core/exec: commands under their limits, process groups, reaping, persistent interpreters.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/exec/interpreter.hpp"
#include "core/exec/limits.hpp"
#include "core/exec/process.hpp"
#include "core/exec/workspace.hpp"
#include "core/text.hpp"

using namespace agentemu;
using namespace std::chrono_literals;

namespace {

// Runs the io_context until `done` says so (or the time is up).
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(10ms);
  }
  return true;
}

struct Rig {
  boost::asio::io_context io;
  ProcessSupervisor supervisor{io, false};
  Workspace workspace;
  std::string dir;
  Rig() {
    std::string error;
    dir = *workspace.make_dir("test", error);
  }

  CommandResult command(std::string script, ExecLimits limits = {}) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", std::move(script)};
    spec.cwd = dir;
    spec.limits = limits;
    std::optional<CommandResult> out;
    auto run = CommandRun::start(supervisor, spec, [&](CommandResult& r) { out = r; });
    REQUIRE(run_until(io, [&] { return out.has_value(); }));
    return *out;
  }

  InterpreterResult run(Interpreter& interpreter, std::string code) {
    std::optional<InterpreterResult> out;
    interpreter.run(std::move(code), [&](InterpreterResult& r) { out = r; });
    REQUIRE(run_until(io, [&] { return out.has_value(); }));
    return *out;
  }

  // Waits for the supervisor to have reaped everything.
  bool all_reaped() {
    return run_until(io, [&] { return supervisor.running() == 0; }, 5s);
  }
};

bool alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

bool have(const char* program) { return find_program(program).has_value(); }

}  // namespace

TEST_CASE("exec limits parse with units, and name the piece that is wrong") {
  ExecLimits limits;
  REQUIRE_FALSE(parse_exec_limits("timeout=2s,cpu=500ms,memory=256m,file-size=64k,processes=16,output=4k", limits));
  CHECK(limits.timeout == 2000ms);
  CHECK(limits.cpu == 500ms);
  CHECK(limits.memory_bytes == 256ULL << 20);
  CHECK(limits.file_bytes == 64ULL << 10);
  CHECK(limits.processes == 16);
  CHECK(limits.output_bytes == 4096);
  CHECK(describe_exec_limits(limits) == "timeout=2s,cpu=500ms,memory=256m,file-size=64k,processes=16,output=4k");
  CHECK(parse_exec_limits("memory=1g,timeout=1m", limits) == std::nullopt);
  CHECK(limits.memory_bytes == 1ULL << 30);
  CHECK(limits.timeout == 60000ms);

  ExecLimits untouched;
  CHECK(parse_exec_limits("wall=2s", untouched)->find("unknown limit \"wall\"") != std::string::npos);
  CHECK(parse_exec_limits("timeout=2", untouched)->starts_with("timeout=2: must be a duration"));
  CHECK(parse_exec_limits("memory=12", untouched)->starts_with("memory=12: must be a size"));
  CHECK(parse_exec_limits("processes=0", untouched)->starts_with("processes=0"));
  CHECK(parse_exec_limits("timeout", untouched)->find("not key=value") != std::string::npos);
  CHECK(untouched.timeout == ExecLimits{}.timeout);
}

TEST_CASE("a command reports its exit code and its two streams, and runs in its directory") {
  Rig rig;
  const auto r = rig.command("echo out; echo err >&2; pwd; exit 3");
  CHECK(r.status.code == 3);
  CHECK(r.status.signal == 0);
  CHECK(r.stdout_text == "out\n" + std::filesystem::canonical(rig.dir).string() + "\n");
  CHECK(r.stderr_text == "err\n");
  CHECK_FALSE(r.timed_out);
  CHECK(rig.all_reaped());
}

TEST_CASE("a command has no stdin and does not inherit agentemu's variables or credentials") {
  ::setenv("AGENTEMU_ADMIN_TOKEN", "secret-token", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "secret-key", 1);
  Rig rig;
  const auto r = rig.command("cat; echo \"[$AGENTEMU_ADMIN_TOKEN][$AWS_SECRET_ACCESS_KEY]\"");
  ::unsetenv("AGENTEMU_ADMIN_TOKEN");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  CHECK(r.status.code == 0);
  CHECK(r.stdout_text == "[][]\n");
}

TEST_CASE("a command that runs too long is killed with everything it started") {
  Rig rig;
  ExecLimits limits;
  limits.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const auto r = rig.command("sleep 30 & echo $!; sleep 30", limits);
  CHECK(r.timed_out);
  CHECK(r.status.signal == SIGKILL);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  const int background = static_cast<int>(parse_int64(trim(r.stdout_text)).value_or(0));
  REQUIRE(background > 0);
  CHECK(run_until(rig.io, [&] { return !alive(background); }, 2s));
  CHECK(rig.all_reaped());
}

TEST_CASE("what a command leaves running in its group dies when it exits") {
  Rig rig;
  const auto started = std::chrono::steady_clock::now();
  const auto r = rig.command("sleep 30 & echo $!", {});
  CHECK(r.status.code == 0);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  const int background = static_cast<int>(parse_int64(trim(r.stdout_text)).value_or(0));
  CHECK(run_until(rig.io, [&] { return !alive(background); }, 2s));
}

TEST_CASE("output beyond the limit is dropped and counted") {
  Rig rig;
  ExecLimits limits;
  limits.output_bytes = 4096;
  const auto r = rig.command("head -c 100000 /dev/zero | tr '\\0' x; echo done >&2", limits);
  CHECK(r.status.code == 0);
  CHECK(r.stdout_text.size() == 4096);
  CHECK(r.stdout_truncated);
  CHECK(r.stderr_text == "done\n");
  CHECK_FALSE(r.stderr_truncated);
}

TEST_CASE("a busy loop is stopped at the CPU limit") {
  Rig rig;
  ExecLimits limits;
  limits.cpu = 1s;
  limits.timeout = 20s;
  const auto started = std::chrono::steady_clock::now();
  const auto r = rig.command("exec /bin/sh -c 'while :; do :; done'", limits);
  CHECK((r.status.signal == SIGXCPU || r.status.signal == SIGKILL));
  CHECK_FALSE(r.timed_out);
  CHECK(std::chrono::steady_clock::now() - started < 15s);
}

TEST_CASE("a file beyond the file-size limit cannot be written") {
  Rig rig;
  ExecLimits limits;
  limits.file_bytes = 64 * 1024;
  const auto r = rig.command("head -c 200000 /dev/zero > big; echo $?", limits);
  CHECK(r.stdout_text == "153\n");  // head was killed by SIGXFSZ
  CHECK(std::filesystem::file_size(rig.dir + "/big") == 64 * 1024);
}

TEST_CASE("a program that does not exist is a spawn error, not a crash") {
  Rig rig;
  ProcessSpec spec;
  spec.argv = {"agentemu-no-such-program"};
  spec.cwd = rig.dir;
  std::optional<CommandResult> out;
  CommandRun::start(rig.supervisor, spec, [&](CommandResult& r) { out = r; });
  REQUIRE(run_until(rig.io, [&] { return out.has_value(); }));
  CHECK(out->spawn_error == "agentemu-no-such-program: not found on PATH");
  CHECK(out->status.code == 127);

  spec.argv = {"/bin/sh", "-c", "true"};
  spec.cwd = rig.dir + "/missing";
  std::string error;
  CHECK(rig.supervisor.spawn(spec, error) == nullptr);
  CHECK(error.find("cannot enter " + rig.dir + "/missing") == 0);
  CHECK(rig.all_reaped());
}

TEST_CASE("a stopped command ends at once and reports the kill") {
  Rig rig;
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo started; sleep 30"};
  spec.cwd = rig.dir;
  std::optional<CommandResult> out;
  auto run = CommandRun::start(rig.supervisor, spec, [&](CommandResult& r) { out = r; });
  std::string so_far, err;
  REQUIRE(run_until(rig.io, [&] {
    run->peek(so_far, err);
    return so_far == "started\n";
  }));
  CHECK_FALSE(run->finished());
  run->stop();
  REQUIRE(run_until(rig.io, [&] { return out.has_value(); }));
  CHECK(out->status.signal == SIGKILL);
  CHECK(run->finished());
}

TEST_CASE("shutdown kills every group and reaps it") {
  boost::asio::io_context io;
  ProcessSupervisor supervisor(io, false);
  Workspace workspace;
  std::string error;
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "sleep 30"};
  spec.cwd = *workspace.make_dir("s", error);
  auto a = supervisor.spawn(spec, error);
  auto b = supervisor.spawn(spec, error);
  REQUIRE(a);
  REQUIRE(b);
  const int pa = a->pid(), pb = b->pid();
  supervisor.shutdown();
  CHECK(supervisor.running() == 0);
  int status = 0;
  CHECK(waitpid(pa, &status, WNOHANG) < 0);  // already reaped: no zombie left
  CHECK(waitpid(pb, &status, WNOHANG) < 0);
  CHECK(supervisor.spawn(spec, error) == nullptr);
  CHECK(error == "agentemu is shutting down");
}

TEST_CASE("a workspace makes, removes and cleans up its directories") {
  std::string root;
  {
    Workspace workspace;
    std::string error;
    const auto dir = workspace.make_dir("session-1", error);
    REQUIRE(dir);
    root = std::filesystem::path(*dir).parent_path().string();
    std::filesystem::create_directories(*dir + "/a/b");
    std::ofstream(*dir + "/a/b/f.txt") << "x";
    std::filesystem::permissions(*dir + "/a", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    workspace.remove_dir(*dir);
    CHECK_FALSE(std::filesystem::exists(*dir));
    CHECK_FALSE(workspace.make_dir("../escape", error));
    CHECK(error == "not a directory name: ../escape");
    REQUIRE(workspace.driver(Language::python, error));
    CHECK(std::filesystem::exists(root));
  }
  CHECK_FALSE(std::filesystem::exists(root));
}

TEST_CASE("a Python interpreter keeps its namespace, reports failures with their traceback") {
  if (!have("python3")) return;
  Rig rig;
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, {});
  auto r = rig.run(*py, "x = 6 * 7\nprint(x)");
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text == "42\n");
  CHECK(r.stderr_text.empty());
  r = rig.run(*py, "import os\nprint(x + 1, os.getcwd() == " + std::string("'") +
                       std::filesystem::canonical(rig.dir).string() + "')");
  CHECK(r.stdout_text == "43 True\n");
  r = rig.run(*py, "print('before')\nx = 1/0");
  CHECK(r.exit_code == 1);
  CHECK(r.stdout_text == "before\n");
  CHECK(r.stderr_text ==
        "Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\nZeroDivisionError: division by zero\n");
  r = rig.run(*py, "import sys\nsys.exit(3)");
  CHECK(r.exit_code == 3);
  CHECK_FALSE(r.context_lost);
  r = rig.run(*py, "import subprocess\nsubprocess.run(['echo', 'from a child'])");
  CHECK(r.stdout_text == "from a child\n");
  r = rig.run(*py, "print(x)");
  CHECK(r.stdout_text == "42\n");
  CHECK(py->alive());
}

TEST_CASE("a Python interpreter that runs too long is killed, and its context is gone") {
  if (!have("python3")) return;
  Rig rig;
  ExecLimits limits;
  limits.timeout = 1500ms;
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, limits);
  CHECK(rig.run(*py, "x = 1").exit_code == 0);
  std::optional<InterpreterResult> first, second;
  py->run("print('spinning', flush=True)\nwhile True: pass", [&](InterpreterResult& r) { first = r; });
  py->run("print(x)", [&](InterpreterResult& r) { second = r; });
  REQUIRE(run_until(rig.io, [&] { return first && second; }));
  CHECK(first->context_lost);
  CHECK(first->timed_out);
  CHECK(first->exit_code == 128 + SIGKILL);
  CHECK(first->stdout_text == "spinning\n");
  CHECK(first->ended == "the 1500 ms wall-clock limit");
  CHECK(second->context_lost);  // it was queued behind: nothing is left to run it
  CHECK_FALSE(py->alive());
  CHECK(rig.all_reaped());
}

TEST_CASE("a Python interpreter is held to its CPU time per request, not in total") {
  if (!have("python3")) return;
  Rig rig;
  ExecLimits limits;
  limits.cpu = 1s;
  limits.timeout = 20s;
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, limits);
  // Two requests of ~0.6 s CPU each pass: the budget is per request.
  const std::string burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\nprint('ok')";
  CHECK(rig.run(*py, burn).stdout_text == "ok\n");
  CHECK(rig.run(*py, burn).stdout_text == "ok\n");
  const auto r = rig.run(*py, "while True: pass");
  CHECK(r.context_lost);
  CHECK_FALSE(r.timed_out);
  CHECK((r.ended == "the CPU time limit (1000 ms)" || r.ended == "killed by SIGKILL"));
}

TEST_CASE("a Python interpreter is held to its memory limit and survives a MemoryError") {
  if (!have("python3")) return;
  Rig rig;
  ExecLimits limits;
  limits.memory_bytes = 256ULL << 20;
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, limits);
  CHECK(rig.run(*py, "kept = 1").exit_code == 0);
  const auto r = rig.run(*py, "big = bytearray(512 * 1024 * 1024)");
  CHECK(r.exit_code == 1);
  CHECK(r.stderr_text.find("MemoryError") != std::string::npos);
  CHECK(rig.run(*py, "print(kept)").stdout_text == "1\n");
}

TEST_CASE("a Python interpreter that exits ends its context with the exit code") {
  if (!have("python3")) return;
  Rig rig;
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, {});
  const auto r = rig.run(*py, "import os\nprint('bye', flush=True)\nos._exit(5)");
  CHECK(r.context_lost);
  CHECK(r.exit_code == 5);
  CHECK(r.stdout_text == "bye\n");
  CHECK(r.ended == "exited with 5");
  const auto after = rig.run(*py, "print(1)");
  CHECK(after.context_lost);
}

TEST_CASE("a Node.js interpreter keeps its globals and reports thrown errors") {
  if (!have("node")) return;
  Rig rig;
  auto js = Interpreter::start(rig.supervisor, rig.workspace, Language::javascript, rig.dir, {});
  auto r = rig.run(*js, "let x = 6 * 7; console.log(x)");
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text == "42\n");
  r = rig.run(*js, "console.log(x + 1); const fs = require('fs'); console.log(fs.existsSync('.'))");
  CHECK(r.stdout_text == "43\ntrue\n");
  r = rig.run(*js, "null.y");
  CHECK(r.exit_code == 1);
  CHECK(r.stderr_text.starts_with("TypeError: Cannot read properties of null (reading 'y')\n    at [eval]:1:"));
  r = rig.run(*js, "await new Promise((resolve) => setTimeout(resolve, 5)); console.log('awaited', x)");
  CHECK(r.stdout_text == "awaited 42\n");
  r = rig.run(*js, "process.exit(4)");
  CHECK(r.context_lost);
  CHECK(r.exit_code == 4);
}

TEST_CASE("TypeScript runs where Node.js can strip types, and says why not elsewhere") {
  if (!have("node")) return;
  Rig rig;
  auto ts = Interpreter::start(rig.supervisor, rig.workspace, Language::typescript, rig.dir, {});
  const auto r = rig.run(*ts, "const n: number = 6 * 7; console.log(n)");
  if (r.unavailable) {
    CHECK(r.unavailable_reason.starts_with("TypeScript needs a runner, and agentemu found none"));
  } else {
    CHECK(r.stdout_text == "42\n");
  }
}

TEST_CASE("an interpreter for a program that is not installed is unavailable, with the reason") {
  Rig rig;
  const char* path = std::getenv("PATH");
  const std::string saved = path != nullptr ? path : "";
  ::setenv("PATH", rig.dir.c_str(), 1);
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, {});
  ::setenv("PATH", saved.c_str(), 1);
  const auto r = rig.run(*py, "print(1)");
  CHECK(r.unavailable);
  CHECK(r.unavailable_reason == "python needs python3, which agentemu did not find on PATH");
}

TEST_CASE("dropping an interpreter with a request running still answers it") {
  if (!have("python3")) return;
  Rig rig;
  auto py = Interpreter::start(rig.supervisor, rig.workspace, Language::python, rig.dir, {});
  std::optional<InterpreterResult> out;
  py->run("import time\ntime.sleep(30)", [&](InterpreterResult& r) { out = r; });
  run_until(rig.io, [] { return false; }, 300ms);
  py.reset();
  REQUIRE(out.has_value());
  CHECK(out->context_lost);
  CHECK(rig.all_reaped());
}

TEST_CASE("a command's output is handed on as it arrives, each stream named, before the end") {
  Rig rig;
  ProcessSpec spec;
  // The second line waits until the first was seen: nothing may wait for the exit.
  spec.argv = {"/bin/sh", "-c", "echo one; echo oops >&2; while [ ! -e go ]; do sleep 0.05; done; echo two"};
  spec.cwd = rig.dir;
  std::string out_seen, err_seen;
  std::optional<CommandResult> out;
  CommandRun::start(
      rig.supervisor, spec, [&](CommandResult& r) { out = r; },
      [&](bool is_stderr, std::string_view bytes) { (is_stderr ? err_seen : out_seen).append(bytes); });
  REQUIRE(run_until(rig.io, [&] { return out_seen == "one\n" && err_seen == "oops\n"; }));
  CHECK_FALSE(out.has_value());
  std::ofstream(rig.dir + "/go").put('\n');
  REQUIRE(run_until(rig.io, [&] { return out.has_value(); }));
  CHECK(out_seen == "one\ntwo\n");
  CHECK(out->stdout_text == "one\ntwo\n");
  CHECK(out->stderr_text == "oops\n");
}
