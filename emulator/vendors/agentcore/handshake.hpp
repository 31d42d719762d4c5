// Who a request acts for, from its head alone: the SigV4 check every AgentCore request passes,
// usable as is for a WebSocket upgrade (the runtime's /ws, a browser's automation stream),
// whose head is all there is. One place decides strict and lenient, headers and presigned query.
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/http.hpp"
#include "vendors/agentcore/auth.hpp"

namespace agentemu::agentcore {

// The tenant a signed head acts for.
struct Signer {
  sigv4::Caller caller;  // the access key as sent and, for a known key, its credential
  std::string account;   // the key's account, else the default account
  std::string region;    // the credential scope's region, else the default region
};

// --auth strict: the Authorization header or a presigned query (X-Amz-Algorithm, -Credential,
// -Date, -Expires, -SignedHeaders, -Signature) must verify against `store` at `now`.
// --auth lenient: any or no credentials; the tenant still follows the scope's region and a known
// key's account. nullopt with `out` filled when the request may go on; otherwise the error to
// answer: answer_error(call, in, f->error, f->message), f->diagnostic in the diagnostic.
std::optional<sigv4::Failure> authenticate_head(const Request& head, SystemTime now, AuthMode mode,
                                                const sigv4::CredentialStore& store, Signer& out);

}  // namespace agentemu::agentcore
