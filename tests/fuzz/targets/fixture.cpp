// Target 6: the fixture loader: a document checked whole by every vendor, then applied, as
// --fixtures and POST /_emulator/state do. A document with a mistake anywhere changes nothing
// (the state dump is the same before and after); what loads can be dumped, with and without
// secrets, as JSON.
#include "support/world.hpp"

using namespace agentemu;

namespace {

std::string dump(fuzz::World& world, bool secrets) {
  JsonWriter w;
  w.begin_object();
  for (const auto& vendor : world.vendors.vendors()) {
    w.key(vendor->name());
    vendor->write_state(w, StateOptions{.secrets = secrets});
  }
  w.end_object();
  return w.take();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::World world(AuthMode::strict);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonDocument document;
  if (auto syntax = parse_document(text, document)) return 0;
  // Every input starts from the fixtures (a refused document changes nothing, and an applied one
  // is reset below), so the state before is the same for all of them.
  static const std::string before = dump(world, true);
  if (auto issue = Fixtures::merge(document, world.vendors)) {
    if (issue->message.empty()) __builtin_trap();
    if (describe_issue("fixtures/fuzz.json", *issue).size() > 2048 + 3) __builtin_trap();  // one bounded line
    if (dump(world, true) != before) __builtin_trap();  // a mistake changes nothing
    return 0;
  }
  JsonDocument check;
  if (parse_json(dump(world, false), check)) __builtin_trap();
  world.io.poll();
  world.io.restart();
  // An applied document reached the vendors it names (merge accepts only vendor names as keys).
  std::vector<std::string_view> reached;
  for (const auto& member : document.GetObject()) reached.emplace_back(member.name.GetString(), member.name.GetStringLength());
  world.reset(reached, false);
  return 0;
}
