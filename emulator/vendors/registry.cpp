#include "vendors/registry.hpp"

#include "vendors/agentcore/agentcore_vendor.hpp"

namespace agentemu {

void register_vendors(VendorRegistry& registry, const VendorContext& context) {
  registry.add(std::make_unique<agentcore::AgentcoreVendor>(context));
}

}  // namespace agentemu
