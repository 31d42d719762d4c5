// Target 2: AWS Signature Version 4 as AgentCore verifies it: the Authorization header parser,
// the canonical URI, query and headers, the string to sign and the whole verify() against the
// default credential (test/test) at the frozen clock.
//
// Input: method \0 raw path \0 raw query \0 header lines ("name: value\n") \0 body.
// A request without an Authorization header whose query carries X-Amz-Signature or
// X-Amz-Credential is presigned: verify() reads X-Amz-Algorithm, -Credential, -Date, -Expires,
// -SignedHeaders, -Signature and -Security-Token from the query. An input with an Authorization
// header is verified a second time without it, so every query also reaches that reader (the
// seeds hold presigned requests from the SDK's presigner, tests/fuzz/seeds.mjs).
#include <algorithm>

#include "core/text.hpp"
#include "support/world.hpp"
#include "vendors/agentcore/auth.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;

namespace {

class OneKey final : public sigv4::CredentialStore {
 public:
  bool find(std::string_view access_key_id, sigv4::Credential& out) const override {
    if (access_key_id != "test") return false;
    out.secret_access_key = "test";
    out.session_token.clear();
    out.account_id = "123456789012";
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto f = fuzz::fields(data, size, 5);
  Request request;
  request.method = f[0];
  request.path = f[1];
  request.query = f[2];
  request.target = f[1];
  request.headers = fuzz::header_lines(f[3]);
  request.body = f[4];

  std::string problem;
  const auto authorization = sigv4::parse_authorization(request.header("authorization"), problem);
  std::string canonical;
  sigv4::build_canonical_request(
      canonical, sigv4::CanonicalParts{request.method, request.path, request.query, &request.headers,
                                       authorization ? authorization->signed_headers : std::string_view("host"),
                                       sigv4::kEmptySha256});
  std::string sts;
  sigv4::build_string_to_sign(sts, request.header("x-amz-date"), authorization ? authorization->scope : "", canonical);

  static const OneKey store;
  const auto check = [&](const Request& r) {
    sigv4::Caller caller;
    const auto failure = sigv4::verify(r, fuzz::kFuzzNow, store, caller);
    if (!failure && caller.access_key_id != "test") __builtin_trap();  // accepted, but not as the only key
  };
  check(request);
  if (request.has_header("authorization")) {
    std::erase_if(request.headers, [](const Header& h) { return iequals(h.name, "authorization"); });
    check(request);
  }
  return 0;
}
