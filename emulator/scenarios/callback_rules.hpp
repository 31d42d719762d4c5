// Scenario rules for vendor callbacks: a rule whose match has "callback" (a glob of the vendor's
// event names) acts on deliveries instead of requests, so a suite can test its own handling of
// late, lost and repeated callbacks:
//
//   {"match": {"vendor": "zego", "callback": "AgentInstanceStatus", "body": {"/Data/Status": "IDLE"}},
//    "when": {"times": 1}, "delayMs": 30000,
//    "respond": {"callback": "drop" | "duplicate" | "deliver", "copies": 2} | "pass"}
//
// match takes vendor, callback and body (JSON pointers into the callback's body); when, delayMs,
// jitterMs, respond and sequence mean what they mean for requests; phase does not apply.
#pragma once

#include <optional>
#include <string>

#include "core/json.hpp"
#include "scenarios/scenario.hpp"

namespace agentemu {

// Reads the respond/sequence of a rule whose match has "callback" into rule.callback_steps, and
// refuses what a callback rule cannot use; nullopt when it is good.
std::optional<ScenarioError> read_callback_rule(const JsonValue& rule_json, const std::string& at, Rule& rule);

}  // namespace agentemu
