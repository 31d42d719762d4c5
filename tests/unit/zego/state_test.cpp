// The ZEGO state: the per-app instance counts CreateAgentInstance reads instead of walking every
// instance (standard and digital-human ones, a live digital human past MaxIdleTime, removal, a
// fixture changing a stored instance's kind), and the compact instance: UserId and RTC in one
// block, the agent's blocks unless it has its own, a life made on first need.
#include <doctest/doctest.h>

#include <chrono>

#include "core/json.hpp"
#include "vendors/zego/state.hpp"

using namespace agentemu;
using namespace agentemu::zego;

namespace {

Instance make(std::uint32_t app_id, Kind kind, SystemTime now) {
  Instance instance;
  instance.app_id = app_id;
  instance.kind = kind;
  instance.created = now;
  instance.mutable_config().max_idle_seconds = 60;
  return instance;
}

}  // namespace

TEST_CASE("zego state: live instances are counted per app, expired live digital humans not") {
  State state;
  const SystemTime now{std::chrono::seconds(1'800'000'000)};
  state.add_instance("a1", make(1, Kind::standard, now));
  state.add_instance("a2", make(1, Kind::digital_human, now));
  state.add_instance("a3", make(1, Kind::live_digital_human, now));
  state.add_instance("b1", make(2, Kind::standard, now));
  state.add_instance("a1", make(1, Kind::live_digital_human, now));  // the same id again: not counted

  CHECK(state.live_instances(1, false, now) == 3);
  CHECK(state.live_instances(1, true, now) == 2);
  CHECK(state.live_instances(2, false, now) == 1);
  CHECK(state.live_instances(3, false, now) == 0);
  CHECK(state.instances.at("a1").kind == Kind::standard);

  const SystemTime later = now + std::chrono::seconds(61);  // a3 is past its MaxIdleTime
  CHECK(state.live_instances(1, false, later) == 2);
  CHECK(state.live_instances(1, true, later) == 1);
  REQUIRE(state.live_digital_humans(1, later).size() == 1);
  CHECK(state.live_digital_humans(1, later).front()->id() == "a2");

  Effects effects;
  state.sweep_expired(later, effects);
  CHECK_FALSE(state.instances.contains("a3"));
  CHECK(state.deleted.back().reason == "max_idle_time");
  CHECK(state.live_instances(1, false, later) == 2);

  state.set_kind(state.instances.at("a1"), Kind::digital_human);
  CHECK(state.live_instances(1, true, later) == 2);
  state.remove(state.instances.find("a2"), "deleted", later, effects);
  state.remove(state.instances.find("a1"), "deleted", later, effects);
  CHECK(state.live_instances(1, false, later) == 0);
  CHECK_FALSE(state.instances_per_app.contains(1));
  CHECK(state.instances_per_app.at(2).count == 1);
}

namespace {

std::string written(const JsonValue& value) {
  JsonWriter w;
  w.value(value);
  return w.take();
}

// UserAndRtc keeps RTC as JSON text with its member names packed to a byte each: what comes back
// must be what went in, whatever the names and strings hold.
void check_round_trip(std::string_view user_id, const std::string& rtc_text) {
  JsonDocument rtc;
  REQUIRE_FALSE(parse_json(rtc_text, rtc));
  const UserAndRtc kept(user_id, &rtc);
  CHECK(kept.user_id() == user_id);
  CHECK(kept.has_rtc());
  CHECK(written(kept.rtc()) == written(rtc));
}

}  // namespace

TEST_CASE("zego state: UserAndRtc gives back the UserId and the RTC block as they were sent") {
  check_round_trip("user_1", R"({"RoomId":"room_1","AgentStreamId":"agent_stream_1","AgentUserId":"agent_1","UserStreamId":"user_stream_1"})");
  check_round_trip("", R"({"UserStreamId":"s","RoomId":"r"})");  // any order, no UserId
  // Names and strings that look like the packed members, nesting, escapes and control characters.
  check_round_trip("u", R"({"\"RoomId":"\"RoomId\":","x":["RoomId",{"RoomId":"in"}],"RoomIds":1,"RoomId":"a,\"RoomId\":b"})");
  check_round_trip("u", R"({"Extra":{"AgentUserId":"\u0001\u0002\n","n":[1,2.5,null,true]},"AgentUserId":"é"})");
  check_round_trip("u", R"({})");
  check_round_trip(std::string(300, 'x'), R"({"RoomId":")" + std::string(200, 'r') + R"("})");

  JsonDocument rtc;
  REQUIRE_FALSE(parse_json(R"({"RoomId":"room_1","AgentUserId":"agent_1"})", rtc));
  UserAndRtc kept("user_1", &rtc);
  CHECK(kept.rtc_text("RoomId") == "room_1");
  CHECK(kept.rtc_text("AgentUserId") == "agent_1");
  CHECK(kept.rtc_text("UserStreamId").empty());
  kept.set_user_id("user_2");
  CHECK(kept.user_id() == "user_2");
  CHECK(kept.rtc_text("RoomId") == "room_1");
  kept.set_rtc(nullptr);
  CHECK(kept.user_id() == "user_2");
  CHECK_FALSE(kept.has_rtc());
  CHECK(kept.rtc().IsNull());
  CHECK(kept.rtc_text("RoomId").empty());

  const UserAndRtc none;
  CHECK(none.user_id().empty());
  CHECK_FALSE(none.has_rtc());
}

TEST_CASE("zego state: an instance takes its agent's blocks unless it has its own, and gets a life on first need") {
  JsonDocument llm;
  REQUIRE_FALSE(parse_json(R"({"Url":"https://llm.example/v1"})", llm));
  auto agent = std::make_shared<Agent>();
  agent->id = "jacky";
  agent->name = "Jacky";
  agent->llm = agent->tts = copy_block(&llm);

  const SystemTime now{std::chrono::seconds(1'800'000'000)};
  Instance instance;
  instance.agent = agent;
  instance.created = now;
  CHECK(instance.agent_id() == "jacky");
  CHECK(instance.agent_name() == "Jacky");
  CHECK(instance.llm() == agent->llm);
  CHECK(instance.asr() == nullptr);
  instance.mutable_config().tts = Block{};  // its own: none
  CHECK(instance.tts() == nullptr);
  CHECK(instance.llm() == agent->llm);

  CHECK_FALSE(instance.has_life());
  CHECK(instance.status_at(now) == Status::idle);
  CHECK(instance.life().phases.empty());
  CHECK(instance.last_driven() == now);
  instance.prune(now + std::chrono::seconds(1));
  CHECK_FALSE(instance.has_life());  // reading and pruning an empty timeline make none
  instance.remember("user", "hi");
  REQUIRE(instance.has_life());
  CHECK(instance.life().history.size() == 1);
  CHECK(instance.last_driven() == now);  // a life starts from the creation
  CHECK(instance.life().reported_at == now);

  State state;
  Instance& stored = state.add_instance("1912122918452641792", std::move(instance));
  CHECK(stored.id() == "1912122918452641792");
}
