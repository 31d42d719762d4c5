// The vendors this process emulates, and how a request finds its vendor.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"
#include "core/vendor.hpp"

namespace agentemu {

class Metrics;

class VendorRegistry {
 public:
  struct Route {
    Vendor* vendor;
    std::size_t index;
  };

  explicit VendorRegistry(Metrics& metrics) : metrics_(metrics) {}

  void add(std::unique_ptr<Vendor> vendor);
  const std::vector<std::unique_ptr<Vendor>>& vendors() const { return vendors_; }
  Vendor* find(std::string_view name) const;
  std::vector<std::string_view> names() const;

  // Routing, in this order: Host header glob, each vendor's owns(), path prefix, then (at "/")
  // each vendor's claims().
  std::optional<Route> route(const Request& request) const;

  // Metrics slot of a call routed to vendor `index` whose operation is `operation` (-1: unknown).
  std::size_t metrics_slot(std::size_t index, int operation) const {
    return first_slots_[index] + static_cast<std::size_t>(operation + 1);
  }

 private:
  Metrics& metrics_;
  std::vector<std::unique_ptr<Vendor>> vendors_;
  std::vector<VendorRoutes> routes_;
  std::vector<std::size_t> first_slots_;
};

}  // namespace agentemu
