#include "core/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <thread>

#include "core/distance.hpp"
#include "core/net/http_client.hpp"
#include "core/text.hpp"

namespace agentemu {
namespace {

enum class Kind { text, list, flag };

struct FlagSpec {
  std::string_view name;  // without the leading "--"
  Kind kind;
  std::string_view help;
  std::string_view value_name = {};  // in --help: "--port PORT"; empty: PATH for lists, else VALUE
};

constexpr FlagSpec kFlags[] = {
    {"host", Kind::text, "address to listen on (default 127.0.0.1)", "HOST"},
    {"port", Kind::text, "port to listen on; 0 picks a free one (default 4599)", "PORT"},
    {"fixtures", Kind::list, "fixture file or folder, repeatable (default fixtures/default.json)"},
    {"scenarios", Kind::list, "scenario file or folder, repeatable; watched and reloaded on change"},
    {"state-file", Kind::text, "keep the state in this file: loaded after the fixtures, saved at exit and on POST /_emulator/state/save", "PATH"},
    {"admin-token", Kind::text, "require Authorization: Bearer TOKEN on /_emulator/*", "TOKEN"},
    {"threads", Kind::text, "io threads (default: number of cores)", "N"},
    {"journal-limit", Kind::text, "requests kept in the journal (default 10000)", "N"},
    {"log-level", Kind::text, "debug|info|warn|error|off (default info)", "LEVEL"},
    {"log-format", Kind::text, "text|json (default text)", "FORMAT"},
    {"tls-cert", Kind::text, "PEM certificate for HTTPS on the same port", "FILE"},
    {"tls-key", Kind::text, "PEM private key for --tls-cert", "FILE"},
    {"tls-self-signed", Kind::flag, "generate a key and certificate at start (path printed on stderr)"},
    {"tls-host", Kind::list, "one more name or address for --tls-self-signed's certificate, repeatable", "NAME"},
    {"tls-dir", Kind::text, "keep --tls-self-signed's pair in this folder and reuse it (default: a temporary one)", "DIR"},
    {"auth", Kind::text, "strict|lenient: verify vendor signatures or accept any (default strict)", "MODE"},
    {"callback-allow", Kind::list, "a host (or glob) vendor callbacks may go to besides loopback, repeatable", "HOST"},
    {"callback-timeout-ms", Kind::text, "how long a callback may take to connect, then to be answered (default 5000)", "MS"},
    {"max-body-bytes", Kind::text, "largest request body accepted, else 413 (default 8388608)", "N"},
    {"max-header-bytes", Kind::text, "largest request head accepted, else 431 (default 16384)", "N"},
    {"idle-timeout-ms", Kind::text, "close a connection that sends no complete request head in this time (default 60000)", "MS"},
    {"request-timeout-ms", Kind::text, "close a connection whose request body takes longer (default 30000)", "MS"},
    {"drain-timeout-ms", Kind::text, "on SIGTERM/SIGINT, wait this long for in-flight requests (default 10000)", "MS"},
    {"code-interpreter", Kind::text, "exec|echo: run AgentCore code and commands for real (default exec on a loopback --host)", "MODE"},
    {"agent-url", Kind::text, "base URL of a local AgentCore agent for runtimes that name none", "URL"},
    {"agent-timeout-ms", Kind::text, "how long a local agent may take to answer (default 900000)", "MS"},
    {"exec-limits", Kind::text, "what every execution is held to, as KEY=VALUE,...: timeout (300s), cpu (300s), memory (2g), file-size (1g), processes (256), output (1m)", "LIST"},
    {"browser", Kind::text, "chromium|none: AgentCore browser sessions run a real headless Chromium, or none (default none)", "MODE"},
    {"chromium", Kind::text, "the Chromium executable for --browser chromium (default: chromium on PATH)", "PATH"},
    {"max-browsers", Kind::text, "Chromium processes running at once for --browser chromium, then ServiceQuotaExceededException (default 4)", "N"},
    {"help", Kind::flag, "print this help"},
    {"version", Kind::flag, "print the version"},
};

const FlagSpec* find_flag(std::string_view name) {
  for (const auto& spec : kFlags) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string env_name(std::string_view flag) {
  std::string name = "AGENTEMU_";
  for (char c : flag) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "1" || iequals(text, "true") || iequals(text, "yes") || iequals(text, "on")) return true;
  if (text == "0" || iequals(text, "false") || iequals(text, "no") || iequals(text, "off") || text.empty()) return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_count(std::string_view text, std::uint64_t min, std::uint64_t max) {
  const auto value = parse_int64(text);
  if (!value || *value < 0) return std::nullopt;
  const auto u = static_cast<std::uint64_t>(*value);
  if (u < min || u > max) return std::nullopt;
  return u;
}

// What a flag says that only takes effect once every flag is read.
struct Choices {
  std::optional<bool> code_interpreter;  // --code-interpreter exec (true) or echo; unset: it follows --host
};

std::optional<ConfigError> apply(Config& config, Choices& choices, const FlagSpec& spec, const std::string& value,
                                 std::string_view source) {
  const auto bad = [&](std::string_view why) {
    return ConfigError{std::string(source) + ": " + why.data() + " (got \"" + value + "\")"};
  };
  const std::string_view name = spec.name;
  if (name == "host") {
    if (value.empty()) return bad("must not be empty");
    config.host = value;
  } else if (name == "port") {
    const auto port = parse_count(value, 0, 65535);
    if (!port) return bad("must be a port number 0..65535");
    config.port = static_cast<std::uint16_t>(*port);
  } else if (name == "fixtures") {
    config.fixtures.push_back(value);
  } else if (name == "scenarios") {
    config.scenarios.push_back(value);
  } else if (name == "state-file") {
    if (value.empty()) return bad("must not be empty");
    config.state_file = value;
  } else if (name == "admin-token") {
    config.admin_token = value;
  } else if (name == "threads") {
    const auto threads = parse_count(value, 1, 256);
    if (!threads) return bad("must be 1..256");
    config.threads = static_cast<unsigned>(*threads);
  } else if (name == "journal-limit") {
    const auto limit = parse_count(value, 0, 10'000'000);
    if (!limit) return bad("must be 0..10000000");
    config.journal_limit = *limit;
  } else if (name == "log-level") {
    const auto level = parse_log_level(value);
    if (!level) return bad("must be debug, info, warn, error or off");
    config.log_level = *level;
  } else if (name == "log-format") {
    const auto format = parse_log_format(value);
    if (!format) return bad("must be text or json");
    config.log_format = *format;
  } else if (name == "tls-cert") {
    config.tls_cert = value;
  } else if (name == "tls-key") {
    config.tls_key = value;
  } else if (name == "tls-self-signed") {
    const auto on = parse_bool(value);
    if (!on) return bad("must be true or false");
    config.tls_self_signed = *on;
  } else if (name == "tls-host") {
    config.tls_hosts.push_back(value);
  } else if (name == "tls-dir") {
    if (value.empty()) return bad("must not be empty");
    config.tls_dir = value;
  } else if (name == "auth") {
    if (value == "strict") {
      config.auth = AuthMode::strict;
    } else if (value == "lenient") {
      config.auth = AuthMode::lenient;
    } else {
      return bad("must be strict or lenient");
    }
  } else if (name == "callback-allow") {
    if (value.empty() || !glob_valid(value)) return bad("must be a host name, an address or a glob such as *.example.com");
    config.callback_allow.push_back(value);
  } else if (name == "callback-timeout-ms") {
    const auto ms = parse_count(value, 1, 600'000);
    if (!ms) return bad("must be 1..600000 milliseconds");
    config.callback_timeout = std::chrono::milliseconds(*ms);
  } else if (name == "max-body-bytes") {
    const auto bytes = parse_count(value, 1024, 1ULL << 32);
    if (!bytes) return bad("must be 1024..4294967296");
    config.max_body_bytes = *bytes;
  } else if (name == "max-header-bytes") {
    const auto bytes = parse_count(value, 1024, 1 << 20);
    if (!bytes) return bad("must be 1024..1048576");
    config.max_header_bytes = *bytes;
  } else if (name == "idle-timeout-ms" || name == "request-timeout-ms" || name == "drain-timeout-ms") {
    const auto ms = parse_count(value, 1, 86'400'000);
    if (!ms) return bad("must be 1..86400000 milliseconds");
    const std::chrono::milliseconds duration(*ms);
    if (name == "idle-timeout-ms") config.idle_timeout = duration;
    if (name == "request-timeout-ms") config.request_timeout = duration;
    if (name == "drain-timeout-ms") config.drain_timeout = duration;
  } else if (name == "code-interpreter") {
    if (value != "exec" && value != "echo") return bad("must be exec or echo");
    choices.code_interpreter = value == "exec";
  } else if (name == "agent-url") {
    std::string why;
    const auto url = parse_http_url(value, why);
    if (!url) return bad("must be an http:// or https:// URL");
    config.agent_url = value;
    while (config.agent_url.ends_with("/")) config.agent_url.pop_back();
  } else if (name == "agent-timeout-ms") {
    const auto ms = parse_count(value, 1, 86'400'000);
    if (!ms) return bad("must be 1..86400000 milliseconds");
    config.agent_timeout = std::chrono::milliseconds(*ms);
  } else if (name == "exec-limits") {
    if (auto why = parse_exec_limits(value, config.exec_limits)) return bad(*why);
  } else if (name == "browser") {
    if (value != "chromium" && value != "none") return bad("must be chromium or none");
    config.real_browser = value == "chromium";
  } else if (name == "chromium") {
    if (value.empty()) return bad("must not be empty");
    config.chromium = value;
  } else if (name == "max-browsers") {
    const auto count = parse_count(value, 1, 256);
    if (!count) return bad("must be 1..256");
    config.max_browsers = *count;
  } else if (name == "help") {
    config.show_help = true;
  } else if (name == "version") {
    config.show_version = true;
  }
  return std::nullopt;
}

}  // namespace

std::variant<Config, ConfigError> parse_config(const std::vector<std::string>& args, const EnvLookup& env) {
  Config config;
  Choices choices;
  std::vector<const FlagSpec*> given;
  std::vector<std::pair<const FlagSpec*, std::string>> from_flags;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) return ConfigError{"unexpected argument \"" + arg + "\" (see --help)"};
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = find_flag(name);
    if (spec == nullptr) return ConfigError{"unknown flag --" + name + " (see --help)"};
    std::string value;
    if (spec->kind == Kind::flag) {
      value = inline_value.value_or("true");
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) return ConfigError{"--" + name + " needs a value"};
      value = args[++i];
    }
    from_flags.emplace_back(spec, value);
    given.push_back(spec);
  }

  // Environment first, then flags, so a flag replaces its variable (lists are replaced, not merged).
  for (const auto& spec : kFlags) {
    if (spec.name == "help" || spec.name == "version") continue;
    bool overridden = false;
    for (const FlagSpec* g : given) overridden = overridden || g == &spec;
    if (overridden) continue;
    const std::string var = env_name(spec.name);
    const char* raw = env ? env(var.c_str()) : nullptr;
    if (raw == nullptr || *raw == '\0') continue;
    if (spec.kind == Kind::list) {
      for (std::string_view piece : split(raw, ':')) {
        if (piece.empty()) continue;
        if (auto error = apply(config, choices, spec, std::string(piece), var)) return *error;
      }
    } else if (auto error = apply(config, choices, spec, raw, var)) {
      return *error;
    }
  }
  for (const auto& [spec, value] : from_flags) {
    if (auto error = apply(config, choices, *spec, value, "--" + std::string(spec->name))) return *error;
  }

  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return ConfigError{"--tls-cert and --tls-key go together"};
  }
  if (!config.tls_cert.empty() && config.tls_self_signed) {
    return ConfigError{"choose --tls-cert/--tls-key or --tls-self-signed, not both"};
  }
  if ((!config.tls_hosts.empty() || !config.tls_dir.empty()) && !config.tls_self_signed) {
    return ConfigError{"--tls-host and --tls-dir go with --tls-self-signed"};
  }
  // Code runs for real only where nobody else can reach it, unless asked for explicitly.
  config.run_code = choices.code_interpreter.value_or(is_loopback_host(config.host));
  if (config.threads == 0) {
    const unsigned cores = std::thread::hardware_concurrency();
    config.threads = cores == 0 ? 1 : cores;
  }
  return config;
}

std::vector<std::string> unknown_variables(const std::vector<std::string>& environment_names) {
  constexpr std::string_view kPrefix = "AGENTEMU_";
  std::vector<std::string> warnings;
  for (const std::string& var : environment_names) {
    if (!var.starts_with(kPrefix)) continue;
    const FlagSpec* nearest = nullptr;
    double best = 1;
    bool known = false;
    for (const auto& spec : kFlags) {
      if (spec.name == "help" || spec.name == "version") continue;  // not read from the environment
      const std::string name = env_name(spec.name);
      known = known || name == var;
      const double d = text_distance(std::string_view(name).substr(kPrefix.size()), std::string_view(var).substr(kPrefix.size()));
      if (d < best) {
        best = d;
        nearest = &spec;
      }
    }
    if (known) continue;
    std::string warning = var + " is not a variable agentemu reads";
    // A slip of a letter or two (PROT for PORT), not a different word.
    if (nearest != nullptr && best <= 0.5) warning += " (did you mean " + env_name(nearest->name) + "?)";
    warnings.push_back(std::move(warning));
  }
  return warnings;
}

namespace {

// `text` broken at spaces into lines of at most `width` (a longer word stands alone).
std::vector<std::string_view> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string_view> lines;
  while (text.size() > width) {
    std::size_t cut = text.rfind(' ', width);
    if (cut == std::string_view::npos || cut == 0) cut = text.find(' ');
    if (cut == std::string_view::npos) break;
    lines.push_back(text.substr(0, cut));
    text.remove_prefix(cut + 1);
  }
  lines.push_back(text);
  return lines;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string usage_text() {
  constexpr std::size_t kWidth = 80;
  std::string text =
      "usage: agentemu [flags]\n"
      "       agentemu describe [VENDOR] [--json]   every operation, without serving\n\n"
      "Emulates Alibaba ICE, ZEGOCLOUD AI Agent, an elizaOS-style REST runtime and the\n"
      "Amazon Bedrock AgentCore data plane on one port, over HTTP and HTTPS.\n\nflags:\n";
  const auto left_of = [](const FlagSpec& spec) {
    std::string left = "  --" + std::string(spec.name);
    if (spec.kind != Kind::flag) {
      left += ' ';
      left += spec.value_name.empty() ? (spec.kind == Kind::list ? "PATH" : "VALUE") : spec.value_name;
    }
    return left;
  };
  std::size_t column = 0;
  for (const auto& spec : kFlags) column = std::max(column, left_of(spec).size() + 2);
  for (const auto& spec : kFlags) {
    std::string left = left_of(spec);
    left.resize(column, ' ');
    bool first = true;
    for (std::string_view line : wrap(spec.help, kWidth - column)) {
      text += (first ? left : std::string(column, ' ')) + std::string(line) + "\n";
      first = false;
    }
  }
  text += "\nEvery flag can also be set with AGENTEMU_<NAME> (e.g. AGENTEMU_PORT=0,\n"
          "AGENTEMU_FIXTURES=a.json:b.json); a flag wins over its variable. Unknown\n"
          "AGENTEMU_ variables are warned about at start.\n";
  return text;
}

}  // namespace agentemu
