// JSON Web Tokens as AgentCore Identity checks a user's token (GetWorkloadAccessTokenForJWT,
// CompleteResourceTokenAuth): the signature against the issuer's key set (JWKS: RSA or EC public
// keys), then issuer, expiry, not-before, audience and client. OpenSSL does the cryptography.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace agentemu::agentcore::jwt {

// RFC 4648 base64url without padding (what JWTs use); decode refuses '+', '/', '=' and stray bytes.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// The public keys of one JWKS, parsed once into OpenSSL keys.
class KeySet {
 public:
  struct Key;
  KeySet();
  ~KeySet();
  KeySet(const KeySet&);  // the keys are shared, never changed
  KeySet& operator=(const KeySet&);
  KeySet(KeySet&&) noexcept;
  KeySet& operator=(KeySet&&) noexcept;

  // `keys` is a JWKS document ({"keys": [...]}) or its array. On a mistake answers nullopt and
  // says which key and why in `error` ("/keys/1/n: must be base64url").
  static std::optional<KeySet> parse(const JsonValue& keys, std::string& error);
  std::size_t size() const { return keys_.size(); }
  const std::vector<std::shared_ptr<const Key>>& keys() const { return keys_; }

 private:
  std::vector<std::shared_ptr<const Key>> keys_;
};

// An issuer agentemu trusts, as the fixtures name it (`jwtIssuers`).
struct Issuer {
  std::string issuer;                  // the `iss` claim, exactly
  std::vector<std::string> audiences;  // allowed `aud` values; empty: any
  std::vector<std::string> clients;    // allowed `client_id` (or `azp`); empty: any
  KeySet keys;
};

enum class Problem {
  malformed,          // not three base64url parts of JSON objects
  unsupported,        // alg none, HS*, or an alg no key can check
  untrusted_issuer,   // no issuer in the fixtures has this `iss`
  unknown_key,        // no key of the issuer matches `kid` / `alg`
  bad_signature,
  expired,            // `exp` missing or not after now
  not_yet_valid,      // `nbf` after now
  wrong_audience,
  wrong_client,
  no_subject,         // `sub` missing: AgentCore identifies the user by `iss` and `sub`
};

struct Result {
  bool ok = false;
  Problem problem = Problem::malformed;
  std::string detail;  // for the diagnostic: never the token or a key
  std::string issuer, subject;
  SystemTime expires{};
};

// Checks `token` against the trusted issuers at the emulator's `now` (no leeway).
Result verify(std::string_view token, std::span<const Issuer> issuers, SystemTime now);

}  // namespace agentemu::agentcore::jwt
