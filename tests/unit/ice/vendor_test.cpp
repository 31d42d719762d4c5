// The ICE vendor without sockets: routing claims, decoding, the error catalogue and envelope,
// validation from the table, state transitions, fixtures, XML, lenient mode.
#include <doctest/doctest.h>

#include <cctype>
#include <map>
#include <vector>

#include "core/crypto.hpp"
#include "core/uri.hpp"
#include "support/harness.hpp"
#include "vendors/ice/auth.hpp"
#include "vendors/ice/errors.hpp"
#include "vendors/ice/ice_vendor.hpp"
#include "vendors/ice/xml.hpp"

using namespace agentemu;
using namespace agentemu::ice;
using agentemu::testing::TestCall;
using agentemu::testing::TestCore;
using agentemu::testing::TestRequest;

namespace {

constexpr std::string_view kFixture = R"({
  "accessKeys": [
    {"accessKeyId": "testid", "accessKeySecret": "testsecret"},
    {"accessKeyId": "stoponly", "accessKeySecret": "s2", "allow": ["ice:Stop*"], "account": "testid"},
    {"accessKeyId": "bench", "accessKeySecret": "b", "allowNonceReuse": true}
  ],
  "agents": [{"AIAgentId": "agent-1"}, {"AIAgentId": "agent-avatar", "type": "avatar"}],
  "instances": [{"InstanceId": "fixture-instance", "AIAgentId": "agent-1", "RuntimeConfig": {"ChannelId": "c"},
                 "GmtCreate": "2025-07-18T06:39:08Z"}],
  "phoneNumbers": [{"PhoneNumber": "057188880000"}]
})";

struct Fixture {
  explicit Fixture(AuthMode auth = AuthMode::strict) : core(auth), vendor(core.context()) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(kFixture, doc, JsonDialect::relaxed));
    REQUIRE_FALSE(vendor.check_fixture(doc, "/ice"));
    vendor.apply_fixture(doc);
  }

  // A V2-signed request with `params` (plus the common ones) in the query.
  std::shared_ptr<TestCall> v2(std::string action, std::map<std::string, std::string> params,
                               std::string key = "testid", std::string secret = "testsecret",
                               std::string nonce = random_hex(16)) {
    params["Action"] = std::move(action);
    params["Version"] = "2020-11-09";
    params["Format"] = params.count("Format") ? params["Format"] : "JSON";
    params["AccessKeyId"] = std::move(key);
    params["SignatureMethod"] = "HMAC-SHA1";
    params["SignatureVersion"] = "1.0";
    params["SignatureNonce"] = std::move(nonce);
    params["Timestamp"] = format_iso8601_seconds(core.clock.now());
    std::vector<KeyValue> kv;
    for (const auto& [k, v] : params) kv.push_back({k, v});
    const std::string canonical = v2_canonical_query(kv);
    const std::string signature = v2_signature(secret, v2_string_to_sign("GET", canonical));
    return TestCall::make({.method = "GET", .query = canonical + "&Signature=" + percent_encode(signature)}, core.clock);
  }

  JsonDocument run(TestCall& call) {
    call.run(vendor);
    JsonDocument doc;
    parse_json(call.call.response.body, doc);
    return doc;
  }

  TestCore core;
  IceVendor vendor;
};

std::string code_of(const JsonDocument& doc) {
  const JsonValue* code = json_member(doc, "Code");
  return code != nullptr && code->IsString() ? code->GetString() : "";
}
std::string message_of(const JsonDocument& doc) {
  const JsonValue* m = json_member(doc, "Message");
  return m != nullptr && m->IsString() ? m->GetString() : "";
}

}  // namespace

TEST_CASE("ice claims requests at / by header, query or form body marks") {
  Fixture f;
  const auto claims = [&](TestRequest r) { return f.vendor.claims(TestCall::make(std::move(r), f.core.clock)->call.request); };
  CHECK(claims({.headers = {{"x-acs-action", "StopAIAgentInstance"}}}));
  CHECK(claims({.query = "Action=X&Version=2020-11-09"}));
  CHECK(claims({.query = "SignatureMethod=HMAC-SHA1"}));
  CHECK(claims({.method = "POST", .headers = {{"Content-Type", "application/x-www-form-urlencoded"}}, .body = "a=1&Version=2020-11-09"}));
  CHECK_FALSE(claims({.method = "POST", .headers = {{"Content-Type", "application/json"}}, .body = "Version=2020-11-09"}));
  CHECK_FALSE(claims({.query = "Version=2019-01-01&AppId=1&SignatureVersion=2.0"}));
  CHECK_FALSE(claims({}));
}

TEST_CASE("ice life: start, describe, stop, and a second stop is IncorrectInstanceStatus") {
  Fixture f;
  auto start = f.v2("StartAIAgentInstance", {{"AIAgentId", "agent-1"}, {"RuntimeConfig", R"({"ChannelId":"ch"})"},
                                              {"AgentConfig", R"({"Greeting":"hi"})"}, {"UserData", "{\"a\":1}"}});
  const JsonDocument started = f.run(*start);
  REQUIRE(start->call.response.status == 200);
  CHECK(start->call.response.content_type == "application/json;charset=utf-8");
  const std::string id = started["InstanceId"].GetString();
  CHECK(id.size() == 32);
  CHECK(start->call.response.header("x-acs-request-id") == started["RequestId"].GetString());

  auto describe = f.v2("DescribeAIAgentInstance", {{"InstanceId", id}});
  JsonDocument d = f.run(*describe);
  REQUIRE(describe->call.response.status == 200);
  CHECK(std::string(d["Instance"]["Status"].GetString()) == "Executing");
  CHECK(d["Instance"]["RuntimeConfig"].IsObject());
  CHECK(std::string(d["Instance"]["RuntimeConfig"]["ChannelId"].GetString()) == "ch");
  CHECK(d["Instance"]["UserData"].IsString());

  auto stop = f.v2("StopAIAgentInstance", {{"InstanceId", id}});
  f.run(*stop);
  CHECK(stop->call.response.status == 200);
  auto again = f.v2("StopAIAgentInstance", {{"InstanceId", id}});
  const JsonDocument e = f.run(*again);
  CHECK(again->call.response.status == 403);
  CHECK(code_of(e) == "IncorrectInstanceStatus");
  CHECK(again->call.error_code == "IncorrectInstanceStatus");

  auto fixture = f.v2("DescribeAIAgentInstance", {{"InstanceId", "fixture-instance"}});
  d = f.run(*fixture);
  CHECK(std::string(d["Instance"]["GmtCreate"].GetString()) == "2025-07-18T06:39:08.000+00:00");
}

TEST_CASE("ice validation: Missing<Name>, InvalidParameter with the JSON member's full path, update rules") {
  Fixture f;
  auto missing = f.v2("StopAIAgentInstance", {});
  JsonDocument e = f.run(*missing);
  CHECK(code_of(e) == "MissingInstanceId");
  CHECK(message_of(e) == "InstanceId is mandatory for this action.");
  CHECK(missing->call.response.status == 400);

  auto nested = f.v2("StartAIAgentInstance", {{"AIAgentId", "agent-1"}, {"RuntimeConfig", "{}"},
                                               {"AgentConfig", R"({"AsrConfig":{"VadLevel":12}})"}});
  e = f.run(*nested);
  CHECK(code_of(e) == "InvalidParameter");
  CHECK(message_of(e) ==
        "The specified parameter \"AgentConfig.AsrConfig.VadLevel\" is not valid: "
        "AgentConfig.AsrConfig.VadLevel must be less than or equal to 11.");

  auto page = f.v2("ListAIAgentInstance", {{"AIAgentId", "agent-1"}, {"PageSize", "101"}});
  e = f.run(*page);
  CHECK(message_of(e) == "The specified parameter \"PageSize\" is not valid: PageSize must be less than or equal to 100.");

  auto update = f.v2("UpdateAIAgentInstance", {{"InstanceId", "fixture-instance"}, {"AgentConfig", R"({"TtsConfig":{"ModelId":"x"}})"}});
  e = f.run(*update);
  CHECK(code_of(e) == "InvalidParameter");
  CHECK(message_of(e).find("\"AgentConfig.TtsConfig.ModelId\"") != std::string::npos);
  auto allowed = f.v2("UpdateAIAgentInstance", {{"InstanceId", "fixture-instance"},
                                                 {"AgentConfig", R"({"TtsConfig":{"VoiceId":"v"},"Volume":10})"},
                                                 {"TemplateConfig", R"({"VoiceChat":{"AsrMaxSilence":400}})"}});
  f.run(*allowed);
  CHECK(allowed->call.response.status == 200);
}

TEST_CASE("ice decode: duplicates, malformed encoding, Format and path are refused in the envelope") {
  Fixture f;
  const auto answer = [&](TestRequest r) {
    auto call = TestCall::make(std::move(r), f.core.clock);
    JsonDocument doc;
    call->run(f.vendor);
    parse_json(call->call.response.body, doc);
    return std::pair(call->call.response.status, code_of(doc) + " | " + message_of(doc));
  };
  CHECK(answer({.query = "Version=2020-11-09&Action=StopAIAgentInstance&Action=StopAIAgentInstance"}) ==
        std::pair(400, std::string("InvalidParameter | The specified parameter \"Action\" is not valid: it is given more than once.")));
  CHECK(answer({.query = "Version=2020-11-09&Text=%G1"}).second.starts_with("InvalidParameter | The specified parameter \"Text\""));
  CHECK(answer({.query = "Version=2020-11-09&Action=StopAIAgentInstance&Format=CSV"}).second.starts_with("InvalidParameter"));
  CHECK(answer({.path = "/v1/x", .query = "Version=2020-11-09"}).first == 404);
  CHECK(answer({.method = "DELETE", .query = "Version=2020-11-09"}).second.starts_with("InvalidAction.NotFound"));
  CHECK(answer({.query = "Version=2020-11-09&Action=Nope"}) ==
        std::pair(404, std::string("InvalidAction.NotFound | Specified api is not found, please check your url and method.")));
}

TEST_CASE("ice auth: nonce reuse, the bench key's replay switch, the allow list") {
  Fixture f;
  auto first = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "testid", "testsecret", "n-1");
  f.run(*first);
  CHECK(first->call.response.status == 200);
  auto replay = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "testid", "testsecret", "n-1");
  CHECK(code_of(f.run(*replay)) == "SignatureNonceUsed");
  for (int i = 0; i < 3; ++i) {
    auto bench = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "bench", "b", "same");
    f.run(*bench);
    CHECK(bench->call.response.status == 200);
  }
  auto denied = f.v2("DescribeAIAgentInstance", {{"InstanceId", "fixture-instance"}}, "stoponly", "s2");
  const JsonDocument e = f.run(*denied);
  CHECK(denied->call.response.status == 403);
  CHECK(code_of(e) == "Forbidden.RAM");
  CHECK(std::string(e["AccessDeniedDetail"]["AuthAction"].GetString()) == "ice:DescribeAIAgentInstance");
  auto stop = f.v2("StopAIAgentInstance", {{"InstanceId", "fixture-instance"}}, "stoponly", "s2");
  f.run(*stop);
  CHECK(stop->call.response.status == 200);  // the same account as testid
  auto bad = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "testid", "wrong");
  const JsonDocument m = f.run(*bad);
  CHECK(code_of(m) == "SignatureDoesNotMatch");
  CHECK(message_of(m).starts_with("Specified signature is not matched with our calculation. server string to sign is:GET&%2F&AIAgentId%3Dagent-1%26AccessKeyId%3Dtestid%26Action%3DGetAIAgentConcurrency"));
}

TEST_CASE("ice lenient: unknown keys and bad signatures pass; missing parameters do not") {
  Fixture f(AuthMode::lenient);
  auto anyone = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "who", "ever");
  f.run(*anyone);
  CHECK(anyone->call.response.status == 200);
  auto missing = f.v2("GetAIAgentConcurrency", {}, "who", "ever");
  CHECK(code_of(f.run(*missing)) == "MissingAIAgentId");
}

TEST_CASE("ice catalogue: render_error for scenarios, Throttling carries x-acs-retry-after") {
  Fixture f;
  CHECK(f.vendor.knows_error("Throttling.User"));
  CHECK(f.vendor.knows_error("Forbidden.RAM"));
  CHECK(f.vendor.knows_error("MissingInstanceId"));
  CHECK_FALSE(f.vendor.knows_error("Missing"));
  CHECK_FALSE(f.vendor.knows_error("Missingfoo"));
  CHECK_FALSE(f.vendor.knows_error("NoSuchCode"));

  auto call = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}});
  REQUIRE(f.vendor.decode(call->call));
  f.vendor.render_error(call->call, {"Throttling.User", "", 0, -1});
  CHECK(call->call.response.status == 400);
  CHECK(call->call.response.header("x-acs-retry-after") == "1");
  JsonDocument doc;
  parse_json(call->call.response.body, doc);
  CHECK(code_of(doc) == "Throttling.User");
  CHECK(message_of(doc) == "Request was denied due to user flow control.");
  CHECK(std::string(doc["Recommend"].GetString()).starts_with("https://api.aliyun.com/troubleshoot?q=Throttling.User&product=ICE&requestId="));

  call->call.response.clear();
  f.vendor.render_error(call->call, {"ServiceUnavailable", "down for maintenance", 0, 30});
  CHECK(call->call.response.status == 503);
  CHECK(call->call.response.header("x-acs-retry-after") == "30");
  call->call.response.clear();
  f.vendor.render_error(call->call, {"MissingSessionId", "", 0, -1});
  parse_json(call->call.response.body, doc);
  CHECK(message_of(doc) == "SessionId is mandatory for this action.");
  CHECK(call->call.response.header("x-acs-retry-after").empty());
  CHECK(f.vendor.param(call->call, "AIAgentId") == "agent-1");
  CHECK(f.vendor.param(call->call, "Action") == "GetAIAgentConcurrency");
  CHECK_FALSE(f.vendor.param(call->call, "Nope"));
}

TEST_CASE("ice Format=XML: success root <Action>Response, arrays repeat their element") {
  Fixture f;
  auto list = f.v2("ListAIAgentPhoneNumber", {{"Format", "xml"}});
  f.run(*list);
  CHECK(list->call.response.content_type == "text/xml;charset=utf-8");
  const std::string& body = list->call.response.body;
  CHECK(body.starts_with("<?xml version='1.0' encoding='UTF-8'?><ListAIAgentPhoneNumberResponse><RequestId>"));
  CHECK(body.find("<Data><PhoneNumber>057188880000</PhoneNumber><Status>2</Status></Data><PageNumber>1</PageNumber>") != std::string::npos);

  JsonDocument doc;
  parse_json(R"({"A":[1,{"B":"x<y"}],"C":{"D":true,"E":null}})", doc);
  CHECK(json_to_xml("R", doc) == "<?xml version='1.0' encoding='UTF-8'?><R><A>1</A><A><B>x&lt;y</B></A><C><D>true</D><E></E></C></R>");
}

TEST_CASE("ice fixtures: mistakes are named by JSON pointer") {
  Fixture f;
  const auto issue = [&](std::string_view text) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(text, doc));
    const auto found = f.vendor.check_fixture(doc, "/ice");
    return found ? found->pointer + ": " + found->message : std::string("ok");
  };
  CHECK(issue(R"({"accessKeys":[{"accessKeyId":"a"}]})") == "/ice/accessKeys/0/accessKeySecret: is required");
  CHECK(issue(R"({"accessKeys":[{"accessKeyId":"a","accessKeySecret":"b","allow":["ice:[x"]}]})") ==
        "/ice/accessKeys/0/allow/0: bad glob: a '[' class is not closed");
  CHECK(issue(R"({"accessKeys":[{"accessKeyId":"a","accessKeySecret":"b","secret":"c"}]})").starts_with("/ice/accessKeys/0/secret: unknown key"));
  CHECK(issue(R"({"agents":[{"AIAgentId":"a","type":"robot"}]})") == "/ice/agents/0/type: must be voice, avatar or vision");
  CHECK(issue(R"({"instances":[{"InstanceId":"i","AIAgentId":"a"}]})") ==
        "/ice/instances/0: needs an account (this section has no accessKeys to take it from)");
  CHECK(issue(R"({"instances":[{"InstanceId":"i","AIAgentId":"a","account":"x","GmtCreate":"yesterday"}]})").starts_with("/ice/instances/0/GmtCreate"));
  CHECK(issue(R"({"phoneNumbers":[{"PhoneNumber":"1","Status":9,"account":"x"}]})").starts_with("/ice/phoneNumbers/0/Status"));
  CHECK(issue(R"({"keys":[]})").starts_with("/ice/keys: unknown key"));
  CHECK(issue(R"([])") == "/ice: must be an object, not array");
  CHECK(issue(R"({"instances":[{"InstanceId":"i","AIAgentId":"a","account":"x","Status":"Finished"}]})") == "ok");

  // clear_state forgets keys, instances and nonces.
  f.vendor.clear_state();
  auto after = f.v2("DescribeAIAgentInstance", {{"InstanceId", "fixture-instance"}});
  CHECK(code_of(f.run(*after)) == "InvalidAccessKeyId.NotFound");
}

namespace {

// Every tag of `xml` (after the declaration) has a valid XML name and closes in order.
bool well_formed(std::string_view xml) {
  constexpr std::string_view kDeclaration = "<?xml version='1.0' encoding='UTF-8'?>";
  if (!xml.starts_with(kDeclaration)) return false;
  xml.remove_prefix(kDeclaration.size());
  const auto start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  const auto rest = [&](char c) { return start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'; };
  std::vector<std::string_view> open;
  for (std::size_t i = 0; i < xml.size(); ++i) {
    if (xml[i] == '>') return false;  // text never holds a raw '>'
    if (xml[i] != '<') continue;
    const bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
    const std::size_t name_at = i + (closing ? 2 : 1);
    const std::size_t end = xml.find('>', name_at);
    if (end == std::string_view::npos || end == name_at) return false;
    const std::string_view name = xml.substr(name_at, end - name_at);
    if (!start(name.front())) return false;
    for (char c : name) {
      if (!rest(c)) return false;
    }
    if (closing) {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else {
      open.push_back(name);
    }
    i = end;
  }
  return open.empty();
}

}  // namespace

TEST_CASE("ice Format=XML: member names that are not XML names are encoded, so the answer stays well-formed") {
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(
      R"({"a b":1,"<x":{"1st":"v","ok-1.x":[true]},"":2,"é":3,"x:y":4,"tab\t":5,"a_x0020_b":6,"my_xy":7,"_":8})", doc));
  const std::string xml = json_to_xml("R", doc);
  CHECK(well_formed(xml));
  CHECK(xml.find("<a_x0020_b>1</a_x0020_b>") != std::string::npos);
  CHECK(xml.find("<_x003C_x><_x0031_st>v</_x0031_st><ok-1.x>true</ok-1.x></_x003C_x>") != std::string::npos);
  CHECK(xml.find("<_x_>2</_x_>") != std::string::npos);
  CHECK(xml.find("<_x00E9_>3</_x00E9_>") != std::string::npos);
  CHECK(xml.find("<x_x003A_y>4</x_x003A_y>") != std::string::npos);
  CHECK(xml.find("<tab_x0009_>5</tab_x0009_>") != std::string::npos);
  // A name that looks like an escape is escaped itself, so it cannot meet the name it mimics.
  CHECK(xml.find("<a_x005F_x0020_b>6</a_x005F_x0020_b>") != std::string::npos);
  CHECK(xml.find("<my_x005F_xy>7</my_x005F_xy>") != std::string::npos);
  CHECK(xml.find("<_>8</_>") != std::string::npos);

  // Names a client chose, echoed by DescribeAIAgentInstance.
  Fixture f;
  auto start = f.v2("StartAIAgentInstance",
                    {{"AIAgentId", "agent-1"}, {"RuntimeConfig", R"({"ChannelId":"c","a b":"1","<x":{"y>":"&"}})"}});
  const JsonDocument started = f.run(*start);
  REQUIRE(start->call.response.status == 200);
  auto describe = f.v2("DescribeAIAgentInstance", {{"InstanceId", started["InstanceId"].GetString()}, {"Format", "XML"}});
  f.run(*describe);
  REQUIRE(describe->call.response.status == 200);
  const std::string& body = describe->call.response.body;
  CHECK_MESSAGE(well_formed(body), body);
  CHECK(body.find("<RuntimeConfig><ChannelId>c</ChannelId><a_x0020_b>1</a_x0020_b><_x003C_x><y_x003E_>&amp;</y_x003E_></_x003C_x></RuntimeConfig>") !=
        std::string::npos);
}

TEST_CASE("ice nonces: a cache full of live nonces refuses new requests, never forgets one inside the window") {
  Fixture f;
  // Fill testid's share with nonces used just now.
  const SystemTime now = f.core.clock.now();
  for (std::size_t i = 0; i < NonceCache::kDefaultPerKey; ++i) {
    REQUIRE(f.vendor.nonces().remember("testid", "filler-" + std::to_string(i), now, now) == NonceCache::Verdict::fresh);
  }
  auto refused = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}});
  const JsonDocument e = f.run(*refused);
  CHECK(refused->call.response.status == 400);
  CHECK(code_of(e) == "Throttling.User");
  // A replay of a remembered one is still a replay, and another key is not throttled.
  auto replay = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "testid", "testsecret", "filler-0");
  CHECK(code_of(f.run(*replay)) == "SignatureNonceUsed");
  auto other = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "stoponly", "s2");
  f.run(*other);
  CHECK(other->call.response.status == 403);  // past the nonce check: refused by the allow list only
  // Once the window has passed, the key's nonces are forgotten and requests pass again.
  f.core.clock.set_offset(std::chrono::minutes(16));
  auto later = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}});
  f.run(*later);
  CHECK(later->call.response.status == 200);
  CHECK(f.vendor.nonces().size() == 1);  // the fillers and stoponly's went with the window
}

TEST_CASE("ice instances: Finished ones (and dialogues nobody else has) go after the retention; counts never scan") {
  Fixture f;
  const auto start = [&](std::string session) {
    auto call = f.v2("StartAIAgentInstance", {{"AIAgentId", "agent-1"}, {"RuntimeConfig", R"({"ChannelId":"c"})"},
                                              {"SessionId", session}});
    const JsonDocument doc = f.run(*call);
    REQUIRE(call->call.response.status == 200);
    return std::string(doc["InstanceId"].GetString());
  };
  const auto concurrency = [&] {
    auto call = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}});
    const JsonDocument doc = f.run(*call);
    return doc["ActiveCount"].GetInt64();
  };
  const auto dialogues = [&](std::string session) {
    auto call = f.v2("ListAIAgentDialogues", {{"SessionId", session}, {"StartTime", "0"}, {"EndTime", "99999999999999"}});
    const JsonDocument doc = f.run(*call);
    return doc["Dialogues"].Size();
  };
  const auto status_of = [&](const std::string& id) {
    auto call = f.v2("DescribeAIAgentInstance", {{"InstanceId", id}});
    const JsonDocument doc = f.run(*call);
    return call->call.response.status == 200 ? std::string(doc["Instance"]["Status"].GetString()) : code_of(doc);
  };
  CHECK(concurrency() == 1);  // the fixture's instance
  const std::string alone = start("s-alone");
  const std::string shared1 = start("s-shared");
  const std::string shared2 = start("s-shared");
  CHECK(concurrency() == 4);
  for (const std::string& id : {alone, shared1}) {
    auto text = f.v2("SendAIAgentText", {{"InstanceId", id}, {"Text", "hello"}});
    f.run(*text);
    REQUIRE(text->call.response.status == 200);
    auto stop = f.v2("StopAIAgentInstance", {{"InstanceId", id}});
    f.run(*stop);
    REQUIRE(stop->call.response.status == 200);
  }
  CHECK(concurrency() == 2);
  CHECK(status_of(alone) == "Finished");
  CHECK(dialogues("s-alone") == 1);

  f.core.clock.set_offset(std::chrono::minutes(59));
  CHECK(status_of(alone) == "Finished");
  f.core.clock.set_offset(std::chrono::minutes(60));
  CHECK(status_of(alone) == "ResourceNotFound");
  CHECK(status_of(shared1) == "ResourceNotFound");
  CHECK(status_of(shared2) == "Executing");
  CHECK(dialogues("s-alone") == 0);   // nobody is left in that session
  CHECK(dialogues("s-shared") == 1);  // shared2 still is
  CHECK(concurrency() == 2);
  auto list = f.v2("ListAIAgentInstance", {{"AIAgentId", "agent-1"}, {"PageSize", "100"}});
  const JsonDocument listed = f.run(*list);
  REQUIRE(listed["Instances"].Size() == 2);
  CHECK(std::string(listed["Instances"][0]["InstanceId"].GetString()) == shared2);  // newest first
  CHECK(std::string(listed["Instances"][1]["InstanceId"].GetString()) == "fixture-instance");
}

TEST_CASE("ice instances: past the cap, the oldest Finished go first") {
  Fixture f;
  std::string seeded = R"({"instances":[)";
  for (std::size_t i = 0; i <= kFinishedKept; ++i) {
    seeded += (i > 0 ? "," : "");
    seeded += R"({"InstanceId":"old-)" + std::to_string(i) +
              R"(","AIAgentId":"agent-1","account":"testid","Status":"Finished","GmtCreate":"2025-01-01T00:00:00Z"})";
  }
  seeded += "]}";
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(seeded, doc));
  REQUIRE_FALSE(f.vendor.check_fixture(doc, "/ice"));
  f.vendor.apply_fixture(doc);
  // Seeded long ago, but kept for the retention from now: only the cap applies.
  auto first = f.v2("DescribeAIAgentInstance", {{"InstanceId", "old-0"}});
  CHECK(code_of(f.run(*first)) == "ResourceNotFound");
  auto second = f.v2("DescribeAIAgentInstance", {{"InstanceId", "old-1"}});
  f.run(*second);
  CHECK(second->call.response.status == 200);
  // The fixture's Executing instance (created now), then exactly the cap of Finished ones,
  // newest first: old-1000 down to old-1.
  const auto page = [&](std::string number) {
    auto list = f.v2("ListAIAgentInstance", {{"AIAgentId", "agent-1"}, {"PageSize", "100"}, {"PageNumber", number}});
    JsonDocument answer = f.run(*list);
    REQUIRE(list->call.response.status == 200);
    std::vector<std::string> ids;
    for (const auto& item : answer["Instances"].GetArray()) ids.emplace_back(item["InstanceId"].GetString());
    return ids;
  };
  const auto first_page = page("1");
  REQUIRE(first_page.size() == 100);
  CHECK(first_page[0] == "fixture-instance");
  CHECK(first_page[1] == "old-1000");
  CHECK(page("11") == std::vector<std::string>{"old-1"});
  CHECK(page("12").empty());
}

TEST_CASE("ice instances: a fixture's InstanceId longer than agentemu's own, its configs and its replacement") {
  Fixture f;
  const std::string long_id(48, 'L');  // past the 32 characters an instance keeps in place
  const auto seed = [&](std::string user_data) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(R"({"instances":[{"InstanceId":")" + long_id +
                                 R"(","AIAgentId":"agent-1","account":"testid","UserData":")" + user_data +
                                 R"(","RuntimeConfig":{"ChannelId":"ch-long","A":[1,2.5,"\u00e9"]},)"
                                 R"("AgentConfig":{"Greeting":"hello"}}]})",
                             doc));
    REQUIRE_FALSE(f.vendor.check_fixture(doc, "/ice"));
    f.vendor.apply_fixture(doc);
  };
  const auto concurrency = [&] {
    auto call = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}});
    return f.run(*call)["ActiveCount"].GetInt64();
  };
  seed("first");
  CHECK(concurrency() == 2);  // with the default fixture's instance
  auto text = f.v2("SendAIAgentText", {{"InstanceId", long_id}, {"Text", "hi"}});
  f.run(*text);
  REQUIRE(text->call.response.status == 200);

  seed("second");  // the same id again: replaced, not added; the session-less dialogue stays
  CHECK(concurrency() == 2);
  auto describe = f.v2("DescribeAIAgentInstance", {{"InstanceId", long_id}});
  const JsonDocument d = f.run(*describe);
  REQUIRE(describe->call.response.status == 200);
  CHECK(std::string(d["Instance"]["UserData"].GetString()) == "second");
  CHECK(std::string(d["Instance"]["RuntimeConfig"]["ChannelId"].GetString()) == "ch-long");
  CHECK(d["Instance"]["RuntimeConfig"]["A"][1].GetDouble() == 2.5);
  CHECK(std::string(d["Instance"]["AgentConfig"]["Greeting"].GetString()) == "hello");
  CHECK(d["Instance"]["TemplateConfig"].ObjectEmpty());
  auto dialogues =
      f.v2("ListAIAgentDialogues", {{"SessionId", long_id}, {"StartTime", "0"}, {"EndTime", "99999999999999"}});
  CHECK(f.run(*dialogues)["Dialogues"].Size() == 1);

  // The dump writes the configs as they were given (compact) and the long id whole.
  JsonWriter out;
  f.vendor.write_state(out, StateOptions{.secrets = true});
  CHECK(out.text().find(R"("InstanceId":")" + long_id + R"(","AIAgentId":"agent-1")") != std::string::npos);
  CHECK(out.text().find(R"("RuntimeConfig":{"ChannelId":"ch-long","A":[1,2.5,"é"]},)"
                        R"("AgentConfig":{"Greeting":"hello"})") != std::string::npos);

  auto stop = f.v2("StopAIAgentInstance", {{"InstanceId", long_id}});
  f.run(*stop);
  CHECK(stop->call.response.status == 200);
  CHECK(concurrency() == 1);
  // Updates merge into configs the instance did not have yet.
  auto update = f.v2("UpdateAIAgentInstance", {{"InstanceId", "fixture-instance"},
                                                {"AgentConfig", R"({"TtsConfig":{"VoiceId":"v"}})"},
                                                {"TemplateConfig", R"({"VoiceChat":{"AsrMaxSilence":400}})"}});
  f.run(*update);
  REQUIRE(update->call.response.status == 200);
  auto merged =
      f.v2("UpdateAIAgentInstance", {{"InstanceId", "fixture-instance"}, {"AgentConfig", R"({"Volume":10})"}});
  f.run(*merged);
  REQUIRE(merged->call.response.status == 200);
  auto fixture = f.v2("DescribeAIAgentInstance", {{"InstanceId", "fixture-instance"}});
  const JsonDocument fd = f.run(*fixture);
  CHECK(std::string(fd["Instance"]["AgentConfig"]["TtsConfig"]["VoiceId"].GetString()) == "v");
  CHECK(fd["Instance"]["AgentConfig"]["Volume"].GetInt() == 10);
  CHECK(fd["Instance"]["TemplateConfig"]["VoiceChat"]["AsrMaxSilence"].GetInt() == 400);
  CHECK(std::string(fd["Instance"]["RuntimeConfig"]["ChannelId"].GetString()) == "c");
}
