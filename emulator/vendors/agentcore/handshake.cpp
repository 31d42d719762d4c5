#include "vendors/agentcore/handshake.hpp"

#include "core/uri.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {
namespace {

// Lenient: whatever scope the head names (Authorization, or a presigned X-Amz-Credential read as
// one), if any.
void read_lenient(const Request& head, const sigv4::CredentialStore& store, Signer& out) {
  std::string credential;
  std::string_view header = head.header("authorization");
  if (header.empty() && head.query.find("X-Amz-Credential=") != std::string_view::npos) {
    if (const auto query = parse_query(head.query, PlusIs::literal)) {
      if (const QueryParam* p = find_param(*query, "X-Amz-Credential")) {
        credential = std::string(sigv4::kAlgorithm) + " Credential=" + p->value + ", SignedHeaders=host, Signature=0";
        header = credential;
      }
    }
  }
  std::string ignored;
  const auto auth = sigv4::parse_authorization(header, ignored);
  if (!auth) return;
  if (!auth->region.empty()) out.region.assign(auth->region);
  out.caller.access_key_id.assign(auth->access_key_id);
  if (store.find(auth->access_key_id, out.caller.credential)) out.account = out.caller.credential.account_id;
}

}  // namespace

std::optional<sigv4::Failure> authenticate_head(const Request& head, SystemTime now, AuthMode mode,
                                                const sigv4::CredentialStore& store, Signer& out) {
  out.account.clear();
  out.region.assign(kDefaultRegion);
  if (mode == AuthMode::lenient) {
    read_lenient(head, store, out);
  } else {
    if (auto failure = sigv4::verify(head, now, store, out.caller)) return failure;
    out.region = out.caller.region;
    out.account = out.caller.credential.account_id;
  }
  if (out.account.empty()) out.account.assign(kDefaultAccount);
  return std::nullopt;
}

}  // namespace agentemu::agentcore
