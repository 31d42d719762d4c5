#include "vendors/ice/auth.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"

namespace agentemu::ice {
namespace {

// Sorted, RFC 3986-encoded "k=v&k=v".
std::string canonical_pairs(std::span<const KeyValue> params, std::string_view skip) {
  boost::container::small_vector<std::pair<std::string, std::string_view>, 8> encoded;
  for (const KeyValue& p : params) {
    if (!skip.empty() && p.name == skip) continue;
    encoded.emplace_back(percent_encode(p.name), p.value);
  }
  std::sort(encoded.begin(), encoded.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  out.reserve(256);
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    append_percent_encoded(out, value);
  }
  return out;
}

}  // namespace

// ---- V2 -------------------------------------------------------------------------------------

std::string v2_canonical_query(std::span<const KeyValue> params) { return canonical_pairs(params, "Signature"); }

std::string v2_string_to_sign(std::string_view method, std::string_view canonical_query) {
  std::string out;
  out.reserve(method.size() + 5 + canonical_query.size() * 3 / 2);
  out += method;
  out += "&%2F&";
  append_percent_encoded(out, canonical_query);
  return out;
}

std::string v2_signature(std::string_view secret, std::string_view string_to_sign) {
  std::string key(secret);
  key += '&';
  return base64_encode(as_bytes(hmac_sha1(key, string_to_sign)));
}

// ---- V3 -------------------------------------------------------------------------------------

std::optional<V3Authorization> parse_v3_authorization(std::string_view header) {
  header = trim(header);
  const auto space = header.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  V3Authorization out;
  out.algorithm = header.substr(0, space);
  bool credential = false, signed_headers = false, signature = false;
  std::string_view rest = header.substr(space + 1);
  for (bool more = true; more;) {  // split(',') in place: every V3 request comes through here
    const std::size_t comma = rest.find(',');
    more = comma != std::string_view::npos;
    std::string_view part = trim(rest.substr(0, comma));
    if (more) rest.remove_prefix(comma + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = trim(part.substr(0, eq));
    const std::string_view value = trim(part.substr(eq + 1));
    if (key == "Credential") {
      out.credential = value;
      credential = true;
    } else if (key == "SignedHeaders") {
      out.signed_headers = value;
      signed_headers = true;
    } else if (key == "Signature") {
      out.signature = value;
      signature = true;
    } else {
      return std::nullopt;
    }
  }
  if (!credential || !signed_headers || !signature || out.credential.empty() || out.signature.empty()) {
    return std::nullopt;
  }
  return out;
}

std::string v3_canonical_query(std::span<const KeyValue> query_params) { return canonical_pairs(query_params, {}); }

namespace {

bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The names SignedHeaders lists: trimmed, lowercase, sorted, each once. They are views into the
// Authorization header (every V3 request asks for them), or into a lowercased copy of the list
// when a client wrote capitals.
class SignedNames {
 public:
  explicit SignedNames(std::string_view signed_headers) {
    if (has_upper(signed_headers)) signed_headers = lowered_ = to_lower(signed_headers);
    for (std::size_t from = 0; from <= signed_headers.size();) {
      const std::size_t end = std::min(signed_headers.find(';', from), signed_headers.size());
      if (const std::string_view item = trim(signed_headers.substr(from, end - from)); !item.empty()) {
        names_.push_back(item);
      }
      from = end + 1;
    }
    std::sort(names_.begin(), names_.end());
    names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  }
  SignedNames(const SignedNames&) = delete;  // the views may point into lowered_
  SignedNames& operator=(const SignedNames&) = delete;

  bool contains(std::string_view name) const {
    const std::string lowered = has_upper(name) ? to_lower(name) : std::string();
    return std::binary_search(names_.begin(), names_.end(), lowered.empty() ? name : std::string_view(lowered));
  }
  auto begin() const { return names_.begin(); }
  auto end() const { return names_.end(); }

 private:
  std::string lowered_;
  boost::container::small_vector<std::string_view, 16> names_;
};

V3Headers canonical_headers(const Request& request, std::string_view signed_headers, const SignedNames& names) {
  V3Headers out;
  out.canonical.reserve(256);
  out.signed_line.reserve(signed_headers.size());
  boost::container::small_vector<std::string_view, 4> values;
  for (const std::string_view name : names) {
    values.clear();
    for (const Header& h : request.headers) {
      if (iequals(h.name, name)) values.push_back(trim(h.value));
    }
    if (values.size() > 1) std::sort(values.begin(), values.end());
    out.canonical += name;
    out.canonical += ':';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.canonical += ',';
      out.canonical += values[i];
    }
    out.canonical += '\n';
    if (!out.signed_line.empty()) out.signed_line += ';';
    out.signed_line += name;
  }
  return out;
}

std::string unsigned_header(const Request& request, const SignedNames& names) {
  if (!names.contains("host")) return "host";
  for (const Header& h : request.headers) {
    if (istarts_with(h.name, "x-acs-") && !names.contains(h.name)) return to_lower(h.name);
  }
  return {};
}

}  // namespace

V3Headers v3_canonical_headers(const Request& request, std::string_view signed_headers) {
  return canonical_headers(request, signed_headers, SignedNames(signed_headers));
}

V3SignedHeaders v3_signed_headers(const Request& request, std::string_view signed_headers) {
  const SignedNames names(signed_headers);
  V3SignedHeaders out{unsigned_header(request, names), {}};
  if (out.unsigned_header.empty()) out.headers = canonical_headers(request, signed_headers, names);
  return out;
}

std::string v3_canonical_request(std::string_view method, std::string_view canonical_query, const V3Headers& headers,
                                 std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_query.size() + headers.canonical.size() + headers.signed_line.size() +
              payload_hash.size() + 8);
  out += method;
  out += "\n/\n";
  out += canonical_query;
  out += '\n';
  out += headers.canonical;
  out += '\n';
  out += headers.signed_line;
  out += '\n';
  out += payload_hash;
  return out;
}

namespace {

// Lowercase hex of a SHA-256 digest into 64 characters at `out`: no string for it on the way.
void put_hex(char* out, const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0x0f];
  }
}

}  // namespace

std::string v3_string_to_sign(std::string_view canonical_request) {
  std::string out(kV3Algorithm.size() + 1 + 64, '\n');
  std::copy(kV3Algorithm.begin(), kV3Algorithm.end(), out.begin());
  put_hex(out.data() + kV3Algorithm.size() + 1, sha256(canonical_request));
  return out;
}

std::string v3_signature(std::string_view secret, std::string_view string_to_sign) {
  return hex_lower(hmac_sha256(secret, string_to_sign));
}

bool v3_signature_matches(std::string_view secret, std::string_view string_to_sign, std::string_view signature) {
  std::array<char, 64> expected;
  put_hex(expected.data(), hmac_sha256(secret, string_to_sign));
  return constant_time_equal(std::string_view(expected.data(), expected.size()), signature);
}

std::string v3_unsigned_header(const Request& request, std::string_view signed_headers) {
  return unsigned_header(request, SignedNames(signed_headers));
}

// ---- Replay protection ------------------------------------------------------------------------

void NonceCache::forget(std::unordered_map<std::string, Entry>::iterator it) {
  const std::string_view id = std::string_view(it->first).substr(0, it->second.key_length);
  if (const auto count = per_key_count_.find(std::string(id)); count != per_key_count_.end() && --count->second == 0) {
    per_key_count_.erase(count);
  }
  by_time_.erase(it->second.by_time);
  seen_.erase(it);
}

void NonceCache::forget_outside(SystemTime now) {
  while (!by_time_.empty() && !within_window(by_time_.begin()->first, now)) {
    forget(seen_.find(*by_time_.begin()->second));
  }
  while (!by_time_.empty() && !within_window(std::prev(by_time_.end())->first, now)) {
    forget(seen_.find(*std::prev(by_time_.end())->second));
  }
}

NonceCache::Verdict NonceCache::remember(std::string_view access_key_id, std::string_view nonce, SystemTime signed_at,
                                         SystemTime now) {
  std::string key;
  key.reserve(access_key_id.size() + nonce.size() + 1);
  key += access_key_id;
  key += '\n';
  key += nonce;

  std::lock_guard lock(mutex_);
  forget_outside(now);
  if (seen_.contains(key)) return Verdict::replayed;  // everything left is inside the window
  const auto count = per_key_count_.find(std::string(access_key_id));
  if (count != per_key_count_.end() && count->second >= per_key_) return Verdict::key_full;
  if (seen_.size() >= total_) return Verdict::full;
  const auto [it, inserted] = seen_.emplace(std::move(key), Entry{{}, access_key_id.size()});
  it->second.by_time = by_time_.emplace(signed_at, &it->first);
  ++per_key_count_[std::string(access_key_id)];
  return Verdict::fresh;
}

void NonceCache::clear() {
  std::lock_guard lock(mutex_);
  seen_.clear();
  by_time_.clear();
  per_key_count_.clear();
}

std::size_t NonceCache::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

}  // namespace agentemu::ice
