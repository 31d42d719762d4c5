// clientToken idempotency, shared by every operation that takes one (handlers.cpp): the first
// successful answer to a token is remembered per tenant; the same token with the same parameters
// replays it, with different parameters it is ValidationException IdempotentParameterMismatch.
#pragma once

#include <string>
#include <string_view>

#include "vendors/agentcore/agentcore_vendor.hpp"

namespace agentemu::agentcore {

// Every member of the request but clientToken (and trace headers), key order ignored.
std::string fingerprint(const AgentcoreCall& in, const Request& request);
// True when it answered: a replay, or the mismatch error. Otherwise `key` and `print` are what
// remember() needs once the operation succeeded (`key` stays empty without a clientToken).
bool replay(HandlerContext& h, Tenant& tenant, std::string& key, std::string& print);
void remember(Tenant& tenant, std::string& key, std::string& print, const Call& call, std::string_view skip_header);

}  // namespace agentemu::agentcore
