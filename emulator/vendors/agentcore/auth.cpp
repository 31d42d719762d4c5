#include "vendors/agentcore/auth.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
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

namespace {

// What a request claims about its signature, from the Authorization header or, presigned, from
// the query (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature, X-Amz-Security-Token).
struct Claim {
  Authorization auth;
  std::string amz_date;  // yyyyMMddTHHmmssZ: X-Amz-Date, or the Date header in that form
  std::int64_t signed_at = 0;  // ms since the epoch, any four-digit year (core/clock.hpp)
  bool presigned = false;
  std::int64_t expires = 0;  // presigned: seconds after signed_at
  std::string session_token;
  std::vector<QueryParam> query;  // presigned: keeps the views of `auth` alive
};

constexpr std::int64_t kMaxPresignedSeconds = 604800;  // a week, as the SDK presigners enforce

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 7231's IMF-fixdate, what clients send in Date) in the
// basic format X-Amz-Date has ("19941106T084937Z"), which the string to sign carries.
std::optional<std::string> amz_date_of_http_date(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || !text.ends_with(" GMT")) return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  int month = -1;
  for (int m = 0; m < 12; ++m) {
    if (text.substr(8, 3) == kMonths[m]) month = m + 1;
  }
  const int day = number(5, 2), year = number(12, 4), hour = number(17, 2), minute = number(20, 2),
            second = number(23, 2);
  if (month < 0 || day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':') {
    return std::nullopt;
  }
  char amz[40];  // 16 used; room for what the compiler cannot rule out
  std::snprintf(amz, sizeof amz, "%04d%02d%02dT%02d%02d%02dZ", year, month, day, hour, minute, second);
  return std::string(amz, 16);  // read by the same parser as X-Amz-Date
}

std::string query_text(const std::vector<QueryParam>& query, std::string_view name) {
  const QueryParam* p = find_param(query, name);
  return p == nullptr ? std::string() : p->value;
}

std::optional<Failure> read_header_claim(const Request& request, Claim& claim) {
  const std::string_view header = request.header("authorization");
  std::string problem;
  auto auth = parse_authorization(header, problem);
  if (!auth) return Failure{"IncompleteSignatureException", std::move(problem), {}};
  claim.auth = *auth;
  claim.session_token.assign(request.header("x-amz-security-token"));
  const std::string_view amz_date = request.header("x-amz-date");
  if (!amz_date.empty() || !request.has_header("date")) {
    // Milliseconds for any four-digit year: a date far away is "expired", never an instant the
    // clock cannot represent.
    const auto signed_at = parse_amz_date_millis(amz_date);
    if (!signed_at) {
      return Failure{"IncompleteSignatureException",
                     amz_date.empty()
                         ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                           "Authorization=" + std::string(header.substr(0, 256))
                         : "Date must be in ISO-8601 'basic format'. Got '" + std::string(amz_date.substr(0, 64)) +
                               "'. See http://en.wikipedia.org/wiki/ISO_8601",
                     {}};
    }
    claim.amz_date.assign(amz_date);
    claim.signed_at = *signed_at;
    return std::nullopt;
  }
  // Signed over the Date header: the string to sign carries that time in the basic format.
  const std::string_view date = request.header("date");
  const auto signed_amz = amz_date_of_http_date(date);
  const auto signed_at = signed_amz ? parse_amz_date_millis(*signed_amz) : std::nullopt;
  if (!signed_at) {
    return Failure{"IncompleteSignatureException",
                   "Date must be in RFC 7231 format (Sun, 06 Nov 1994 08:49:37 GMT) or sent as X-Amz-Date. Got '" +
                       std::string(date.substr(0, 64)) + "'",
                   {}};
  }
  claim.signed_at = *signed_at;
  claim.amz_date = *signed_amz;
  return std::nullopt;
}

std::optional<Failure> read_query_claim(const Request& request, Claim& claim) {
  auto query = parse_query(request.query, PlusIs::literal);
  if (!query) return Failure{"IncompleteSignatureException", "The query string is not percent-encoded.", {}};
  claim.query = std::move(*query);
  claim.presigned = true;
  for (std::string_view name : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders",
                                "X-Amz-Date", "X-Amz-Expires"}) {
    if (find_param(claim.query, name) == nullptr) {
      return Failure{"IncompleteSignatureException",
                     "AWS query-string parameters must include '" + std::string(name) +
                         "'. Re-examine the query-string parameters.",
                     {}};
    }
  }
  if (query_text(claim.query, "X-Amz-Algorithm") != kAlgorithm) {
    return Failure{"IncompleteSignatureException",
                   "X-Amz-Algorithm only supports \"" + std::string(kAlgorithm) + "\"", {}};
  }
  // An Authorization value made of the query's parts, parsed like a header.
  thread_local std::string synthetic;
  synthetic = std::string(kAlgorithm) + " Credential=" + query_text(claim.query, "X-Amz-Credential") +
              ", SignedHeaders=" + query_text(claim.query, "X-Amz-SignedHeaders") +
              ", Signature=" + query_text(claim.query, "X-Amz-Signature");
  std::string problem;
  auto auth = parse_authorization(synthetic, problem);
  if (!auth) return Failure{"IncompleteSignatureException", std::move(problem), {}};
  claim.auth = *auth;
  claim.amz_date = query_text(claim.query, "X-Amz-Date");
  const auto signed_at = parse_amz_date_millis(claim.amz_date);
  if (!signed_at) {
    return Failure{"IncompleteSignatureException",
                   "X-Amz-Date must be in ISO-8601 'basic format'. Got '" + claim.amz_date.substr(0, 64) + "'", {}};
  }
  claim.signed_at = *signed_at;
  const auto expires = parse_int64(query_text(claim.query, "X-Amz-Expires"));
  if (!expires || *expires < 0) {
    return Failure{"IncompleteSignatureException", "X-Amz-Expires should be a number of seconds", {}};
  }
  if (*expires > kMaxPresignedSeconds) {
    return Failure{"IncompleteSignatureException",
                   "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less "
                   "than 604800 seconds",
                   {}};
  }
  claim.expires = *expires;
  claim.session_token = query_text(claim.query, "X-Amz-Security-Token");
  return std::nullopt;
}

// The region a Host names: bedrock-agentcore[-control][-fips].<region>.amazonaws.com (.cn,
// .api.aws); "" for any other Host (localhost), which names none.
std::string_view host_region(std::string_view host) {
  for (std::string_view prefix : {"bedrock-agentcore-control-fips.", "bedrock-agentcore-control.",
                                  "bedrock-agentcore-fips.", "bedrock-agentcore."}) {
    if (!istarts_with(host, prefix)) continue;
    std::string_view rest = host.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos) return {};
    const std::string_view suffix = rest.substr(dot + 1);
    if (iequals(suffix, "amazonaws.com") || iequals(suffix, "amazonaws.com.cn") || iequals(suffix, "api.aws")) {
      return rest.substr(0, dot);
    }
    return {};
  }
  return {};
}

// Compared as milliseconds: a signing time of any four-digit year is expired or not yet current,
// without forming an instant the clock cannot represent.
std::optional<Failure> check_time(const Claim& claim, SystemTime now) {
  const std::int64_t now_ms = epoch_millis(now);
  const std::int64_t window_ms = std::chrono::duration_cast<Millis>(kClockWindow).count();
  if (claim.signed_at > now_ms + window_ms) {
    return Failure{"InvalidSignatureException",
                   "Signature not yet current: " + claim.amz_date + " is still later than " +
                       format_amz_date(now + kClockWindow) + " (" + format_amz_date(now) + " + 15 min.)",
                   {}};
  }
  if (claim.presigned) {
    if (now_ms > claim.signed_at + claim.expires * 1000) {  // expires is at most a week
      return Failure{"InvalidSignatureException",
                     "Signature expired: " + claim.amz_date + " is now earlier than " +
                         format_amz_date(now - std::chrono::seconds(claim.expires)) + " (" + format_amz_date(now) +
                         " - " + std::to_string(claim.expires) + " sec.)",
                     "the presigned request was signed at " + claim.amz_date + " for " +
                         std::to_string(claim.expires) + " s (X-Amz-Expires); the emulator's clock says " +
                         format_amz_date(now)};
    }
    return std::nullopt;
  }
  if (claim.signed_at < now_ms - window_ms) {
    return Failure{"InvalidSignatureException",
                   "Signature expired: " + claim.amz_date + " is now earlier than " +
                       format_amz_date(now - kClockWindow) + " (" + format_amz_date(now) + " - 15 min.)",
                   {}};
  }
  return std::nullopt;
}

std::string hex_of(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::optional<Failure> verify(const Request& request, SystemTime now, const CredentialStore& store, Caller& caller) {
  Claim claim;
  if (request.has_header("authorization")) {
    if (auto f = read_header_claim(request, claim)) return f;
  } else if (request.query.find("X-Amz-") != std::string_view::npos &&
             (request.query.find("X-Amz-Signature=") != std::string_view::npos ||
              request.query.find("X-Amz-Credential=") != std::string_view::npos)) {
    if (auto f = read_query_claim(request, claim)) return f;
  } else {
    return Failure{"MissingAuthenticationTokenException", "Missing Authentication Token", {}};
  }
  const Authorization& auth = claim.auth;
  if (auth.service != kService) {
    return Failure{"InvalidSignatureException",
                   "Credential should be scoped to correct service: '" + std::string(kService) + "'. ", {}};
  }
  if (auth.terminator != "aws4_request") {
    return Failure{"InvalidSignatureException",
                   "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                       std::string(auth.terminator) + "'. ",
                   {}};
  }
  if (auth.date != std::string_view(claim.amz_date).substr(0, 8)) {
    return Failure{"InvalidSignatureException",
                   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                       std::string(auth.date) + "' != '" + claim.amz_date.substr(0, 8) + "', from '" + claim.amz_date +
                       "'.",
                   {}};
  }
  const std::string_view region = host_region(request.host());
  if (!region.empty() && !iequals(region, auth.region)) {
    return Failure{"InvalidSignatureException",
                   "Credential should be scoped to a valid region, not '" + std::string(auth.region) + "'. ",
                   "the Host names the region " + std::string(region) + ", the credential scope " +
                       std::string(auth.region) + ": sign for the region of the endpoint"};
  }
  if (!store.find(auth.access_key_id, caller.credential)) {
    return Failure{"UnrecognizedClientException", "The security token included in the request is invalid.", {}};
  }
  if (!caller.credential.session_token.empty() &&
      !constant_time_equal(claim.session_token, caller.credential.session_token)) {
    return Failure{"UnrecognizedClientException", "The security token included in the request is invalid.",
                   "the access key's fixture names a sessionToken; the request's X-Amz-Security-Token differs"};
  }
  if (auto f = check_time(claim, now)) return f;
  bool host_signed = false;
  {
    std::string_view rest = auth.signed_headers;
    while (!rest.empty() && !host_signed) host_signed = next_piece(rest, ';') == "host";
  }
  if (!host_signed) {
    return Failure{"InvalidSignatureException",
                   "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", {}};
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
    return Failure{"InvalidSignatureException",
                   "The provided 'x-amz-content-sha256' header does not match what was computed.", {}};
  }

  thread_local std::string canonical;
  thread_local std::string sts;
  const Sha256Digest& key = cached_signing_key(caller.credential.secret_access_key, auth.date, auth.region, auth.service);
  const auto signature_for = [&](std::string_view hash, const std::vector<Header>* headers = nullptr) {
    build_canonical_request(canonical, CanonicalParts{request.method, request.path, request.query,
                                                      headers != nullptr ? headers : &request.headers,
                                                      auth.signed_headers, hash});
    build_string_to_sign(sts, claim.amz_date, auth.scope, canonical);
    return hmac_sha256(as_bytes(key), sts);
  };
  // Hex-encode into a stack buffer: no allocation on the hot path.
  const auto matches = [&](const Sha256Digest& expected) {
    std::array<char, 64> expected_hex{};
    static constexpr char kDigits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expected_hex[2 * i] = kDigits[expected[i] >> 4];
      expected_hex[2 * i + 1] = kDigits[expected[i] & 0x0f];
    }
    return constant_time_equal(std::string_view(expected_hex.data(), expected_hex.size()), auth.signature);
  };
  bool good = matches(signature_for(payload_hash));
  // A presigner signs a body it cannot hash (a stream) as UNSIGNED-PAYLOAD.
  if (!good && claim.presigned && claimed.empty()) good = matches(signature_for(kUnsignedPayload));
  // A URL presigned for "https://host" names no port, but a client opening it on agentemu's port
  // sends "Host: host:port" (AWS listens on 443, so the two agree there).
  if (!good && claim.presigned && request.header("host") != request.host()) {
    std::vector<Header> portless = request.headers;
    for (Header& h : portless) {
      if (iequals(h.name, "host")) h.value = request.host();
    }
    good = matches(signature_for(payload_hash, &portless)) ||
           (claimed.empty() && matches(signature_for(kUnsignedPayload, &portless)));
  }
  if (!good) {
    const Sha256Digest expected = signature_for(payload_hash);
    return Failure{"InvalidSignatureException",
                   "The request signature we calculated does not match the signature you provided. Check your AWS "
                   "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                   "The Canonical String for this request should have been\n'" +
                       canonical + "'\n\nThe String-to-Sign should have been\n'" + sts + "'\n",
                   "expected signature " + hex_of(expected) + " for access key " + std::string(auth.access_key_id) +
                       ", scope " + std::string(auth.scope) + "; string to sign: " + sts};
  }
  caller.access_key_id.assign(auth.access_key_id);
  caller.region.assign(auth.region);
  return std::nullopt;
}

}  // namespace agentemu::agentcore::sigv4
