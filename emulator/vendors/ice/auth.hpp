// Alibaba Cloud's two request signatures, each usable on its own (the unit tests sign the
// published vectors with them), and the SignatureNonce replay cache.
//
// V2 (RPC, HMAC-SHA1, SignatureVersion 1.0): every parameter but Signature, RFC 3986-encoded,
// sorted, joined; StringToSign = METHOD&%2F&encode(canonical); Base64(HMAC-SHA1(secret + "&")).
// V3 (ACS3-HMAC-SHA256): CanonicalRequest = METHOD\n/\nquery\nheaders\nsignedHeaders\nbodyHash;
// StringToSign = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest)); hex(HMAC-SHA256(secret)).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/clock.hpp"
#include "core/http.hpp"

namespace agentemu::ice {

// A decoded request parameter.
struct KeyValue {
  std::string_view name;
  std::string_view value;
};

// ---- V2 -------------------------------------------------------------------------------------
// Sorted "k=v&..." of every parameter except Signature, both sides RFC 3986-encoded.
std::string v2_canonical_query(std::span<const KeyValue> params);
std::string v2_string_to_sign(std::string_view method, std::string_view canonical_query);
std::string v2_signature(std::string_view secret, std::string_view string_to_sign);

// ---- V3 -------------------------------------------------------------------------------------
inline constexpr std::string_view kV3Algorithm = "ACS3-HMAC-SHA256";

struct V3Authorization {
  std::string_view algorithm;
  std::string_view credential;      // the AccessKeyId
  std::string_view signed_headers;  // "host;x-acs-action;..."
  std::string_view signature;       // 64 lowercase hex
};

// "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex"; nullopt when a part is
// missing or the shape is wrong.
std::optional<V3Authorization> parse_v3_authorization(std::string_view header);

// Sorted "k=v&..." of the query parameters (form body parameters are covered by the body hash).
std::string v3_canonical_query(std::span<const KeyValue> query_params);

// Canonical headers ("name:value\n" each) and the SignedHeaders line, from the names the client
// listed: lowercased and sorted; a repeated header's trimmed values are sorted and joined by ','.
struct V3Headers {
  std::string canonical;
  std::string signed_line;
};
V3Headers v3_canonical_headers(const Request& request, std::string_view signed_headers);

std::string v3_canonical_request(std::string_view method, std::string_view canonical_query,
                                 const V3Headers& headers, std::string_view payload_hash);
std::string v3_string_to_sign(std::string_view canonical_request);
std::string v3_signature(std::string_view secret, std::string_view string_to_sign);
// The request's Signature equals v3_signature (compared in constant time, without a string).
bool v3_signature_matches(std::string_view secret, std::string_view string_to_sign, std::string_view signature);

// An x-acs-* header present in the request but missing from SignedHeaders, or "host" when that
// is missing; empty when the list covers what it must.
std::string v3_unsigned_header(const Request& request, std::string_view signed_headers);

// Both from one reading of SignedHeaders, as a request's verification needs them: the canonical
// headers are made only when no header is left unsigned.
struct V3SignedHeaders {
  std::string unsigned_header;
  V3Headers headers;
};
V3SignedHeaders v3_signed_headers(const Request& request, std::string_view signed_headers);

// ---- Replay protection ------------------------------------------------------------------------
// Remembers (AccessKeyId, SignatureNonce) pairs by the time each request was signed, for as long
// as that time passes the gateway's 15-minute check (either side of the emulator's clock, which
// may be moved). A pair is forgotten only once its request would be refused as expired anyway,
// so a replay that passes the time check is always caught. Memory is bounded instead by refusing
// new nonces while the cache is full of live ones: past `per_key` for one AccessKeyId the answer
// is Throttling.User, past `total` for all keys Throttling (README, fidelity notes).
class NonceCache {
 public:
  static constexpr std::size_t kDefaultPerKey = 131072;  // ~145 signed requests/s per key, sustained
  static constexpr std::size_t kDefaultTotal = 262144;   // ~290/s over all keys (~50 MB at most)
  static constexpr std::chrono::minutes kWindow{15};

  // The gateway's time check: a request signed at `signed_at` is accepted at `now`.
  static bool within_window(SystemTime signed_at, SystemTime now) {
    return now - signed_at <= kWindow && signed_at - now <= kWindow;
  }

  enum class Verdict { fresh, replayed, key_full, full };

  explicit NonceCache(std::size_t per_key = kDefaultPerKey, std::size_t total = kDefaultTotal)
      : per_key_(per_key), total_(total) {}

  // fresh: the nonce is now remembered. replayed: a request signed within the window used it.
  // key_full / full: too many live nonces to remember another one (nothing is remembered).
  Verdict remember(std::string_view access_key_id, std::string_view nonce, SystemTime signed_at, SystemTime now);
  void clear();
  std::size_t size() const;

 private:
  struct Entry {
    std::multimap<SystemTime, const std::string*>::iterator by_time;
    std::size_t key_length;  // the AccessKeyId's length: the key is id + '\n' + nonce
  };
  // Forgets every pair whose signed time fails the window at `now`: the oldest and, after the
  // clock moved back, those signed in its new future.
  void forget_outside(SystemTime now);
  void forget(std::unordered_map<std::string, Entry>::iterator it);

  mutable std::mutex mutex_;
  std::size_t per_key_;
  std::size_t total_;
  std::unordered_map<std::string, Entry> seen_;                 // id + '\n' + nonce
  std::multimap<SystemTime, const std::string*> by_time_;       // when each request was signed
  std::unordered_map<std::string, std::size_t> per_key_count_;  // live nonces per AccessKeyId
};

}  // namespace agentemu::ice
