// The table of ICE's AI-agent actions: each row is the action's name exactly as ICE spells it,
// its parameters as ParamSpecs (the generic validator reads them), an optional check that a
// ParamSpec cannot express, and its handler (handlers.cpp).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/validation.hpp"
#include "vendors/ice/callbacks.hpp"
#include "vendors/ice/request.hpp"
#include "vendors/ice/state.hpp"

namespace agentemu::ice {

// What a handler works with. It writes its response fields into `out` (the object is already
// open and holds RequestId), or calls fail() with a catalogue code.
struct HandlerContext {
  IceCall& ice;
  State& state;
  SystemTime now;
  JsonWriter& out;

  // The customer's callbacks (vendors/ice/callbacks.hpp), sent and armed once the state's mutex
  // is released.
  std::vector<CallbackRequest> callbacks;
  std::vector<AuditWake> audit_wakes;

  bool failed = false;
  std::string_view code;
  std::string message;
  void fail(std::string_view error_code, std::string text) {
    failed = true;
    code = error_code;
    message = std::move(text);
  }
};

using Handler = void (*)(HandlerContext&);

// A rule the ParamSpecs cannot say (only some AgentConfig keys may be updated, ...): the
// parameter path at fault and why, or nullopt.
struct CheckFailure {
  std::string path;
  std::string reason;
};
using Check = std::optional<CheckFailure> (*)(const IceCall&);

struct Operation {
  std::string_view name;
  std::span<const ParamSpec> params;
  Handler handler;
  Check check = nullptr;
};

std::span<const Operation> operations();
// Every real ICE action: operations()' rows first, in their order, then the SDK model's others.
std::span<const std::string_view> operation_names();
// The action's index in operation_names(), or -1 for a name ICE does not have.
int action_index(std::string_view action);
// The row at that index, or nullptr for a real action agentemu does not emulate (or -1).
const Operation* emulated_operation(int index);

// Every parameter name of some row or of some action in the SDK model (scenario "params").
bool is_parameter_name(std::string_view name);

// Handlers, one per row (handlers.cpp).
void start_instance(HandlerContext& ctx);
void stop_instance(HandlerContext& ctx);
void update_instance(HandlerContext& ctx);
void describe_instance(HandlerContext& ctx);
void list_instances(HandlerContext& ctx);
void generate_call(HandlerContext& ctx);
void send_speech(HandlerContext& ctx);
void send_text(HandlerContext& ctx);
void send_data_channel_message(HandlerContext& ctx);
void get_concurrency(HandlerContext& ctx);
void list_dialogues(HandlerContext& ctx);
void delete_dialogue(HandlerContext& ctx);
void start_outbound_call(HandlerContext& ctx);
void list_phone_numbers(HandlerContext& ctx);
void forward_call(HandlerContext& ctx);
void takeover_call(HandlerContext& ctx);
void set_voiceprint(HandlerContext& ctx);
void clear_voiceprint(HandlerContext& ctx);
void list_voiceprints(HandlerContext& ctx);
void submit_video_audit_task(HandlerContext& ctx);
void set_notify_config(HandlerContext& ctx);
void describe_notify_config(HandlerContext& ctx);

}  // namespace agentemu::ice
