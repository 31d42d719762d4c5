#include <doctest/doctest.h>

#include <map>
#include <string>
#include <variant>

#include "core/config.hpp"

using namespace agentemu;

namespace {

std::variant<Config, ConfigError> parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return parse_config(args, [env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

Config ok(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  auto result = parse(std::move(args), std::move(env));
  REQUIRE(std::holds_alternative<Config>(result));
  return std::get<Config>(result);
}

std::string error(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  auto result = parse(std::move(args), std::move(env));
  REQUIRE(std::holds_alternative<ConfigError>(result));
  return std::get<ConfigError>(result).message;
}

}  // namespace

TEST_CASE("defaults follow the contract") {
  const Config c = ok({});
  CHECK(c.host == "127.0.0.1");
  CHECK(c.port == 4599);
  CHECK(c.journal_limit == 10000);
  CHECK(c.auth == AuthMode::strict);
  CHECK(c.threads >= 1);
  CHECK(c.fixtures.empty());
}

TEST_CASE("flags take a separate or an inline value, and repeat") {
  const Config c = ok({"--port", "0", "--fixtures=a.json", "--fixtures", "b", "--auth", "lenient", "--tls-self-signed",
                       "--log-format=json", "--threads", "3"});
  CHECK(c.port == 0);
  CHECK(c.fixtures == std::vector<std::string>{"a.json", "b"});
  CHECK(c.auth == AuthMode::lenient);
  CHECK(c.tls_self_signed);
  CHECK(c.log_format == LogFormat::json);
  CHECK(c.threads == 3);
}

TEST_CASE("environment variables fill in, and a flag wins") {
  const Config from_env = ok({}, {{"AGENTEMU_PORT", "0"}, {"AGENTEMU_FIXTURES", "a.json:b.json"},
                                  {"AGENTEMU_TLS_SELF_SIGNED", "1"}, {"AGENTEMU_ADMIN_TOKEN", "t"}});
  CHECK(from_env.port == 0);
  CHECK(from_env.fixtures.size() == 2);
  CHECK(from_env.tls_self_signed);
  CHECK(from_env.admin_token == "t");
  const Config flag_wins = ok({"--port", "5000", "--fixtures", "c.json"}, {{"AGENTEMU_PORT", "0"}, {"AGENTEMU_FIXTURES", "a:b"}});
  CHECK(flag_wins.port == 5000);
  CHECK(flag_wins.fixtures == std::vector<std::string>{"c.json"});
}

TEST_CASE("bad flags are one-line errors naming the flag") {
  CHECK(error({"--nope"}).find("--nope") != std::string::npos);
  CHECK(error({"--port", "70000"}).find("--port") != std::string::npos);
  CHECK(error({"--port"}).find("needs a value") != std::string::npos);
  CHECK(error({"--auth", "maybe"}).find("strict or lenient") != std::string::npos);
  CHECK(error({"--threads", "0"}).find("--threads") != std::string::npos);
  CHECK(error({"--tls-cert", "c.pem"}).find("--tls-key") != std::string::npos);
  CHECK(error({"stray"}).find("stray") != std::string::npos);
  CHECK(error({}, {{"AGENTEMU_PORT", "x"}}).find("AGENTEMU_PORT") != std::string::npos);
}

TEST_CASE("help lists every flag") {
  const std::string help = usage_text();
  for (const char* flag : {"--host", "--port", "--fixtures", "--scenarios", "--admin-token", "--threads", "--journal-limit",
                           "--log-level", "--log-format", "--tls-cert", "--tls-key", "--tls-self-signed", "--auth",
                           "--help", "--version"}) {
    CHECK_MESSAGE(help.find(flag) != std::string::npos, flag);
  }
}

TEST_CASE("--tls-host repeats and --tls-dir is kept, both only with --tls-self-signed") {
  const Config c = ok({"--tls-self-signed", "--tls-host", "a.example.test", "--tls-host=10.0.0.9", "--tls-dir", "/tmp/certs"});
  CHECK(c.tls_hosts == std::vector<std::string>{"a.example.test", "10.0.0.9"});
  CHECK(c.tls_dir == "/tmp/certs");
  const Config from_env = ok({}, {{"AGENTEMU_TLS_SELF_SIGNED", "1"}, {"AGENTEMU_TLS_HOST", "a.test:b.test"},
                                  {"AGENTEMU_TLS_DIR", "/certs"}});
  CHECK(from_env.tls_hosts == std::vector<std::string>{"a.test", "b.test"});
  CHECK(from_env.tls_dir == "/certs");
  CHECK(error({"--tls-host", "a.test"}) == "--tls-host and --tls-dir go with --tls-self-signed");
  CHECK(error({"--tls-dir", "/certs"}) == "--tls-host and --tls-dir go with --tls-self-signed");
  CHECK(error({"--tls-self-signed", "--tls-dir="}).find("must not be empty") != std::string::npos);
}

TEST_CASE("--state-file names one file, from the flag or AGENTEMU_STATE_FILE") {
  CHECK(ok({}).state_file.empty());
  CHECK(ok({"--state-file", "/var/lib/agentemu/state.json"}).state_file == "/var/lib/agentemu/state.json");
  CHECK(ok({}, {{"AGENTEMU_STATE_FILE", "s.json"}}).state_file == "s.json");
  CHECK(ok({"--state-file=flag.json"}, {{"AGENTEMU_STATE_FILE", "env.json"}}).state_file == "flag.json");
  CHECK(error({"--state-file="}).find("must not be empty") != std::string::npos);
  CHECK(usage_text().find("--state-file PATH") != std::string::npos);
}

TEST_CASE("unknown AGENTEMU_ variables are warned about, with the nearest real one") {
  const auto warnings = unknown_variables({"PATH", "AGENTEMU_PORT", "AGENTEMU_JOURNAL_LIMT", "AGENTEMU_WHATEVER", "AGENTEMU_HELP"});
  REQUIRE(warnings.size() == 3);
  CHECK(warnings[0] == "AGENTEMU_JOURNAL_LIMT is not a variable agentemu reads (did you mean AGENTEMU_JOURNAL_LIMIT?)");
  CHECK(warnings[1] == "AGENTEMU_WHATEVER is not a variable agentemu reads");
  CHECK(warnings[2].starts_with("AGENTEMU_HELP is not a variable agentemu reads"));
}

TEST_CASE("--help: every flag's name apart from its description, every line within 80 columns") {
  const std::string text = usage_text();
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    CHECK_MESSAGE(line.size() <= 80, line);
    if (line.starts_with("  --")) CHECK_MESSAGE(line.find("  ", 4) != std::string::npos, line);
    start = end + 1;
  }
  CHECK(text.find("--request-timeout-ms MS  ") != std::string::npos);
}

TEST_CASE("code runs for real by default only on a loopback address") {
  CHECK(ok({}).run_code);
  CHECK(ok({"--host", "::1"}).run_code);
  CHECK(ok({"--host", "127.0.0.2"}).run_code);
  CHECK_FALSE(ok({"--host", "0.0.0.0"}).run_code);
  CHECK_FALSE(ok({"--host", "192.168.1.5"}).run_code);
  CHECK(ok({"--host", "0.0.0.0", "--code-interpreter", "exec"}).run_code);
  CHECK_FALSE(ok({"--code-interpreter=echo"}).run_code);
  CHECK(ok({"--host", "0.0.0.0"}, {{"AGENTEMU_CODE_INTERPRETER", "exec"}}).run_code);
  CHECK_FALSE(ok({"--code-interpreter", "echo"}, {{"AGENTEMU_CODE_INTERPRETER", "exec"}}).run_code);
  CHECK(error({"--code-interpreter", "run"}) == "--code-interpreter: must be exec or echo (got \"run\")");
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("::"));
}

TEST_CASE("the agent URL, its timeout and the exec limits are checked") {
  Config c = ok({"--agent-url", "http://127.0.0.1:8080/"});
  CHECK(c.agent_url == "http://127.0.0.1:8080");
  CHECK(ok({}, {{"AGENTEMU_AGENT_URL", "https://agent.local"}}).agent_url == "https://agent.local");
  CHECK(ok({}).agent_url.empty());
  CHECK(error({"--agent-url", "127.0.0.1:8080"}) == "--agent-url: must be an http:// or https:// URL (got \"127.0.0.1:8080\")");
  CHECK(ok({"--agent-timeout-ms", "2500"}).agent_timeout == std::chrono::milliseconds(2500));
  CHECK(ok({}).agent_timeout == std::chrono::milliseconds(900000));
  c = ok({"--exec-limits", "timeout=2s,memory=512m"});
  CHECK(c.exec_limits.timeout == std::chrono::milliseconds(2000));
  CHECK(c.exec_limits.memory_bytes == 512ULL << 20);
  CHECK(c.exec_limits.cpu == ExecLimits{}.cpu);
  CHECK(error({"--exec-limits", "wall=2s"}).starts_with("--exec-limits: unknown limit \"wall\""));
}
