#pragma once

#include "core/registry.hpp"
#include "core/vendor.hpp"

namespace agentemu {

// The one place that knows which vendors exist. Adding a vendor: one line in registry.cpp.
void register_vendors(VendorRegistry& registry, const VendorContext& context);

}  // namespace agentemu
