// agentemu: wires the core together, registers the vendors, serves until SIGINT/SIGTERM.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

extern char** environ;

#include "core/admin.hpp"
#include "core/admin/operations.hpp"
#include "core/callbacks/engine.hpp"
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
#include "core/state_file.hpp"
#include "scenarios/engine.hpp"
#include "vendors/registry.hpp"

namespace {

constexpr int kUsageError = 2;

// The format start-up errors are written in: --log-format (or AGENTEMU_LOG_FORMAT) as far as it
// can be read, even when another flag is what failed.
agentemu::LogFormat startup_format(const std::vector<std::string>& args) {
  using agentemu::LogFormat;
  std::optional<LogFormat> format;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].starts_with("--log-format=")) format = agentemu::parse_log_format(args[i].substr(13));
    if (args[i] == "--log-format" && i + 1 < args.size()) format = agentemu::parse_log_format(args[i + 1]);
  }
  if (!format) {
    if (const char* env = std::getenv("AGENTEMU_LOG_FORMAT")) format = agentemu::parse_log_format(env);
  }
  return format.value_or(LogFormat::text);
}

agentemu::LogFormat error_format = agentemu::LogFormat::text;

// Start-up errors: one line on stderr, "agentemu: ..." as text or one JSON object, then exit 2.
int fail(const std::string& message) {
  if (error_format == agentemu::LogFormat::json) {
    std::cerr << agentemu::format_log_line(error_format, agentemu::LogLevel::error, message) << std::flush;
  } else {
    std::cerr << "agentemu: " << message << std::endl;
  }
  return kUsageError;
}

std::vector<std::string> environment_names() {
  std::vector<std::string> names;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

// agentemu describe [VENDOR] [--json]: every operation of the vendors' tables, without serving.
int describe(const std::vector<std::string>& args) {
  using namespace agentemu;
  std::optional<std::string> only;
  bool json = false;
  for (const std::string& arg : args) {
    if (arg == "--json") {
      json = true;
    } else if (!arg.starts_with("-") && !only) {
      only = arg;
    } else {
      return fail("describe takes [VENDOR] [--json], not \"" + arg + "\"");
    }
  }
  boost::asio::io_context io;
  Clock clock;
  Scheduler scheduler(io, clock);
  Logger log(LogLevel::off, LogFormat::text);
  Metrics metrics;
  VendorRegistry vendors(metrics);
  register_vendors(vendors, VendorContext{clock, scheduler, AuthMode::strict, log});
  if (only && vendors.find(*only) == nullptr) {
    std::string known;
    for (std::string_view name : vendors.names()) known += (known.empty() ? "" : ", ") + std::string(name);
    return fail("describe: unknown vendor \"" + *only + "\" (expected one of " + known + ")");
  }
  JsonWriter w;
  admin::write_operations_document(vendors, only ? std::optional<std::string_view>(*only) : std::nullopt, w);
  std::string document = w.take();
  if (json) {
    std::cout << document << "\n";
    return 0;
  }
  JsonDocument doc;
  if (parse_json(document, doc)) return fail("describe: the vendors' tables did not describe valid JSON");
  std::cout << admin::operations_text(doc);
  return 0;
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
  error_format = startup_format(args);
  if (!args.empty() && args.front() == "describe") return describe({args.begin() + 1, args.end()});
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

  error_format = config.log_format;
  // Written at once, before anything else can log, so they come first.
  if (config.log_level <= LogLevel::warn) {
    for (const std::string& warning : unknown_variables(environment_names())) {
      std::cerr << format_log_line(config.log_format, LogLevel::warn, "unknown environment variable",
                                   {{"warning", warning}});
    }
  }
  Logger log(config.log_level, config.log_format);
  boost::asio::io_context io(static_cast<int>(config.threads));
  // Installed before anything is announced, so a signal right after the listening line drains.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_deadline(io);
  Clock clock;
  Scheduler scheduler(io, clock);
  // Before the vendors, so it outlives what they run.
  LocalExecution local(io, LocalOptions{config.run_code, config.agent_url, config.agent_timeout, config.exec_limits,
                                        config.real_browser, config.chromium, config.max_browsers});
  if (config.real_browser && !find_program(config.chromium)) {
    return fail("--browser chromium: no Chromium at \"" + config.chromium +
                "\" (install Debian's chromium, or name it with --chromium PATH)");
  }
  CallbackEngine callbacks(io, clock, scheduler, log,
                           CallbackOptions{.allow = config.callback_allow, .timeout = config.callback_timeout});
  Metrics metrics;
  VendorRegistry vendors(metrics);
  register_vendors(vendors, VendorContext{clock, scheduler, config.auth, log, &local, &callbacks});

  Fixtures fixtures;
  if (auto error = fixtures.load(config.fixtures, vendors)) return fail(*error);
  // The state file goes on top of the fixtures; reset goes back to the fixtures alone.
  std::optional<StateFile> state_file;
  if (!config.state_file.empty()) {
    state_file.emplace(config.state_file);
    if (auto error = state_file->check_folder()) return fail(*error);
    if (auto error = state_file->load(vendors)) return fail(*error);
  }

  Journal journal(config.journal_limit);
  AdminApi admin(config.admin_token, vendors, fixtures, journal, metrics, clock, scheduler);
  Pipeline pipeline(vendors, admin, journal, metrics, log, scheduler);

  ScenarioEngine scenarios(vendors, clock, log);
  if (auto error = scenarios.load_files(config.scenarios)) return fail(*error);
  admin.set_scenarios(&scenarios);
  admin.set_callbacks(&callbacks);
  callbacks.set_rules(&scenarios);
  if (state_file) admin.set_state_file(&*state_file);
  pipeline.set_scenarios(&scenarios);

  std::unique_ptr<boost::asio::ssl::context> tls;
  TlsFiles tls_files;  // lives as long as main(), which removes a temporary folder on its way out
  if (config.tls_self_signed || !config.tls_cert.empty()) {
    tls = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    tls->set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_tlsv1 |
                     boost::asio::ssl::context::no_tlsv1_1);
    if (config.tls_self_signed) {
      const SelfSignedOptions self_signed{config.host, config.tls_hosts, config.tls_dir};
      if (auto error = make_self_signed(*tls, self_signed, tls_files)) return fail(*error);
      // Printed whatever the log level: without it the certificate cannot be trusted.
      if (config.log_format == LogFormat::json) {
        log.flush();
        std::cerr << format_log_line(LogFormat::json, LogLevel::info, "self-signed TLS certificate",
                                     {{"cert", tls_files.cert_file}, {"key", tls_files.key_file},
                                      {"lifetime", tls_files.lifetime()}})
                  << std::flush;
      } else {
        std::cerr << "agentemu: self-signed TLS certificate: " << tls_files.cert_file << " (" << tls_files.lifetime()
                  << "; trust it with NODE_EXTRA_CA_CERTS or curl --cacert; key: " << tls_files.key_file << ")"
                  << std::endl;
      }
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
  // Every request has finished: the state is what the clients last saw.
  int exit_code = 0;
  if (state_file) {
    if (auto error = state_file->save(vendors)) {
      log.error("state not saved", {{"error", *error}});
      exit_code = 1;
    } else {
      log.info("state saved", {{"path", state_file->path()}});
    }
  }
  scheduler.cancel_all();
  local.shutdown();  // every child process killed and reaped, working directories removed
  log.info("stopped");
  return exit_code;
}
