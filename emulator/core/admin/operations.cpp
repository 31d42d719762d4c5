// GET /_emulator/operations[?vendor=]: every operation of every vendor's real API, emulated or
// not, in the one shape of core/describe.hpp.
#include "core/admin/endpoints.hpp"
#include "core/registry.hpp"

namespace agentemu::admin {

void operations(Context& admin, Call& call, const PathParams&) {
  std::optional<std::string> only;
  if (!read_vendor_param(admin, call, only)) return;
  JsonWriter w;
  w.begin_object().key("operations").begin_array();
  for (const auto& vendor : admin.vendors.vendors()) {
    if (!only || vendor->name() == *only) vendor->describe_operations(w);
  }
  w.end_array().end_object();
  ok_json(call, w);
}

}  // namespace agentemu::admin
