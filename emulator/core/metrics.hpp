// Prometheus counters: requests by vendor, operation and status; latency by vendor; injected
// faults. The operation set is fixed at start, so request counting is a relaxed atomic add.
// Every recorded request is counted once: one answered by a network fault (no HTTP status)
// under its fault's name as the status, status="connection_reset".
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"

namespace agentemu {

class Metrics {
 public:
  Metrics();

  // Called once per vendor at start. Returns the first slot of the vendor: first + 0 counts
  // requests whose operation was not recognised, first + 1 + i the vendor's operation i.
  std::size_t add_vendor(std::string_view vendor, std::span<const std::string_view> operations);
  static constexpr std::size_t kUnroutedSlot = 0;

  void count_request(std::size_t slot, int status, double seconds, NetworkFault fault = NetworkFault::none);
  void count_fault(std::string_view vendor, std::string_view scenario, std::string_view kind);
  std::string prometheus_text() const;

  static constexpr std::array<double, 14> kBucketsSeconds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                             0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

 private:
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kBucketsSeconds.size()> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_nanos{0};
  };
  struct Slot {
    std::string vendor;
    std::string operation;
    std::size_t histogram = 0;
    std::array<std::atomic<std::uint64_t>, 500> by_status{};  // index: status - 100
    std::array<std::atomic<std::uint64_t>, kNetworkFaultKinds> by_fault{};  // index: NetworkFault
  };

  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::pair<std::string, std::unique_ptr<Histogram>>> histograms_;  // one per vendor
  mutable std::mutex faults_mutex_;
  std::map<std::array<std::string, 3>, std::uint64_t> faults_;
};

}  // namespace agentemu
