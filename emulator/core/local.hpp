// What agentemu runs and calls for real on a vendor's behalf (INTERFACE.md, "Local execution"):
// child processes and their working directories (core/exec), outbound HTTP and WebSockets
// (core/net), and the flags that turn them on. One per process; vendors borrow it through
// VendorContext::local.
#pragma once

#include <chrono>
#include <string>

#include "core/exec/limits.hpp"
#include "core/exec/process.hpp"
#include "core/exec/workspace.hpp"
#include "core/net/http_client.hpp"

namespace boost::asio {
class io_context;
}

namespace agentemu {

struct LocalOptions {
  bool run_code = false;  // --code-interpreter exec
  std::string agent_url;  // --agent-url: the default agent of runtimes that name none
  std::chrono::milliseconds agent_timeout{900'000};
  ExecLimits limits;  // --exec-limits
  bool real_browser = false;         // --browser chromium
  std::string chromium = "chromium";  // --chromium
  std::size_t max_browsers = 4;      // --max-browsers
};

class LocalExecution {
 public:
  // `reap_orphans`: agentemu itself also reaps descendants that left their group (see
  // ProcessSupervisor); unit tests that share a process with other supervisors pass false.
  LocalExecution(boost::asio::io_context& io, LocalOptions options, bool reap_orphans = true);
  ~LocalExecution();
  LocalExecution(const LocalExecution&) = delete;
  LocalExecution& operator=(const LocalExecution&) = delete;

  const LocalOptions& options() const { return options_; }
  ProcessSupervisor& processes() { return processes_; }
  Workspace& workspace() { return workspace_; }
  HttpClient& http() { return http_; }

  // At exit: every child killed and reaped, idle connections closed, the workspace removed.
  void shutdown();

 private:
  LocalOptions options_;
  ProcessSupervisor processes_;
  Workspace workspace_;
  HttpClient http_;
};

}  // namespace agentemu
