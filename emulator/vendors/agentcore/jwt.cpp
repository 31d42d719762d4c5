#include "vendors/agentcore/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cmath>

#include "core/crypto.hpp"

namespace agentemu::agentcore::jwt {

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  while (standard.size() % 4 != 0) standard.push_back('=');
  return base64_decode(standard);
}

// ---- Keys --------------------------------------------------------------------------------------

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

enum class Family { rsa, ec };

}  // namespace

struct KeySet::Key {
  std::string kid;
  std::string alg;  // "" when the JWK names none
  Family family = Family::rsa;
  int ec_bytes = 0;  // the curve's coordinate size (32, 48, 66)
  Pkey pkey;
};

KeySet::KeySet() = default;
KeySet::~KeySet() = default;
KeySet::KeySet(const KeySet&) = default;
KeySet& KeySet::operator=(const KeySet&) = default;
KeySet::KeySet(KeySet&&) noexcept = default;
KeySet& KeySet::operator=(KeySet&&) noexcept = default;

namespace {

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

struct ParamBuilder {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::vector<BIGNUM*> numbers;
  ~ParamBuilder() {
    for (BIGNUM* n : numbers) BN_free(n);
    OSSL_PARAM_BLD_free(bld);
  }
  bool push_bn(const char* name, const std::string& bytes) {
    BIGNUM* n = BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr);
    if (n == nullptr) return false;
    numbers.push_back(n);
    return OSSL_PARAM_BLD_push_BN(bld, name, n) == 1;
  }
};

Pkey from_params(const char* type, ParamBuilder& b) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(b.bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return Pkey(pkey);
}

// One JWK; "" on success, else what is wrong with it.
std::string parse_key(const JsonValue& jwk, KeySet::Key& key) {
  if (!jwk.IsObject()) return "must be an object (a JWK)";
  key.kid = text_of(jwk, "kid");
  key.alg = text_of(jwk, "alg");
  const std::string_view use = text_of(jwk, "use");
  if (!use.empty() && use != "sig") return "use must be \"sig\"";
  const std::string_view kty = text_of(jwk, "kty");
  ParamBuilder b;
  if (kty == "RSA") {
    const auto n = base64url_decode(text_of(jwk, "n"));
    const auto e = base64url_decode(text_of(jwk, "e"));
    if (!n || n->empty()) return "n must be the modulus, base64url";
    if (!e || e->empty()) return "e must be the exponent, base64url";
    if (n->size() < 256) return "the RSA modulus must have at least 2048 bits";
    if (!b.push_bn(OSSL_PKEY_PARAM_RSA_N, *n) || !b.push_bn(OSSL_PKEY_PARAM_RSA_E, *e)) return "n or e is not a number";
    key.family = Family::rsa;
    key.pkey = from_params("RSA", b);
  } else if (kty == "EC") {
    const std::string_view crv = text_of(jwk, "crv");
    const char* group = crv == "P-256" ? "prime256v1" : crv == "P-384" ? "secp384r1" : crv == "P-521" ? "secp521r1" : nullptr;
    if (group == nullptr) return "crv must be P-256, P-384 or P-521";
    key.ec_bytes = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
    const auto x = base64url_decode(text_of(jwk, "x"));
    const auto y = base64url_decode(text_of(jwk, "y"));
    if (!x || !y || x->size() != static_cast<std::size_t>(key.ec_bytes) || y->size() != static_cast<std::size_t>(key.ec_bytes)) {
      return "x and y must be the curve's coordinates, base64url";
    }
    std::string point = "\x04" + *x + *y;
    if (OSSL_PARAM_BLD_push_utf8_string(b.bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(b.bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
      return "the EC point could not be read";
    }
    key.family = Family::ec;
    key.pkey = from_params("EC", b);
  } else {
    return "kty must be RSA or EC (symmetric keys are not accepted)";
  }
  if (!key.pkey) return "is not a valid public key";
  return {};
}

}  // namespace

std::optional<KeySet> KeySet::parse(const JsonValue& keys, std::string& error) {
  const JsonValue* list = keys.IsObject() ? json_member(keys, "keys") : &keys;
  const std::string base = keys.IsObject() ? "/keys" : "";
  if (list == nullptr || !list->IsArray()) {
    error = "must be a JWKS ({\"keys\": [...]}) or an array of JWKs";
    return std::nullopt;
  }
  KeySet set;
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    auto key = std::make_shared<Key>();
    if (std::string why = parse_key((*list)[i], *key); !why.empty()) {
      error = json_pointer(base, i) + ": " + why;
      return std::nullopt;
    }
    set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) {
    error = "must hold at least one key";
    return std::nullopt;
  }
  return set;
}

// ---- Verification ------------------------------------------------------------------------------

namespace {

struct Alg {
  std::string_view name;
  Family family;
  const EVP_MD* (*md)();
  bool pss;
  int ec_bytes;
};

constexpr Alg kAlgs[] = {
    {"RS256", Family::rsa, EVP_sha256, false, 0}, {"RS384", Family::rsa, EVP_sha384, false, 0},
    {"RS512", Family::rsa, EVP_sha512, false, 0}, {"PS256", Family::rsa, EVP_sha256, true, 0},
    {"PS384", Family::rsa, EVP_sha384, true, 0},  {"PS512", Family::rsa, EVP_sha512, true, 0},
    {"ES256", Family::ec, EVP_sha256, false, 32}, {"ES384", Family::ec, EVP_sha384, false, 48},
    {"ES512", Family::ec, EVP_sha512, false, 66},
};

const Alg* find_alg(std::string_view name) {
  for (const Alg& a : kAlgs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// JOSE's ECDSA signature is r || s; OpenSSL verifies DER.
std::optional<std::string> ecdsa_der(std::string_view raw, int size) {
  if (raw.size() != static_cast<std::size_t>(2 * size)) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), size, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + size, size, nullptr);
  std::optional<std::string> out;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &der);
    if (len > 0) out.emplace(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return out;
}

bool signature_holds(const Alg& alg, const KeySet::Key& key, std::string_view signed_part, std::string_view signature) {
  std::string der;
  if (alg.family == Family::ec) {
    if (key.ec_bytes != alg.ec_bytes) return false;
    auto converted = ecdsa_der(signature, alg.ec_bytes);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, &pctx, alg.md(), nullptr, key.pkey.get()) == 1;
  if (ok && alg.pss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                              reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

Result fail(Problem p, std::string detail) {
  Result r;
  r.problem = p;
  r.detail = std::move(detail);
  return r;
}

bool parse_part(std::string_view part, JsonDocument& out) {
  const auto bytes = base64url_decode(part);
  return bytes && !parse_json(*bytes, out) && out.IsObject();
}

// A NumericDate claim as a time; nullopt when absent or not a finite number.
std::optional<SystemTime> numeric_date(const JsonValue& claims, std::string_view name) {
  const JsonValue* v = json_member(claims, name);
  if (v == nullptr || !v->IsNumber()) return std::nullopt;
  const double seconds = v->GetDouble();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e12) return std::nullopt;
  return from_epoch_millis(static_cast<std::int64_t>(std::floor(seconds * 1000.0)));
}

bool claim_contains(const JsonValue& claims, std::string_view name, const std::vector<std::string>& allowed) {
  const JsonValue* v = json_member(claims, name);
  if (v == nullptr) return false;
  const auto allowed_value = [&](const JsonValue& item) {
    return item.IsString() &&
           std::find(allowed.begin(), allowed.end(), std::string_view(item.GetString(), item.GetStringLength())) !=
               allowed.end();
  };
  if (v->IsArray()) return std::any_of(v->Begin(), v->End(), allowed_value);
  return allowed_value(*v);
}

}  // namespace

Result verify(std::string_view token, std::span<const Issuer> issuers, SystemTime now) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return fail(Problem::malformed, "a JWT has three dot-separated parts");
  }
  JsonDocument header, claims;
  if (!parse_part(token.substr(0, first), header)) return fail(Problem::malformed, "the header is not base64url JSON");
  if (!parse_part(token.substr(first + 1, second - first - 1), claims)) {
    return fail(Problem::malformed, "the payload is not base64url JSON");
  }
  const auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) return fail(Problem::malformed, "the signature is not base64url");

  const std::string alg_name(text_of(header, "alg"));
  const Alg* alg = find_alg(alg_name);
  if (alg == nullptr) {
    return fail(Problem::unsupported, "alg \"" + alg_name.substr(0, 16) + "\" is not RS256/384/512, PS256/384/512 or ES256/384/512");
  }
  const std::string_view iss = text_of(claims, "iss");
  const auto issuer = std::find_if(issuers.begin(), issuers.end(), [&](const Issuer& i) { return i.issuer == iss; });
  if (issuer == issuers.end()) {
    return fail(Problem::untrusted_issuer, "iss \"" + std::string(iss.substr(0, 256)) +
                                               "\" is not the issuer of any key set in agentcore.jwtIssuers");
  }
  const std::string_view kid = text_of(header, "kid");
  const std::string_view signed_part = token.substr(0, second);
  bool candidate = false;
  bool verified = false;
  for (const auto& key : issuer->keys.keys()) {
    if (!kid.empty() && !key->kid.empty() && key->kid != kid) continue;
    if (key->family != alg->family || (!key->alg.empty() && key->alg != alg->name)) continue;
    candidate = true;
    if (signature_holds(*alg, *key, signed_part, *signature)) {
      verified = true;
      break;
    }
  }
  if (!candidate) {
    return fail(Problem::unknown_key, "no key of issuer " + issuer->issuer + " has kid \"" +
                                          std::string(kid.substr(0, 128)) + "\" for " + alg_name);
  }
  if (!verified) return fail(Problem::bad_signature, "the signature does not verify with the issuer's keys");

  const auto exp = numeric_date(claims, "exp");
  if (!exp) return fail(Problem::expired, "the token has no numeric exp claim");
  if (*exp <= now) {
    return fail(Problem::expired, "exp " + format_rfc3339_millis(*exp) + " is not after the emulator's now " +
                                      format_rfc3339_millis(now));
  }
  if (const auto nbf = numeric_date(claims, "nbf"); nbf && *nbf > now) {
    return fail(Problem::not_yet_valid, "nbf " + format_rfc3339_millis(*nbf) + " is after the emulator's now " +
                                            format_rfc3339_millis(now));
  }
  if (!issuer->audiences.empty() && !claim_contains(claims, "aud", issuer->audiences)) {
    return fail(Problem::wrong_audience, "aud is none of the issuer's allowedAudience");
  }
  if (!issuer->clients.empty() && !claim_contains(claims, "client_id", issuer->clients) &&
      !claim_contains(claims, "azp", issuer->clients)) {
    return fail(Problem::wrong_client, "client_id (or azp) is none of the issuer's allowedClients");
  }
  const std::string_view sub = text_of(claims, "sub");
  if (sub.empty()) return fail(Problem::no_subject, "the token has no sub claim");
  Result r;
  r.ok = true;
  r.issuer.assign(iss);
  r.subject.assign(sub);
  r.expires = *exp;
  return r;
}

}  // namespace agentemu::agentcore::jwt
