// What the request path asks of the scenario engine (emulator/scenarios), and what the admin API
// asks of it. The core knows the shape of a fired rule, never how rules are written or matched.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/document.hpp"
#include "core/http.hpp"
#include "core/json.hpp"

namespace agentemu {

class Call;

enum class Phase { before, after };

// One response a fired rule wants, already resolved (a sequence's next step, the jitter drawn).
struct FaultPlan {
  enum class Kind { pass, vendor_error, raw, network };

  std::string scenario;
  std::string rule;
  Millis delay{0};
  Kind kind = Kind::pass;

  // vendor_error: rendered by the vendor's own catalogue
  std::string error_id;
  std::string message;
  int status = 0;
  int retry_after_seconds = -1;

  // raw: sent exactly as written
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  NetworkFault network = NetworkFault::none;

  std::string_view kind_name() const;
};

// How near one rule came to matching a request, for the admin API's diagnosis.
struct RuleNearMiss {
  std::string scenario;
  std::string rule;
  Phase phase = Phase::before;
  double distance = 0;  // 0: every clause of its match holds; up to 1
  // The first clause that does not hold, in the order rules are matched: "vendor",
  // "operation", "method", "path", "headers", "query", "params" or "body"; "" when all hold.
  std::string clause;
  std::string key;       // the header, query or parameter name, or the body's JSON pointer
  std::string pointer;   // where the clause is in the scenario: /rules/0/match/headers/x-trace
  std::string expected;  // the clause's glob (or name)
  std::optional<std::string> actual;  // what the request has there; nullopt: nothing
  std::string note;      // why a rule whose match holds did not answer, or why a clause was not checked
};

struct ReloadOutcome {
  int status = 200;     // 404: no such scenario; 409: it came from the API, not a file; 400: the file is broken
  std::string message;  // what went wrong
};

class Scenarios {
 public:
  virtual ~Scenarios() = default;

  // The request path: does a rule fire for this call in this phase?
  virtual std::optional<FaultPlan> fire(const Call& call, Phase phase) = 0;

  // The admin API. put() answers the first mistake (pointer and message) when the body is invalid.
  virtual void write_list(JsonWriter& out) const = 0;
  virtual std::optional<DocumentIssue> put(std::string_view name, std::string_view body) = 0;
  virtual bool remove(std::string_view name) = 0;
  virtual void remove_all() = 0;
  virtual void reset_counters() = 0;
  // Reads a scenario's file again now (a broken file keeps the loaded version).
  virtual ReloadOutcome reload(std::string_view name) = 0;
  // The rules of the call's vendor (and those for any vendor), nearest first, at most `limit`.
  // Read only: no counter moves.
  virtual std::vector<RuleNearMiss> near_misses(const Call& call, std::size_t limit) const = 0;
};

}  // namespace agentemu
