// Target 5: the scenario document loader, with all four vendors' operations, errors and
// parameters to check names against. Whatever it refuses is refused with one bounded line; what
// it accepts can be listed and installed.
#include "support/world.hpp"

using namespace agentemu;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::World world(AuthMode::strict);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ScenarioError error;
  auto scenario = parse_scenario(text, world.vendors, "fuzz", std::nullopt, error, "fuzz");
  if (!scenario) {
    if (error.message.empty()) __builtin_trap();
    if (describe_issue("scenarios/fuzz.json", error).size() > 2048 + 3) __builtin_trap();  // one bounded line
    return 0;
  }
  if (auto issue = world.scenarios.put("fuzz", text)) __builtin_trap();  // the same text loads the same way
  JsonWriter w;
  world.scenarios.write_list(w);
  world.scenarios.remove_all();
  return 0;
}
