// Command-line flags, each also readable from AGENTEMU_<NAME>; the flag wins over the variable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "core/exec/limits.hpp"
#include "core/log.hpp"

namespace agentemu {

enum class AuthMode { strict, lenient };

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4599;
  std::vector<std::string> fixtures;  // empty: the default fixtures file
  std::vector<std::string> scenarios;
  std::string state_file;  // empty: the state lives as long as the process (core/state_file.hpp)
  std::string admin_token;
  unsigned threads = 0;  // 0: one per core
  std::size_t journal_limit = 10000;
  LogLevel log_level = LogLevel::info;
  LogFormat log_format = LogFormat::text;
  std::string tls_cert;
  std::string tls_key;
  bool tls_self_signed = false;
  std::vector<std::string> tls_hosts;  // more names for the self-signed certificate
  std::string tls_dir;                 // keep the self-signed pair here (empty: a temporary folder)
  AuthMode auth = AuthMode::strict;
  std::vector<std::string> callback_allow;  // hosts callbacks may reach besides loopback (globs)
  std::chrono::milliseconds callback_timeout{5000};
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds drain_timeout{10'000};
  // Local execution (INTERFACE.md): code really runs (--code-interpreter exec) by default only
  // while agentemu listens on a loopback address; --agent-url is the runtimes' default agent.
  bool run_code = false;
  std::string agent_url;
  std::chrono::milliseconds agent_timeout{900'000};
  ExecLimits exec_limits;
  // --browser chromium: AgentCore browser sessions run a real headless Chromium (--chromium is
  // its path, else `chromium` on PATH), at most max_browsers at once.
  bool real_browser = false;
  std::string chromium = "chromium";
  std::size_t max_browsers = 4;
  bool show_help = false;
  bool show_version = false;
};

struct ConfigError {
  std::string message;
};

// `env` returns the variable's value or nullptr (std::getenv in production, a map in tests).
using EnvLookup = std::function<const char*(const char* name)>;
std::variant<Config, ConfigError> parse_config(const std::vector<std::string>& args, const EnvLookup& env);

std::string usage_text();

// One warning per AGENTEMU_* name in `environment_names` that is no flag's variable, with the
// variable it most likely meant ("AGENTEMU_JOURNAL_LIMT ... did you mean AGENTEMU_JOURNAL_LIMIT?").
std::vector<std::string> unknown_variables(const std::vector<std::string>& environment_names);

// 127.0.0.0/8, ::1 and localhost.
bool is_loopback_host(std::string_view host);

}  // namespace agentemu
