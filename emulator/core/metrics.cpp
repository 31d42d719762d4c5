#include "core/metrics.hpp"

#include <cstdio>

namespace agentemu {
namespace {

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

std::string format_le(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

}  // namespace

Metrics::Metrics() {
  histograms_.emplace_back("none", std::make_unique<Histogram>());
  auto unrouted = std::make_unique<Slot>();
  unrouted->vendor = "none";
  slots_.push_back(std::move(unrouted));
}

std::size_t Metrics::add_vendor(std::string_view vendor, std::span<const std::string_view> operations) {
  const std::size_t histogram = histograms_.size();
  histograms_.emplace_back(std::string(vendor), std::make_unique<Histogram>());
  const std::size_t first = slots_.size();
  auto unknown = std::make_unique<Slot>();
  unknown->vendor = vendor;
  unknown->histogram = histogram;
  slots_.push_back(std::move(unknown));
  for (std::string_view op : operations) {
    auto slot = std::make_unique<Slot>();
    slot->vendor = vendor;
    slot->operation = op;
    slot->histogram = histogram;
    slots_.push_back(std::move(slot));
  }
  return first;
}

void Metrics::count_request(std::size_t slot_index, int status, double seconds, NetworkFault fault) {
  if (slot_index >= slots_.size()) slot_index = kUnroutedSlot;
  Slot& slot = *slots_[slot_index];
  if (fault == NetworkFault::none && status >= 100 && status < 600) {
    slot.by_status[status - 100].fetch_add(1, std::memory_order_relaxed);
  } else {
    // No HTTP status reached the client: counted by what it got instead (none: a status that
    // no valid answer has, which a bug would produce).
    slot.by_fault[static_cast<std::size_t>(fault) % kNetworkFaultKinds].fetch_add(1, std::memory_order_relaxed);
  }
  Histogram& h = *histograms_[slot.histogram].second;
  for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) {
      h.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_nanos.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Metrics::count_fault(std::string_view vendor, std::string_view scenario, std::string_view kind) {
  std::lock_guard lock(faults_mutex_);
  ++faults_[{std::string(vendor), std::string(scenario), std::string(kind)}];
}

std::string Metrics::prometheus_text() const {
  std::string out;
  out.reserve(4096);
  out += "# HELP agentemu_requests_total Emulated requests answered, by vendor, operation and HTTP status (or network fault).\n";
  out += "# TYPE agentemu_requests_total counter\n";
  for (const auto& slot : slots_) {
    const auto line = [&](std::string_view status, std::uint64_t n) {
      if (n == 0) return;
      out += "agentemu_requests_total{vendor=\"";
      append_label_value(out, slot->vendor);
      out += "\",operation=\"";
      append_label_value(out, slot->operation);
      out += "\",status=\"";
      out += status;
      out += "\"} " + std::to_string(n) + "\n";
    };
    for (std::size_t i = 0; i < slot->by_status.size(); ++i) {
      line(std::to_string(i + 100), slot->by_status[i].load(std::memory_order_relaxed));
    }
    for (std::size_t i = 0; i < slot->by_fault.size(); ++i) {
      line(network_fault_name(static_cast<NetworkFault>(i)), slot->by_fault[i].load(std::memory_order_relaxed));
    }
  }
  out += "# HELP agentemu_request_duration_seconds Time from a complete request to its answer, by vendor.\n";
  out += "# TYPE agentemu_request_duration_seconds histogram\n";
  for (const auto& [vendor, h] : histograms_) {
    std::uint64_t cumulative = 0;
    const std::string label = "vendor=\"" + vendor + "\"";
    for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      cumulative += h->buckets[i].load(std::memory_order_relaxed);
      out += "agentemu_request_duration_seconds_bucket{" + label + ",le=\"" + format_le(kBucketsSeconds[i]) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    const std::uint64_t count = h->count.load(std::memory_order_relaxed);
    out += "agentemu_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
    char sum[48];
    std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(h->sum_nanos.load(std::memory_order_relaxed)) / 1e9);
    out += "agentemu_request_duration_seconds_sum{" + label + "} " + sum + "\n";
    out += "agentemu_request_duration_seconds_count{" + label + "} " + std::to_string(count) + "\n";
  }
  out += "# HELP agentemu_faults_injected_total Scenario rules that fired, by vendor, scenario and kind.\n";
  out += "# TYPE agentemu_faults_injected_total counter\n";
  std::lock_guard lock(faults_mutex_);
  for (const auto& [key, n] : faults_) {
    out += "agentemu_faults_injected_total{vendor=\"";
    append_label_value(out, key[0]);
    out += "\",scenario=\"";
    append_label_value(out, key[1]);
    out += "\",kind=\"";
    append_label_value(out, key[2]);
    out += "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace agentemu
