// What every admin endpoint borrows (the core's parts), and the small helpers they share. Each
// endpoint is a row of the table in core/admin/routes.cpp and a function in one of the files
// beside this one: requests.cpp (the journal; diagnosis.cpp explains its entries), state.cpp,
// scenarios.cpp, operations.cpp, clock.cpp, ui.cpp (the dashboard).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"
#include "core/json.hpp"
#include "core/uri.hpp"

namespace agentemu {

class CallbackEngine;
class Clock;
class Fixtures;
class Journal;
class Metrics;
class Scenarios;
class Scheduler;
class StateFile;
class VendorRegistry;

namespace admin {

struct OperationCatalogue;  // the describe data, split for the diagnosis (diagnosis.cpp)

struct Context {
  VendorRegistry& vendors;
  Fixtures& fixtures;
  Journal& journal;
  Metrics& metrics;
  Clock& clock;
  Scheduler& scheduler;
  Scenarios* scenarios = nullptr;
  CallbackEngine* callbacks = nullptr;  // GET /_emulator/callbacks; null where none runs
  const StateFile* state_file = nullptr;  // --state-file, when given
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::mutex catalogue_mutex;
  std::shared_ptr<const OperationCatalogue> catalogue;  // built when a diagnosis first needs it
};

// The {name} segments of a route, in order, still percent-encoded as the path carried them.
using PathParams = std::vector<std::string_view>;

using Handler = void (*)(Context& admin, Call& call, const PathParams& params);

void ok_json(Call& call, JsonWriter& w, int status = 200);
void ok_status(Call& call);  // {"status":"ok"}
// Parses the body as JSON; answers false after writing a 400 that names the position.
bool parse_body(Call& call, JsonDocument& doc);
// The query's parameters; answers nullopt after writing a 400 naming the piece that is broken.
std::optional<std::vector<QueryParam>> read_query(Call& call);
// ?vendor=NAME when given: answers false after writing a 400 for a vendor agentemu does not have.
bool read_vendor_param(Context& admin, Call& call, std::optional<std::string>& only);
// A status filter: "404", a class such as "4xx", or "0" (no HTTP answer).
bool valid_status_filter(std::string_view value);

}  // namespace admin
}  // namespace agentemu
