#include "core/browser/chromium.hpp"

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace agentemu {

namespace {

constexpr std::string_view kListening = "DevTools listening on ";
constexpr std::size_t kStderrKept = 16 * 1024;  // what a failed start reports

// Chromium runs dozens of threads per process (the kernel counts threads against RLIMIT_NPROC)
// and reserves terabytes of address space for V8's cage: the code limits do not fit a browser.
ExecLimits browser_limits() {
  ExecLimits limits;
  limits.memory_bytes = RLIM_INFINITY;
  limits.processes = 4096;
  return limits;
}

}  // namespace

std::vector<std::string> chromium_argv(const ChromiumSpec& spec) {
  std::vector<std::string> argv = {
      spec.program,
      "--headless",
      // agentemu often runs as root in containers, where Chromium's own sandbox cannot start;
      // the browser is agentemu's child on a loopback port either way.
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-breakpad",
      "--disable-crash-reporter",
      "--password-store=basic",
      "--use-mock-keychain",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      "--user-data-dir=" + spec.profile_dir,
      "--window-size=" + std::to_string(spec.width) + "," + std::to_string(spec.height),
  };
  if (!spec.proxy_server.empty()) argv.push_back("--proxy-server=" + spec.proxy_server);
  if (!spec.proxy_bypass.empty()) argv.push_back("--proxy-bypass-list=" + spec.proxy_bypass);
  argv.push_back("about:blank");
  return argv;
}

std::optional<std::string> devtools_url_in(std::string_view text) {
  const auto at = text.find(kListening);
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + kListening.size();
  const auto end = text.find_first_of("\r\n", start);
  if (end == std::string_view::npos) return std::nullopt;  // the line is not complete yet
  std::string url(text.substr(start, end - start));
  if (!url.starts_with("ws://")) return std::nullopt;
  return url;
}

struct Chromium::State {
  explicit State(boost::asio::io_context& io) : timer(io) {}

  std::mutex mutex;
  std::shared_ptr<Child> child;
  std::string devtools_url;
  std::string stderr_text;  // until ready, capped
  bool exited = false;
  Ready ready;  // cleared once it ran
  Gone gone;
  boost::asio::steady_timer timer;

  // Runs `ready` once, outside the mutex. The start timer is left to expire (it finds `ready`
  // gone): cancelling it from this thread could race its own completion on another.
  void settle(std::unique_lock<std::mutex>& lock, const std::string& error) {
    Ready r = std::move(ready);
    ready = nullptr;
    lock.unlock();
    if (r) r(error);
  }
};

std::shared_ptr<Chromium> Chromium::launch(ProcessSupervisor& supervisor, const ChromiumSpec& spec, Ready ready,
                                           Gone gone) {
  auto state = std::make_shared<State>(supervisor.io());
  state->ready = std::move(ready);
  state->gone = std::move(gone);
  std::shared_ptr<Chromium> browser(new Chromium(state));

  ProcessSpec process;
  process.argv = chromium_argv(spec);
  process.cwd = spec.profile_dir;
  process.limits = browser_limits();
  process.persistent = true;  // no CPU limit: a browser lives as long as its session
  process.env = {{"HOME", spec.profile_dir}};
  std::string error;
  auto child = supervisor.spawn(process, error);
  if (!child) {
    boost::asio::post(supervisor.io(), [state, error = "cannot start " + spec.program + ": " + error] {
      std::unique_lock lock(state->mutex);
      state->exited = true;
      state->settle(lock, error);
    });
    return browser;
  }
  {
    std::lock_guard lock(state->mutex);
    state->child = child;
  }
  std::weak_ptr<State> weak = state;
  state->timer.expires_after(spec.start_timeout);
  state->timer.async_wait([weak, seconds = spec.start_timeout.count() / 1000](boost::system::error_code ec) {
    const auto s = weak.lock();
    if (ec || !s) return;
    std::unique_lock lock(s->mutex);
    if (!s->ready) return;
    if (s->child) s->child->kill_group();
    s->settle(lock, "Chromium did not open DevTools within " + std::to_string(seconds) + " s");
  });
  child->start_reading(
      [](std::string_view) {},
      [weak](std::string_view bytes) {
        const auto s = weak.lock();
        if (!s || bytes.empty()) return;
        std::unique_lock lock(s->mutex);
        if (!s->ready) return;  // started: the rest of its chatter is not kept
        if (s->stderr_text.size() < kStderrKept) s->stderr_text.append(bytes.substr(0, kStderrKept - s->stderr_text.size()));
        if (auto url = devtools_url_in(s->stderr_text)) {
          s->devtools_url = std::move(*url);
          s->stderr_text.clear();
          s->settle(lock, "");
        }
      },
      [weak](ExitStatus status) {
        const auto s = weak.lock();
        if (!s) return;
        Gone gone;
        {
          std::unique_lock lock(s->mutex);
          s->exited = true;
          gone = std::move(s->gone);
          s->gone = nullptr;
          if (s->ready) {
            std::string tail = s->stderr_text.size() > 2048 ? s->stderr_text.substr(s->stderr_text.size() - 2048)
                                                            : s->stderr_text;
            s->settle(lock, "Chromium " + status.describe() + " before DevTools listened: " + tail);
          }
        }
        if (gone) gone();
      });
  return browser;
}

Chromium::~Chromium() { kill(); }

std::string Chromium::devtools_url() const {
  std::lock_guard lock(state_->mutex);
  return state_->devtools_url;
}

bool Chromium::exited() const {
  std::lock_guard lock(state_->mutex);
  return state_->exited;
}

void Chromium::kill() {
  std::shared_ptr<Child> child;
  {
    std::lock_guard lock(state_->mutex);
    child = state_->child;
  }
  if (child) child->kill_group();
}

}  // namespace agentemu
