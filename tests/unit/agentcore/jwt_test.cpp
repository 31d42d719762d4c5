// JWT verification against JWKS keys made with OpenSSL here (RS256, PS256, ES256), and what it
// refuses: a bad signature, another issuer, an expired or early token, the wrong audience or
// client, alg none, HS256, a key of the wrong kind.
#include <doctest/doctest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "vendors/agentcore/jwt.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bn_param(const EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
  std::string out(pad > 0 ? static_cast<std::size_t>(pad) : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  if (pad > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return out;
}

struct TestKey {
  Pkey pkey;
  std::string jwk;  // the public half as a JWK
};

TestKey rsa_key(const std::string& kid) {
  TestKey k{Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))), {}};
  REQUIRE(k.pkey);
  k.jwk = R"({"kty":"RSA","kid":")" + kid + R"(","use":"sig","n":")" +
          jwt::base64url_encode(bn_param(k.pkey.get(), OSSL_PKEY_PARAM_RSA_N)) + R"(","e":")" +
          jwt::base64url_encode(bn_param(k.pkey.get(), OSSL_PKEY_PARAM_RSA_E)) + R"("})";
  return k;
}

TestKey ec_key(const std::string& kid) {
  TestKey k{Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")), {}};
  REQUIRE(k.pkey);
  k.jwk = R"({"kty":"EC","kid":")" + kid + R"(","crv":"P-256","x":")" +
          jwt::base64url_encode(bn_param(k.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)) + R"(","y":")" +
          jwt::base64url_encode(bn_param(k.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + R"("})";
  return k;
}

std::string sign_bytes(const TestKey& key, std::string_view alg, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  REQUIRE(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, key.pkey.get()) == 1);
  if (alg == "PS256") {
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
  }
  std::size_t length = 0;
  REQUIRE(EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1);
  std::string sig(length, '\0');
  REQUIRE(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length,
                         reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1);
  sig.resize(length);
  EVP_MD_CTX_free(ctx);
  if (alg != "ES256") return sig;
  // OpenSSL signs ECDSA as DER; JOSE wants r || s of 32 bytes each.
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  REQUIRE(ecdsa != nullptr);
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(ecdsa);
  return raw;
}

std::string token(const TestKey& key, std::string_view alg, std::string_view kid, const std::string& claims) {
  const std::string header = R"({"alg":")" + std::string(alg) + R"(","typ":"JWT","kid":")" + std::string(kid) + R"("})";
  const std::string signed_part = jwt::base64url_encode(header) + "." + jwt::base64url_encode(claims);
  return signed_part + "." + jwt::base64url_encode(sign_bytes(key, alg, signed_part));
}

constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
const SystemTime now = from_epoch_millis(kNow * 1000);

std::string claims(std::string extra = {}, std::int64_t exp = kNow + 600) {
  return R"({"iss":"https://idp.example.com","sub":"alice","aud":"my-app","client_id":"web","exp":)" +
         std::to_string(exp) + extra + "}";
}

jwt::Issuer issuer(const std::string& keys_json, std::vector<std::string> audiences = {},
                   std::vector<std::string> clients = {}) {
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(keys_json, doc));
  std::string error;
  auto keys = jwt::KeySet::parse(doc, error);
  REQUIRE_MESSAGE(keys, error);
  return jwt::Issuer{"https://idp.example.com", std::move(audiences), std::move(clients), std::move(*keys)};
}

}  // namespace

TEST_CASE("jwt: base64url round trips and refuses the standard alphabet") {
  const std::string bytes("\xfb\xff\x00\x01\xfe", 5);
  CHECK(jwt::base64url_encode(bytes) == "-_8AAf4");
  CHECK(jwt::base64url_decode("-_8AAf4") == bytes);
  CHECK_FALSE(jwt::base64url_decode("+/8AAf4"));
  CHECK_FALSE(jwt::base64url_decode("-_8AAf4="));
  CHECK_FALSE(jwt::base64url_decode("a"));
}

TEST_CASE("jwt: RS256, PS256 and ES256 tokens verify against their JWKS; the user is iss and sub") {
  const TestKey rsa = rsa_key("r1");
  const TestKey ec = ec_key("e1");
  const std::vector<jwt::Issuer> issuers = {issuer(R"({"keys":[)" + rsa.jwk + "," + ec.jwk + "]}")};
  for (const auto& [key, alg, kid] : {std::tuple{&rsa, "RS256", "r1"}, {&rsa, "PS256", "r1"}, {&ec, "ES256", "e1"}}) {
    const jwt::Result r = jwt::verify(token(*key, alg, kid, claims()), issuers, now);
    CHECK_MESSAGE(r.ok, alg, ": ", r.detail);
    CHECK(r.issuer == "https://idp.example.com");
    CHECK(r.subject == "alice");
    CHECK(epoch_seconds(r.expires) == kNow + 600);
  }
  // Without a kid the keys of the right kind are tried.
  CHECK(jwt::verify(token(ec, "ES256", "", claims()), issuers, now).ok);
}

TEST_CASE("jwt: what is refused, and why") {
  const TestKey rsa = rsa_key("r1");
  const TestKey other = rsa_key("r1");  // same kid, another key: a forged token
  const std::vector<jwt::Issuer> issuers = {issuer(R"({"keys":[)" + rsa.jwk + "]}", {"my-app"}, {"web"})};
  const auto problem = [&](const std::string& t) { return jwt::verify(t, issuers, now).problem; };

  CHECK(jwt::verify(token(rsa, "RS256", "r1", claims()), issuers, now).ok);
  CHECK(problem(token(other, "RS256", "r1", claims())) == jwt::Problem::bad_signature);
  CHECK(problem(token(rsa, "RS256", "r1", claims({}, kNow))) == jwt::Problem::expired);  // exp must be after now
  CHECK(problem(token(rsa, "RS256", "r1", R"({"iss":"https://idp.example.com","sub":"a","aud":"my-app"})")) ==
        jwt::Problem::expired);  // no exp at all
  CHECK(problem(token(rsa, "RS256", "r1", claims(",\"nbf\":" + std::to_string(kNow + 60)))) == jwt::Problem::not_yet_valid);
  CHECK(problem(token(rsa, "RS256", "r1",
                      R"({"iss":"https://evil.example.com","sub":"a","exp":)" + std::to_string(kNow + 60) + "}")) ==
        jwt::Problem::untrusted_issuer);
  CHECK(problem(token(rsa, "RS256", "r1",
                      R"({"iss":"https://idp.example.com","sub":"a","aud":"other","client_id":"web","exp":)" +
                          std::to_string(kNow + 60) + "}")) == jwt::Problem::wrong_audience);
  CHECK(problem(token(rsa, "RS256", "r1",
                      R"({"iss":"https://idp.example.com","sub":"a","aud":["x","my-app"],"client_id":"cli","exp":)" +
                          std::to_string(kNow + 60) + "}")) == jwt::Problem::wrong_client);
  CHECK(problem(token(rsa, "RS256", "r1",
                      R"({"iss":"https://idp.example.com","aud":"my-app","azp":"web","exp":)" + std::to_string(kNow + 60) +
                          "}")) == jwt::Problem::no_subject);  // azp stands for client_id
  CHECK(problem(token(rsa, "RS256", "nope", claims())) == jwt::Problem::unknown_key);
  const std::string es_header = jwt::base64url_encode(R"({"alg":"ES256","kid":"r1"})") + "." + jwt::base64url_encode(claims());
  CHECK(problem(es_header + "." + jwt::base64url_encode(sign_bytes(rsa, "RS256", es_header))) ==
        jwt::Problem::unknown_key);  // an RSA key cannot check ES256

  // alg none and HS256 are refused before any key is tried.
  const std::string body = jwt::base64url_encode(claims());
  CHECK(problem(jwt::base64url_encode(R"({"alg":"none"})") + "." + body + ".") == jwt::Problem::unsupported);
  CHECK(problem(jwt::base64url_encode(R"({"alg":"HS256","kid":"r1"})") + "." + body + ".c2ln") ==
        jwt::Problem::unsupported);
  CHECK(problem("not.a.jwt") == jwt::Problem::malformed);
  CHECK(problem("onlyonepart") == jwt::Problem::malformed);
  CHECK(problem("a.b.c.d") == jwt::Problem::malformed);
  // A changed payload breaks the signature.
  std::string forged = token(rsa, "RS256", "r1", claims());
  const auto first = forged.find('.'), second = forged.find('.', first + 1);
  forged.replace(first + 1, second - first - 1, jwt::base64url_encode(claims().replace(claims().find("alice"), 5, "mallo")));
  CHECK(problem(forged) == jwt::Problem::bad_signature);
}

TEST_CASE("jwt: key sets refuse what cannot verify a user token") {
  const auto parse_error = [](const std::string& json) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(json, doc));
    std::string error;
    return jwt::KeySet::parse(doc, error) ? std::string() : error;
  };
  CHECK(parse_error(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})") == "/keys/0: kty must be RSA or EC (symmetric keys are not accepted)");
  CHECK(parse_error(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})") == "/keys/0: the RSA modulus must have at least 2048 bits");
  CHECK(parse_error(R"({"keys":[{"kty":"EC","crv":"P-192","x":"","y":""}]})") == "/keys/0: crv must be P-256, P-384 or P-521");
  CHECK(parse_error(R"({"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]})") ==
        "/keys/0: x and y must be the curve's coordinates, base64url");
  CHECK(parse_error(R"({"keys":[]})") == "must hold at least one key");
  CHECK(parse_error(R"({"nokeys":1})") == "must be a JWKS ({\"keys\": [...]}) or an array of JWKs");
  // A point that is not on the curve is not a key.
  const std::string zero = jwt::base64url_encode(std::string(32, '\0'));
  CHECK(parse_error(R"([{"kty":"EC","crv":"P-256","x":")" + zero + R"(","y":")" + zero + R"("}])") ==
        "/0: is not a valid public key");
}
