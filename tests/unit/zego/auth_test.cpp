// Signature 2.0 against ZEGO's published vector, and the gateway's checks in their order.
#include <doctest/doctest.h>

#include <string>

#include "vendors/zego/auth.hpp"

using namespace agentemu;
using namespace agentemu::zego;

namespace {

const std::string kSecret = "9193cc662a4c0ec135ec71fb57194b38";

SystemTime at_epoch(std::int64_t seconds) { return SystemTime(std::chrono::seconds(seconds)); }

struct Case {
  std::string_view host = "aigc-aiagent-api.zegotech.cn";
  std::string_view action = "QueryAgentInstanceStatus";
  bool action_known = true;
  std::string_view app_id = "12345";
  std::string_view nonce = "4fd24687296dd9f3";
  std::string_view timestamp = "1615186943";
  std::string_view signature = "43e5cfcca828314675f91b001390566a";
  std::string_view version = "2.0";
  std::int64_t now = 1615186943;
  bool lenient = false;

  GatewayVerdict run() const {
    const PublicParams p{action, app_id, nonce, timestamp, signature, version};
    const auto find = [](std::uint32_t id) -> const std::string* { return id == 12345 ? &kSecret : nullptr; };
    return check_gateway(host, p, action_known, find, at_epoch(now), lenient);
  }
};

}  // namespace

TEST_CASE("zego signature 2.0 matches ZEGO's published test vector") {
  // SigningTheRequestEN.mdx, Go sample: 12345 / 4fd24687296dd9f3 / 9193cc66... / 1615186943.
  CHECK(sign("12345", "4fd24687296dd9f3", kSecret, "1615186943") == "43e5cfcca828314675f91b001390566a");
  // Any change to a part changes the signature.
  CHECK(sign("12346", "4fd24687296dd9f3", kSecret, "1615186943") != "43e5cfcca828314675f91b001390566a");
  CHECK(sign("12345", "4fd24687296dd9f3", kSecret, "1615186944") != "43e5cfcca828314675f91b001390566a");
}

TEST_CASE("zego gateway accepts the published vector inside the 10-minute window") {
  Case c;
  CHECK(c.run().code == 0);
  CHECK(c.run().app_id == 12345);
  c.now = 1615186943 + 600;
  CHECK(c.run().code == 0);
  c.now = 1615186943 - 600;
  CHECK(c.run().code == 0);
}

TEST_CASE("zego gateway answers each bad public parameter with its documented code") {
  SUBCASE("100000000 a zegotech.cn host that is not the AI Agent gateway") {
    Case c;
    c.host = "rtc-api.zegotech.cn";
    CHECK(c.run().code == 100000000);
    c.host = "aigc-aiagent-api-sha.zegotech.cn";  // a regional gateway is fine
    CHECK(c.run().code == 0);
    c.host = "localhost";
    CHECK(c.run().code == 0);
  }
  SUBCASE("100000006 empty Action") {
    Case c;
    c.action = "";
    CHECK(c.run().code == 100000006);
  }
  SUBCASE("100000007 unsupported Action") {
    Case c;
    c.action = "StopAIAgentInstance";
    c.action_known = false;
    CHECK(c.run().code == 100000007);
  }
  SUBCASE("100000001 AppId not a uint32") {
    for (const char* bad : {"", "abc", "-1", "4294967296", "12.5", " 12345"}) {
      Case c;
      c.app_id = bad;
      CAPTURE(bad);
      CHECK(c.run().code == 100000001);
    }
  }
  SUBCASE("100000010 unknown AppId") {
    Case c;
    c.app_id = "54321";
    CHECK(c.run().code == 100000010);
  }
  SUBCASE("100000002 empty Timestamp") {
    Case c;
    c.timestamp = "";
    CHECK(c.run().code == 100000002);
  }
  SUBCASE("100000003 Timestamp not an integer") {
    for (const char* bad : {"abc", "1615186943.5", "2021-03-08T07:02:23Z"}) {
      Case c;
      c.timestamp = bad;
      CHECK(c.run().code == 100000003);
    }
  }
  SUBCASE("100000004 outside 10 minutes of the clock, either way") {
    Case c;
    c.now = 1615186943 + 601;
    CHECK(c.run().code == 100000004);
    c.now = 1615186943 - 601;
    CHECK(c.run().code == 100000004);
    c.timestamp = "1615186943000";  // milliseconds are far in the future
    c.now = 1615186943;
    CHECK(c.run().code == 100000004);
  }
  SUBCASE("100000008 empty SignatureNonce") {
    Case c;
    c.nonce = "";
    CHECK(c.run().code == 100000008);
  }
  SUBCASE("100000009 empty Signature") {
    Case c;
    c.signature = "";
    CHECK(c.run().code == 100000009);
  }
  SUBCASE("100000013 empty SignatureVersion") {
    Case c;
    c.version = "";
    CHECK(c.run().code == 100000013);
  }
  SUBCASE("100000014 unsupported SignatureVersion") {
    Case c;
    c.version = "1.0";
    CHECK(c.run().code == 100000014);
  }
  SUBCASE("100000005 wrong signature") {
    Case c;
    c.signature = "43e5cfcca828314675f91b001390566b";
    CHECK(c.run().code == 100000005);
    c.signature = "43E5CFCCA828314675F91B001390566A";  // the docs require lowercase
    CHECK(c.run().code == 100000005);
    c.signature = "43e5cfcca828314675f91b00139056";
    CHECK(c.run().code == 100000005);
  }
  SUBCASE("a nonce that is not 16 hex digits is fine (ZEGO's own examples send others)") {
    Case c;
    c.nonce = "15215528852396";
    const std::string decimal = sign(c.app_id, c.nonce, kSecret, c.timestamp);
    c.signature = decimal;
    CHECK(c.run().code == 0);
    c.nonce = "k3j5h2l9xq";
    const std::string base36 = sign(c.app_id, c.nonce, kSecret, c.timestamp);
    c.signature = base36;
    CHECK(c.run().code == 0);
  }
}

TEST_CASE("zego gateway checks run in the documented order") {
  Case c;
  c.action = "";
  c.app_id = "x";
  c.timestamp = "";
  c.signature = "";
  CHECK(c.run().code == 100000006);  // Action before AppId
  c.action = "QueryAgentInstanceStatus";
  CHECK(c.run().code == 100000001);  // AppId before Timestamp
  c.app_id = "12345";
  CHECK(c.run().code == 100000002);  // Timestamp before Signature
  c.timestamp = "1";
  CHECK(c.run().code == 100000004);  // expiry before the empty nonce/signature checks
  c.timestamp = "1615186943";
  c.nonce = "";
  CHECK(c.run().code == 100000008);  // nonce before Signature
  c.nonce = "4fd24687296dd9f3";
  CHECK(c.run().code == 100000009);  // Signature before SignatureVersion
  c.signature = "deadbeef";
  c.version = "";
  CHECK(c.run().code == 100000013);  // SignatureVersion before the signature match
  c.version = "2.0";
  CHECK(c.run().code == 100000005);
}

TEST_CASE("zego lenient auth skips the window and the signature match, not the shape") {
  Case c;
  c.lenient = true;
  c.signature = "anything";
  c.now = 1615186943 + 86400;
  CHECK(c.run().code == 0);
  c.version = "3.0";
  CHECK(c.run().code == 100000014);
}
