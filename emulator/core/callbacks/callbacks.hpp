// What a vendor hands the core to call its customer back (INTERFACE.md, "Callbacks"): an HTTP
// POST the vendor has built and signed in its own way, and the vendor's retry schedule. The
// core delivers it (core/callbacks/engine.hpp), retries it on the emulator's clock, journals
// every attempt and lets scenario rules delay, drop or duplicate it. It knows no vendor.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace agentemu {

// The waits before each retry, each counted from the start of the attempt before it. Attempts
// beyond the schedule are not made: the delivery is given up. Static storage (a vendor's table).
using RetrySchedule = std::span<const Millis>;

struct CallbackRequest {
  std::string vendor;  // zego, ice
  std::string event;   // the vendor's own event name: AgentInstanceStatus, agent_start
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type and the vendor's auth
  std::string body;                                           // sent alike on every attempt
  RetrySchedule retries;
};

class CallbackSender {
 public:
  virtual ~CallbackSender() = default;
  // Queues the delivery and returns at once; it never blocks on the network. Vendors call it
  // after releasing their own lock, like every call into the core.
  virtual void send(CallbackRequest request) = 0;
};

// ---- Scenario rules for deliveries (scenarios/, "match.callback") ------------------------------

// A delivery as the rules see it, once, before its first attempt.
struct CallbackView {
  std::string_view vendor;
  std::string_view event;
  std::string_view url;
  std::string_view body;
};

// What a fired rule does with the delivery. Its delay (delayMs, jitterMs) runs on the emulator's
// clock, so moving the clock delivers a late callback at once.
struct CallbackFault {
  enum class Action { deliver, drop, duplicate };

  std::string scenario;
  std::string rule;
  Action action = Action::deliver;
  int copies = 0;  // duplicate: deliveries sent besides the original, each retried on its own
  Millis delay{0};

  std::string_view action_name() const;  // deliver | drop | duplicate (the metric's kind)
};

class CallbackRules {
 public:
  virtual ~CallbackRules() = default;
  virtual std::optional<CallbackFault> fire_callback(const CallbackView& delivery) = 0;
};

inline std::string_view CallbackFault::action_name() const {
  switch (action) {
    case Action::deliver: return delay.count() > 0 ? "delay" : "deliver";
    case Action::drop: return "drop";
    case Action::duplicate: return "duplicate";
  }
  return "deliver";
}

}  // namespace agentemu
