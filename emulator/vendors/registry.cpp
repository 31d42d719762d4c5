#include "vendors/registry.hpp"

#include <memory>

#include "vendors/ice/ice_vendor.hpp"

namespace agentemu {

void register_vendors(VendorRegistry& registry, const VendorContext& context) {
  registry.add(std::make_unique<ice::IceVendor>(context));
}

}  // namespace agentemu
