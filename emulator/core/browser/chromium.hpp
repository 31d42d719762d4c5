// A headless Chromium that agentemu runs for a client: its own profile directory, a window of
// the asked size, DevTools on a loopback port the kernel picks (read back from the line Chromium
// prints on stderr), and the whole process group killed when it ends. Nothing here knows a vendor.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/exec/process.hpp"

namespace agentemu {

struct ChromiumSpec {
  std::string program;      // the chromium executable (a path, or a name looked up on PATH)
  std::string profile_dir;  // --user-data-dir: made by the caller, removed once the browser is gone
  int width = 1456;
  int height = 819;
  std::string proxy_server;                  // --proxy-server, "" for none
  std::string proxy_bypass;  // --proxy-bypass-list, "" for none
  std::chrono::milliseconds start_timeout{20000};  // until DevTools listens
};

// The command line agentemu runs for `spec` (argv[0] is the program).
std::vector<std::string> chromium_argv(const ChromiumSpec& spec);

class Chromium {
 public:
  // `error` is empty once DevTools listens (devtools_url() is then set); else why it did not start.
  using Ready = std::function<void(const std::string& error)>;
  // Runs when the browser process has exited and been reaped, however it ended.
  using Gone = std::function<void()>;

  // Starts it; `ready` runs once, on the io_context (also when the spawn itself fails).
  static std::shared_ptr<Chromium> launch(ProcessSupervisor& supervisor, const ChromiumSpec& spec, Ready ready,
                                          Gone gone);
  ~Chromium();

  std::string devtools_url() const;  // ws://127.0.0.1:PORT/devtools/browser/<id>, "" until ready
  bool exited() const;
  // SIGKILL to the whole process group (the browser, its renderers, GPU and utility processes).
  void kill();

  struct State;

 private:
  explicit Chromium(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// The DevTools URL in what Chromium printed on stderr ("DevTools listening on ws://..."), if any.
std::optional<std::string> devtools_url_in(std::string_view stderr_text);

}  // namespace agentemu
