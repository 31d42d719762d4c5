// SigV4 against the official aws-signing-test-suite vectors (the get-vanilla family and
// neighbours), the SDK-style variants (x-amz-content-sha256 signed, the ARN label encoded twice),
// and the verifier on requests captured from @aws-sdk/client-bedrock-agentcore.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "core/uri.hpp"
#include "vendors/agentcore/auth.hpp"
#include "vendors/agentcore/handshake.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;

namespace {

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kDate = "20150830T123600Z";

struct Vector {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "example.amazonaws.com"},
                                                           {"X-Amz-Date", std::string(kDate)}};
  std::string signed_headers = "host;x-amz-date";
  std::string payload_hash = std::string(sigv4::kEmptySha256);
};

std::string sign_vector(const Vector& v, std::string* canonical = nullptr, std::string* sts = nullptr) {
  std::vector<Header> headers;
  for (const auto& [n, value] : v.headers) headers.push_back({n, value});
  sigv4::SigningRequest r;
  r.parts = {v.method, v.path, v.query, &headers, v.signed_headers, v.payload_hash};
  r.access_key_id = kAkid;
  r.secret_access_key = kSecret;
  r.amz_date = kDate;
  r.region = "us-east-1";
  r.service = "service";
  return sigv4::sign(r, canonical, sts);
}

std::string signature_of(const std::string& authorization) {
  const auto at = authorization.find("Signature=");
  return at == std::string::npos ? "" : authorization.substr(at + 10);
}

class MapStore final : public sigv4::CredentialStore {
 public:
  std::map<std::string, sigv4::Credential, std::less<>> keys;
  bool find(std::string_view id, sigv4::Credential& out) const override {
    const auto it = keys.find(id);
    if (it == keys.end()) return false;
    out = it->second;
    return true;
  }
};

// A request held with its own storage, as the server's views would be.
struct OwnedRequest {
  std::string method, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
  Request view() const {
    Request r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.body = body;
    for (const auto& [n, v] : headers) r.headers.push_back({n, v});
    return r;
  }
  void set(const std::string& name, const std::string& value) {
    for (auto& [n, v] : headers) {
      if (n == name) v = value;
    }
  }
};

// Captured from @aws-sdk/client-bedrock-agentcore 3.1141.0 (node 20), credentials test/test.
OwnedRequest sdk_get() {
  return {"GET",
          "/code-interpreters/aws.codeinterpreter.v1/sessions/get",
          "sessionId=ABC123",
          "",
          {{"x-amz-user-agent", "aws-sdk-js/3.1140.0"},
           {"user-agent", "aws-sdk-js/3.1140.0 ua/2.1 os/linux#6.18.44-fc-v769 lang/js md/nodejs#20.20.2 "
                          "api/bedrock-agentcore#3.1140.0 m/N,E,e"},
           {"host", "127.0.0.1:4599"},
           {"amz-sdk-invocation-id", "c8269a5b-e956-4a69-a5ca-25e5ee7e8a5e"},
           {"amz-sdk-request", "attempt=1; max=3"},
           {"x-amz-date", "20261122T060733Z"},
           {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
           {"authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/bedrock-agentcore/aws4_request, "
            "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent, "
            "Signature=227d756e041403e87fead6a14964c02f581a5a0c53d5c255a10635cccb5c5476"}}};
}

OwnedRequest sdk_invoke() {
  return {"POST",
          "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fecho_agent-a1b2c3d4e5/"
          "invocations",
          "qualifier=DEFAULT",
          R"({"prompt":"hi"})",
          {{"content-type", "application/json"},
           {"x-amzn-bedrock-agentcore-runtime-session-id", "session-0000000000000000000000000000001"},
           {"content-length", "15"},
           {"x-amz-user-agent", "aws-sdk-js/3.1140.0"},
           {"user-agent", "aws-sdk-js/3.1140.0 ua/2.1 os/linux#6.18.44-fc-v769 lang/js md/nodejs#20.20.2 "
                          "api/bedrock-agentcore#3.1140.0 m/N,E,e"},
           {"host", "127.0.0.1:4599"},
           {"amz-sdk-invocation-id", "e6e56ca7-7a59-433f-b567-d6f2940d3259"},
           {"amz-sdk-request", "attempt=1; max=3"},
           {"x-amz-date", "20261122T060733Z"},
           {"x-amz-content-sha256", "14479f4e87d340fe0ca0d522d87a5b3a028ebb1af24fbb8d3ef4553044fc6db6"},
           {"authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/bedrock-agentcore/aws4_request, "
            "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-"
            "sha256;x-amz-date;x-amz-user-agent;x-amzn-bedrock-agentcore-runtime-session-id, "
            "Signature=8261fa3ec895cab129cc8cf54e7f917dff0c406f97bf450733e32b9429f76c2b"}}};
}

SystemTime captured_at() { return *parse_amz_date("20261122T060733Z"); }

MapStore test_store() {
  MapStore store;
  store.keys["test"] = sigv4::Credential{"test", "", "123456789012"};
  return store;
}

}  // namespace

TEST_CASE("sigv4 get-vanilla: canonical request, string to sign and signature") {
  std::string canonical, sts;
  const std::string auth = sign_vector(Vector{}, &canonical, &sts);
  CHECK(canonical ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sts ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  CHECK(auth ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("sigv4 get-vanilla family and neighbours") {
  SUBCASE("get-vanilla-query (same request as get-vanilla in the suite)") {
    CHECK(signature_of(sign_vector(Vector{})) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }
  SUBCASE("get-vanilla-query-order-key-case") {
    Vector v;
    v.query = "Param2=value2&Param1=value1";
    std::string canonical;
    CHECK(signature_of(sign_vector(v, &canonical)) == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    CHECK(canonical.find("\nParam1=value1&Param2=value2\n") != std::string::npos);
  }
  SUBCASE("post-vanilla") {
    Vector v;
    v.method = "POST";
    CHECK(signature_of(sign_vector(v)) == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  }
  SUBCASE("get-vanilla-with-session-token") {
    Vector v;
    v.headers.emplace_back("X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");
    v.signed_headers = "host;x-amz-date;x-amz-security-token";
    CHECK(signature_of(sign_vector(v)) == "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
  }
  SUBCASE("post-x-www-form-urlencoded (signed body)") {
    Vector v;
    v.method = "POST";
    const std::string hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
    CHECK(hex_lower(sha256("Param1=value1")) == hash);
    v.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Content-Length", "13"},
                 {"Host", "example.amazonaws.com"},
                 {"X-Amz-Content-Sha256", hash},
                 {"X-Amz-Date", std::string(kDate)}};
    v.signed_headers = "content-length;content-type;host;x-amz-content-sha256;x-amz-date";
    v.payload_hash = hash;
    std::string canonical;
    CHECK(signature_of(sign_vector(v, &canonical)) == "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
    CHECK(canonical ==
          "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
          "x-amz-content-sha256:" + hash + "\nx-amz-date:20150830T123600Z\n\n"
          "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n" + hash);
  }
  SUBCASE("get-utf8") {
    Vector v;
    v.path = "/\xE1\x88\xB4";
    std::string canonical;
    CHECK(signature_of(sign_vector(v, &canonical)) == "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
    CHECK(canonical.starts_with("GET\n/%E1%88%B4\n"));
  }
  SUBCASE("get-space-unnormalized") {
    Vector v;
    v.path = "/example space/";
    CHECK(signature_of(sign_vector(v)) == "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
  }
  SUBCASE("post-header-key-sort") {
    Vector v;
    v.method = "POST";
    v.headers.emplace_back("My-Header1", "value1");
    v.signed_headers = "host;my-header1;x-amz-date";
    CHECK(signature_of(sign_vector(v)) == "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c");
  }
}

TEST_CASE("sigv4 SDK-style vectors: x-amz-content-sha256 signed, the ARN label encoded twice") {
  SUBCASE("get-vanilla with x-amz-content-sha256") {
    Vector v;
    v.headers.emplace_back("x-amz-content-sha256", std::string(sigv4::kEmptySha256));
    v.signed_headers = "host;x-amz-content-sha256;x-amz-date";
    std::string canonical, sts;
    CHECK(signature_of(sign_vector(v, &canonical, &sts)) ==
          "726c5c4879a6b4ccbbd3b24edbd6b8826d34f87450fbbf4e85546fc7ba9c1642");
    CHECK(sts.ends_with("bd2af82b09d2569ab8594ef6bcc1638c8675cb753915d0f401b2f40ecde6f823"));
  }
  SUBCASE("runtime ARN path") {
    Vector v;
    v.method = "POST";
    v.path = "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fa-b/invocations";
    v.query = "qualifier=DEFAULT";
    std::string canonical, sts;
    CHECK(signature_of(sign_vector(v, &canonical)) == "06c14f43a5798e56c2a26dddaf80fc2eaf49814c717cfe295baab778ca0545ca");
    CHECK(canonical.starts_with(
        "POST\n/runtimes/arn%253Aaws%253Abedrock-agentcore%253Aus-east-1%253A123456789012%253Aruntime%252Fa-b/"
        "invocations\nqualifier=DEFAULT\n"));
    v.headers.emplace_back("x-amz-content-sha256", std::string(sigv4::kEmptySha256));
    v.signed_headers = "host;x-amz-content-sha256;x-amz-date";
    CHECK(signature_of(sign_vector(v, &canonical, &sts)) ==
          "7050221253ce16d4b615faa44faf9c7c6e90540b4af3e504dd3f84c7dd3174d9");
    CHECK(sts.ends_with("49b43501bbacd1003b57f4ebb6c1d9060f6ce2020d7ada0f56b02e7d4f32c680"));
  }
}

TEST_CASE("sigv4 canonical URI normalises like the SDK signers") {
  const auto uri = [](std::string_view raw) {
    std::string out;
    sigv4::append_canonical_uri(out, raw);
    return out;
  };
  CHECK(uri("/") == "/");
  CHECK(uri("") == "/");
  CHECK(uri("/a b/./c/../d//e/") == "/a%20b/d/e/");
  CHECK(uri("/x/%2F/y") == "/x/%252F/y");
  CHECK(uri("/../..") == "/");
}

TEST_CASE("sigv4 canonical URI: deep paths with dot segments past the first 32 levels") {
  const auto uri = [](std::string_view raw) {
    std::string out;
    sigv4::append_canonical_uri(out, raw);
    return out;
  };
  std::string deep, expected;
  for (int i = 0; i < 40; ++i) {
    deep += "/s" + std::to_string(i);
    if (i < 20) expected += "/s" + std::to_string(i);
  }
  // 40 segments, back to 20, then new ones on top: each must land where it is read from.
  std::string raw = deep;
  for (int i = 0; i < 20; ++i) raw += "/..";
  raw += "/x/./y/z/../w";
  CHECK(uri(raw) == expected + "/x/y/w");
  CHECK(uri(deep + "/./") == deep + "/");
  // Down to nothing and up again past the old depth.
  std::string again = deep;
  for (int i = 0; i < 45; ++i) again += "/..";
  again += deep + "/a b";
  CHECK(uri(again) == deep + "/a%20b");
  // 100 segments, no dots.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "/p";
  CHECK(uri(hundred) == hundred);
}

TEST_CASE("sigv4 canonical query and header values") {
  std::string q;
  sigv4::append_canonical_query(q, "b=2&a=%7e&a=1&flag&c=x%20y");
  CHECK(q == "a=1&a=~&b=2&c=x%20y&flag=");
  const std::vector<std::pair<std::string, std::string>> owned{{"X-A", "  one   two  "}, {"x-a", "three"}, {"B", "\tv"}};
  std::vector<Header> headers;
  for (const auto& [n, v] : owned) headers.push_back({n, v});
  std::string h;
  sigv4::append_canonical_headers(h, headers, "b;x-a");
  CHECK(h == "b:v\nx-a:one two,three\n");
}

TEST_CASE("sigv4 signing-key cache answers the derived key") {
  const auto& cached = sigv4::cached_signing_key(kSecret, "20150830", "us-east-1", "service");
  CHECK(cached == sigv4::derive_signing_key(kSecret, "20150830", "us-east-1", "service"));
  const auto& other = sigv4::cached_signing_key(kSecret, "20150830", "us-west-2", "service");
  CHECK(other == sigv4::derive_signing_key(kSecret, "20150830", "us-west-2", "service"));
  CHECK(other != sigv4::derive_signing_key(kSecret, "20150830", "us-east-1", "service"));
  // Still right after the cache wrapped around.
  for (int i = 0; i < 20; ++i) sigv4::cached_signing_key(std::to_string(i) + "s", "20150830", "r", "service");
  CHECK(sigv4::cached_signing_key(kSecret, "20150830", "us-east-1", "service") ==
        sigv4::derive_signing_key(kSecret, "20150830", "us-east-1", "service"));
}

TEST_CASE("sigv4 verifier accepts requests captured from the JS SDK") {
  const MapStore store = test_store();
  for (const OwnedRequest& owned : {sdk_get(), sdk_invoke()}) {
    const Request r = owned.view();
    sigv4::Caller caller;
    const auto failure = sigv4::verify(r, captured_at(), store, caller);
    CHECK_MESSAGE(!failure, (failure ? failure->message : std::string()));
    CHECK(caller.region == "us-east-1");
    CHECK(caller.access_key_id == "test");
    CHECK(caller.credential.account_id == "123456789012");
    // Within the 15-minute window either way.
    CHECK_FALSE(sigv4::verify(r, captured_at() + std::chrono::minutes(14), store, caller));
    CHECK_FALSE(sigv4::verify(r, captured_at() - std::chrono::minutes(14), store, caller));
  }
}

TEST_CASE("sigv4 verifier answers AWS's errors") {
  const MapStore store = test_store();
  sigv4::Caller caller;
  SUBCASE("no Authorization") {
    OwnedRequest o = sdk_get();
    o.headers.pop_back();
    const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
    REQUIRE(f);
    CHECK(f->error == "MissingAuthenticationTokenException");
    CHECK(f->message == "Missing Authentication Token");
  }
  SUBCASE("unknown access key") {
    MapStore other;
    other.keys["someone"] = sigv4::Credential{"x", "", "123456789012"};
    const auto f = sigv4::verify(sdk_get().view(), captured_at(), other, caller);
    REQUIRE(f);
    CHECK(f->error == "UnrecognizedClientException");
    CHECK(f->message == "The security token included in the request is invalid.");
  }
  SUBCASE("wrong secret") {
    MapStore other;
    other.keys["test"] = sigv4::Credential{"not-test", "", "123456789012"};
    const auto f = sigv4::verify(sdk_get().view(), captured_at(), other, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
    CHECK(f->message.starts_with("The request signature we calculated does not match the signature you provided."));
    CHECK(f->message.find("/code-interpreters/aws.codeinterpreter.v1/sessions/get\nsessionId=ABC123\n") !=
          std::string::npos);
  }
  SUBCASE("a signed header changed") {
    OwnedRequest o = sdk_get();
    o.set("amz-sdk-request", "attempt=2; max=3");
    const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
  }
  SUBCASE("the body changed") {
    OwnedRequest o = sdk_invoke();
    o.body = R"({"prompt":"ho"})";
    const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
    CHECK(f->message == "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  SUBCASE("the query changed") {
    OwnedRequest o = sdk_get();
    o.query = "sessionId=ABC124";
    const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
  }
  SUBCASE("expired") {
    const auto f = sigv4::verify(sdk_get().view(), captured_at() + std::chrono::minutes(16), store, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
    CHECK(f->message ==
          "Signature expired: 20261122T060733Z is now earlier than 20261122T060833Z (20261122T062333Z - 15 min.)");
  }
  SUBCASE("from the future") {
    const auto f = sigv4::verify(sdk_get().view(), captured_at() - std::chrono::minutes(16), store, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
    CHECK(f->message.starts_with("Signature not yet current: 20261122T060733Z is still later than"));
  }
  SUBCASE("malformed Authorization") {
    OwnedRequest o = sdk_get();
    o.set("authorization", "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/bedrock-agentcore/aws4_request");
    const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
    REQUIRE(f);
    CHECK(f->error == "IncompleteSignatureException");
    CHECK(f->message.starts_with("Authorization header requires 'Signature' parameter."));
  }
  SUBCASE("scoped to another service") {
    OwnedRequest o = sdk_get();
    o.set("authorization",
          "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00");
    const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
    REQUIRE(f);
    CHECK(f->error == "InvalidSignatureException");
    CHECK(f->message.starts_with("Credential should be scoped to correct service: 'bedrock-agentcore'."));
  }
  SUBCASE("session token required by the credential") {
    MapStore other;
    other.keys["test"] = sigv4::Credential{"test", "token-1", "123456789012"};
    const auto f = sigv4::verify(sdk_get().view(), captured_at(), other, caller);
    REQUIRE(f);
    CHECK(f->error == "UnrecognizedClientException");
  }
}

namespace {

// A request signed by `sign` over exactly these parts (the way the SDK signer does it).
OwnedRequest signed_get(std::string date_header_name, std::string date_value, std::string host = "127.0.0.1:4599",
                        std::string region = "us-east-1") {
  OwnedRequest o;
  o.method = "GET";
  o.path = "/code-interpreters/aws.codeinterpreter.v1/sessions/get";
  o.query = "sessionId=ABC123";
  o.headers = {{"host", host}, {date_header_name, date_value}};
  std::vector<Header> headers;
  for (const auto& [n, v] : o.headers) headers.push_back({n, v});
  const std::string signed_headers = "host;" + to_lower(date_header_name);
  sigv4::SigningRequest r;
  r.parts = {o.method, o.path, o.query, &headers, signed_headers, sigv4::kEmptySha256};
  r.access_key_id = "test";
  r.secret_access_key = "test";
  r.amz_date = "20261122T060733Z";
  r.region = region;
  o.headers.emplace_back("authorization", sigv4::sign(r));
  return o;
}

// A presigned GET as @smithy/signature-v4's presign() makes it: the X-Amz-* parameters in the
// query, only host signed, the empty body's hash.
OwnedRequest presigned_get(std::int64_t expires, std::string region = "us-east-1") {
  OwnedRequest o;
  o.method = "GET";
  o.path = "/code-interpreters/aws.codeinterpreter.v1/sessions/get";
  const std::string scope = "20261122/" + region + "/bedrock-agentcore/aws4_request";
  o.query = "sessionId=ABC123&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F" +
            percent_encode(scope) + "&X-Amz-Date=20261122T060733Z&X-Amz-Expires=" + std::to_string(expires) +
            "&X-Amz-SignedHeaders=host";
  o.headers = {{"host", "127.0.0.1:4599"}};
  std::vector<Header> headers{{"host", "127.0.0.1:4599"}};
  std::string canonical, sts;
  sigv4::build_canonical_request(canonical, {o.method, o.path, o.query, &headers, "host", sigv4::kEmptySha256});
  sigv4::build_string_to_sign(sts, "20261122T060733Z", scope, canonical);
  const auto key = sigv4::derive_signing_key("test", "20261122", region, "bedrock-agentcore");
  o.query += "&X-Amz-Signature=" + sigv4::signature_hex(key, sts);
  return o;
}

}  // namespace

TEST_CASE("sigv4 presigned requests: accepted within X-Amz-Expires, refused after it") {
  const MapStore store = test_store();
  sigv4::Caller caller;
  const OwnedRequest o = presigned_get(300);
  const auto ok = sigv4::verify(o.view(), captured_at() + std::chrono::seconds(299), store, caller);
  CHECK_MESSAGE(!ok, (ok ? ok->message : std::string()));
  CHECK(caller.access_key_id == "test");
  CHECK(caller.region == "us-east-1");
  const auto expired = sigv4::verify(o.view(), captured_at() + std::chrono::seconds(301), store, caller);
  REQUIRE(expired);
  CHECK(expired->error == "InvalidSignatureException");
  CHECK(expired->message.starts_with("Signature expired: 20261122T060733Z is now earlier than"));
  CHECK(expired->diagnostic.find("X-Amz-Expires") != std::string::npos);

  OwnedRequest tampered = presigned_get(300);
  tampered.query.replace(tampered.query.find("ABC123"), 6, "ABC124");
  const auto bad = sigv4::verify(tampered.view(), captured_at(), store, caller);
  REQUIRE(bad);
  CHECK(bad->error == "InvalidSignatureException");

  const auto week = sigv4::verify(presigned_get(604801).view(), captured_at(), store, caller);
  REQUIRE(week);
  CHECK(week->error == "IncompleteSignatureException");

  OwnedRequest partial = presigned_get(300);
  partial.query = partial.query.substr(0, partial.query.find("&X-Amz-Expires"));
  const auto incomplete = sigv4::verify(partial.view(), captured_at(), store, caller);
  REQUIRE(incomplete);
  CHECK(incomplete->error == "IncompleteSignatureException");
  CHECK(incomplete->message.starts_with("AWS query-string parameters must include 'X-Amz-"));
}

TEST_CASE("sigv4 a Date header stands for X-Amz-Date") {
  const MapStore store = test_store();
  sigv4::Caller caller;
  const OwnedRequest o = signed_get("Date", "Sun, 22 Nov 2026 06:07:33 GMT");
  const auto f = sigv4::verify(o.view(), captured_at(), store, caller);
  CHECK_MESSAGE(!f, (f ? f->message : std::string()));
  const auto late = sigv4::verify(o.view(), captured_at() + std::chrono::minutes(16), store, caller);
  REQUIRE(late);
  CHECK(late->message.starts_with("Signature expired"));
  const OwnedRequest garbled = signed_get("Date", "yesterday");
  const auto g = sigv4::verify(garbled.view(), captured_at(), store, caller);
  REQUIRE(g);
  CHECK(g->error == "IncompleteSignatureException");
}

TEST_CASE("sigv4 a credential scope of another region than the Host's is refused") {
  const MapStore store = test_store();
  sigv4::Caller caller;
  const OwnedRequest same = signed_get("x-amz-date", "20261122T060733Z", "bedrock-agentcore.us-east-1.amazonaws.com");
  CHECK_FALSE(sigv4::verify(same.view(), captured_at(), store, caller));
  const OwnedRequest other = signed_get("x-amz-date", "20261122T060733Z", "bedrock-agentcore.eu-west-1.amazonaws.com");
  const auto f = sigv4::verify(other.view(), captured_at(), store, caller);
  REQUIRE(f);
  CHECK(f->error == "InvalidSignatureException");
  CHECK(f->message == "Credential should be scoped to a valid region, not 'us-east-1'. ");
  CHECK(f->diagnostic.find("eu-west-1") != std::string::npos);
  const OwnedRequest control =
      signed_get("x-amz-date", "20261122T060733Z", "bedrock-agentcore-control.eu-west-1.amazonaws.com:443");
  CHECK(sigv4::verify(control.view(), captured_at(), store, caller));
  // Any other Host (localhost, 127.0.0.1) names no region: every scope is accepted.
  CHECK_FALSE(sigv4::verify(signed_get("x-amz-date", "20261122T060733Z", "localhost:4599", "ap-south-1").view(),
                            captured_at(), store, caller));
}

TEST_CASE("authenticate_head: an upgrade's head, signed in the headers, presigned, or lenient") {
  const MapStore store = test_store();
  Signer signer;
  // Presigned for "https://127.0.0.1/..." (no port, as the bedrock-agentcore package presigns a
  // WebSocket URL) and opened on agentemu's port.
  OwnedRequest o;
  o.method = "GET";
  o.path = "/runtimes/echo_agent-a1b2c3d4e5/ws";
  const std::string scope = "20261122/eu-west-1/bedrock-agentcore/aws4_request";
  o.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F" + percent_encode(scope) +
            "&X-Amz-Date=20261122T060733Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host";
  std::vector<Header> portless{{"host", "127.0.0.1"}};
  std::string canonical, sts;
  sigv4::build_canonical_request(canonical, {o.method, o.path, o.query, &portless, "host", sigv4::kEmptySha256});
  sigv4::build_string_to_sign(sts, "20261122T060733Z", scope, canonical);
  o.query += "&X-Amz-Signature=" + sigv4::signature_hex(sigv4::derive_signing_key("test", "20261122", "eu-west-1",
                                                                                  "bedrock-agentcore"),
                                                        sts);
  o.headers = {{"host", "127.0.0.1:4599"}, {"connection", "Upgrade"}, {"upgrade", "websocket"}};
  const auto f = authenticate_head(o.view(), captured_at(), AuthMode::strict, store, signer);
  CHECK_MESSAGE(!f, (f ? f->message : std::string()));
  CHECK(signer.account == "123456789012");
  CHECK(signer.region == "eu-west-1");
  CHECK(signer.caller.access_key_id == "test");

  // A header-signed head is no presigned URL: its Host is what was signed, port included.
  const OwnedRequest other_port = signed_get("x-amz-date", "20261122T060733Z", "127.0.0.1");
  OwnedRequest moved = other_port;
  moved.set("host", "127.0.0.1:4599");
  CHECK_FALSE(authenticate_head(other_port.view(), captured_at(), AuthMode::strict, store, signer));
  const auto refused = authenticate_head(moved.view(), captured_at(), AuthMode::strict, store, signer);
  REQUIRE(refused);
  CHECK(refused->error == "InvalidSignatureException");

  OwnedRequest unsigned_head;
  unsigned_head.method = "GET";
  unsigned_head.path = o.path;
  unsigned_head.headers = {{"host", "127.0.0.1:4599"}};
  const auto missing = authenticate_head(unsigned_head.view(), captured_at(), AuthMode::strict, store, signer);
  REQUIRE(missing);
  CHECK(missing->error == "MissingAuthenticationTokenException");
  // Lenient: no signature needed; the presigned scope still names the tenant's region.
  CHECK_FALSE(authenticate_head(unsigned_head.view(), captured_at(), AuthMode::lenient, store, signer));
  CHECK(signer.account == "123456789012");
  CHECK(signer.region == "us-east-1");
  CHECK_FALSE(authenticate_head(o.view(), captured_at() + std::chrono::hours(1), AuthMode::lenient, store, signer));
  CHECK(signer.region == "eu-west-1");
}
