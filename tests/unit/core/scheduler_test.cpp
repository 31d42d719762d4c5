#include <doctest/doctest.h>

#include "core/call.hpp"
#include "support/harness.hpp"

using namespace agentemu;
using namespace agentemu::testing;

TEST_CASE("a real-time timer fires after its delay") {
  TestCore core;
  int fired = 0;
  core.scheduler.after(Millis(5), [&] { ++fired; });
  core.run_for(Millis(200));
  CHECK(fired == 1);
  CHECK(core.scheduler.pending() == 0);
}

TEST_CASE("an emulator-clock timer fires at once when the clock jumps past its deadline") {
  TestCore core;
  int fired = 0;
  core.scheduler.at(core.clock.now() + std::chrono::seconds(30), [&] { ++fired; });
  core.run_for(Millis(30));
  CHECK(fired == 0);
  core.clock.set_offset(Millis(31'000));
  core.scheduler.clock_changed();
  core.run_for(Millis(200));
  CHECK(fired == 1);
}

TEST_CASE("a cancelled timer never runs") {
  TestCore core;
  int fired = 0;
  const auto id = core.scheduler.after(Millis(5), [&] { ++fired; });
  CHECK(core.scheduler.cancel(id));
  CHECK_FALSE(core.scheduler.cancel(id));
  core.run_for(Millis(50));
  CHECK(fired == 0);
}

TEST_CASE("a deferred call resumes its host once") {
  TestCore core;
  auto test_call = TestCall::make({}, core.clock);
  Deferred d = test_call->call.defer();
  CHECK(test_call->call.paused());
  core.scheduler.after(Millis(1), [d]() mutable { d.finish(); });
  core.run_for(Millis(100));
  CHECK(test_call->resumed == 1);
}
