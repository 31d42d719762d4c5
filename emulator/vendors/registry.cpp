#include "vendors/registry.hpp"

#include <memory>

#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/ice/ice_vendor.hpp"
#include "vendors/rest/rest_vendor.hpp"
#include "vendors/zego/zego_vendor.hpp"

namespace agentemu {

// Order matters only for requests at "/" that no Host header or path prefix decides: each
// vendor's claims() is asked in this order (ICE's signs are checked before ZEGO's).
void register_vendors(VendorRegistry& registry, const VendorContext& context) {
  registry.add(std::make_unique<agentcore::AgentcoreVendor>(context));
  registry.add(std::make_unique<ice::IceVendor>(context));
  registry.add(std::make_unique<zego::ZegoVendor>(context));
  registry.add(rest::make_rest_vendor(context));
}

}  // namespace agentemu
