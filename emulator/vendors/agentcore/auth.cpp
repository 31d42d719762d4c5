#include "vendors/agentcore/auth.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/text.hpp"
#include "core/uri.hpp"

namespace agentemu::agentcore::sigv4 {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Folds runs of blanks (and CR/LF, which never survive a parser anyway) into one space, trims.
void append_header_value(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool started = false;
  for (char c : value) {
    if (is_blank(c) || c == '\r' || c == '\n') {
      pending_space = started;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    started = true;
    out.push_back(c);
  }
}

std::string_view next_piece(std::string_view& rest, char separator) {
  const auto at = rest.find(separator);
  std::string_view piece = rest.substr(0, at);
  rest = at == std::string_view::npos ? std::string_view{} : rest.substr(at + 1);
  return piece;
}

}  // namespace

std::optional<Authorization> parse_authorization(std::string_view header, std::string& problem) {
  Authorization out;
  std::string_view rest = trim(header);
  const bool aws4 = rest.starts_with(kAlgorithm) && rest.size() > kAlgorithm.size() && is_blank(rest[kAlgorithm.size()]);
  std::string_view credential;
  if (aws4) {
    rest.remove_prefix(kAlgorithm.size());
    while (!rest.empty()) {
      const std::string_view piece = trim(next_piece(rest, ','));
      const auto eq = piece.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = trim(piece.substr(0, eq));
      const std::string_view value = trim(piece.substr(eq + 1));
      if (key == "Credential") {
        credential = value;
      } else if (key == "SignedHeaders") {
        out.signed_headers = value;
      } else if (key == "Signature") {
        out.signature = value;
      }
    }
  }
  if (credential.empty() || out.signed_headers.empty() || out.signature.empty()) {
    problem.clear();
    if (credential.empty()) problem += "Authorization header requires 'Credential' parameter. ";
    if (out.signature.empty()) problem += "Authorization header requires 'Signature' parameter. ";
    if (out.signed_headers.empty()) problem += "Authorization header requires 'SignedHeaders' parameter. ";
    problem += "Authorization=";
    problem += header.substr(0, 256);
    return std::nullopt;
  }
  std::string_view scope_rest = credential;
  out.access_key_id = next_piece(scope_rest, '/');
  out.scope = scope_rest;
  out.date = next_piece(scope_rest, '/');
  out.region = next_piece(scope_rest, '/');
  out.service = next_piece(scope_rest, '/');
  out.terminator = scope_rest;
  if (out.access_key_id.empty() || out.date.empty() || out.region.empty() || out.service.empty() ||
      out.terminator.find('/') != std::string_view::npos) {
    problem = "Credential should be scoped to a valid region, not '" + std::string(out.region) + "'. Credential=";
    problem += credential.substr(0, 256);
    return std::nullopt;
  }
  return out;
}

void append_canonical_uri(std::string& out, std::string_view raw_path) {
  // Normalise like the SDK signers: drop empty and "." segments, let ".." remove its parent.
  // One container for every depth; it keeps its capacity between requests on this thread.
  thread_local std::vector<std::string_view> segments;
  segments.clear();
  std::string_view rest = raw_path;
  while (!rest.empty()) {
    const std::string_view segment = next_piece(rest, '/');
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  out.push_back('/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    append_percent_encoded(out, segments[i]);
  }
  if (!segments.empty() && raw_path.ends_with('/')) out.push_back('/');
  segments.clear();  // the views point into the caller's path
}

void append_canonical_query(std::string& out, std::string_view raw_query) {
  if (raw_query.empty()) return;
  struct Pair {
    std::string name;
    std::string value;
  };
  std::vector<Pair> pairs;
  std::string_view rest = raw_query;
  while (!rest.empty()) {
    const std::string_view piece = next_piece(rest, '&');
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    const std::string_view raw_name = piece.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    const auto name = percent_decode(raw_name);
    const auto value = percent_decode(raw_value);
    Pair p;
    p.name = percent_encode(name ? std::string_view(*name) : raw_name);
    if (iequals(p.name, "X-Amz-Signature")) continue;
    p.value = percent_encode(value ? std::string_view(*value) : raw_value);
    pairs.push_back(std::move(p));
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& a, const Pair& b) { return a.name != b.name ? a.name < b.name : a.value < b.value; });
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out.push_back('&');
    out += pairs[i].name;
    out.push_back('=');
    out += pairs[i].value;
  }
}

void append_canonical_headers(std::string& out, const std::vector<Header>& headers, std::string_view signed_headers) {
  std::string_view rest = signed_headers;
  while (!rest.empty()) {
    const std::string_view name = next_piece(rest, ';');
    out += name;
    out.push_back(':');
    bool first = true;
    for (const Header& h : headers) {
      if (!iequals(h.name, name)) continue;
      if (!first) out.push_back(',');
      first = false;
      append_header_value(out, h.value);
    }
    out.push_back('\n');
  }
}

void build_canonical_request(std::string& out, const CanonicalParts& parts) {
  out.clear();
  out += parts.method;
  out.push_back('\n');
  append_canonical_uri(out, parts.raw_path);
  out.push_back('\n');
  append_canonical_query(out, parts.raw_query);
  out.push_back('\n');
  static const std::vector<Header> kNoHeaders;
  append_canonical_headers(out, parts.headers != nullptr ? *parts.headers : kNoHeaders, parts.signed_headers);
  out.push_back('\n');
  out += parts.signed_headers;
  out.push_back('\n');
  out += parts.payload_hash;
}

void build_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                          std::string_view canonical_request) {
  out.clear();
  out += kAlgorithm;
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += scope;
  out.push_back('\n');
  const Sha256Digest digest = sha256(canonical_request);
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char b : digest) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
}

Sha256Digest derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                std::string_view service) {
  std::string seed = "AWS4";
  seed += secret;
  const Sha256Digest k_date = hmac_sha256(seed, date);
  const Sha256Digest k_region = hmac_sha256(as_bytes(k_date), region);
  const Sha256Digest k_service = hmac_sha256(as_bytes(k_region), service);
  return hmac_sha256(as_bytes(k_service), "aws4_request");
}

const Sha256Digest& cached_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                       std::string_view service) {
  struct Entry {
    std::string secret, date, region, service;
    Sha256Digest key{};
    bool used = false;
  };
  thread_local std::array<Entry, 8> entries;
  thread_local std::size_t next = 0;
  for (Entry& e : entries) {
    if (e.used && e.date == date && e.region == region && e.service == service && e.secret == secret) return e.key;
  }
  Entry& e = entries[next];
  next = (next + 1) % entries.size();
  e.secret.assign(secret);
  e.date.assign(date);
  e.region.assign(region);
  e.service.assign(service);
  e.key = derive_signing_key(secret, date, region, service);
  e.used = true;
  return e.key;
}

std::string signature_hex(const Sha256Digest& signing_key, std::string_view string_to_sign) {
  return hex_lower(hmac_sha256(as_bytes(signing_key), string_to_sign));
}

std::string sign(const SigningRequest& request, std::string* canonical_out, std::string* sts_out) {
  std::string canonical;
  build_canonical_request(canonical, request.parts);
  const std::string date(request.amz_date.substr(0, 8));
  const std::string scope = date + "/" + std::string(request.region) + "/" + std::string(request.service) + "/aws4_request";
  std::string sts;
  build_string_to_sign(sts, request.amz_date, scope, canonical);
  const std::string signature =
      signature_hex(derive_signing_key(request.secret_access_key, date, request.region, request.service), sts);
  if (canonical_out != nullptr) *canonical_out = canonical;
  if (sts_out != nullptr) *sts_out = sts;
  return std::string(kAlgorithm) + " Credential=" + std::string(request.access_key_id) + "/" + scope +
         ", SignedHeaders=" + std::string(request.parts.signed_headers) + ", Signature=" + signature;
}

std::optional<Failure> verify(const Request& request, SystemTime now, const CredentialStore& store, Caller& caller) {
  const std::string_view header = request.header("authorization");
  if (!request.has_header("authorization")) {
    return Failure{"MissingAuthenticationTokenException", "Missing Authentication Token"};
  }
  std::string problem;
  const auto auth = parse_authorization(header, problem);
  if (!auth) return Failure{"IncompleteSignatureException", std::move(problem)};

  const std::string_view amz_date = request.header("x-amz-date");
  // Milliseconds for any four-digit year: a date far away is "expired", never an instant the
  // clock cannot represent.
  const auto signed_at = parse_amz_date_millis(amz_date);
  if (!signed_at) {
    return Failure{"IncompleteSignatureException",
                   amz_date.empty()
                       ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                         "Authorization=" + std::string(header.substr(0, 256))
                       : "Date must be in ISO-8601 'basic format'. Got '" + std::string(amz_date.substr(0, 64)) +
                             "'. See http://en.wikipedia.org/wiki/ISO_8601"};
  }
  if (auth->service != kService) {
    return Failure{"InvalidSignatureException", "Credential should be scoped to correct service: '" +
                                                    std::string(kService) + "'. "};
  }
  if (auth->terminator != "aws4_request") {
    return Failure{"InvalidSignatureException", "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                                                    std::string(auth->terminator) + "'. "};
  }
  if (auth->date != amz_date.substr(0, 8)) {
    return Failure{"InvalidSignatureException",
                   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                       std::string(auth->date) + "' != '" + std::string(amz_date.substr(0, 8)) + "', from '" +
                       std::string(amz_date) + "'."};
  }
  if (!store.find(auth->access_key_id, caller.credential)) {
    return Failure{"UnrecognizedClientException", "The security token included in the request is invalid."};
  }
  if (!caller.credential.session_token.empty() &&
      !constant_time_equal(request.header("x-amz-security-token"), caller.credential.session_token)) {
    return Failure{"UnrecognizedClientException", "The security token included in the request is invalid."};
  }
  if (*signed_at < epoch_millis(now - kClockWindow)) {
    return Failure{"InvalidSignatureException", "Signature expired: " + std::string(amz_date) + " is now earlier than " +
                                                    format_amz_date(now - kClockWindow) + " (" + format_amz_date(now) +
                                                    " - 15 min.)"};
  }
  if (*signed_at > epoch_millis(now + kClockWindow)) {
    return Failure{"InvalidSignatureException", "Signature not yet current: " + std::string(amz_date) +
                                                    " is still later than " + format_amz_date(now + kClockWindow) + " (" +
                                                    format_amz_date(now) + " + 15 min.)"};
  }
  bool host_signed = false;
  {
    std::string_view rest = auth->signed_headers;
    while (!rest.empty() && !host_signed) host_signed = next_piece(rest, ';') == "host";
  }
  if (!host_signed) {
    return Failure{"InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."};
  }

  // The payload hash is the body's, whatever the client claims; a claim that differs is refused.
  thread_local std::string body_hash;
  const std::string_view claimed = request.header("x-amz-content-sha256");
  std::string_view payload_hash;
  if (claimed == kUnsignedPayload) {
    payload_hash = kUnsignedPayload;
  } else if (request.body.empty()) {
    payload_hash = kEmptySha256;
  } else {
    body_hash = hex_lower(sha256(request.body));
    payload_hash = body_hash;
  }
  if (!claimed.empty() && claimed != payload_hash) {
    return Failure{"InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed."};
  }

  thread_local std::string canonical;
  thread_local std::string sts;
  build_canonical_request(canonical, CanonicalParts{request.method, request.path, request.query, &request.headers,
                                                    auth->signed_headers, payload_hash});
  build_string_to_sign(sts, amz_date, auth->scope, canonical);
  const Sha256Digest& key =
      cached_signing_key(caller.credential.secret_access_key, auth->date, auth->region, auth->service);
  const Sha256Digest expected = hmac_sha256(as_bytes(key), sts);
  // Hex-encode into a stack buffer: no allocation on the hot path.
  std::array<char, 64> expected_hex{};
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expected_hex[2 * i] = kDigits[expected[i] >> 4];
    expected_hex[2 * i + 1] = kDigits[expected[i] & 0x0f];
  }
  if (!constant_time_equal(std::string_view(expected_hex.data(), expected_hex.size()), auth->signature)) {
    return Failure{"InvalidSignatureException",
                   "The request signature we calculated does not match the signature you provided. Check your AWS "
                   "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                   "The Canonical String for this request should have been\n'" +
                       canonical + "'\n\nThe String-to-Sign should have been\n'" + sts + "'\n"};
  }
  caller.access_key_id.assign(auth->access_key_id);
  caller.region.assign(auth->region);
  return std::nullopt;
}

}  // namespace agentemu::agentcore::sigv4
