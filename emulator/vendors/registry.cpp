#include "vendors/registry.hpp"

#include "vendors/rest/rest_vendor.hpp"

namespace agentemu {

void register_vendors(VendorRegistry& registry, const VendorContext& context) {
  (void)registry;
  (void)context;
  registry.add(rest::make_rest_vendor(context));
}

}  // namespace agentemu
