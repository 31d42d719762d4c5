#include "vendors/rest/ids.hpp"

#include "core/crypto.hpp"

namespace agentemu::rest {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool uuid_matches(std::string_view text) { return is_uuid(text); }

}  // namespace

const Pattern kUuidPattern{"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", uuid_matches};

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !is_hex(text[i])) return false;
  }
  return true;
}

std::string lowercase_id(std::string_view uuid) {
  std::string out(uuid);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string encode_uri_component(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string string_to_uuid(std::string_view name) {
  Sha1Digest digest = sha1(encode_uri_component(name));
  digest[6] &= 0x0f;
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  const std::string hex = hex_lower(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20, 12);
}

}  // namespace agentemu::rest
