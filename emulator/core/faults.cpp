#include "core/faults.hpp"

namespace agentemu {

std::string_view FaultPlan::kind_name() const {
  switch (kind) {
    case Kind::pass: return "pass";
    case Kind::vendor_error: return "error";
    case Kind::raw: return "raw";
    case Kind::network: return network_fault_name(network);
  }
  return "unknown";
}

}  // namespace agentemu
