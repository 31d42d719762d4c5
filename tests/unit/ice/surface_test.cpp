// ICE's whole surface and its gateway: the SDK model compiled in, 501 for real actions that are
// not emulated, the gateway's exact Missing*/MissingHeader/SignatureDoesNotMatch texts with
// agentemu's explanation beside them, STS credentials, and the actions the model adds (call
// forwarding and takeover, voiceprints, video audit tasks, notify configs).
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "core/crypto.hpp"
#include "core/uri.hpp"
#include "support/harness.hpp"
#include "vendors/ice/auth.hpp"
#include "vendors/ice/ice_vendor.hpp"
#include "vendors/ice/model.hpp"
#include "vendors/ice/operations.hpp"

using namespace agentemu;
using namespace agentemu::ice;
using agentemu::testing::TestCall;
using agentemu::testing::TestCore;
using agentemu::testing::TestRequest;

namespace {

constexpr std::string_view kFixture = R"({
  "accessKeys": [
    {"accessKeyId": "testid", "accessKeySecret": "testsecret"},
    {"accessKeyId": "STS.role", "accessKeySecret": "stssecret", "securityToken": "token-role",
     "expiration": "2099-01-01T00:00:00Z", "allow": ["ice:*AIAgent*"], "account": "testid"},
    {"accessKeyId": "STS.old", "accessKeySecret": "oldsecret", "securityToken": "token-old",
     "expiration": "2020-01-01T00:00:00Z", "account": "testid"}
  ],
  "agents": [{"AIAgentId": "agent-1"}],
  "notifyConfigs": [{"AIAgentId": "agent-1", "EnableNotify": true, "CallbackUrl": "http://127.0.0.1:9/cb",
                     "EventTypes": "agent_start", "Token": "t0"}],
  "voiceprints": [{"VoiceprintId": "vp-fixture", "Input": {"Type": "url", "Format": "wav", "Data": "http://x/a.wav"}}]
})";

struct Fixture {
  Fixture() : vendor(core.context()) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(kFixture, doc, JsonDialect::relaxed));
    const auto issue = vendor.check_fixture(doc, "/ice");
    REQUIRE_MESSAGE(!issue, (issue ? issue->pointer + ": " + issue->message : ""));
    vendor.apply_fixture(doc);
  }

  // A V2-signed GET; `drop` removes a common parameter after signing.
  std::shared_ptr<TestCall> v2(std::string action, std::map<std::string, std::string> params,
                               std::string key = "testid", std::string secret = "testsecret", std::string drop = {}) {
    params["Action"] = std::move(action);
    params["Version"] = "2020-11-09";
    params["AccessKeyId"] = std::move(key);
    params["SignatureMethod"] = "HMAC-SHA1";
    params["SignatureVersion"] = "1.0";
    params["SignatureNonce"] = random_hex(16);
    if (!params.contains("Timestamp")) params["Timestamp"] = format_iso8601_seconds(core.clock.now());
    std::vector<KeyValue> kv;
    for (const auto& [k, v] : params) kv.push_back({k, v});
    const std::string signature = v2_signature(secret, v2_string_to_sign("GET", v2_canonical_query(kv)));
    params["Signature"] = signature;
    if (!drop.empty()) params.erase(drop);
    std::string query;
    for (const auto& [k, v] : params) query += (query.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
    return TestCall::make({.method = "GET", .query = query}, core.clock);
  }

  // A V3-signed POST with `params` in the query and `headers` added (all signed).
  std::shared_ptr<TestCall> v3(std::string action, std::map<std::string, std::string> params,
                               std::vector<std::pair<std::string, std::string>> headers = {}, std::string key = "testid",
                               std::string secret = "testsecret", std::string body = {}) {
    std::string query;
    std::vector<KeyValue> kv;
    for (const auto& [k, v] : params) {
      kv.push_back({k, v});
      query += (query.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
    }
    headers.emplace_back("host", "ice.cn-shanghai.aliyuncs.com");
    headers.emplace_back("x-acs-action", action);
    headers.emplace_back("x-acs-version", "2020-11-09");
    headers.emplace_back("x-acs-date", format_iso8601_seconds(core.clock.now()));
    std::string signed_headers;
    std::set<std::string> names;
    for (const auto& [name, value] : headers) names.insert(name);
    for (const std::string& name : names) signed_headers += (signed_headers.empty() ? "" : ";") + name;
    const auto unsigned_call = TestCall::make({.method = "POST", .query = query, .headers = headers, .body = body}, core.clock);
    const std::string canonical =
        v3_canonical_request("POST", v3_canonical_query(kv), v3_canonical_headers(unsigned_call->call.request, signed_headers),
                             hex_lower(sha256(body)));
    const std::string signature = v3_signature(secret, v3_string_to_sign(canonical));
    headers.emplace_back("Authorization", "ACS3-HMAC-SHA256 Credential=" + key + ",SignedHeaders=" + signed_headers +
                                              ",Signature=" + signature);
    last_string_to_sign = v3_string_to_sign(canonical);
    last_canonical = canonical;
    return TestCall::make({.method = "POST", .query = query, .headers = headers, .body = body}, core.clock);
  }

  JsonDocument run(TestCall& call) {
    call.run(vendor);
    JsonDocument doc;
    parse_json(call.call.response.body, doc);
    return doc;
  }

  TestCore core;
  IceVendor vendor;
  std::string last_string_to_sign;
  std::string last_canonical;
};

std::string text_of(const JsonValue& doc, const char* name) {
  const JsonValue* v = json_member(doc, name);
  return v != nullptr && v->IsString() ? v->GetString() : "";
}
std::string code_of(const JsonDocument& doc) { return text_of(doc, "Code"); }
std::string message_of(const JsonDocument& doc) { return text_of(doc, "Message"); }

}  // namespace

TEST_CASE("ice model: the SDK model is compiled in whole, with its source and version") {
  const ApiModel& model = api_model();
  CHECK(model.source == "https://github.com/alibabacloud-go/ice-20201109");
  CHECK(model.version.starts_with("v"));
  CHECK(model.commit.size() == 40);
  CHECK(model.actions.size() >= 400);
  CHECK(std::is_sorted(model.actions.begin(), model.actions.end(),
                       [](const ModelAction& a, const ModelAction& b) { return a.name < b.name; }));
  const ModelAction* submit = model.find("SubmitAIAgentVideoAuditTask");
  REQUIRE(submit != nullptr);
  CHECK(submit->method == "POST");
  CHECK(model.find("SubmitASRJob") != nullptr);
  CHECK(model.find("NoSuchAction") == nullptr);
}

// The hand-written table is checked against the model: every emulated action is real, and its
// parameters are the model's, required where the model requires them. Where agentemu requires
// more, the README's fidelity notes say why.
TEST_CASE("ice model: every emulated row matches the model's parameters") {
  const std::set<std::pair<std::string_view, std::string_view>> stricter = {
      {"ForwardAIAgentCall", "CalledNumber"}, {"ForwardAIAgentCall", "InstanceId"},
      {"TakeoverAIAgentCall", "InstanceId"},  {"SetAIAgentVoiceprint", "Input"},
  };
  for (const Operation& op : operations()) {
    CAPTURE(op.name);
    const ModelAction* action = api_model().find(op.name);
    REQUIRE(action != nullptr);
    CHECK(op.params.size() == action->params.size());
    for (const ModelParam& param : action->params) {
      CAPTURE(param.name);
      const ParamSpec* spec = find_param(op.params, param.name);
      REQUIRE(spec != nullptr);
      if (stricter.contains({op.name, param.name})) {
        CHECK(spec->required);
      } else {
        CHECK(spec->required == param.required);
      }
      if (param.type == ParamType::object || param.type == ParamType::array || param.type == ParamType::boolean) {
        CHECK(spec->type == param.type);
      }
    }
  }
}

TEST_CASE("ice surface: every real action is known; the table's rows come first; only unknown names are -1") {
  const auto names = operation_names();
  CHECK(names.size() == api_model().actions.size());
  for (std::size_t i = 0; i < operations().size(); ++i) CHECK(names[i] == operations()[i].name);
  CHECK(action_index("SubmitASRJob") >= static_cast<int>(operations().size()));
  CHECK(emulated_operation(action_index("SubmitASRJob")) == nullptr);
  CHECK(emulated_operation(action_index("StopAIAgentInstance")) != nullptr);
  CHECK(action_index("DescribeAIAgentInstances") == -1);
  CHECK(emulated_operation(-1) == nullptr);
}

TEST_CASE("ice surface: a real action that is not emulated is authenticated, then answered 501") {
  Fixture f;
  auto call = f.v2("SubmitASRJob", {{"InputFile", "oss://b/a.mp4"}});
  const JsonDocument doc = f.run(*call);
  CHECK(call->call.response.status == 501);
  CHECK(code_of(doc) == "NotImplemented");
  CHECK(message_of(doc) == "agentemu does not emulate the ICE action SubmitASRJob.");
  CHECK(std::string_view(operation_names()[static_cast<std::size_t>(call->call.operation)]) == "SubmitASRJob");

  auto wrong = f.v2("SubmitASRJob", {}, "testid", "not-the-secret");
  CHECK(code_of(f.run(*wrong)) == "SignatureDoesNotMatch");
  auto unknown = f.v2("SubmitASRJobs", {});
  const JsonDocument nf = f.run(*unknown);
  CHECK(unknown->call.response.status == 404);
  CHECK(code_of(nf) == "InvalidAction.NotFound");
  CHECK(f.vendor.knows_param("InputFile"));  // a model parameter, for scenario "params"
}

TEST_CASE("ice gateway: a missing common parameter is Missing<Name> '<Name> is mandatory for this action.'") {
  Fixture f;
  for (const char* name : {"Signature", "AccessKeyId", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion"}) {
    CAPTURE(name);
    auto call = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, "testid", "testsecret", name);
    const JsonDocument doc = f.run(*call);
    CHECK(call->call.response.status == 400);
    CHECK(code_of(doc) == std::string("Missing") + name);
    CHECK(message_of(doc) == std::string(name) + " is mandatory for this action.");
  }
  auto no_action = TestCall::make({.query = "Version=2020-11-09"}, f.core.clock);
  CHECK(code_of(f.run(*no_action)) == "MissingAction");
}

TEST_CASE("ice gateway: V3 without x-acs-action is ICE's (by its ACS3 Authorization) and MissingHeader") {
  Fixture f;
  const TestRequest request{.method = "POST",
                            .headers = {{"Authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=ab"}}};
  auto call = TestCall::make(request, f.core.clock);
  CHECK(f.vendor.claims(call->call.request));
  const JsonDocument doc = f.run(*call);
  CHECK(call->call.response.status == 400);
  CHECK(code_of(doc) == "MissingHeader");
  CHECK(message_of(doc) == "Specified header x-acs-action is mandatory for this action.");
}

TEST_CASE("ice gateway: exact texts; agentemu's explanation goes to the diagnostic") {
  Fixture f;
  auto bad = f.v3("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, {}, "testid", "wrong");
  const JsonDocument m = f.run(*bad);
  CHECK(code_of(m) == "SignatureDoesNotMatch");
  CHECK(message_of(m) ==
        "Specified signature does not match our calculation. server StringToSign is [" + f.last_string_to_sign + "]");
  CHECK(bad->call.response.diagnostic.find(f.last_canonical) != std::string::npos);

  f.core.clock.set_offset(std::chrono::minutes(20));
  auto stale = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}, {"Timestamp", format_iso8601_seconds(std::chrono::system_clock::now())}});
  const JsonDocument e = f.run(*stale);
  CHECK(code_of(e) == "InvalidTimeStamp.Expired");
  CHECK(message_of(e) == "Specified time stamp or date value is expired.");
  CHECK(stale->call.response.diagnostic.find("allowed skew 15 minutes") != std::string::npos);
  f.core.clock.set_offset({});

  const JsonDocument d = [&] {
    auto c = f.v2("SubmitASRJob", {{"SecurityToken", "token-role"}}, "STS.role", "stssecret");
    JsonDocument out = f.run(*c);
    CHECK(c->call.response.diagnostic.find("ice:SubmitASRJob is not allowed for access key STS.role") != std::string::npos);
    return out;
  }();
  CHECK(code_of(d) == "Forbidden.RAM");
  CHECK(message_of(d) == "User not authorized to operate on the specified resource, or this API doesn't support RAM.");
  const JsonValue& detail = d["AccessDeniedDetail"];
  CHECK(detail.MemberCount() == 7);
  CHECK(text_of(detail, "AuthPrincipalType") == "AssumedRoleUser");
  CHECK(text_of(detail, "AuthAction") == "ice:SubmitASRJob");
  CHECK_FALSE(text_of(detail, "EncodedDiagnosticMessage").empty());
}

TEST_CASE("ice gateway: a body that does not match x-acs-content-sha256 fails as a signature mismatch") {
  Fixture f;
  const std::string claimed = hex_lower(sha256("{}"));
  // Signed over the header's (false) hash, as a client that lies about its body would.
  auto call = f.v3("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, {{"x-acs-content-sha256", claimed}});
  // The client signed an empty body; the body it sends is not.
  call = TestCall::make({.method = "POST", .query = std::string(call->call.request.query),
                         .headers = [&] {
                           std::vector<std::pair<std::string, std::string>> h;
                           for (const Header& x : call->call.request.headers) h.emplace_back(x.name, x.value);
                           return h;
                         }(),
                         .body = "AIAgentId=agent-2"},
                        f.core.clock);
  const JsonDocument doc = f.run(*call);
  CHECK(code_of(doc) == "SignatureDoesNotMatch");
  CHECK(call->call.response.diagnostic.find("x-acs-content-sha256 says " + claimed) != std::string::npos);
}

TEST_CASE("ice STS: the token is required, must be the key's own, unexpired; a permanent key takes none") {
  Fixture f;
  auto ok = f.v2("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}, {"SecurityToken", "token-role"}}, "STS.role", "stssecret");
  f.run(*ok);
  CHECK(ok->call.response.status == 200);
  auto ok3 = f.v3("GetAIAgentConcurrency", {{"AIAgentId", "agent-1"}}, {{"x-acs-security-token", "token-role"}}, "STS.role", "stssecret");
  f.run(*ok3);
  CHECK(ok3->call.response.status == 200);

  const auto answer = [&](std::map<std::string, std::string> params, std::string key, std::string secret) {
    params["AIAgentId"] = "agent-1";
    auto call = f.v2("GetAIAgentConcurrency", std::move(params), std::move(key), std::move(secret));
    const JsonDocument doc = f.run(*call);
    return std::to_string(call->call.response.status) + " " + code_of(doc) + " " + message_of(doc);
  };
  CHECK(answer({}, "STS.role", "stssecret") == "400 MissingSecurityToken SecurityToken is mandatory for this action.");
  CHECK(answer({{"SecurityToken", "garbage"}}, "STS.role", "stssecret") ==
        "400 InvalidSecurityToken.Malformed Specified SecurityToken is malformed.");
  CHECK(answer({{"SecurityToken", "token-old"}}, "STS.role", "stssecret") ==
        "400 InvalidSecurityToken.MismatchWithAccessKey Specified SecurityToken mismatch with the AccessKey.");
  CHECK(answer({{"SecurityToken", "token-old"}}, "STS.old", "oldsecret") ==
        "400 InvalidSecurityToken.Expired Specified SecurityToken is expired.");
  CHECK(answer({{"SecurityToken", "token-role"}}, "testid", "testsecret") ==
        "400 InvalidSecurityToken.MismatchWithAccessKey Specified SecurityToken mismatch with the AccessKey.");
  CHECK(answer({{"SecurityToken", "anything"}}, "testid", "testsecret") ==
        "400 InvalidSecurityToken.Malformed Specified SecurityToken is malformed.");

  // The token is a secret: "<redacted>" unless secrets are asked for.
  JsonWriter redacted, whole;
  f.vendor.write_state(redacted, StateOptions{.secrets = false});
  f.vendor.write_state(whole, StateOptions{.secrets = true});
  CHECK(redacted.text().find("token-role") == std::string::npos);
  CHECK(redacted.text().find("\"securityToken\":\"<redacted>\"") != std::string::npos);
  CHECK(redacted.text().find("\"expiration\":\"2099-01-01T00:00:00Z\"") != std::string::npos);
  CHECK(whole.text().find("\"securityToken\":\"token-role\"") != std::string::npos);

  JsonDocument doc;
  REQUIRE_FALSE(parse_json(R"({"accessKeys":[{"accessKeyId":"STS.x","accessKeySecret":"s"}]})", doc));
  const auto issue = f.vendor.check_fixture(doc, "/ice");
  REQUIRE(issue);
  CHECK(issue->pointer == "/ice/accessKeys/0/securityToken");

  // Loaded back, a redacted token keeps the one the key holds; for a key that holds none (or is
  // unknown) it is a mistake.
  JsonDocument back;
  REQUIRE_FALSE(parse_json(redacted.text(), back));
  back.RemoveMember("dialogues");
  REQUIRE_FALSE(f.vendor.check_fixture(back, "/ice"));
  f.vendor.apply_fixture(back);
  CHECK(answer({{"SecurityToken", "token-role"}}, "STS.role", "stssecret").starts_with("200"));
  for (const char* key : {"STS.new", "testid"}) {
    JsonDocument stranger;
    REQUIRE_FALSE(parse_json(std::string(R"({"accessKeys":[{"accessKeyId":")") + key +
                                 R"(","accessKeySecret":"s","securityToken":"<redacted>"}]})",
                             stranger));
    const auto unknown = f.vendor.check_fixture(stranger, "/ice");
    REQUIRE(unknown);
    CHECK(unknown->pointer == "/ice/accessKeys/0/securityToken");
  }
}

TEST_CASE("ice calls: Forward ends an outbound call as transferred; Takeover hands it to a human") {
  Fixture f;
  auto start = f.v2("StartAIAgentOutboundCall", {{"AIAgentId", "agent-1"}, {"CalledNumber", "13800000000"}, {"CallerNumber", "057188880000"}});
  const std::string id = text_of(f.run(*start), "InstanceId");
  REQUIRE(id.size() == 32);
  auto describe = [&] {
    auto d = f.v2("DescribeAIAgentInstance", {{"InstanceId", id}});
    JsonDocument doc = f.run(*d);
    return doc;
  };
  JsonDocument d = describe();
  CHECK(text_of(d["Instance"]["CallInfo"], "Status") == "2");

  auto takeover = f.v2("TakeoverAIAgentCall", {{"InstanceId", id}, {"RequireToken", "true"}});
  const JsonDocument t = f.run(*takeover);
  CHECK(takeover->call.response.status == 200);
  CHECK(text_of(t, "HumanAgentUserId").starts_with("human_"));
  CHECK_FALSE(text_of(t, "ChannelId").empty());
  CHECK_FALSE(text_of(t, "Token").empty());

  auto missing = f.v2("ForwardAIAgentCall", {{"InstanceId", id}});
  CHECK(code_of(f.run(*missing)) == "MissingCalledNumber");
  auto forward = f.v2("ForwardAIAgentCall", {{"InstanceId", id}, {"CalledNumber", "13900000000"}});
  f.run(*forward);
  CHECK(forward->call.response.status == 200);
  d = describe();
  CHECK(text_of(d["Instance"], "Status") == "Finished");
  const JsonValue& info = d["Instance"]["CallInfo"];
  CHECK(info.MemberCount() == 7);
  CHECK(text_of(info, "Status") == "4");
  CHECK(info["HangupRole"].GetInt() == 2);
  auto again = f.v2("ForwardAIAgentCall", {{"InstanceId", id}, {"CalledNumber", "13900000000"}});
  CHECK(code_of(f.run(*again)) == "IncorrectInstanceStatus");

  auto rtc = f.v2("StartAIAgentInstance", {{"AIAgentId", "agent-1"}, {"RuntimeConfig", R"({"ChannelId":"room"})"}});
  const std::string rtc_id = text_of(f.run(*rtc), "InstanceId");
  auto not_a_call = f.v2("ForwardAIAgentCall", {{"InstanceId", rtc_id}, {"CalledNumber", "13900000000"}});
  CHECK(code_of(f.run(*not_a_call)) == "InvalidParameter");
  auto takeover_rtc = f.v2("TakeoverAIAgentCall", {{"InstanceId", rtc_id}, {"HumanAgentUserId", "uid2"}});
  const JsonDocument tr = f.run(*takeover_rtc);
  CHECK(text_of(tr, "ChannelId") == "room");
  CHECK(text_of(tr, "HumanAgentUserId") == "uid2");
  CHECK(json_member(tr, "Token") == nullptr);
}

TEST_CASE("ice voiceprints: set, list with paging, clear; Implicit ones come from agents") {
  Fixture f;
  auto set = f.v2("SetAIAgentVoiceprint", {{"VoiceprintId", "vp-1"}, {"Input", R"({"Type":"url","Format":"wav","Data":"http://x/1.wav"})"}});
  CHECK(text_of(f.run(*set), "VoiceprintId") == "vp-1");
  auto generated = f.v2("SetAIAgentVoiceprint", {{"Input", R"({"Data":"http://x/2.wav"})"}});
  CHECK(text_of(f.run(*generated), "VoiceprintId").starts_with("vp_"));
  auto bad = f.v2("SetAIAgentVoiceprint", {{"Input", R"({"Format":"mp3","Data":"x"})"}});
  CHECK(code_of(f.run(*bad)) == "InvalidParameter");
  auto no_data = f.v2("SetAIAgentVoiceprint", {{"Input", R"({"Format":"wav"})"}});
  const JsonDocument nd = f.run(*no_data);
  CHECK(message_of(nd) == "The specified parameter \"Input.Data\" is not valid: Input.Data is required.");

  auto list = f.v2("ListAIAgentVoiceprints", {{"PageSize", "2"}});
  JsonDocument l = f.run(*list);
  CHECK(l["TotalCount"].GetInt() == 3);
  REQUIRE(l["Voiceprints"].Size() == 2);
  CHECK(text_of(l["Voiceprints"][0], "VoiceprintId") == "vp-fixture");
  auto one = f.v2("ListAIAgentVoiceprints", {{"VoiceprintId", "vp-1"}});
  CHECK(f.run(*one)["TotalCount"].GetInt() == 1);

  auto clear = f.v2("ClearAIAgentVoiceprint", {{"VoiceprintId", "vp-1"}});
  f.run(*clear);
  CHECK(clear->call.response.status == 200);
  auto gone = f.v2("ClearAIAgentVoiceprint", {{"VoiceprintId", "vp-1"}});
  CHECK(code_of(f.run(*gone)) == "ResourceNotFound");

  auto implicit = f.v2("StartAIAgentInstance", {{"AIAgentId", "agent-1"}, {"RuntimeConfig", "{}"},
                                                {"AgentConfig", R"({"VoiceprintConfig":{"RegistrationMode":"Implicit","VoiceprintId":"vp-i"}})"}});
  f.run(*implicit);
  auto implicit_list = f.v2("ListAIAgentVoiceprints", {{"RegistrationMode", "Implicit"}});
  JsonDocument il = f.run(*implicit_list);
  CHECK(il["TotalCount"].GetInt() == 1);
  CHECK(text_of(il["Voiceprints"][0], "VoiceprintId") == "vp-i");
  auto clear_all = f.v2("ClearAIAgentVoiceprint", {{"RegistrationMode", "Implicit"}});
  f.run(*clear_all);
  auto after = f.v2("ListAIAgentVoiceprints", {{"RegistrationMode", "Implicit"}});
  CHECK(f.run(*after)["TotalCount"].GetInt() == 0);
}

TEST_CASE("ice notify config and video audit tasks: stored, shown in the state, validated") {
  Fixture f;
  auto fixture = f.v2("DescribeNotifyConfig", {{"AIAgentId", "agent-1"}});
  const JsonDocument d0 = f.run(*fixture);
  CHECK(d0["EnableNotify"].GetBool());
  CHECK(text_of(d0, "CallbackUrl") == "http://127.0.0.1:9/cb");
  auto set = f.v2("SetNotifyConfig", {{"AIAgentId", "agent-1"}, {"EnableNotify", "false"}, {"Token", "t1"}});
  f.run(*set);
  CHECK(set->call.response.status == 200);
  auto describe = f.v2("DescribeNotifyConfig", {{"AIAgentId", "agent-1"}});
  const JsonDocument d1 = f.run(*describe);
  CHECK_FALSE(d1["EnableNotify"].GetBool());
  CHECK(text_of(d1, "Token") == "t1");
  CHECK(text_of(d1, "CallbackUrl") == "http://127.0.0.1:9/cb");  // kept: not given
  CHECK(text_of(d1, "EventTypes") == "agent_start");
  auto bad_url = f.v2("SetNotifyConfig", {{"AIAgentId", "agent-1"}, {"EnableNotify", "true"}, {"CallbackUrl", "ftp://x"}});
  CHECK(code_of(f.run(*bad_url)) == "InvalidParameter");
  auto no_flag = f.v2("SetNotifyConfig", {{"AIAgentId", "agent-1"}});
  CHECK(code_of(f.run(*no_flag)) == "MissingEnableNotify");
  auto unknown = f.v2("DescribeNotifyConfig", {{"AIAgentId", "nobody"}});
  CHECK(code_of(f.run(*unknown)) == "ResourceNotFound");

  auto submit = f.v2("SubmitAIAgentVideoAuditTask",
                     {{"AIAgentId", "agent-1"},
                      {"Input", R"({"Type":"OSS","Media":"http://b.oss-cn-shanghai.aliyuncs.com/v.mp4"})"},
                      {"CapturePolicies", R"([{"StartTime":0,"Duration":10,"FrameCount":2,"Prompt":"p"}])"},
                      {"CallbackConfig", R"({"Url":"http://127.0.0.1:9/audit","Token":"Bearer t"})"}});
  const std::string job = text_of(f.run(*submit), "JobId");
  CHECK(job.size() == 32);
  auto bad_policy = f.v2("SubmitAIAgentVideoAuditTask",
                         {{"AIAgentId", "agent-1"}, {"Input", R"({"Media":"http://b/v.mp4"})"},
                          {"CapturePolicies", R"([{"FrameCount":0}])"}});
  const JsonDocument bp = f.run(*bad_policy);
  CHECK(code_of(bp) == "InvalidParameter");
  CHECK(message_of(bp).find("CapturePolicies[0].FrameCount") != std::string::npos);

  JsonWriter out;
  f.vendor.write_state(out, StateOptions{.secrets = true});
  JsonDocument state;
  REQUIRE_FALSE(parse_json(out.text(), state));
  REQUIRE(state["videoAuditTasks"].Size() == 1);
  const JsonValue& task = state["videoAuditTasks"][0];
  CHECK(text_of(task, "JobId") == job);
  CHECK(text_of(task, "Status") == "Processing");
  CHECK(text_of(task["CallbackConfig"], "Url") == "http://127.0.0.1:9/audit");
  CHECK(text_of(task["CallbackConfig"], "Token") == "Bearer t");
  CHECK(text_of(state["notifyConfigs"][0], "Token") == "t1");
  f.core.clock.set_offset(std::chrono::seconds(11));
  JsonWriter later, redacted;
  f.vendor.write_state(later, StateOptions{.secrets = true});
  f.vendor.write_state(redacted, StateOptions{});
  CHECK(later.text().find("\"Status\":\"Finished\"") != std::string::npos);
  // The callbacks' tokens are secrets: redacted unless asked for.
  CHECK(redacted.text().find("Bearer t") == std::string::npos);
  CHECK(redacted.text().find("\"t1\"") == std::string::npos);

  // The state is a fixture document: fed back, it checks and restores the same sections.
  TestCore core2;
  IceVendor restored(core2.context());
  JsonDocument again;
  REQUIRE_FALSE(parse_json(later.text(), again));
  again.RemoveMember("dialogues");
  const auto issue = restored.check_fixture(again, "/ice");
  CHECK_MESSAGE(!issue, (issue ? issue->pointer + ": " + issue->message : ""));
  // Redacted, it loads back only where the tokens are held: into the same vendor, keeping them.
  JsonDocument kept;
  REQUIRE_FALSE(parse_json(redacted.text(), kept));
  kept.RemoveMember("dialogues");
  JsonDocument tokens_only;
  tokens_only.CopyFrom(kept, tokens_only.GetAllocator());
  tokens_only.RemoveMember("accessKeys");  // the secrets of the keys are tested above
  const auto elsewhere = restored.check_fixture(tokens_only, "/ice");
  REQUIRE(elsewhere);
  CHECK(elsewhere->pointer.ends_with("Token"));
  CHECK(elsewhere->message == kRedactedUnknown);
  REQUIRE_FALSE(f.vendor.check_fixture(kept, "/ice"));
  f.vendor.apply_fixture(kept);
  JsonWriter after;
  f.vendor.write_state(after, StateOptions{.secrets = true});
  CHECK(after.text().find("\"Token\":\"Bearer t\"") != std::string::npos);
  CHECK(after.text().find("\"Token\":\"t1\"") != std::string::npos);
}
