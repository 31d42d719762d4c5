// The admin API under /_emulator/ and GET /metrics: JSON in and out (Prometheus text for
// /metrics). Admin requests are not journaled, so inspecting the journal never changes it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/call.hpp"

namespace agentemu {

class Clock;
class Fixtures;
class Journal;
class Metrics;
class Scenarios;
class Scheduler;
class VendorRegistry;

class AdminApi {
 public:
  AdminApi(std::string token, VendorRegistry& vendors, Fixtures& fixtures, Journal& journal, Metrics& metrics,
           Clock& clock, Scheduler& scheduler);

  void set_scenarios(Scenarios* scenarios) { scenarios_ = scenarios; }
  void handle(Call& call);

 private:
  void health(Call& call);
  void reset(Call& call);
  void requests(Call& call, bool count_only);
  void state(Call& call);
  void operations(Call& call);
  void clock(Call& call);
  void scenarios(Call& call, std::string_view name);
  bool authorized(const Call& call) const;

  std::string token_;
  VendorRegistry& vendors_;
  Fixtures& fixtures_;
  Journal& journal_;
  Metrics& metrics_;
  Clock& clock_;
  Scheduler& scheduler_;
  Scenarios* scenarios_ = nullptr;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace agentemu
