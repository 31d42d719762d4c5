// What every fuzz target shares: the real core and all four vendors with the default fixtures,
// on a clock frozen at kFuzzNow, so an input gives the same answer whenever it runs (the seed
// corpus signs its requests at that instant). Built once per process; reset() between inputs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/admin.hpp"
#include "core/call.hpp"
#include "core/clock.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/scheduler.hpp"
#include "scenarios/engine.hpp"
#include "vendors/registry.hpp"

namespace agentemu::fuzz {

// 2025-06-01T00:00:00Z: the instant the seed corpus (tests/fuzz/seeds.mjs) signs at.
inline const SystemTime kFuzzNow = from_epoch_millis(1'748'736'000'000);

inline std::string source_path(std::string_view relative) {
  return std::string(AGENTEMU_SOURCE_DIR) + "/" + std::string(relative);
}

inline std::string read_source(std::string_view relative) {
  std::string error;
  auto text = read_document_file(source_path(relative), error);
  if (!text) {
    std::fprintf(stderr, "fuzz world: %s\n", error.c_str());
    std::abort();
  }
  return *text;
}

// A connection stand-in: a paused call is resumed by running the pipeline again.
class FuzzHost : public CallHost, public std::enable_shared_from_this<FuzzHost> {
 public:
  void resume() override { ++resumed; }
  Call call;
  int resumed = 0;
};

struct World {
  explicit World(AuthMode auth) : auth_mode(auth) {
    clock.freeze(kFuzzNow);
    register_vendors(vendors, VendorContext{clock, scheduler, auth_mode, log});
    if (auto error = fixtures.load({source_path("fixtures/default.json")}, vendors)) {
      std::fprintf(stderr, "fuzz world: %s\n", error->c_str());
      std::abort();
    }
    admin.set_scenarios(&scenarios);
    pipeline.set_scenarios(&scenarios);
  }

  // Loads the scenario every HTTP input meets (match clauses of every kind, no delays).
  void load_scenario(std::string_view name, std::string_view body) {
    base_scenario = {std::string(name), std::string(body)};
    if (auto issue = scenarios.put(name, body)) {
      std::fprintf(stderr, "fuzz world: scenario %s: %s\n", std::string(name).c_str(), issue->message.c_str());
      std::abort();
    }
  }

  // Back to the state every input starts from: fixtures, empty journal, clock at kFuzzNow, the
  // base scenario with zeroed counters, no timers.
  void reset() { reset(vendors.names(), true); }

  // The same, rebuilding only what an input can have changed: the vendors it `reached` get their
  // fixtures back, and the scenarios are loaded again only when `scenarios_changed` (the input
  // reached the admin API); otherwise their counters are zeroed. Rebuilding everything after every
  // input was most of the http target's time.
  void reset(std::span<const std::string_view> reached, bool scenarios_changed) {
    io.poll();
    scheduler.cancel_all();
    fixtures.reset(vendors, reached);
    journal.clear();
    clock.set_offset(Millis(0));
    if (scenarios_changed) {
      scenarios.remove_all();
      if (!base_scenario.first.empty()) scenarios.put(base_scenario.first, base_scenario.second);
    } else {
      scenarios.reset_counters();
    }
    io.poll();
    io.restart();
  }

  AuthMode auth_mode;
  boost::asio::io_context io;
  Clock clock;
  Scheduler scheduler{io, clock};
  Logger log{LogLevel::off, LogFormat::text};
  Metrics metrics;
  VendorRegistry vendors{metrics};
  Fixtures fixtures;
  Journal journal{1000};
  AdminApi admin{"", vendors, fixtures, journal, metrics, clock, scheduler};
  Pipeline pipeline{vendors, admin, journal, metrics, log, scheduler};
  ScenarioEngine scenarios{vendors, clock, log};
  std::pair<std::string, std::string> base_scenario;
};

// Splits an input on NUL bytes into at most `n` fields (missing ones are empty), the format of
// the seed files of the field-based targets.
inline std::vector<std::string_view> fields(const std::uint8_t* data, std::size_t size, std::size_t n) {
  std::vector<std::string_view> out(n);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t nul = i + 1 < n ? rest.find('\0') : std::string_view::npos;
    out[i] = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
  }
  return out;
}

// "name: value" lines as request headers (views into `text`).
inline std::vector<Header> header_lines(std::string_view text) {
  std::vector<Header> out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.push_back({line.substr(0, colon), value});
  }
  return out;
}

}  // namespace agentemu::fuzz
