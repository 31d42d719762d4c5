// ZEGO's request signing (SigningTheRequestEN.mdx, "Signature 2.0") and the gateway's checks of
// the public query parameters, in the order the issue documents:
//   Host, Action, AppId, Timestamp, expiry, SignatureNonce, Signature, SignatureVersion, signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace agentemu::zego {

// md5(AppId + SignatureNonce + ServerSecret + Timestamp) as 32 lowercase hex digits; AppId and
// Timestamp are the decimal text exactly as the query carries them.
std::string sign(std::string_view app_id, std::string_view nonce, std::string_view server_secret,
                 std::string_view timestamp);

// "Current Unix timestamp, in seconds ... with a maximum error of 10 minutes".
inline constexpr std::int64_t kTimestampWindowSeconds = 600;

// The six public parameters, already percent-decoded. Absent and empty are the same to ZEGO.
struct PublicParams {
  std::string_view action;
  std::string_view app_id;
  std::string_view nonce;
  std::string_view timestamp;
  std::string_view signature;
  std::string_view version;
};

// A Host that names ZEGO's domain but not the AI Agent gateway gets 100000000. Other hosts
// (localhost, an IP, a tunnel) are the emulator's own and always pass.
bool wrong_zego_host(std::string_view host);

// AppId is a uint32 in decimal.
bool parse_app_id(std::string_view text, std::uint32_t& out);

struct GatewayVerdict {
  std::int64_t code = 0;  // 0: passed
  std::uint32_t app_id = 0;
  std::int64_t timestamp = 0;
};

// `find_secret(app_id)` answers the app's ServerSecret (a const std::string*) or nullptr when the
// app is unknown. `lenient` (--auth lenient) skips the expiry window and the signature match; the
// parameters must still be present and well formed.
template <class FindSecret>
GatewayVerdict check_gateway(std::string_view host, const PublicParams& p, bool action_known, FindSecret&& find_secret,
                             SystemTime now, bool lenient);

bool signature_matches(const PublicParams& p, std::string_view server_secret);

// agentemu's own explanations (Response::diagnostic) of 100000005 and 100000004: the string that
// is signed, with the secret named rather than shown, and the signature expected; the request's
// Timestamp against the emulator's clock and the window.
std::string signature_diagnostic(const PublicParams& p, std::string_view server_secret);
std::string timestamp_diagnostic(std::int64_t timestamp, SystemTime now);
bool parse_timestamp(std::string_view text, std::int64_t& out);

template <class FindSecret>
GatewayVerdict check_gateway(std::string_view host, const PublicParams& p, bool action_known, FindSecret&& find_secret,
                             SystemTime now, bool lenient) {
  GatewayVerdict v;
  const auto fail = [&v](std::int64_t code) {
    v.code = code;
    return v;
  };
  if (wrong_zego_host(host)) return fail(100000000);
  if (p.action.empty()) return fail(100000006);
  if (!action_known) return fail(100000007);
  if (!parse_app_id(p.app_id, v.app_id)) return fail(100000001);
  const std::string* secret = find_secret(v.app_id);
  if (secret == nullptr) return fail(100000010);
  if (p.timestamp.empty()) return fail(100000002);
  if (!parse_timestamp(p.timestamp, v.timestamp)) return fail(100000003);
  if (!lenient) {
    // Compared without subtracting the client's number, which may be any 64-bit value.
    const std::int64_t server = epoch_seconds(now);
    if (v.timestamp > server + kTimestampWindowSeconds || v.timestamp < server - kTimestampWindowSeconds) {
      return fail(100000004);
    }
  }
  if (p.nonce.empty()) return fail(100000008);
  if (p.signature.empty()) return fail(100000009);
  if (p.version.empty()) return fail(100000013);
  if (p.version != "2.0") return fail(100000014);
  if (!lenient && !signature_matches(p, *secret)) return fail(100000005);
  return v;
}

}  // namespace agentemu::zego
