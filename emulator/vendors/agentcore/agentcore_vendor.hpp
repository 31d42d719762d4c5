// Amazon Bedrock AgentCore data plane: runtime, code-interpreter and browser sessions over
// restJson1, signed with SigV4 (signing name bedrock-agentcore).
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/uri.hpp"
#include "core/vendor.hpp"
#include "vendors/agentcore/auth.hpp"
#include "vendors/agentcore/errors.hpp"
#include "vendors/agentcore/agent_link.hpp"
#include "vendors/agentcore/browser_sessions.hpp"
#include "vendors/agentcore/operations.hpp"
#include "vendors/agentcore/sandbox.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

// The decoded request, kept on the Call from decode to the answer.
struct AgentcoreCall final : CallState {
  const Operation* op = nullptr;
  std::string request_id;  // x-amzn-RequestId of the answer
  std::string label;       // the first path label, percent-decoded (an ARN keeps its ':' and '/')
  std::vector<std::pair<std::string_view, std::string>> labels;  // every label: name -> decoded value
  std::vector<QueryParam> query;
  JsonDocument body;
  bool has_body = false;  // body holds the parsed JSON object
  sigv4::Caller caller;
  std::string account;  // the caller's tenant: account of the access key (or the default) ...
  std::string region;   // ... and the region of the credential scope
  bool websocket = false;  // GET /runtimes/{arn}/ws: the runtime's WebSocket (op is null)
  bool shell = false;      // GET /runtimes/{arn}/ws/shells: its interactive shell, not emulated (op is null)
  BrowserStream browser_stream = BrowserStream::none;  // GET /browser-streams/...: a browser session's stream (op is null)

  std::optional<std::string_view> query_value(std::string_view name) const;
  std::optional<std::string_view> label_value(std::string_view name) const;
  const JsonValue* body_member(std::string_view name) const;
  std::optional<std::string_view> body_string(std::string_view name) const;
};

struct HandlerContext;
using Handler = void (*)(HandlerContext&);
// One row per emulated operation: adding an operation is writing its handler and adding its row.
struct HandlerRow {
  OpId op;
  Handler run;
};
std::span<const HandlerRow> data_plane_handlers();     // handlers.cpp
std::span<const HandlerRow> control_plane_handlers();  // control.cpp
std::span<const HandlerRow> memory_handlers();         // memory.cpp: Memory's data plane
std::span<const HandlerRow> identity_handlers();       // identity.cpp: Identity's data plane

class AgentcoreVendor final : public Vendor {
 public:
  explicit AgentcoreVendor(const VendorContext& context);

  std::string_view name() const override { return "agentcore"; }
  VendorRoutes routes() const override;
  bool owns(const Request& request) const override;
  std::span<const std::string_view> operation_names() const override;
  std::size_t body_limit(const Request& head) const override;
  bool refuse_body(Call& call, const BodyRefusal& why) override;
  bool emulates(OpId op) const { return handlers_[op] != nullptr; }

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
  bool validate_beyond_model(Call& call, AgentcoreCall& in);
  std::string unknown_key_diagnostic(const Request& request) const;

  VendorContext context_;
  State state_;
  std::array<Handler, kOperationCount> handlers_{};
  // What runs for real (INTERFACE.md, "Local execution"): code-interpreter sandboxes and local agents.
  Sandboxes sandboxes_{context_, state_};
  AgentLinks agents_{context_, state_};
  Browsers browsers_{context_, state_};
};

// One function per operation (handlers.cpp).
struct HandlerContext {
  const VendorContext& vendor;
  State& state;
  Call& call;
  AgentcoreCall& in;
  Sandboxes& sandboxes;
  AgentLinks& agents;
  Browsers& browsers;
};
void invoke_agent_runtime(HandlerContext& h);
void runtime_websocket(HandlerContext& h);
void stop_runtime_session(HandlerContext& h);
void invoke_agent_runtime_command(HandlerContext& h);
void get_agent_card(HandlerContext& h);
void start_tool_session(HandlerContext& h, bool browser);
void stop_tool_session(HandlerContext& h, bool browser);
void get_tool_session(HandlerContext& h, bool browser);
void list_tool_sessions(HandlerContext& h, bool browser);
void invoke_code_interpreter(HandlerContext& h);
void update_browser_stream(HandlerContext& h);
void invoke_browser(HandlerContext& h);                // browser_invoke.cpp
void save_browser_session_profile(HandlerContext& h);  // browser_profiles.cpp

// GET /runtimes/{label}/ws: the raw label, or nullopt for any other request.
std::optional<std::string_view> runtime_websocket_label(const Request& request);

// The error answers every step shares.
void answer_error(Call& call, const AgentcoreCall& in, std::string_view id, std::string message = {},
                  std::optional<ValidationDetail> validation = std::nullopt);
void answer_violation(Call& call, const AgentcoreCall& in, const Violation& v);

}  // namespace agentemu::agentcore
