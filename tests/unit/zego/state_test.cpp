// The ZEGO state's per-app instance counts, which CreateAgentInstance reads instead of walking
// every instance: standard and digital-human instances, a live digital human past MaxIdleTime,
// removal, and a fixture changing a stored instance's kind.
#include <doctest/doctest.h>

#include <chrono>

#include "vendors/zego/state.hpp"

using namespace agentemu;
using namespace agentemu::zego;

namespace {

Instance make(std::string id, std::uint32_t app_id, Kind kind, SystemTime now) {
  Instance instance;
  instance.id = std::move(id);
  instance.app_id = app_id;
  instance.kind = kind;
  instance.created = instance.last_driven = now;
  instance.max_idle_seconds = 60;
  return instance;
}

}  // namespace

TEST_CASE("zego state: live instances are counted per app, expired live digital humans not") {
  State state;
  const SystemTime now{std::chrono::seconds(1'800'000'000)};
  state.add_instance(make("a1", 1, Kind::standard, now));
  state.add_instance(make("a2", 1, Kind::digital_human, now));
  state.add_instance(make("a3", 1, Kind::live_digital_human, now));
  state.add_instance(make("b1", 2, Kind::standard, now));
  state.add_instance(make("a1", 1, Kind::live_digital_human, now));  // the same id again: not counted

  CHECK(state.live_instances(1, false, now) == 3);
  CHECK(state.live_instances(1, true, now) == 2);
  CHECK(state.live_instances(2, false, now) == 1);
  CHECK(state.live_instances(3, false, now) == 0);
  CHECK(state.instances.at("a1").kind == Kind::standard);

  const SystemTime later = now + std::chrono::seconds(61);  // a3 is past its MaxIdleTime
  CHECK(state.live_instances(1, false, later) == 2);
  CHECK(state.live_instances(1, true, later) == 1);
  REQUIRE(state.live_digital_humans(1, later).size() == 1);
  CHECK(state.live_digital_humans(1, later).front()->id == "a2");

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
