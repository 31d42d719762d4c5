#include "vendors/registry.hpp"

#include "vendors/zego/zego_vendor.hpp"

namespace agentemu {

void register_vendors(VendorRegistry& registry, const VendorContext& context) {
  registry.add(std::make_unique<zego::ZegoVendor>(context));
}

}  // namespace agentemu
