// Amazon Bedrock AgentCore data plane: runtime, code-interpreter and browser sessions over
// restJson1, signed with SigV4 (signing name bedrock-agentcore).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/uri.hpp"
#include "core/vendor.hpp"
#include "vendors/agentcore/auth.hpp"
#include "vendors/agentcore/errors.hpp"
#include "vendors/agentcore/agent_link.hpp"
#include "vendors/agentcore/operations.hpp"
#include "vendors/agentcore/sandbox.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

// The decoded request, kept on the Call from decode to the answer.
struct AgentcoreCall final : CallState {
  const Operation* op = nullptr;
  std::string request_id;  // x-amzn-RequestId of the answer
  std::string label;       // the path label, percent-decoded (an ARN keeps its ':' and '/')
  std::vector<QueryParam> query;
  JsonDocument body;
  bool has_body = false;  // body holds the parsed JSON object
  sigv4::Caller caller;
  std::string account;  // the caller's tenant: account of the access key (or the default) ...
  std::string region;   // ... and the region of the credential scope
  bool websocket = false;  // GET /runtimes/{arn}/ws: the runtime's WebSocket (op is null)

  std::optional<std::string_view> query_value(std::string_view name) const;
  const JsonValue* body_member(std::string_view name) const;
  std::optional<std::string_view> body_string(std::string_view name) const;
};

class AgentcoreVendor final : public Vendor {
 public:
  explicit AgentcoreVendor(const VendorContext& context);

  std::string_view name() const override { return "agentcore"; }
  VendorRoutes routes() const override;
  std::span<const std::string_view> operation_names() const override;

  bool decode(Call& call) override;
  bool authenticate(Call& call) override;
  bool validate(Call& call) override;
  void execute(Call& call) override;

  bool knows_error(std::string_view id) const override;
  void render_error(Call& call, const ErrorRequest& error) override;
  std::optional<std::string> param(const Call& call, std::string_view name) const override;
  bool knows_param(std::string_view name) const override;

  std::optional<FixtureIssue> check_fixture(const JsonValue& section, std::string_view pointer) const override;
  void apply_fixture(const JsonValue& section) override;
  void clear_state() override;
  void write_state(JsonWriter& out, const StateOptions& options) const override;
  void describe_operations(JsonWriter& out) const override;

  State& state() { return state_; }

 private:
  VendorContext context_;
  State state_;
  // What runs for real (INTERFACE.md, "Local execution"): code-interpreter sandboxes and local agents.
  Sandboxes sandboxes_{context_, state_};
  AgentLinks agents_{context_, state_};
};

// One function per operation (handlers.cpp).
struct HandlerContext {
  const VendorContext& vendor;
  State& state;
  Call& call;
  AgentcoreCall& in;
  Sandboxes& sandboxes;
  AgentLinks& agents;
};
void invoke_agent_runtime(HandlerContext& h);
void runtime_websocket(HandlerContext& h);
void stop_runtime_session(HandlerContext& h);
void start_tool_session(HandlerContext& h, bool browser);
void stop_tool_session(HandlerContext& h, bool browser);
void get_tool_session(HandlerContext& h, bool browser);
void list_tool_sessions(HandlerContext& h, bool browser);
void invoke_code_interpreter(HandlerContext& h);
void update_browser_stream(HandlerContext& h);

// GET /runtimes/{label}/ws: the raw label, or nullopt for any other request.
std::optional<std::string_view> runtime_websocket_label(const Request& request);

// The error answers every step shares.
void answer_error(Call& call, const AgentcoreCall& in, std::string_view id, std::string message = {},
                  std::optional<ValidationDetail> validation = std::nullopt);
void answer_violation(Call& call, const AgentcoreCall& in, const Violation& v);

}  // namespace agentemu::agentcore
