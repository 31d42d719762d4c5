// Digests, HMACs, encodings and ids that the vendors' signature schemes are built from.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentemu {

using Sha256Digest = std::array<unsigned char, 32>;
using Sha1Digest = std::array<unsigned char, 20>;
using Md5Digest = std::array<unsigned char, 16>;

Sha256Digest sha256(std::string_view data);
Sha1Digest sha1(std::string_view data);
Md5Digest md5(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
Sha1Digest hmac_sha1(std::string_view key, std::string_view data);

template <std::size_t N>
std::string_view as_bytes(const std::array<unsigned char, N>& digest) {
  return {reinterpret_cast<const char*>(digest.data()), N};
}

std::string hex_lower(std::string_view bytes);
template <std::size_t N>
std::string hex_lower(const std::array<unsigned char, N>& digest) {
  return hex_lower(as_bytes(digest));
}

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// Compares with OpenSSL's CRYPTO_memcmp, so a signature or token check does not leak how many
// bytes matched. Every such compare in agentemu goes through here.
bool constant_time_equal(std::string_view a, std::string_view b);

std::uint64_t random_u64();
std::string random_hex(std::size_t bytes);
std::string uuid_v4();  // lowercase 8-4-4-4-12

}  // namespace agentemu
