// core/browser and the --browser flags: the command line Chromium runs with and the DevTools
// line it prints.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <variant>

#include "core/browser/chromium.hpp"
#include "core/config.hpp"

using namespace agentemu;

namespace {

bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

std::variant<Config, ConfigError> parse(std::vector<std::string> args) {
  return parse_config(args, [](const char*) -> const char* { return nullptr; });
}

}  // namespace

TEST_CASE("Chromium runs headless with its own profile, the viewport and the proxy") {
  ChromiumSpec spec;
  spec.program = "/usr/bin/chromium";
  spec.profile_dir = "/tmp/agentemu-1/browser-x";
  spec.width = 1024;
  spec.height = 700;
  auto argv = chromium_argv(spec);
  CHECK(argv.front() == "/usr/bin/chromium");
  CHECK(has(argv, "--headless"));
  CHECK(has(argv, "--user-data-dir=/tmp/agentemu-1/browser-x"));
  CHECK(has(argv, "--window-size=1024,700"));
  CHECK(has(argv, "--remote-debugging-address=127.0.0.1"));
  CHECK(has(argv, "--remote-debugging-port=0"));
  CHECK(argv.back() == "about:blank");
  CHECK(std::none_of(argv.begin(), argv.end(), [](const std::string& a) { return a.starts_with("--proxy"); }));

  spec.proxy_server = "http://proxy.local:3128";
  spec.proxy_bypass = "*.internal;localhost";
  argv = chromium_argv(spec);
  CHECK(has(argv, "--proxy-server=http://proxy.local:3128"));
  CHECK(has(argv, "--proxy-bypass-list=*.internal;localhost"));
}

TEST_CASE("the DevTools URL is read from Chromium's stderr once its line is complete") {
  CHECK_FALSE(devtools_url_in("[1:2:ERROR:bus.cc] Failed to connect to the bus\n"));
  CHECK_FALSE(devtools_url_in("DevTools listening on ws://127.0.0.1:4711/devtools/brow"));
  const auto url = devtools_url_in(
      "[1:2:ERROR:bus.cc] no bus\n\nDevTools listening on ws://127.0.0.1:4711/devtools/browser/ab-cd\nmore\n");
  REQUIRE(url);
  CHECK(*url == "ws://127.0.0.1:4711/devtools/browser/ab-cd");
  CHECK_FALSE(devtools_url_in("DevTools listening on http://elsewhere/\n"));
}

TEST_CASE("--browser, --chromium and --max-browsers") {
  auto c = std::get<Config>(parse({}));
  CHECK_FALSE(c.real_browser);
  CHECK(c.chromium == "chromium");
  CHECK(c.max_browsers == 4);
  c = std::get<Config>(parse({"--browser", "chromium", "--chromium", "/opt/chromium/chrome", "--max-browsers=2"}));
  CHECK(c.real_browser);
  CHECK(c.chromium == "/opt/chromium/chrome");
  CHECK(c.max_browsers == 2);
  CHECK_FALSE(std::get<Config>(parse({"--browser", "none"})).real_browser);
  CHECK(std::get<ConfigError>(parse({"--browser", "firefox"})).message ==
        "--browser: must be chromium or none (got \"firefox\")");
  CHECK(std::get<ConfigError>(parse({"--max-browsers", "0"})).message == "--max-browsers: must be 1..256 (got \"0\")");
  CHECK(usage_text().find("--max-browsers") != std::string::npos);
}
