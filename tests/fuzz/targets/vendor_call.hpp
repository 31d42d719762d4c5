// Runs one request through a vendor's own steps (decode, authenticate, validate), as the
// pipeline would, without the rest of the core: what the gateway-level targets share.
#pragma once

#include <memory>

#include "support/world.hpp"

namespace agentemu::fuzz {

inline void run_gateway(World& world, std::string_view vendor_name, const Request& request) {
  Vendor* vendor = const_cast<Vendor*>(world.vendors.find(vendor_name));
  auto host = std::make_shared<FuzzHost>();
  Call& call = host->call;
  call.attach(host->weak_from_this());
  call.request = request;
  call.now = world.clock.now();
  call.vendor = vendor;
  if (vendor->decode(call) && vendor->authenticate(call)) vendor->validate(call);
  if (call.response.status < 200 || call.response.status > 599) __builtin_trap();  // every answer is a real status
}

}  // namespace agentemu::fuzz
