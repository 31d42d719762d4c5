// AWS Signature Version 4 as AgentCore checks it (signing name bedrock-agentcore): the pieces of
// the canonical request, a signer (tests and the bench sign with it) and the verifier the vendor
// runs on every request in --auth strict.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/http.hpp"

namespace agentemu::agentcore::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kService = "bedrock-agentcore";
inline constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// AgentCore, like most AWS front ends, accepts a request signed at most this far from its clock.
inline constexpr std::chrono::minutes kClockWindow{15};

// The parts of "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<hex>"; views into the header value.
struct Authorization {
  std::string_view access_key_id;
  std::string_view date;  // yyyyMMdd of the credential scope
  std::string_view region;
  std::string_view service;
  std::string_view terminator;  // aws4_request
  std::string_view scope;       // date/region/service/aws4_request
  std::string_view signed_headers;
  std::string_view signature;
};

// nullopt, with AWS's IncompleteSignatureException text in `problem`, when a part is missing.
std::optional<Authorization> parse_authorization(std::string_view header, std::string& problem);

// Canonical URI of a non-S3 service: the raw (already percent-encoded) path, normalised
// ('.', '..' and empty segments removed) and percent-encoded once more, so "%3A" becomes "%253A".
void append_canonical_uri(std::string& out, std::string_view raw_path);
// Every name=value decoded, re-encoded (RFC 3986), sorted by name then value.
void append_canonical_query(std::string& out, std::string_view raw_query);
// "name:value\n" for each name of `signed_headers` (';'-separated, lower case), values of repeated
// headers joined with ',', runs of blanks folded, ends trimmed.
void append_canonical_headers(std::string& out, const std::vector<Header>& headers, std::string_view signed_headers);

struct CanonicalParts {
  std::string_view method;
  std::string_view raw_path;
  std::string_view raw_query;
  const std::vector<Header>* headers = nullptr;
  std::string_view signed_headers;
  std::string_view payload_hash;
};
void build_canonical_request(std::string& out, const CanonicalParts& parts);
void build_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                          std::string_view canonical_request);

Sha256Digest derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                std::string_view service);
// The same key from a small per-thread cache: the four HMACs of the derivation run once per
// (secret, date, region, service), so a verification costs one HMAC for the signature itself.
const Sha256Digest& cached_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                       std::string_view service);
std::string signature_hex(const Sha256Digest& signing_key, std::string_view string_to_sign);

// Signs a request the way the AWS SDKs do; answers the Authorization header value.
struct SigningRequest {
  CanonicalParts parts;  // parts.signed_headers: lower-case names, sorted, ';'-separated
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view amz_date;  // yyyyMMddTHHmmssZ
  std::string_view region;
  std::string_view service = kService;
};
std::string sign(const SigningRequest& request, std::string* canonical_out = nullptr, std::string* sts_out = nullptr);

// What the verifier needs to know about an access key.
struct Credential {
  std::string secret_access_key;
  std::string session_token;  // empty: any (or no) token is accepted
  std::string account_id;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // Copies the key's credential into `out` (reusing its buffers); false when the key is unknown.
  virtual bool find(std::string_view access_key_id, Credential& out) const = 0;
};

struct Failure {
  std::string_view error;  // MissingAuthenticationTokenException, IncompleteSignatureException, ...
  std::string message;     // AWS's text
  std::string diagnostic;  // agentemu's explanation (Response::diagnostic), when it has more to say
};

struct Caller {
  std::string access_key_id;
  std::string region;
  Credential credential;
};

// Checks the request's signature against the store at the emulator's `now`. On success fills
// `caller`; otherwise answers the error AWS gives.
std::optional<Failure> verify(const Request& request, SystemTime now, const CredentialStore& store, Caller& caller);

}  // namespace agentemu::agentcore::sigv4
