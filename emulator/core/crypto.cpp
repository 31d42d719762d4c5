#include "core/crypto.hpp"

// The one-algorithm digest interfaces below are deprecated in OpenSSL 3.0, not removed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace agentemu {
namespace {

// OpenSSL's one-algorithm interfaces (deprecated in 3.0, still there and the same code with the
// same CPU extensions): an EVP digest frees and allocates its provider context on every init,
// about 65 ns, and a signed request takes three digests.
template <class ContextType, std::size_t Size, int (*Init)(ContextType*),
          int (*Update)(ContextType*, const void*, std::size_t), int (*Final)(unsigned char*, ContextType*)>
struct OneAlgorithm {
  using Context = ContextType;
  static constexpr std::size_t kSize = Size;
  static void init(Context& c) { Init(&c); }
  static void update(Context& c, std::string_view part) { Update(&c, part.data(), part.size()); }
  static void final(Context& c, unsigned char* out) { Final(out, &c); }
};
using Sha256Algorithm = OneAlgorithm<SHA256_CTX, SHA256_DIGEST_LENGTH, SHA256_Init, SHA256_Update, SHA256_Final>;
using Sha1Algorithm = OneAlgorithm<SHA_CTX, SHA_DIGEST_LENGTH, SHA1_Init, SHA1_Update, SHA1_Final>;
using Md5Algorithm = OneAlgorithm<MD5_CTX, MD5_DIGEST_LENGTH, MD5_Init, MD5_Update, MD5_Final>;

template <class Algorithm>
std::array<unsigned char, Algorithm::kSize> digest(std::initializer_list<std::string_view> parts) {
  typename Algorithm::Context context;
  Algorithm::init(context);
  for (std::string_view part : parts) Algorithm::update(context, part);
  std::array<unsigned char, Algorithm::kSize> out{};
  Algorithm::final(context, out.data());
  OPENSSL_cleanse(&context, sizeof context);
  return out;
}

// RFC 2104.
template <class Algorithm>
std::array<unsigned char, Algorithm::kSize> hmac(std::string_view key, std::string_view data) {
  constexpr std::size_t kBlock = 64;  // MD5, SHA-1 and SHA-256 all use 64-byte blocks
  std::array<unsigned char, kBlock> block{};
  if (key.size() > kBlock) {
    const auto hashed = digest<Algorithm>({key});
    std::memcpy(block.data(), hashed.data(), hashed.size());
  } else {
    std::memcpy(block.data(), key.data(), key.size());
  }
  std::array<unsigned char, kBlock> inner_pad{}, outer_pad{};
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = block[i] ^ 0x36;
    outer_pad[i] = block[i] ^ 0x5c;
  }
  const auto view = [](const auto& bytes) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  const auto inner = digest<Algorithm>({view(inner_pad), data});
  return digest<Algorithm>({view(outer_pad), view(inner)});
}

}  // namespace

Sha256Digest sha256(std::string_view data) { return digest<Sha256Algorithm>({data}); }

Sha1Digest sha1(std::string_view data) { return digest<Sha1Algorithm>({data}); }

Md5Digest md5(std::string_view data) { return digest<Md5Algorithm>({data}); }

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) { return hmac<Sha256Algorithm>(key, data); }

Sha1Digest hmac_sha1(std::string_view key, std::string_view data) { return hmac<Sha1Algorithm>(key, data); }

std::string hex_lower(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0x0f];
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i + 1 == bytes.size()) {
    const auto n = static_cast<unsigned char>(bytes[i]) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  const auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        v[j] = 0;
        ++padding;
      } else if (padding > 0 || (v[j] = value_of(c)) < 0) {
        return std::nullopt;
      }
    }
    const int n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (padding < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (padding < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // OpenSSL's CRYPTO_memcmp is written so the compiler cannot turn it back into an early exit.
  // Only the length may show; every signature and token compared here has a public length.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::uint64_t random_u64() {
  thread_local std::mt19937_64 generator([] {
    std::uint64_t seed = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1) seed = std::random_device{}();
    return seed;
  }());
  return generator();
}

namespace {

// Two lowercase hex digits per byte of `r`, `bytes` (at most 8) of them, into `out`.
void put_random_hex(char* out, std::uint64_t r, std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes; ++i, r >>= 8) {
    out[2 * i] = kDigits[(r >> 4) & 0x0f];
    out[2 * i + 1] = kDigits[r & 0x0f];
  }
}

}  // namespace

// Written in place: request ids are made per request, and temporaries would cost more than the
// random numbers.
std::string random_hex(std::size_t bytes) {
  std::string out(bytes * 2, '\0');
  for (std::size_t i = 0; i < bytes; i += 8) put_random_hex(out.data() + 2 * i, random_u64(), std::min<std::size_t>(bytes - i, 8));
  return out;
}

std::string uuid_v4() {
  char hex[32];
  put_random_hex(hex, random_u64(), 8);
  put_random_hex(hex + 16, random_u64(), 8);
  hex[12] = '4';
  hex[16] = "89ab"[random_u64() & 3];
  std::string out(36, '-');
  std::memcpy(out.data(), hex, 8);
  std::memcpy(out.data() + 9, hex + 8, 4);
  std::memcpy(out.data() + 14, hex + 12, 4);
  std::memcpy(out.data() + 19, hex + 16, 4);
  std::memcpy(out.data() + 24, hex + 20, 12);
  return out;
}

}  // namespace agentemu
