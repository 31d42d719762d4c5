#include "core/faults.hpp"

namespace agentemu {

std::string_view FaultPlan::kind_name() const {
  switch (kind) {
    case Kind::pass: return "pass";
    case Kind::vendor_error: return "error";
    case Kind::raw: return "raw";
    case Kind::network:
      switch (network) {
        case NetworkFault::connection_reset: return "connection_reset";
        case NetworkFault::empty_response: return "empty_response";
        case NetworkFault::malformed_response: return "malformed_response";
        case NetworkFault::random_then_close: return "random_then_close";
        case NetworkFault::hang: return "hang";
        case NetworkFault::none: return "network";
      }
  }
  return "unknown";
}

}  // namespace agentemu
