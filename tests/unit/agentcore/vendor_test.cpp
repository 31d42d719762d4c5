// The vendor driven the way the pipeline drives it (harness.hpp): routing, the table's
// validation in AWS's words, state transitions, expiry on the emulator's clock, idempotency,
// tenancy, the runtime echo and the code-interpreter sandbox.
#include <doctest/doctest.h>

#include <rapidjson/pointer.h>

#include <string>

#include "support/harness.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/eventstream.hpp"
#include "vendors/agentcore/tools.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;
using agentemu::testing::TestCall;
using agentemu::testing::TestCore;
using agentemu::testing::TestRequest;

namespace {

constexpr std::string_view kFixture = R"({
  "credentials": [
    {"accessKeyId": "test", "secretAccessKey": "test", "accountId": "123456789012"},
    {"accessKeyId": "other", "secretAccessKey": "other", "accountId": "210987654321"}
  ],
  "runtimes": [{"arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5",
                "qualifiers": ["prod"]}],
  "codeInterpreters": [{"id": "aws.codeinterpreter.v1"}],
  "browsers": [{"id": "aws.browser.v1"}]
})";

constexpr std::string_view kArnPath =
    "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fecho_agent-a1b2c3d4e5";
constexpr std::string_view kCi = "/code-interpreters/aws.codeinterpreter.v1";
constexpr std::string_view kBrowser = "/browsers/aws.browser.v1";
const std::string kSession40(40, 's');

std::string auth_for(std::string_view key, std::string_view region = "us-east-1") {
  return "AWS4-HMAC-SHA256 Credential=" + std::string(key) + "/20260101/" + std::string(region) +
         "/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=00";
}

struct Answer {
  int status = 0;
  std::string body;
  JsonDocument json;
  std::string error;
  Response response;
  std::string header(std::string_view name) const { return std::string(response.header(name)); }
  std::string str(const char* pointer) const {
    const JsonValue* v = rapidjson::Pointer(pointer).Get(json);
    return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string("<none>");
  }
};

struct Fixture {
  TestCore core{AuthMode::lenient};
  AgentcoreVendor vendor{core.context()};
  std::string key = "test";

  Fixture() {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(kFixture, doc, JsonDialect::relaxed));
    REQUIRE_FALSE(vendor.check_fixture(doc, "/agentcore"));
    vendor.apply_fixture(doc);
  }

  Answer run(std::string method, std::string path, std::string query = {}, std::string body = {},
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    TestRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.headers.emplace_back("Authorization", auth_for(key));
    auto call = TestCall::make(std::move(r), core.clock);
    call->run(vendor);
    Answer a;
    a.status = call->call.response.status;
    a.body = call->call.response.body;
    a.error = call->call.error_code;
    a.response = call->call.response;
    if (call->call.response.content_type == kJson) (void)parse_json(a.body, a.json);
    return a;
  }

  std::string start_ci(std::string body = "{}") {
    const Answer a = run("PUT", std::string(kCi) + "/sessions/start", "", std::move(body));
    REQUIRE(a.status == 200);
    return a.str("/sessionId");
  }
};

void check_validation(const Answer& a, std::string_view field, std::string_view constraint_start) {
  CHECK(a.status == 400);
  CHECK(a.header("X-Amzn-ErrorType") == "ValidationException");
  CHECK(a.str("/reason") == "FieldValidationFailed");
  CHECK(a.str("/fieldList/0/name") == field);
  CHECK_MESSAGE(a.str("/fieldList/0/message").starts_with(constraint_start), a.body);
  CHECK(a.str("/message").starts_with("1 validation error detected: Value "));
}

}  // namespace

TEST_CASE("agentcore routes: unknown paths and methods are UnknownOperationException") {
  Fixture f;
  const Answer unknown = f.run("GET", "/code-interpreters/aws.codeinterpreter.v1/nothing");
  CHECK(unknown.status == 404);
  CHECK(unknown.header("X-Amzn-ErrorType") == "UnknownOperationException");
  CHECK(unknown.header("x-amzn-RequestId").size() == 36);
  const Answer method = f.run("DELETE", std::string(kCi) + "/sessions/start");
  CHECK(method.status == 404);
  CHECK(method.error == "UnknownOperationException");
}

TEST_CASE("agentcore code-interpreter session life cycle and expiry on the emulator clock") {
  Fixture f;
  const std::string id = f.start_ci(R"({"name":"s1","sessionTimeoutSeconds":60})");
  CHECK(is_tool_session_id(id));
  Answer get = f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + id);
  REQUIRE(get.status == 200);
  CHECK(get.str("/status") == "READY");
  CHECK(get.str("/name") == "s1");
  CHECK(get.str("/codeInterpreterIdentifier") == "aws.codeinterpreter.v1");
  CHECK(get.json["sessionTimeoutSeconds"].GetInt() == 60);
  CHECK(parse_iso8601(get.str("/createdAt")));

  f.core.clock.set_offset(std::chrono::seconds(61));
  get = f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + id);
  CHECK(get.str("/status") == "TERMINATED");

  const std::string other = f.start_ci();
  Answer list = f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"status":"READY"})");
  REQUIRE(list.status == 200);
  REQUIRE(list.json["items"].Size() == 1);
  CHECK(list.str("/items/0/sessionId") == other);
  list = f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"status":"TERMINATED"})");
  REQUIRE(list.json["items"].Size() == 1);
  CHECK(list.str("/items/0/sessionId") == id);
  // Expired at createdAt + timeout: that is its lastUpdatedAt.
  CHECK(*parse_iso8601(list.str("/items/0/lastUpdatedAt")) - *parse_iso8601(list.str("/items/0/createdAt")) ==
        std::chrono::seconds(60));

  const Answer stop = f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + other, "{}");
  REQUIRE(stop.status == 200);
  CHECK(stop.str("/sessionId") == other);
  CHECK(parse_iso8601(stop.str("/lastUpdatedAt")));
  get = f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + other);
  CHECK(get.str("/status") == "TERMINATED");

  const Answer missing = f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=NOPE");
  CHECK(missing.status == 404);
  CHECK(missing.header("X-Amzn-ErrorType") == "ResourceNotFoundException");
  const Answer unknown_tool = f.run("GET", "/code-interpreters/nope/sessions/get", "sessionId=" + id);
  CHECK(unknown_tool.error == "ResourceNotFoundException");
}

TEST_CASE("agentcore list pages newest first with nextToken") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    f.core.clock.set_offset(std::chrono::seconds(i));
    ids.push_back(f.start_ci());
  }
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    const std::string body = token.empty() ? R"({"maxResults":2})" : R"({"maxResults":2,"nextToken":")" + token + "\"}";
    const Answer a = f.run("POST", std::string(kCi) + "/sessions/list", "", body);
    REQUIRE(a.status == 200);
    for (const auto& item : a.json["items"].GetArray()) seen.emplace_back(item["sessionId"].GetString());
    token = a.json.HasMember("nextToken") ? a.str("/nextToken") : "";
    if (token.empty()) break;
  }
  REQUIRE(seen.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(seen[static_cast<std::size_t>(i)] == ids[static_cast<std::size_t>(4 - i)]);
  const Answer bad = f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"nextToken":"garbage!"})");
  CHECK(bad.status == 400);
  CHECK(bad.str("/fieldList/0/name") == "nextToken");
}

TEST_CASE("agentcore validation names the field in Coral's words") {
  Fixture f;
  const std::string start = std::string(kCi) + "/sessions/start";
  check_validation(f.run("PUT", start, "", R"({"sessionTimeoutSeconds":28801})"), "sessionTimeoutSeconds",
                   "Member must have value less than or equal to 28800");
  check_validation(f.run("PUT", start, "", R"({"sessionTimeoutSeconds":"10"})"), "sessionTimeoutSeconds",
                   "Member must be an integer");
  check_validation(f.run("PUT", start, "", R"({"name":""})"), "name", "Member must have length greater than or equal to 1");
  check_validation(f.run("PUT", start, "", R"({"clientToken":"short"})"), "clientToken",
                   "Member must have length greater than or equal to 33");
  check_validation(f.run("PUT", start, "", R"({"clientToken":"-bad-token-000000000000000000000000000"})"), "clientToken",
                   "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$");
  check_validation(f.run("PUT", start, "", R"({"certificates":[]})"), "certificates",
                   "Member must have length greater than or equal to 1");
  check_validation(f.run("PUT", start, "", R"({"certificates":[{"location":{"secretsManager":{"secretArn":"nope"}}}]})"),
                   "certificates[0].location.secretsManager.secretArn", "Member must satisfy regular expression pattern");
  check_validation(f.run("PUT", start, "", R"({"certificates":[{"location":{}}]})"), "certificates[0].location",
                   "Member must have exactly one of [secretsManager] set");

  const std::string browser = std::string(kBrowser) + "/sessions/start";
  check_validation(f.run("PUT", browser, "", R"({"viewPort":{"width":100,"height":600}})"), "viewPort.width",
                   "Member must have value greater than or equal to 320");
  check_validation(f.run("PUT", browser, "", R"({"viewPort":{"width":1000}})"), "viewPort.height",
                   "Member must not be null");
  check_validation(f.run("PUT", browser, "", R"({"proxyConfiguration":{"proxies":[{"externalProxy":{"server":"-bad","port":80}}]}})"),
                   "proxyConfiguration.proxies[0].externalProxy.server", "Member must satisfy regular expression pattern");
  check_validation(f.run("PUT", browser, "", R"({"enterprisePolicies":[{"location":{"s3":{"bucket":"ab","prefix":"p"}}}]})"),
                   "enterprisePolicies[0].location.s3.bucket", "Member must have length greater than or equal to 3");
  check_validation(f.run("PUT", browser, "", R"({"profileConfiguration":{"profileIdentifier":"x"}})"),
                   "profileConfiguration.profileIdentifier", "Member must satisfy regular expression pattern");

  check_validation(f.run("GET", std::string(kCi) + "/sessions/get"), "sessionId", "Member must not be null");
  check_validation(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=bad-id"), "sessionId",
                   "Member must satisfy regular expression pattern: ^[0-9a-zA-Z]{1,40}$");
  check_validation(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + kSession40 + "x"), "sessionId",
                   "Member must satisfy regular expression pattern");
  check_validation(f.run("PUT", "/code-interpreters//sessions/start", "", "{}"), "codeInterpreterIdentifier",
                   "Member must have length greater than or equal to 1");
  check_validation(f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"maxResults":101})"), "maxResults",
                   "Member must have value less than or equal to 100");
  check_validation(f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"status":"DONE"})"), "status",
                   "Member must satisfy enum value set: [READY, TERMINATED]");
  check_validation(f.run("PUT", std::string(kBrowser) + "/sessions/streams/update", "sessionId=abc", "{}"), "streamUpdate",
                   "Member must not be null");
  check_validation(f.run("POST", std::string(kCi) + "/tools/invoke", "", R"({"name":"fly"})",
                         {{"x-amzn-code-interpreter-session-id", "abc"}}),
                   "name", "Member must satisfy enum value set");
  check_validation(f.run("POST", std::string(kCi) + "/tools/invoke", "", R"({"name":"executeCode"})"), "sessionId",
                   "Member must not be null");

  SUBCASE("malformed JSON is CannotParse") {
    const Answer a = f.run("PUT", start, "", "{\"name\":");
    CHECK(a.status == 400);
    CHECK(a.str("/reason") == "CannotParse");
    const Answer array = f.run("PUT", start, "", "[1]");
    CHECK(array.str("/reason") == "CannotParse");
  }
  SUBCASE("runtime ARNs and ids") {
    check_validation(f.run("POST", "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A1%3Aruntime%2Fx/invocations", "",
                           "{}"),
                     "agentRuntimeArn", "Member must satisfy regular expression pattern");
    check_validation(f.run("POST", "/runtimes/echo_agent-a1b2c3d4e5/invocations", "", "{}"), "accountId",
                     "Member must not be null");
    check_validation(f.run("POST", "/runtimes/echo_agent-a1b2c3d4e5/invocations", "accountId=12", "{}"), "accountId",
                     "Member must satisfy regular expression pattern: ^[0-9]{12}$");
    check_validation(f.run("POST", std::string(kArnPath) + "/invocations", "", ""), "payload", "Member must not be null");
    check_validation(f.run("POST", std::string(kArnPath) + "/stopruntimesession", "", "{}"), "runtimeSessionId",
                     "Member must not be null");
    check_validation(f.run("POST", std::string(kArnPath) + "/invocations", "", "{}",
                           {{"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "short"}}),
                     "runtimeSessionId", "Member must have length greater than or equal to 33");
  }
}

TEST_CASE("agentcore idempotency by clientToken") {
  Fixture f;
  const std::string start = std::string(kCi) + "/sessions/start";
  const std::string token = "token-00000000000000000000000000000001";
  const Answer first = f.run("PUT", start, "", R"({"name":"a","clientToken":")" + token + "\"}");
  const Answer again = f.run("PUT", start, "", R"({"clientToken":")" + token + R"(","name":"a"})");
  REQUIRE(first.status == 200);
  CHECK(again.body == first.body);
  CHECK(again.header("x-amzn-RequestId") != first.header("x-amzn-RequestId"));
  const Answer mismatch = f.run("PUT", start, "", R"({"name":"b","clientToken":")" + token + "\"}");
  CHECK(mismatch.status == 400);
  CHECK(mismatch.str("/reason") == "IdempotentParameterMismatchException");

  const std::string id = first.str("/sessionId");
  const std::string stop_body = R"({"clientToken":"stop-000000000000000000000000000000001"})";
  const Answer stopped = f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + id, stop_body);
  REQUIRE(stopped.status == 200);
  const Answer stopped_again = f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + id, stop_body);
  CHECK(stopped_again.status == 200);
  CHECK(stopped_again.body == stopped.body);
  const Answer new_token = f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + id,
                                 R"({"clientToken":"stop-000000000000000000000000000000002"})");
  CHECK(new_token.status == 409);
  CHECK(new_token.error == "ConflictException");
}

TEST_CASE("agentcore tenants: accounts and regions never see each other's sessions") {
  Fixture f;
  const std::string id = f.start_ci();
  f.key = "other";
  CHECK(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + id).status == 404);
  CHECK(f.run("POST", std::string(kCi) + "/sessions/list", "", "{}").json["items"].Size() == 0);
  f.key = "test";
  CHECK(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + id).status == 200);
  TestRequest r;
  r.method = "GET";
  r.path = std::string(kCi) + "/sessions/get";
  r.query = "sessionId=" + id;
  r.headers.emplace_back("Authorization", auth_for("test", "eu-west-1"));
  auto call = TestCall::make(std::move(r), f.core.clock);
  call->run(f.vendor);
  CHECK(call->call.response.status == 404);
}

TEST_CASE("agentcore runtime sessions: echo, reuse, stop, qualifiers") {
  Fixture f;
  const std::string session = "session-0000000000000000000000000000001";
  const std::string invoke = std::string(kArnPath) + "/invocations";
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Content-Type", "application/json"}, {"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", session},
      {"Mcp-Session-Id", "m1"}};
  Answer a = f.run("POST", invoke, "", R"({"prompt":"hi"})", headers);
  REQUIRE(a.status == 200);
  CHECK(a.header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") == session);
  CHECK(a.header("Mcp-Session-Id") == "m1");
  CHECK(a.str("/payload/prompt") == "hi");
  CHECK(a.str("/qualifier") == "DEFAULT");
  CHECK(a.json["invocation"].GetInt() == 1);
  CHECK(a.json["newSession"].GetBool());
  a = f.run("POST", invoke, "qualifier=prod", R"({"prompt":"again"})", headers);
  CHECK(a.json["invocation"].GetInt() == 2);
  CHECK_FALSE(a.json["newSession"].GetBool());

  auto sse_headers = headers;
  sse_headers.emplace_back("Accept", "text/event-stream");
  const Answer sse = f.run("POST", invoke, "", R"({"prompt":"s"})", sse_headers);
  CHECK(sse.response.content_type == "text/event-stream");
  CHECK(sse.body.starts_with("data: {"));
  CHECK(sse.body.ends_with("}\n\n"));
  auto both = headers;
  both.emplace_back("Accept", "application/json, text/event-stream");
  CHECK(f.run("POST", invoke, "", "{}", both).response.content_type == kJson);

  CHECK(f.run("POST", invoke, "qualifier=nope", "{}", headers).error == "ResourceNotFoundException");
  CHECK(f.run("POST", "/runtimes/other_agent-a1b2c3d4e5/invocations", "accountId=123456789012", "{}", headers).error ==
        "ResourceNotFoundException");
  CHECK(f.run("POST", "/runtimes/echo_agent-a1b2c3d4e5/invocations", "accountId=123456789012", "{}", headers).status ==
        200);

  const std::string stop = std::string(kArnPath) + "/stopruntimesession";
  const std::vector<std::pair<std::string, std::string>> stop_headers{
      {"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", session}};
  const std::string token = R"({"clientToken":"stop-000000000000000000000000000000001"})";
  const Answer stopped = f.run("POST", stop, "", token, stop_headers);
  REQUIRE(stopped.status == 200);
  CHECK(stopped.header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") == session);
  CHECK(f.run("POST", stop, "", token, stop_headers).status == 200);
  CHECK(f.run("POST", stop, "", R"({"clientToken":"stop-000000000000000000000000000000002"})", stop_headers).error ==
        "ResourceNotFoundException");
  // The same session id then starts afresh.
  a = f.run("POST", invoke, "", "{}", headers);
  CHECK(a.json["invocation"].GetInt() == 1);
  // Idle for longer than the runtime's idle timeout: gone.
  f.core.clock.set_offset(std::chrono::seconds(kRuntimeIdleTimeout + 1));
  CHECK(f.run("POST", stop, "", "{}", stop_headers).error == "ResourceNotFoundException");
}

TEST_CASE("agentcore InvokeCodeInterpreter answers event-stream frames over a sandbox") {
  Fixture f;
  const std::string id = f.start_ci();
  const auto tool = [&](std::string body) {
    const Answer a = f.run("POST", std::string(kCi) + "/tools/invoke", "", std::move(body),
                           {{"x-amzn-code-interpreter-session-id", id}});
    REQUIRE(a.status == 200);
    CHECK(a.response.content_type == "application/vnd.amazon.eventstream");
    CHECK(a.header("x-amzn-code-interpreter-session-id") == id);
    std::size_t used = 0;
    std::string error;
    auto event = decode_event_message(a.body, used, error);
    REQUIRE_MESSAGE(event, error);
    CHECK(used == a.body.size());
    return *event;
  };
  auto event = tool(R"x({"name":"executeCode","arguments":{"code":"print(1)","language":"python"}})x");
  CHECK(event.header(":event-type") == "result");
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(event.payload, doc));
  CHECK(std::string(doc["structuredContent"]["stdout"].GetString()) == "print(1)\n");
  CHECK(std::string(doc["content"][0]["text"].GetString()) == "print(1)\n");

  event = tool(R"({"name":"writeFiles","arguments":{"content":[{"path":"a.txt","text":"hello"},{"path":"d/b.bin","blob":"/wAB"}]}})");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  CHECK_FALSE(doc["isError"].GetBool());
  event = tool(R"({"name":"readFiles","arguments":{"paths":["a.txt","d/b.bin"]}})");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  CHECK(std::string(doc["content"][0]["resource"]["text"].GetString()) == "hello");
  CHECK(std::string(doc["content"][1]["resource"]["blob"].GetString()) == "/wAB");
  event = tool(R"({"name":"listFiles","arguments":{"directoryPath":""}})");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  REQUIRE(doc["content"].Size() == 2);
  CHECK(std::string(doc["content"][0]["name"].GetString()) == "a.txt");
  CHECK(std::string(doc["content"][0]["type"].GetString()) == "resource_link");
  CHECK(doc["content"][0]["size"].GetInt() == 5);
  CHECK(std::string(doc["content"][1]["description"].GetString()) == "Directory");
  event = tool(R"({"name":"executeCommand","arguments":{"command":"cat a.txt"}})");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  CHECK(std::string(doc["structuredContent"]["stdout"].GetString()) == "hello");
  event = tool(R"({"name":"removeFiles","arguments":{"paths":["d"]}})");
  event = tool(R"({"name":"listFiles","arguments":{}})");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  CHECK(doc["content"].Size() == 1);
  event = tool(R"({"name":"startCommandExecution","arguments":{"command":"echo hi"}})");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  const std::string task = doc["structuredContent"]["taskId"].GetString();
  event = tool(R"({"name":"getTask","arguments":{"taskId":")" + task + "\"}}");
  REQUIRE_FALSE(parse_json(event.payload, doc));
  CHECK(std::string(doc["structuredContent"]["taskStatus"].GetString()) == "completed");
  CHECK(std::string(doc["structuredContent"]["stdout"].GetString()) == "hi\n");

  event = tool(R"({"name":"executeCode","arguments":{}})");
  CHECK(event.header(":message-type") == "exception");
  CHECK(event.header(":exception-type") == "validationException");

  f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + id, "{}");
  event = tool(R"({"name":"executeCode","arguments":{"code":"x"}})");
  CHECK(event.header(":exception-type") == "resourceNotFoundException");
}

TEST_CASE("agentcore browser streams and UpdateBrowserStream") {
  Fixture f;
  const Answer start = f.run("PUT", std::string(kBrowser) + "/sessions/start", "", R"({"viewPort":{"width":1280,"height":720}})");
  REQUIRE(start.status == 200);
  const std::string id = start.str("/sessionId");
  CHECK(start.str("/streams/automationStream/streamStatus") == "ENABLED");
  CHECK(start.str("/streams/automationStream/streamEndpoint").starts_with("wss://bedrock-agentcore.us-east-1.amazonaws.com/"));
  const Answer update = f.run("PUT", std::string(kBrowser) + "/sessions/streams/update", "sessionId=" + id,
                              R"({"streamUpdate":{"automationStreamUpdate":{"streamStatus":"DISABLED"}}})");
  REQUIRE(update.status == 200);
  CHECK(update.str("/streams/automationStream/streamStatus") == "DISABLED");
  CHECK(parse_iso8601(update.str("/updatedAt")));
  const Answer get = f.run("GET", std::string(kBrowser) + "/sessions/get", "sessionId=" + id);
  CHECK(get.str("/streams/automationStream/streamStatus") == "DISABLED");
  CHECK(get.json["viewPort"]["width"].GetInt() == 1280);
  CHECK(get.json["sessionTimeoutSeconds"].GetInt() == 3600);
  check_validation(f.run("PUT", std::string(kBrowser) + "/sessions/streams/update", "sessionId=" + id,
                         R"({"streamUpdate":{}})"),
                   "streamUpdate", "Member must have exactly one of [automationStreamUpdate] set");
}

TEST_CASE("agentcore error catalogue renders scenario errors in restJson1") {
  Fixture f;
  CHECK(f.vendor.knows_error("ThrottlingException"));
  CHECK(f.vendor.knows_error("InvalidSignatureException"));
  CHECK_FALSE(f.vendor.knows_error("Throttling"));
  Call call;
  f.vendor.render_error(call, ErrorRequest{"ThrottlingException", "", 0, 2});
  CHECK(call.response.status == 429);
  CHECK(call.response.header("X-Amzn-ErrorType") == "ThrottlingException");
  CHECK(call.response.header("Retry-After") == "2");
  CHECK(call.response.header("x-amzn-RequestId").size() == 36);
  CHECK(call.response.body == R"({"message":"Rate exceeded"})");
  CHECK(call.error_code == "ThrottlingException");
  Call validation;
  f.vendor.render_error(validation, ErrorRequest{"ValidationException", "nope", 0, -1});
  CHECK(validation.response.body == R"({"message":"nope","reason":"FieldValidationFailed"})");
}

TEST_CASE("agentcore fixtures are checked whole, with pointers") {
  Fixture f;
  const auto issue = [&](std::string_view text) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(text, doc));
    const auto found = f.vendor.check_fixture(doc, "/agentcore");
    return found ? found->pointer + ": " + found->message : std::string("ok");
  };
  CHECK(issue(R"({"credentials":[{"accessKeyId":"a"}]})") == "/agentcore/credentials/0/secretAccessKey: is required");
  CHECK(issue(R"({"runtimes":[{"arn":"arn:aws:bedrock-agentcore:us-east-1:123:runtime/x"}]})").starts_with(
      "/agentcore/runtimes/0/arn: must be a runtime ARN"));
  CHECK(issue(R"({"bogus":[]})").starts_with("/agentcore/bogus: unknown key"));
  CHECK(issue(R"({"sessions":[{"kind":"codeInterpreter","codeInterpreterIdentifier":"aws.codeinterpreter.v1","sessionId":"a-b"}]})")
            .starts_with("/agentcore/sessions/0/sessionId"));
  CHECK(issue(R"({"sessions":[{"kind":"browser","browserIdentifier":"aws.browser.v1","sessionId":"ABC","status":"READY"}]})") ==
        "ok");

  // A fixture session is visible through the API, and the state dump reads back as a fixture.
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(
      R"({"sessions":[{"kind":"codeInterpreter","codeInterpreterIdentifier":"aws.codeinterpreter.v1","sessionId":"FIX1","name":"fixed"}]})",
      doc));
  f.vendor.apply_fixture(doc);
  const Answer get = f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=FIX1");
  CHECK(get.str("/name") == "fixed");
  JsonWriter w;
  f.vendor.write_state(w, StateOptions{.secrets = true});
  JsonDocument dump;
  REQUIRE_FALSE(parse_json(w.text(), dump));
  CHECK_FALSE(f.vendor.check_fixture(dump, "/agentcore"));
  f.vendor.clear_state();
  CHECK(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=FIX1").status == 404);
}

TEST_CASE("agentcore fixtures and the control plane describe the same resources") {
  Fixture f;
  const auto issue = [&](std::string_view text) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(text, doc));
    const auto found = f.vendor.check_fixture(doc, "/agentcore");
    return found ? found->pointer + ": " + found->message : std::string("ok");
  };
  CHECK(issue(R"({"memories":[{"name":"m"}]})") == "/agentcore/memories/0/id: is required");
  CHECK(issue(R"({"memories":[{"id":"m-a1b2c3d4e5","colour":"red"}]})").starts_with("/agentcore/memories/0/colour: unknown key"));
  CHECK(issue(R"({"runtimes":[{"arn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a_b-a1b2c3d4e5","invocationUrl":"ftp://x"}]})")
            .starts_with("/agentcore/runtimes/0/invocationUrl: must be an http"));

  JsonDocument doc;
  REQUIRE_FALSE(parse_json(R"({
    "runtimes": [{"arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/local_agent-a1b2c3d4e5",
                  "invocationUrl": "http://127.0.0.1:8080"}],
    "memories": [{"id": "chat_memory-a1b2c3d4e5", "name": "chat_memory", "eventExpiryDuration": 30}],
    "workloadIdentities": [{"name": "my-agent"}]
  })", doc));
  REQUIRE_FALSE(f.vendor.check_fixture(doc, "/agentcore"));
  f.vendor.apply_fixture(doc);

  // The control plane sees the fixture's resources with the model's members.
  const Answer runtime = f.run("GET", "/runtimes/local_agent-a1b2c3d4e5/");
  CHECK(runtime.status == 200);
  CHECK(runtime.str("/status") == "READY");
  CHECK(runtime.str("/agentRuntimeName") == "local_agent");
  const Answer memory = f.run("GET", "/memories/chat_memory-a1b2c3d4e5/details");
  CHECK(memory.status == 200);
  CHECK(memory.str("/memory/arn") == "arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/chat_memory-a1b2c3d4e5");
  CHECK(memory.str("/memory/status") == "ACTIVE");
  CHECK(f.run("POST", "/identities/GetWorkloadIdentity", "", R"({"name":"my-agent"})").status == 200);

  // What the control plane creates is in the dump, in the fixture's shape, with invocationUrl.
  const Answer created = f.run("PUT", "/runtimes/", "", R"({"agentRuntimeName":"made_here","roleArn":"arn:aws:iam::123456789012:role/r",
      "agentRuntimeArtifact":{"containerConfiguration":{"containerUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"}},
      "networkConfiguration":{"networkMode":"PUBLIC"},"tags":{"agentemu:invocationUrl":"http://127.0.0.1:9000"}})");
  CHECK(created.status == 202);
  CHECK(f.run("POST", "/memories/create", "", R"({"name":"second","eventExpiryDuration":7})").status == 202);
  JsonWriter w;
  f.vendor.write_state(w, StateOptions{.secrets = true});
  JsonDocument dump;
  REQUIRE_FALSE(parse_json(w.text(), dump));
  CHECK_FALSE(f.vendor.check_fixture(dump, "/agentcore"));
  bool local = false, made = false;
  for (const auto& r : dump["runtimes"].GetArray()) {
    const std::string arn = r["arn"].GetString();
    if (arn.ends_with("local_agent-a1b2c3d4e5")) local = std::string(r["invocationUrl"].GetString()) == "http://127.0.0.1:8080";
    if (arn.find("made_here-") != std::string::npos) made = std::string(r["invocationUrl"].GetString()) == "http://127.0.0.1:9000";
  }
  CHECK(local);
  CHECK(made);
  CHECK(dump["memories"].Size() == 2);
  CHECK(dump["workloadIdentities"].Size() == 1);
  // ... and reads back: a fresh vendor given the dump answers the same.
  AgentcoreVendor again{f.core.context()};
  again.apply_fixture(dump);
  JsonWriter w2;
  again.write_state(w2, StateOptions{.secrets = true});
  JsonDocument dump2;
  REQUIRE_FALSE(parse_json(w2.text(), dump2));
  CHECK(dump2["memories"].Size() == 2);
  CHECK(dump2["runtimes"].Size() == dump["runtimes"].Size());
}

TEST_CASE("agentcore control plane: transitions on the emulator clock, conflicts, 501 by name") {
  Fixture f;
  const std::string body = R"({"name":"my_ci","networkConfiguration":{"networkMode":"PUBLIC"}})";
  const Answer created = f.run("PUT", "/code-interpreters", "", body);
  REQUIRE(created.status == 202);
  CHECK(created.str("/status") == "CREATING");
  const std::string id = created.str("/codeInterpreterId");
  CHECK(f.run("PUT", "/code-interpreters", "", body).error == "ConflictException");
  // Usable by the data plane at once.
  CHECK(f.run("PUT", "/code-interpreters/" + id + "/sessions/start", "", "{}").status == 200);
  CHECK(f.run("GET", "/code-interpreters/" + id).str("/status") == "CREATING");
  f.core.clock.set_offset(std::chrono::seconds(2));
  CHECK(f.run("GET", "/code-interpreters/" + id).str("/status") == "READY");
  CHECK(f.run("DELETE", "/code-interpreters/" + id).str("/status") == "DELETING");
  CHECK(f.run("PUT", "/code-interpreters/" + id + "/sessions/start", "", "{}").error == "ResourceNotFoundException");
  f.core.clock.set_offset(std::chrono::seconds(4));
  CHECK(f.run("GET", "/code-interpreters/" + id).error == "ResourceNotFoundException");

  const Answer gateway = f.run("POST", "/gateways/", "", R"({"name":"gw","roleArn":"arn:aws:iam::123456789012:role/r",
      "protocolType":"MCP","authorizerType":"NONE"})");
  CHECK(gateway.status == 501);
  CHECK(gateway.error == "NotImplementedException");
  CHECK(gateway.str("/message").starts_with("agentemu does not emulate CreateGateway"));
  CHECK(f.run("GET", "/gateways/").status == 501);
  // A request for the data plane's host never reaches the control plane's routes.
  CHECK(f.run("POST", "/code-interpreters", "", "{}", {{"Host", "bedrock-agentcore.us-east-1.amazonaws.com"}}).error ==
        "UnknownOperationException");
}

TEST_CASE("agentcore sandbox paths") {
  CHECK(*sandbox_path("a.txt") == "/home/sandbox/a.txt");
  CHECK(*sandbox_path("./d/../b") == "/home/sandbox/b");
  CHECK(*sandbox_path("/x//y/") == "/x/y");
  CHECK(*sandbox_path("/../..") == "/");
  CHECK_FALSE(sandbox_path(""));
}

namespace {

// How many sessions of `kind` (codeInterpreter, browser, runtime) the vendor holds, all tenants.
std::size_t held(const AgentcoreVendor& vendor, std::string_view kind) {
  JsonWriter w;
  vendor.write_state(w, StateOptions{.secrets = true});
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(w.text(), doc));
  std::size_t n = 0;
  for (const auto& s : doc["sessions"].GetArray()) n += std::string_view(s["kind"].GetString()) == kind ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("agentcore tool sessions: terminated ones are forgotten an hour after they ended; replays still answer") {
  Fixture f;
  const std::string start = std::string(kCi) + "/sessions/start";
  const std::string get = std::string(kCi) + "/sessions/get";
  const Answer started = f.run("PUT", start, "", R"({"sessionTimeoutSeconds":60,"clientToken":"start-0000000000000000000000000000001"})");
  REQUIRE(started.status == 200);
  const std::string expiring = started.str("/sessionId");
  const std::string stopped = f.start_ci();
  const std::string stop_body = R"({"clientToken":"stop-000000000000000000000000000000001"})";
  const Answer stop = f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + stopped, stop_body);
  REQUIRE(stop.status == 200);
  const std::string ready = f.start_ci(R"({"sessionTimeoutSeconds":28800})");
  CHECK(held(f.vendor, "codeInterpreter") == 3);

  f.core.clock.set_offset(std::chrono::seconds(3599));
  CHECK(f.run("GET", get, "sessionId=" + stopped).str("/status") == "TERMINATED");
  CHECK(f.run("GET", get, "sessionId=" + expiring).str("/status") == "TERMINATED");
  f.core.clock.set_offset(std::chrono::seconds(3600));
  CHECK(f.run("GET", get, "sessionId=" + stopped).error == "ResourceNotFoundException");
  CHECK(f.run("GET", get, "sessionId=" + expiring).str("/status") == "TERMINATED");  // ended at 60 s
  f.core.clock.set_offset(std::chrono::seconds(3660));
  CHECK(f.run("GET", get, "sessionId=" + expiring).error == "ResourceNotFoundException");
  CHECK(f.run("GET", get, "sessionId=" + ready).str("/status") == "READY");
  CHECK(held(f.vendor, "codeInterpreter") == 1);
  const Answer terminated = f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"status":"TERMINATED"})");
  CHECK(terminated.json["items"].Size() == 0);

  // The clientToken records outlive the sessions they named: a retry still gets its answer.
  const Answer start_replay =
      f.run("PUT", start, "", R"({"sessionTimeoutSeconds":60,"clientToken":"start-0000000000000000000000000000001"})");
  CHECK(start_replay.status == 200);
  CHECK(start_replay.body == started.body);
  const Answer stop_replay = f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + stopped, stop_body);
  CHECK(stop_replay.status == 200);
  CHECK(stop_replay.body == stop.body);

  // A session the clock ended stays ended when the clock is moved back.
  const std::string brief = f.start_ci(R"({"sessionTimeoutSeconds":60})");
  f.core.clock.set_offset(std::chrono::seconds(3725));
  CHECK(f.run("GET", get, "sessionId=" + brief).str("/status") == "TERMINATED");
  f.core.clock.set_offset(std::chrono::seconds(3660));
  CHECK(f.run("GET", get, "sessionId=" + brief).str("/status") == "TERMINATED");
  CHECK(f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"status":"READY"})").json["items"].Size() == 1);
}

TEST_CASE("agentcore tool sessions: READY ones are counted, TERMINATED ones capped per tool, oldest first") {
  Fixture f;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < kActiveSessionLimit; ++i) ids.push_back(f.start_ci(R"({"sessionTimeoutSeconds":60})"));
  const Answer full = f.run("PUT", std::string(kCi) + "/sessions/start", "", "{}");
  CHECK(full.status == 402);
  CHECK(full.error == "ServiceQuotaExceededException");
  // Another tool has its own count.
  CHECK(f.run("PUT", std::string(kBrowser) + "/sessions/start", "", "{}").status == 200);
  // A stop frees a place at once.
  REQUIRE(f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + ids.front(), "{}").status == 200);
  ids.push_back(f.start_ci(R"({"sessionTimeoutSeconds":120})"));
  CHECK(f.run("PUT", std::string(kCi) + "/sessions/start", "", "{}").status == 402);
  // The clock ends the 999 sessions of 60 s: places again, and 1000 TERMINATED kept.
  f.core.clock.set_offset(std::chrono::seconds(61));
  const std::string late = f.start_ci();
  CHECK(held(f.vendor, "codeInterpreter") == kActiveSessionLimit + 2);
  // One more TERMINATED: the oldest (the one stopped first) goes.
  REQUIRE(f.run("PUT", std::string(kCi) + "/sessions/stop", "sessionId=" + late, "{}").status == 200);
  CHECK(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + ids.front()).error == "ResourceNotFoundException");
  CHECK(f.run("GET", std::string(kCi) + "/sessions/get", "sessionId=" + ids[1]).str("/status") == "TERMINATED");
  CHECK(held(f.vendor, "codeInterpreter") == kTerminatedKept + 1);  // and the READY one of 120 s
  const Answer ready = f.run("POST", std::string(kCi) + "/sessions/list", "", R"({"status":"READY"})");
  REQUIRE(ready.json["items"].Size() == 1);
  CHECK(ready.str("/items/0/sessionId") == ids.back());
}

TEST_CASE("agentcore runtime sessions: ended ones are forgotten after the retention") {
  Fixture f;
  const std::string invoke = std::string(kArnPath) + "/invocations";
  const std::vector<std::pair<std::string, std::string>> json{{"Content-Type", "application/json"}};
  for (int i = 0; i < 3; ++i) REQUIRE(f.run("POST", invoke, "", "{}", json).status == 200);  // a fresh id each time
  const std::string session = "session-0000000000000000000000000000001";
  auto named = json;
  named.emplace_back("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", session);
  REQUIRE(f.run("POST", invoke, "", "{}", named).status == 200);
  const std::string stop = std::string(kArnPath) + "/stopruntimesession";
  const std::vector<std::pair<std::string, std::string>> stop_headers{
      {"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", session}};
  const std::string token = R"({"clientToken":"stop-000000000000000000000000000000001"})";
  const Answer stopped = f.run("POST", stop, "", token, stop_headers);
  REQUIRE(stopped.status == 200);
  CHECK(held(f.vendor, "runtime") == 4);

  // Idle past the timeout, then the retention: all gone once a request looks.
  f.core.clock.set_offset(std::chrono::seconds(kRuntimeIdleTimeout) + kTerminatedRetention);
  REQUIRE(f.run("POST", invoke, "", "{}", json).status == 200);
  CHECK(held(f.vendor, "runtime") == 1);
  // The stop's clientToken still replays; a new token finds nothing, as before.
  const Answer replay = f.run("POST", stop, "", token, stop_headers);
  CHECK(replay.status == 200);
  CHECK(replay.body == stopped.body);
  CHECK(f.run("POST", stop, "", R"({"clientToken":"stop-000000000000000000000000000000002"})", stop_headers).error ==
        "ResourceNotFoundException");
  // An invocation keeps a session alive past the idle timeout of its start.
  REQUIRE(f.run("POST", invoke, "", "{}", named).json["newSession"].GetBool());
  f.core.clock.set_offset(std::chrono::seconds(2 * kRuntimeIdleTimeout - 10) + kTerminatedRetention);
  CHECK_FALSE(f.run("POST", invoke, "", "{}", named).json["newSession"].GetBool());
  f.core.clock.set_offset(std::chrono::seconds(3 * kRuntimeIdleTimeout - 20) + kTerminatedRetention);
  CHECK_FALSE(f.run("POST", invoke, "", "{}", named).json["newSession"].GetBool());
}
