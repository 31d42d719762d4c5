#include "vendors/registry.hpp"

namespace agentemu {

void register_vendors(VendorRegistry& registry, const VendorContext& context) {
  (void)registry;
  (void)context;
}

}  // namespace agentemu
