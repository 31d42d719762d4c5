#include "vendors/zego/auth.hpp"

#include <charconv>
#include <limits>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace agentemu::zego {

std::string sign(std::string_view app_id, std::string_view nonce, std::string_view server_secret,
                 std::string_view timestamp) {
  std::string text;
  text.reserve(app_id.size() + nonce.size() + server_secret.size() + timestamp.size());
  text.append(app_id).append(nonce).append(server_secret).append(timestamp);
  return hex_lower(md5(text));
}

bool signature_matches(const PublicParams& p, std::string_view server_secret) {
  // The expected value is lowercase hex, as the docs require of clients; a signature in
  // uppercase is a different string and fails, as it would against a byte-wise comparison.
  return constant_time_equal(sign(p.app_id, p.nonce, server_secret, p.timestamp), p.signature);
}

std::string signature_diagnostic(const PublicParams& p, std::string_view server_secret) {
  const std::string expected = sign(p.app_id, p.nonce, server_secret, p.timestamp);
  const auto quoted = [](std::string_view text) { return "\"" + std::string(text) + "\""; };
  std::string out = "Signature 2.0 is md5(AppId + SignatureNonce + ServerSecret + Timestamp) in lowercase hex. ";
  out += "Expected string to sign: " + quoted(p.app_id) + " + " + quoted(p.nonce) + " + <ServerSecret of AppId " +
         std::string(p.app_id) + ", " + std::to_string(server_secret.size()) + " characters> + " +
         quoted(p.timestamp) + "; expected Signature " + expected + ", got " + std::string(p.signature);
  if (iequals(expected, p.signature)) out += " (the same digits in upper case: ZEGO wants lower case)";
  return out;
}

std::string timestamp_diagnostic(std::int64_t timestamp, SystemTime now) {
  // The distance as an unsigned number: the client's Timestamp may be any 64-bit value, and the
  // difference of two of them always fits in 64 unsigned bits.
  const std::int64_t server = epoch_seconds(now);
  const bool behind = timestamp < server;
  const std::uint64_t distance = behind ? static_cast<std::uint64_t>(server) - static_cast<std::uint64_t>(timestamp)
                                        : static_cast<std::uint64_t>(timestamp) - static_cast<std::uint64_t>(server);
  return "Timestamp " + std::to_string(timestamp) + " is " + std::to_string(distance) + " s " +
         (behind ? "behind" : "ahead of") + " the emulator's clock (" + format_rfc3339_millis(now) +
         "); ZEGO accepts " + std::to_string(kTimestampWindowSeconds) +
         " s either way. PUT /_emulator/clock moves the emulator's clock.";
}

bool wrong_zego_host(std::string_view host) {
  std::string lower = to_lower(host);
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  if (!glob_match("*.zegotech.cn", lower) && lower != "zegotech.cn") return false;
  // aigc-aiagent-api.zegotech.cn and the regional aigc-aiagent-api-XXX.zegotech.cn.
  constexpr std::string_view kGateway = "aigc-aiagent-api";
  constexpr std::string_view kDomain = ".zegotech.cn";
  if (!lower.starts_with(kGateway) || !lower.ends_with(kDomain)) return true;
  const std::string_view middle =
      std::string_view(lower).substr(kGateway.size(), lower.size() - kGateway.size() - kDomain.size());
  if (middle.empty()) return false;
  return !(middle.size() > 1 && middle.front() == '-' && is_alnum(middle.substr(1)));
}

bool parse_app_id(std::string_view text, std::uint32_t& out) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > std::numeric_limits<std::uint32_t>::max()) {
    return false;
  }
  out = static_cast<std::uint32_t>(value);
  return true;
}

bool parse_timestamp(std::string_view text, std::int64_t& out) {
  const auto value = parse_int64(text);
  if (!value) return false;
  out = *value;
  return true;
}

}  // namespace agentemu::zego
