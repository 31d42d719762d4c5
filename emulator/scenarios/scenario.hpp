// A parsed scenario file: rules with their match, when, phase and responses, plus the counters
// that firing advances.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/callbacks/callbacks.hpp"
#include "core/document.hpp"
#include "core/faults.hpp"
#include "core/json.hpp"
#include "core/uri.hpp"

namespace agentemu {

class Call;
class Vendor;
class VendorRegistry;

// The request's query and JSON body, decoded at most once however many rules look at them.
struct MatchCache {
  bool query_done = false;
  std::optional<std::vector<QueryParam>> query;
  std::unique_ptr<JsonDocument> body;  // parsed on first use; stays null when no rule looks
  bool body_ok = false;
};

struct RuleMatch {
  const Vendor* vendor = nullptr;  // nullptr: any vendor
  int operation = -1;              // with a vendor: its operation index; -1: any
  std::string operation_name;      // without a vendor: compared by name
  std::string method;
  std::optional<std::string> path;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::pair<std::string, std::string>> body;  // JSON pointer -> glob
  // A callback rule (scenarios/callback_rules.hpp): the glob of the vendor's event names it
  // matches. Such a rule matches deliveries, never requests.
  std::optional<std::string> callback;

  bool matches(const Call& call, MatchCache& cache) const;
  bool matches_callback(const CallbackView& delivery, MatchCache& cache) const;
};

struct RuleWhen {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;  // inclusive ranges of the match count
  std::optional<std::uint64_t> times;
  std::optional<std::uint64_t> every;
  std::optional<std::uint64_t> after;
  std::optional<double> probability;
};

struct Rule {
  std::string label;  // its "name", or "rules/<index>"
  RuleMatch match;
  RuleWhen when;
  Phase phase = Phase::before;
  std::int64_t delay_ms = 0;
  std::int64_t jitter_ms = 0;
  std::vector<FaultPlan> steps;  // one for "respond", several for "sequence"
  std::vector<CallbackFault> callback_steps;  // the same, for a callback rule

  std::uint64_t matched = 0;
  std::uint64_t fired = 0;
  std::size_t next_step = 0;
};

struct Scenario {
  std::string name;
  std::string source;  // file path, or "api"
  std::uint64_t seed = 0;
  std::vector<Rule> rules;
  std::mt19937_64 random;

  void reset_counters();
  // The same seed and request order give the same draws on every platform.
  double uniform() { return static_cast<double>(random() >> 11) * 0x1.0p-53; }
};

using ScenarioError = DocumentIssue;

// Parses one scenario document (comments and trailing commas allowed), checking every key,
// vendor, operation, error id, glob and range against the registered vendors. The name is
// `name_override` (the admin API's URL), else the document's "name", else `default_name`.
std::unique_ptr<Scenario> parse_scenario(std::string_view text, const VendorRegistry& vendors, std::string source,
                                         std::optional<std::string> name_override, ScenarioError& error,
                                         std::string_view default_name = {});

}  // namespace agentemu
