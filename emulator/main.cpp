// agentemu: wires the core together, registers the vendors, serves until SIGINT/SIGTERM.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <variant>
#include <vector>

#include "core/admin.hpp"
#include "core/config.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/local.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/scheduler.hpp"
#include "core/server/server.hpp"
#include "core/server/tls.hpp"
#include "scenarios/engine.hpp"
#include "vendors/registry.hpp"

namespace {

constexpr int kUsageError = 2;

int fail(const std::string& message) {
  std::cerr << "agentemu: " << message << std::endl;
  return kUsageError;
}

// The default fixtures ship beside the binary's source tree: look where a checkout keeps them.
std::vector<std::string> default_fixtures(const char* argv0) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {"fixtures/default.json"};
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../fixtures/default.json");
    candidates.push_back(exe.parent_path() / "../../fixtures/default.json");
  } else if (argv0 != nullptr) {
    candidates.push_back(fs::path(argv0).parent_path() / "../fixtures/default.json");
  }
  candidates.push_back(fs::path(AGENTEMU_SOURCE_DIR) / "fixtures/default.json");
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate, ec)) return {candidate.lexically_normal().string()};
  }
  return {"fixtures/default.json"};  // not found: the loader names it in its error
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace agentemu;

  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_config(args, [](const char* name) { return std::getenv(name); });
  if (auto* error = std::get_if<ConfigError>(&parsed)) return fail(error->message);
  Config config = std::get<Config>(std::move(parsed));
  if (config.show_help) {
    std::cout << usage_text();
    return 0;
  }
  if (config.show_version) {
    std::cout << "agentemu " << AGENTEMU_VERSION << "\n";
    return 0;
  }
  if (config.fixtures.empty()) config.fixtures = default_fixtures(argc > 0 ? argv[0] : nullptr);

  Logger log(config.log_level, config.log_format);
  boost::asio::io_context io(static_cast<int>(config.threads));
  // Installed before anything is announced, so a signal right after the listening line drains.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_deadline(io);
  Clock clock;
  Scheduler scheduler(io, clock);
  // Before the vendors, so it outlives what they run.
  LocalExecution local(io, LocalOptions{config.run_code, config.agent_url, config.agent_timeout, config.exec_limits});
  Metrics metrics;
  VendorRegistry vendors(metrics);
  register_vendors(vendors, VendorContext{clock, scheduler, config.auth, log, &local});

  Fixtures fixtures;
  if (auto error = fixtures.load(config.fixtures, vendors)) return fail(*error);

  Journal journal(config.journal_limit);
  AdminApi admin(config.admin_token, vendors, fixtures, journal, metrics, clock, scheduler);
  Pipeline pipeline(vendors, admin, journal, metrics, log, scheduler);

  ScenarioEngine scenarios(vendors, clock, log);
  if (auto error = scenarios.load_files(config.scenarios)) return fail(*error);
  admin.set_scenarios(&scenarios);
  pipeline.set_scenarios(&scenarios);

  std::unique_ptr<boost::asio::ssl::context> tls;
  if (config.tls_self_signed || !config.tls_cert.empty()) {
    tls = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    tls->set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_tlsv1 |
                     boost::asio::ssl::context::no_tlsv1_1);
    if (config.tls_self_signed) {
      TlsSetup setup;
      if (auto error = make_self_signed(*tls, config.host, setup)) return fail(*error);
      std::cerr << "agentemu: self-signed TLS certificate: " << setup.cert_file
                << " (trust it with NODE_EXTRA_CA_CERTS or curl --cacert; key: " << setup.key_file << ")" << std::endl;
    } else if (auto error = load_tls_files(*tls, config.tls_cert, config.tls_key)) {
      return fail(*error);
    }
  }

  ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  options.idle_timeout = config.idle_timeout;
  options.request_timeout = config.request_timeout;
  Server server(io, options, pipeline, clock, log, tls.get());
  if (auto error = server.listen()) return fail(*error);
  server.start();
  scenarios.watch(io);

  std::cout << "agentemu listening on http://" << url_host(config.host) << ":" << server.port() << std::endl;
  log.info("started", {{"port", static_cast<std::int64_t>(server.port())},
                       {"threads", static_cast<std::int64_t>(config.threads)},
                       {"tls", tls ? "on" : "off"},
                       {"auth", config.auth == AuthMode::strict ? "strict" : "lenient"},
                       {"codeInterpreter", config.run_code ? "exec" : "echo"}});
  if (config.run_code && !is_loopback_host(config.host)) {
    log.warn("--code-interpreter exec on a non-loopback address: whoever reaches this port can run code as this user");
  }

  // SIGINT/SIGTERM: stop accepting, let in-flight requests finish (bounded), then stop.
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log.info("draining", {{"signal", signal}});
    scenarios.stop_watching();
    drain_deadline.expires_after(config.drain_timeout);
    drain_deadline.async_wait([&](const boost::system::error_code& timer_ec) {
      if (!timer_ec) {
        log.warn("drain timeout: closing the remaining connections", {{"connections", static_cast<std::int64_t>(server.connections())}});
        io.stop();
      }
    });
    server.drain([&] { io.stop(); });
  });

  // Asio's pattern: a handler that throws unwinds run(); log it and keep the thread serving.
  const auto serve = [&] {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        log.error("unhandled exception in an io thread", {{"what", e.what()}});
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < config.threads; ++i) workers.emplace_back(serve);
  serve();
  for (auto& worker : workers) worker.join();
  scheduler.cancel_all();
  local.shutdown();  // every child process killed and reaped, working directories removed
  log.info("stopped");
  return 0;
}
