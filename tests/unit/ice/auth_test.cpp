// ICE signatures against Alibaba Cloud's published vectors, and the nonce replay cache.
#include <doctest/doctest.h>

#include "core/crypto.hpp"
#include "support/harness.hpp"
#include "vendors/ice/auth.hpp"

using namespace agentemu;
using namespace agentemu::ice;

TEST_CASE("ice V2: the official HMAC-SHA1 vector (DescribeDedicatedHosts)") {
  const KeyValue params[] = {
      {"AccessKeyId", "testid"},
      {"Action", "DescribeDedicatedHosts"},
      {"Format", "JSON"},
      {"RegionId", "cn-beijing"},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb"},
      {"SignatureVersion", "1.0"},
      {"Timestamp", "2023-03-13T08:34:30Z"},
      {"Version", "2014-05-26"},
      {"Signature", "ignored: never part of what is signed"},
  };
  const std::string canonical = v2_canonical_query(params);
  CHECK(canonical ==
        "AccessKeyId=testid&Action=DescribeDedicatedHosts&Format=JSON&RegionId=cn-beijing&SignatureMethod=HMAC-SHA1"
        "&SignatureNonce=edb2b34af0af9a6d14deaf7c1a5315eb&SignatureVersion=1.0&Timestamp=2023-03-13T08%3A34%3A30Z"
        "&Version=2014-05-26");
  const std::string sts = v2_string_to_sign("GET", canonical);
  CHECK(sts ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON%26RegionId%3Dcn-beijing"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2014-05-26");
  CHECK(v2_signature("testsecret", sts) == "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
  CHECK(v2_signature("othersecret", sts) != "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
}

TEST_CASE("ice V2: values are RFC 3986-encoded, !'()* included, and sorted by key") {
  const KeyValue params[] = {{"b", "x y"}, {"a", "!'()*~+"}, {"AIAgentId", "a b"}};
  CHECK(v2_canonical_query(params) == "AIAgentId=a%20b&a=%21%27%28%29%2A~%2B&b=x%20y");
}

TEST_CASE("ice V3: the official ACS3-HMAC-SHA256 vector (RunInstances)") {
  auto call = testing::TestCall::make(
      {.method = "POST",
       .path = "/",
       .query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
       .headers = {{"Host", "ecs.cn-shanghai.aliyuncs.com"},
                   {"x-acs-action", "RunInstances"},
                   {"x-acs-version", "2014-05-26"},
                   {"x-acs-date", "2023-10-26T10:22:32Z"},
                   {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
                   {"x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                   {"Accept", "application/json"}}},
      Clock());
  const KeyValue query[] = {{"RegionId", "cn-shanghai"},
                            {"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"}};
  const std::string signed_headers = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";
  const V3Headers headers = v3_canonical_headers(call->call.request, signed_headers);
  CHECK(headers.signed_line == signed_headers);
  const std::string canonical_request =
      v3_canonical_request("POST", v3_canonical_query(query), headers, hex_lower(sha256("")));
  CHECK(canonical_request ==
        "POST\n/\n"
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
        "host:ecs.cn-shanghai.aliyuncs.com\n"
        "x-acs-action:RunInstances\n"
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-acs-date:2023-10-26T10:22:32Z\n"
        "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
        "x-acs-version:2014-05-26\n"
        "\n"
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string sts = v3_string_to_sign(canonical_request);
  CHECK(sts == "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
  CHECK(v3_signature("YourAccessKeySecret", sts) == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
  CHECK(v3_signature_matches("YourAccessKeySecret", sts, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"));
  CHECK_FALSE(v3_signature_matches("YourAccessKeySecret", sts, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c1"));
  CHECK_FALSE(v3_signature_matches("YourAccessKeySecret", sts, "06563A9E1B43F5DFE96B81484DA74BCEAB24A1D853912EEE15083A6F0F3283C0"));
  CHECK_FALSE(v3_signature_matches("YourAccessKeySecret", sts, "06563a9e"));
  CHECK_FALSE(v3_signature_matches("OtherSecret", sts, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"));
  // Accept is not signed; a header missing from SignedHeaders is caught.
  CHECK(v3_unsigned_header(call->call.request, signed_headers).empty());
  CHECK(v3_unsigned_header(call->call.request, "host;x-acs-action") == "x-acs-version");
  CHECK(v3_unsigned_header(call->call.request, "x-acs-action") == "host");
  // The request path reads SignedHeaders once for both answers.
  const V3SignedHeaders both = v3_signed_headers(call->call.request, signed_headers);
  CHECK(both.unsigned_header.empty());
  CHECK(both.headers.canonical == headers.canonical);
  CHECK(both.headers.signed_line == headers.signed_line);
  CHECK(v3_signed_headers(call->call.request, "host;x-acs-action").unsigned_header == "x-acs-version");
  CHECK(v3_signed_headers(call->call.request, " Host ; X-ACS-Version;x-acs-action;;x-acs-date;x-acs-date")
            .unsigned_header == "x-acs-signature-nonce");
}

TEST_CASE("ice V3: Authorization parsing") {
  const auto a = parse_v3_authorization(
      "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc123");
  REQUIRE(a);
  CHECK(a->algorithm == "ACS3-HMAC-SHA256");
  CHECK(a->credential == "AK");
  CHECK(a->signed_headers == "host;x-acs-date");
  CHECK(a->signature == "abc123");
  CHECK_FALSE(parse_v3_authorization("ACS3-HMAC-SHA256"));
  CHECK_FALSE(parse_v3_authorization("ACS3-HMAC-SHA256 Credential=AK,Signature=abc"));
  CHECK_FALSE(parse_v3_authorization("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=x,Extra=1"));
  CHECK_FALSE(parse_v3_authorization(""));
  const auto spaced = parse_v3_authorization("ACS3-HMAC-SHA256 Credential=AK , SignedHeaders= host ,Signature=abc ");
  REQUIRE(spaced);
  CHECK(spaced->signed_headers == "host");
  CHECK(spaced->signature == "abc");
  CHECK_FALSE(parse_v3_authorization("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=abc,"));
  CHECK_FALSE(parse_v3_authorization("ACS3-HMAC-SHA256 ,Credential=AK,SignedHeaders=host,Signature=abc"));
}

TEST_CASE("ice V3: repeated headers are trimmed, sorted and joined; names lowercased and sorted") {
  auto call = testing::TestCall::make(
      {.headers = {{"X-Acs-B", " 2 "}, {"x-acs-a", "z"}, {"x-acs-b", "1"}, {"Host", "h"}}}, Clock());
  const V3Headers h = v3_canonical_headers(call->call.request, "x-acs-b;Host;x-acs-a");
  CHECK(h.canonical == "host:h\nx-acs-a:z\nx-acs-b:1,2\n");
  CHECK(h.signed_line == "host;x-acs-a;x-acs-b");
  // Capitals and spaces in the list, and a name listed twice, come out as one lowercase name.
  const V3Headers listed = v3_canonical_headers(call->call.request, " X-ACS-B ;host;x-acs-a;X-Acs-A;");
  CHECK(listed.canonical == h.canonical);
  CHECK(listed.signed_line == h.signed_line);
}

namespace {

// A request signed by a client whose clock agrees with the emulator's.
NonceCache::Verdict signed_now(NonceCache& cache, std::string_view key, std::string_view nonce, SystemTime now) {
  return cache.remember(key, nonce, now, now);
}

}  // namespace

TEST_CASE("ice nonces: a reuse inside 15 minutes is caught, per access key") {
  using V = NonceCache::Verdict;
  using std::chrono::minutes, std::chrono::seconds;
  const SystemTime t0 = from_epoch_millis(1'700'000'000'000);
  NonceCache cache;
  CHECK(signed_now(cache, "ak", "n1", t0) == V::fresh);
  CHECK(signed_now(cache, "ak", "n1", t0 + minutes(14)) == V::replayed);
  CHECK(signed_now(cache, "other", "n1", t0) == V::fresh);  // another key's nonce space
  // Exactly 15 minutes is still accepted by the time check, so still a replay.
  CHECK(signed_now(cache, "ak", "n1", t0 + minutes(15)) == V::replayed);
  CHECK(signed_now(cache, "ak", "n1", t0 + minutes(15) + seconds(1)) == V::fresh);  // out of the window
  CHECK(signed_now(cache, "ak", "n1", t0 + minutes(30)) == V::replayed);  // ... and remembered from then
  CHECK(cache.size() == 1);  // "other" left the window
  cache.clear();
  CHECK(cache.size() == 0);
}

TEST_CASE("ice nonces: kept by the signed time, so a skewed client's replay is caught as long as it passes the time check") {
  using V = NonceCache::Verdict;
  using std::chrono::minutes;
  const SystemTime t0 = from_epoch_millis(1'700'000'000'000);
  NonceCache cache;
  // A client 10 minutes ahead: its requests stay within the window until t0 + 25.
  CHECK(cache.remember("ak", "ahead", t0 + minutes(10), t0) == V::fresh);
  CHECK(cache.remember("ak", "ahead", t0 + minutes(10), t0 + minutes(20)) == V::replayed);
  CHECK(cache.remember("ak", "ahead", t0 + minutes(10), t0 + minutes(25)) == V::replayed);
  CHECK(cache.remember("ak", "ahead", t0 + minutes(26), t0 + minutes(26)) == V::fresh);
  // A client 10 minutes behind, then the emulator's clock moved back 20 minutes: the request is
  // now 10 minutes ahead, still acceptable, and its nonce still caught.
  NonceCache back;
  CHECK(back.remember("ak", "behind", t0 - minutes(10), t0) == V::fresh);
  CHECK(back.remember("ak", "behind", t0 - minutes(10), t0 - minutes(20)) == V::replayed);
}

TEST_CASE("ice nonces: when full of live nonces, new ones are refused, never an old one forgotten") {
  using V = NonceCache::Verdict;
  using std::chrono::minutes;
  const SystemTime t0 = from_epoch_millis(1'700'000'000'000);
  NonceCache capped(2, 3);
  CHECK(signed_now(capped, "ak", "a", t0) == V::fresh);
  CHECK(signed_now(capped, "ak", "b", t0 + minutes(1)) == V::fresh);
  CHECK(signed_now(capped, "ak", "c", t0 + minutes(2)) == V::key_full);  // nothing evicted ...
  CHECK(signed_now(capped, "ak", "a", t0 + minutes(2)) == V::replayed);  // ... so "a" is still caught
  CHECK(signed_now(capped, "bk", "a", t0 + minutes(2)) == V::fresh);
  CHECK(signed_now(capped, "ck", "a", t0 + minutes(2)) == V::full);  // all keys together
  CHECK(capped.size() == 3);
  // As each leaves the window, room comes back, and only the ones outside it are forgotten.
  CHECK(signed_now(capped, "ak", "c", t0 + minutes(16)) == V::fresh);  // "a" left
  CHECK(signed_now(capped, "ak", "b", t0 + minutes(16)) == V::replayed);
  CHECK(signed_now(capped, "ck", "a", t0 + minutes(16)) == V::full);
  CHECK(signed_now(capped, "ck", "a", t0 + minutes(17)) == V::fresh);  // "b" left
}

TEST_CASE("ice nonces: the clock moved back forgets the nonces from its future, and only those") {
  using V = NonceCache::Verdict;
  using std::chrono::minutes, std::chrono::hours;
  const SystemTime t0 = from_epoch_millis(1'700'000'000'000);
  NonceCache cache(4, 8);
  CHECK(signed_now(cache, "ak", "early", t0) == V::fresh);
  CHECK(signed_now(cache, "ak", "late", t0 + minutes(14)) == V::fresh);
  // Back to t0 + 1: "late" is 13 minutes ahead, still inside the window either side.
  CHECK(signed_now(cache, "ak", "late", t0 + minutes(1)) == V::replayed);
  // Back to t0 - 2: "late" is 16 minutes ahead, outside: it is used again now, and remembered
  // from now on; "early", 2 minutes ahead, is still caught.
  CHECK(signed_now(cache, "ak", "late", t0 - minutes(2)) == V::fresh);
  CHECK(signed_now(cache, "ak", "early", t0 - minutes(2)) == V::replayed);
  CHECK(signed_now(cache, "ak", "x", t0 + minutes(12)) == V::fresh);
  CHECK(signed_now(cache, "ak", "late", t0 + minutes(12)) == V::replayed);  // 14 minutes after its reuse
  CHECK(cache.size() == 3);
  CHECK(signed_now(cache, "ak", "y", t0 + minutes(14)) == V::fresh);  // "late" (t0 - 2) leaves
  CHECK(cache.size() == 3);
  // Forward past everything, then far back: nothing outside the window is kept.
  CHECK(signed_now(cache, "ak", "y", t0 + hours(2)) == V::fresh);
  CHECK(signed_now(cache, "ak", "z", t0 - hours(2)) == V::fresh);
  CHECK(cache.size() == 1);
}
