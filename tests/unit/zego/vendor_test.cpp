// The zego vendor's request path without sockets: envelopes, bad input, the agent's timeline on
// the emulator clock, graceful shutdown with and without a deferred answer, fixtures.
#include <doctest/doctest.h>

#include <string>

#include "core/json.hpp"
#include "support/harness.hpp"
#include "vendors/zego/auth.hpp"
#include "vendors/zego/errors.hpp"
#include "vendors/zego/operations.hpp"
#include "vendors/zego/zego_vendor.hpp"

using namespace agentemu;
using namespace agentemu::testing;

namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

struct Fixture {
  explicit Fixture(AuthMode auth = AuthMode::strict, const std::string& app_extra = "") : core(auth), vendor(core.context()) {
    merge(R"({"apps":[{"AppId":1234567890,"ServerSecret":")" + std::string(kSecret) + "\"" + app_extra +
          R"(}],"agents":[{"AgentId":"jacky","Name":"Jacky","LLM":{"Url":"https://llm.example/v1","ApiKey":"k","Model":"m"},"TTS":{"Vendor":"ByteDance","Params":{"app":{"appid":"a"}}}}]})");
  }

  void merge(const std::string& section) {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(section, doc, JsonDialect::relaxed));
    const auto issue = vendor.check_fixture(doc, "/zego");
    REQUIRE_MESSAGE(!issue, (issue ? issue->pointer + ": " + issue->message : ""));
    vendor.apply_fixture(doc);
  }

  std::string query(const std::string& action, std::int64_t skew = 0, const std::string& nonce = "4fd24687296dd9f3") {
    const std::string ts = std::to_string(epoch_seconds(core.clock.now()) + skew);
    return "Action=" + action + "&AppId=1234567890&SignatureNonce=" + nonce + "&Timestamp=" + ts +
           "&Signature=" + zego::sign("1234567890", nonce, kSecret, ts) + "&SignatureVersion=2.0";
  }

  struct Answer {
    std::shared_ptr<TestCall> call;
    JsonDocument json;
    std::int64_t code() const { return json["Code"].GetInt64(); }
    std::string message() const { return json["Message"].GetString(); }
    const JsonValue& data() const { return json["Data"]; }
  };

  Answer send(const std::string& query, const std::string& body, const std::string& method = "POST") {
    auto call = TestCall::make(TestRequest{method, "/", query, {{"Host", "127.0.0.1:4599"}}, body}, core.clock);
    call->run(vendor);
    Answer a{call, {}};
    if (!call->call.paused()) {
      REQUIRE(call->call.response.status == 200);
      REQUIRE(call->call.response.content_type == "application/json; charset=utf-8");
      REQUIRE_FALSE(parse_json(call->call.response.body, a.json));
    }
    return a;
  }
  Answer act(const std::string& action, const std::string& body) { return send(query(action), body); }

  std::string create(const std::string& extra = "") {
    auto a = act("CreateAgentInstance",
                 R"({"AgentId":"jacky","UserId":"user_1","RTC":{"RoomId":"room_1","AgentStreamId":"agent_stream_1","AgentUserId":"agent_user_1","UserStreamId":"user_stream_1"})" +
                     extra + "}");
    REQUIRE(a.code() == 0);
    return a.data()["AgentInstanceId"].GetString();
  }
  std::string status(const std::string& id) {
    auto a = act("QueryAgentInstanceStatus", R"({"AgentInstanceId":")" + id + "\"}");
    return a.code() == 0 ? a.data()["Status"].GetString() : std::to_string(a.code());
  }
  void advance(double seconds) {
    core.clock.set_offset(core.clock.offset() + Millis(static_cast<std::int64_t>(seconds * 1000)));
    core.scheduler.clock_changed();
    core.run_for(std::chrono::milliseconds(50));
  }

  TestCore core;
  zego::ZegoVendor vendor;
};

}  // namespace

TEST_CASE("zego envelope: Code, Message, RequestId and Data; errors are HTTP 200") {
  Fixture f;
  auto ok = f.act("ListAgents", "{}");
  CHECK(ok.code() == 0);
  CHECK(ok.message() == "Success");
  const std::string request_id = ok.json["RequestId"].GetString();
  CHECK(request_id.size() == 19);
  CHECK(request_id.find_first_not_of("0123456789") == std::string::npos);
  CHECK(ok.data()["Total"].GetInt() == 1);

  auto error = f.act("UnregisterAgent", R"({"AgentId":"nobody"})");
  CHECK(error.code() == 410001009);
  CHECK(error.message() == "AI agent not found.");
  CHECK_FALSE(error.json.HasMember("Data"));
  CHECK(error.call->call.error_code == "410001009");
}

TEST_CASE("zego gateway codes come back through the vendor") {
  Fixture f;
  CHECK(f.send("AppId=1234567890&SignatureVersion=2.0", "{}").code() == 100000006);
  CHECK(f.send(f.query("Nope"), "{}").code() == 100000007);
  CHECK(f.act("ListAgents", "{}").code() == 0);
  CHECK(f.send(f.query("ListAgents", 601), "{}").code() == 100000004);
  CHECK(f.send(f.query("ListAgents", -601), "{}").code() == 100000004);
  std::string q = f.query("ListAgents");
  q.replace(q.find("AppId=1234567890"), 16, "AppId=1234567891");
  CHECK(f.send(q, "{}").code() == 100000010);
  q = f.query("ListAgents");
  q[q.find("Signature=") + 10] ^= 1;
  CHECK(f.send(q, "{}").code() == 100000005);
}

TEST_CASE("zego moving the emulator clock moves the signature window") {
  Fixture f;
  const std::string q = f.query("ListAgents");
  CHECK(f.send(q, "{}").code() == 0);
  f.advance(601);
  CHECK(f.send(q, "{}").code() == 100000004);
}

TEST_CASE("zego bad bodies: 410000004 for non-JSON, 410000003 naming the member") {
  Fixture f;
  CHECK(f.act("ListAgents", "{not json").code() == 410000004);
  CHECK(f.act("ListAgents", "[1,2]").code() == 410000004);
  auto missing = f.act("RegisterAgent", "{}");
  CHECK(missing.code() == 410000003);
  CHECK(missing.message().find("AgentId") != std::string::npos);
  auto nested = f.act("CreateAgentInstance", R"({"AgentId":"jacky","UserId":"u","RTC":{"RoomId":"r"}})");
  CHECK(nested.code() == 410000003);
  CHECK(nested.message().find("RTC.AgentStreamId") != std::string::npos);
  auto range = f.act("ListAgents", R"({"Limit":11})");
  CHECK(range.code() == 410000003);
  CHECK(range.message().find("Limit") != std::string::npos);
  auto too_long = f.act("RegisterAgent", R"({"AgentId":")" + std::string(129, 'a') + "\"}");
  CHECK(too_long.code() == 410000003);
  CHECK(f.act("CreateAgentInstance", R"({"AgentId":"jacky","UserId":"u","RTC":{"RoomId":"r","AgentStreamId":"a","AgentUserId":"b","UserStreamId":"c"},"AdvancedConfig":{"CommunicationMode":1}})")
            .code() == 410000003);
  // JSON null stands for a left-out optional object.
  CHECK(f.act("CreateAgentInstance", R"({"AgentId":"jacky","UserId":"u","RTC":{"RoomId":"r","AgentStreamId":"a","AgentUserId":"b","UserStreamId":"c"},"LLM":null,"TTS":null,"ASR":null,"CallbackConfig":null})")
            .code() == 0);
}

TEST_CASE("zego GET carries the business parameters in the query") {
  Fixture f;
  auto a = f.send(f.query("QueryAgents") + "&AgentIds[]=jacky&AgentIds[]=ghost", "", "GET");
  REQUIRE(a.code() == 0);
  REQUIRE(a.data()["Agents"].Size() == 1);
  CHECK(std::string(a.data()["Agents"][0]["AgentId"].GetString()) == "jacky");
  CHECK(f.send(f.query("ListAgents") + "&Limit=x", "", "GET").code() == 410000003);
}

TEST_CASE("zego Send* walks THINKING and SPEAKING back to IDLE on the emulator clock") {
  Fixture f;
  const std::string id = f.create();
  CHECK(f.status(id) == "IDLE");
  auto first = f.act("SendAgentInstanceLLM", R"({"AgentInstanceId":")" + id + R"(","Text":"hi","AddQuestionToHistory":true})");
  REQUIRE(first.code() == 0);
  CHECK(f.status(id) == "THINKING");
  f.advance(1.5);
  CHECK(f.status(id) == "SPEAKING");
  f.advance(3);
  CHECK(f.status(id) == "IDLE");
  auto second = f.act("SendAgentInstanceTTS", R"({"AgentInstanceId":")" + id + R"(","Text":"hello"})");
  REQUIRE(second.code() == 0);
  CHECK(second.data()["Round"].GetInt64() > first.data()["Round"].GetInt64());
  CHECK(f.status(id) == "SPEAKING");

  auto history = f.act("GetAgentInstanceMsgList", R"({"AgentInstanceId":")" + id + "\"}");
  REQUIRE(history.code() == 0);
  CHECK(history.data()["Total"].GetInt() == 3);
  CHECK(std::string(history.data()["MessageList"][0]["Role"].GetString()) == "user");
  CHECK(std::string(history.data()["MessageList"][2]["Content"].GetString()) == "hello");
}

TEST_CASE("zego graceful delete answers at once and keeps the instance until it is idle") {
  Fixture f;
  const std::string id = f.create();
  f.merge(R"({"instances":[{"AgentInstanceId":")" + id + R"(","Status":"SPEAKING","BusySeconds":5}]})");
  auto del = f.act("DeleteAgentInstance", R"({"AgentInstanceId":")" + id + R"(","GracefulShutdown":true,"GracefulShutdownTimeout":30})");
  CHECK(del.code() == 0);
  CHECK(f.status(id) == "410001041");
  CHECK(f.act("DeleteAgentInstance", R"({"AgentInstanceId":")" + id + "\"}").code() == 410001041);
  f.advance(5.5);
  CHECK(f.status(id) == "410001002");
  CHECK(f.vendor.param(del.call->call, "AgentInstanceId") == id);
}

TEST_CASE("zego graceful delete can hold its answer until the instance is gone, without a thread") {
  Fixture f(AuthMode::strict, R"(,"GracefulDeleteWaits":true)");
  const std::string id = f.create();
  f.merge(R"({"instances":[{"AgentInstanceId":")" + id + R"(","Status":"THINKING"}]})");
  auto del = f.act("DeleteAgentInstance", R"({"AgentInstanceId":")" + id + R"(","GracefulShutdown":true,"GracefulShutdownTimeout":10})");
  REQUIRE(del.call->call.paused());
  CHECK(del.call->resumed == 0);
  f.advance(9);
  CHECK(del.call->resumed == 0);
  CHECK(f.status(id) == "410001041");
  f.advance(1.5);
  CHECK(del.call->resumed == 1);
  JsonDocument answer;
  REQUIRE_FALSE(parse_json(del.call->call.response.body, answer));
  CHECK(answer["Code"].GetInt() == 0);
  CHECK(f.status(id) == "410001002");
}

TEST_CASE("zego reset answers a waiting graceful delete") {
  Fixture f(AuthMode::strict, R"(,"GracefulDeleteWaits":true)");
  const std::string id = f.create();
  f.merge(R"({"instances":[{"AgentInstanceId":")" + id + R"(","Status":"SPEAKING"}]})");
  auto del = f.act("DeleteAgentInstance", R"({"AgentInstanceId":")" + id + R"(","GracefulShutdown":true})");
  REQUIRE(del.call->call.paused());
  f.vendor.clear_state();
  CHECK(del.call->resumed == 1);
}

TEST_CASE("zego fixtures name the JSON pointer of a mistake") {
  Fixture f;
  const auto issue_of = [&](const std::string& text) -> std::string {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(text, doc, JsonDialect::relaxed));
    auto issue = f.vendor.check_fixture(doc, "/zego");
    return issue ? issue->pointer + ": " + issue->message : "";
  };
  CHECK(issue_of(R"({"apps":[{"AppId":1}]})") == "/zego/apps/0/ServerSecret: is required for a new app");
  CHECK(issue_of(R"({"appz":[]})").starts_with("/zego/appz: unknown key"));
  CHECK(issue_of(R"({"agents":[{"AgentId":"a","LLM":{"Url":"u"}}]})").starts_with("/zego/agents/0/LLM/ApiKey"));
  CHECK(issue_of(R"({"instances":[{"AgentInstanceId":"1","Status":"NAPPING"}]})").starts_with("/zego/instances/0/Status"));
  CHECK(issue_of(R"({"instances":[{"AgentInstanceId":"1","AppId":99}]})").starts_with("/zego/instances/0/AppId"));
  CHECK(issue_of(R"({"instances":[{"AgentInstanceId":"1","BusySeconds":3}]})").starts_with("/zego/instances/0/BusySeconds"));
  CHECK(issue_of(R"({"apps":[{"AppId":1234567890,"RateLimitCode":5}]})").starts_with("/zego/apps/0/RateLimitCode"));
  CHECK(issue_of(R"({"apps":[{"AppId":1234567890,"InstanceLimit":2}]})").empty());
}

TEST_CASE("zego error catalogue renders every code for scenarios") {
  Fixture f;
  CHECK(f.vendor.knows_error("410001041"));
  CHECK(f.vendor.knows_error("100000004"));
  CHECK_FALSE(f.vendor.knows_error("400"));
  CHECK_FALSE(f.vendor.knows_error("ThrottlingException"));
  for (const auto& info : zego::error_catalogue()) {
    auto call = TestCall::make(TestRequest{}, f.core.clock);
    f.vendor.render_error(call->call, ErrorRequest{std::to_string(info.code), "", 0, -1});
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(call->call.response.body, doc));
    CHECK(call->call.response.status == 200);
    CHECK(doc["Code"].GetInt64() == info.code);
    CHECK(std::string(doc["Message"].GetString()) == info.message);
  }
  auto call = TestCall::make(TestRequest{}, f.core.clock);
  f.vendor.render_error(call->call, ErrorRequest{"410000007", "slow down", 429, 2});
  CHECK(call->call.response.status == 429);
  CHECK(call->call.response.header("Retry-After") == "2");
}

TEST_CASE("zego operation table lists the 19 actions in order") {
  const auto names = zego::operation_names();
  REQUIRE(names.size() == 19);
  CHECK(zego::find_operation("DeleteAgentInstance") == static_cast<int>(zego::Op::DeleteAgentInstance));
  CHECK(zego::find_operation("deleteagentinstance") == -1);
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(zego::find_operation(names[i]) == static_cast<int>(i));
}

namespace {

JsonDocument state_of(const zego::ZegoVendor& vendor) {
  JsonWriter w;
  vendor.write_state(w, StateOptions{.secrets = true});
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(w.text(), doc));
  return doc;
}

std::size_t deleted_for(const JsonDocument& state, std::string_view reason) {
  std::size_t n = 0;
  for (const auto& d : state["deletedInstances"].GetArray()) n += std::string_view(d["Reason"].GetString()) == reason ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("zego expired live digital humans are swept at the next create, nobody asking about them") {
  Fixture f;
  const std::string live =
      R"({"AgentId":"jacky","CDN":{"Url":"rtmp://push.example.com/live/key"},"DigitalHuman":{"DigitalHumanId":"anchor"},"AdvancedConfig":{"MaxIdleTime":30}})";
  for (int i = 0; i < 10; ++i) REQUIRE(f.act("CreateLiveDigitalHumanAgentInstance", live).code() == 0);
  CHECK(f.act("CreateLiveDigitalHumanAgentInstance", live).code() == 410000011);  // the limit of 10
  CHECK(deleted_for(state_of(f.vendor), "max_idle_time") == 0);
  f.advance(31);
  // All ten expired: the next create removes them for good (reason max_idle_time), then counts.
  for (int i = 0; i < 10; ++i) REQUIRE(f.act("CreateLiveDigitalHumanAgentInstance", live).code() == 0);
  const JsonDocument state = state_of(f.vendor);
  CHECK(deleted_for(state, "max_idle_time") == 10);
  CHECK(state["instances"].Size() == 10);
  f.advance(31);
  REQUIRE(f.create().size() == 19);  // a standard instance sweeps them too
  CHECK(deleted_for(state_of(f.vendor), "max_idle_time") == 20);
}

TEST_CASE("zego --auth lenient: apps made for unknown AppIds are bounded; the ones holding state stay") {
  Fixture f(AuthMode::lenient);
  const auto send_as = [&](std::uint32_t app_id, const std::string& action, const std::string& body) {
    const std::string ts = std::to_string(epoch_seconds(f.core.clock.now()));
    const std::string app = std::to_string(app_id);
    return f.send("Action=" + action + "&AppId=" + app + "&SignatureNonce=n" + app + "&Timestamp=" + ts +
                      "&Signature=" + zego::sign(app, "n" + app, "", ts) + "&SignatureVersion=2.0",
                  body);
  };
  // An app that holds an agent, made first (the oldest).
  REQUIRE(send_as(7, "RegisterAgent", R"({"AgentId":"kept","Name":"Kept","LLM":{"Url":"https://llm.example/v1","ApiKey":"k","Model":"m"},"TTS":{"Vendor":"ByteDance","Params":{"app":{"appid":"a"}}}})").code() == 0);
  const std::size_t many = zego::State::kAutomaticAppsKept * 2;
  for (std::uint32_t id = 1000; id < 1000 + many; ++id) REQUIRE(send_as(id, "ListAgents", "{}").code() == 0);
  const JsonDocument state = state_of(f.vendor);
  const std::size_t apps = state["apps"].Size();
  CHECK(apps <= zego::State::kAutomaticAppsKept + 2);  // the automatic ones, app 7 and the fixture's app
  CHECK(apps >= zego::State::kAutomaticAppsKept);
  bool kept = false, fixture = false;
  for (const auto& app : state["apps"].GetArray()) {
    kept = kept || app["AppId"].GetInt64() == 7;
    fixture = fixture || app["AppId"].GetInt64() == 1234567890;
  }
  CHECK(kept);
  CHECK(fixture);
  // Dropped apps come back on their next request, with their defaults; app 7 kept its agent.
  CHECK(send_as(1000, "ListAgents", "{}").data()["Total"].GetInt() == 0);
  CHECK(send_as(7, "ListAgents", "{}").data()["Total"].GetInt() == 1);

  // Once app 7 holds nothing, it is dropped in its turn like the others.
  REQUIRE(send_as(7, "UnregisterAgent", R"({"AgentId":"kept"})").code() == 0);
  for (std::uint32_t id = 5000; id < 5000 + many; ++id) REQUIRE(send_as(id, "ListAgents", "{}").code() == 0);
  const JsonDocument later = state_of(f.vendor);
  CHECK(later["apps"].Size() <= zego::State::kAutomaticAppsKept + 1);
  bool still_there = false;
  for (const auto& app : later["apps"].GetArray()) still_there = still_there || app["AppId"].GetInt64() == 7;
  CHECK_FALSE(still_there);
}

TEST_CASE("zego instances keep their agent as it was at creation; a fixture's AgentId keeps the blocks they had") {
  Fixture f;
  const std::string id = f.create();
  REQUIRE(f.act("UpdateAgent", R"({"AgentId":"jacky","Name":"Jacky 2","LLM":{"Url":"https://other.example/v1","ApiKey":"k2","Model":"m2"}})").code() == 0);
  const std::string later = f.create();
  const auto instance = [&](const std::string& which) {
    JsonDocument state = state_of(f.vendor);
    for (auto& i : state["instances"].GetArray()) {
      if (i["AgentInstanceId"].GetString() == which) {
        JsonWriter w;
        w.value(i);
        return w.take();
      }
    }
    return std::string();
  };
  CHECK(instance(id).find(R"("LLM":{"Url":"https://llm.example/v1","ApiKey":"k","Model":"m"})") != std::string::npos);
  CHECK(instance(later).find(R"("LLM":{"Url":"https://other.example/v1","ApiKey":"k2","Model":"m2"})") != std::string::npos);
  CHECK(instance(id).find(R"("RTC":{"RoomId":"room_1","AgentStreamId":"agent_stream_1","AgentUserId":"agent_user_1","UserStreamId":"user_stream_1"})") !=
        std::string::npos);

  // Another agent for the first instance: it keeps the LLM and TTS it had; the name is the new agent's.
  f.merge(R"({"agents":[{"AgentId":"other","Name":"Other","ASR":{"Vendor":"Microsoft"}}],
              "instances":[{"AgentInstanceId":")" + id + R"(","AgentId":"other"}]})");
  const std::string moved = instance(id);
  CHECK(moved.find(R"("AgentId":"other")") != std::string::npos);
  CHECK(moved.find(R"("LLM":{"Url":"https://llm.example/v1","ApiKey":"k","Model":"m"})") != std::string::npos);
  CHECK(moved.find(R"("TTS":{"Vendor":"ByteDance")") != std::string::npos);
  CHECK(moved.find(R"("ASR":{"Vendor":"Microsoft"})") != std::string::npos);
  // UpdateAgentInstance's UserStreamId replaces that one member of RTC.
  REQUIRE(f.act("UpdateAgentInstance", R"({"AgentInstanceId":")" + id + R"(","RTC":{"UserStreamId":"user_stream_2"}})").code() == 0);
  CHECK(instance(id).find(R"("RTC":{"RoomId":"room_1","AgentStreamId":"agent_stream_1","AgentUserId":"agent_user_1","UserStreamId":"user_stream_2"})") !=
        std::string::npos);
}
