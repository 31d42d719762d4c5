// One handler per action (handlers.cpp). Each runs with the vendor's state locked, writes the
// envelope into the call, and leaves what must happen after unlocking in `effects`.
#pragma once

#include "core/call.hpp"
#include "core/json.hpp"
#include "vendors/zego/operations.hpp"
#include "vendors/zego/state.hpp"

namespace agentemu::zego {

struct Exchange {
  State& state;
  const AppConfig& app;
  Call& call;
  const JsonValue& body;  // the validated body (or the query's members on GET)
  SystemTime now;
  Effects& effects;
};

void handle(Op op, Exchange& x);

// "zego_test" may only be used with the LLM Urls the docs list (410001047).
bool zego_test_llm_ok(const JsonValue* llm);

// The DigitalHumanConfig string of CreateDigitalHumanAgentInstance: base64 of a JSON document.
std::string digital_human_config(const Instance& instance);

}  // namespace agentemu::zego
