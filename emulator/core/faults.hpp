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
};

}  // namespace agentemu
