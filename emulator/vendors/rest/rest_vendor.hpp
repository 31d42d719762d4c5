// The REST agent runtime (elizaOS-style): the published REST reference under /agents (the
// default profile) and the elizaOS server's own contract under /api/agents, over one store.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/uri.hpp"
#include "core/vendor.hpp"
#include "vendors/rest/errors.hpp"
#include "vendors/rest/operations.hpp"
#include "vendors/rest/state.hpp"

namespace agentemu::rest {

// What decode/validate learned about one request.
struct RestCall final : CallState {
  Profile profile = Profile::docs;
  std::optional<RouteMatch> route;  // none: no such route (the eliza profile answers 404 after auth)
  Op op = Op::list;                 // when the route is emulated
  std::string_view raw_id;  // the agentId path segment, as received
  std::string agent_id;     // decoded, lowercase
  std::string second_id;    // worldId or logId, decoded, lowercase
  std::vector<QueryParam> query;
  JsonDocument body;        // an object once validated (empty object when no body was sent)
  const JsonValue* character = nullptr;  // CreateAgent (eliza): the character inside `body`
  bool json_body = false;   // a JSON body was sent and parsed

  // Stop's options with their defaults applied.
  bool graceful = true;
  double timeout_ms = kDefaultStopTimeoutMs;
};

class RestVendor final : public Vendor {
 public:
  explicit RestVendor(const VendorContext& context);
  ~RestVendor() override;

  std::string_view name() const override { return "rest"; }
  VendorRoutes routes() const override;
  std::span<const std::string_view> operation_names() const override { return kOperationNames; }

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

 private:
  // One handler per operation and profile (handlers.cpp).
  void list_agents(Call& call, RestCall& rc);
  void create_agent(Call& call, RestCall& rc);
  void get_agent(Call& call, RestCall& rc);
  void update_agent(Call& call, RestCall& rc);
  void delete_agent(Call& call, RestCall& rc);
  void start_agent(Call& call, RestCall& rc);
  void stop_agent(Call& call, RestCall& rc);
  void eliza_list_agents(Call& call, RestCall& rc);
  void eliza_create_agent(Call& call, RestCall& rc);
  void eliza_get_agent(Call& call, RestCall& rc);
  void eliza_update_agent(Call& call, RestCall& rc);
  void eliza_delete_agent(Call& call, RestCall& rc);
  void eliza_start_agent(Call& call, RestCall& rc);
  void eliza_stop_agent(Call& call, RestCall& rc);
  // The runtime's own routes (runtime_handlers.cpp): they need the agent running.
  void add_world(Call& call, RestCall& rc);
  void update_world(Call& call, RestCall& rc);
  void get_panels(Call& call, RestCall& rc);
  void get_logs(Call& call, RestCall& rc);
  void delete_log(Call& call, RestCall& rc);
  // A real route agentemu does not emulate: 501 naming it.
  static void not_implemented(Call& call, const RestCall& rc);

  bool validate_docs(Call& call, RestCall& rc);
  bool parse_body(Call& call, RestCall& rc);
  bool validate_eliza(Call& call, RestCall& rc);
  bool check_agent_query(Call& call, RestCall& rc);
  bool validate_eliza_ids(Call& call, RestCall& rc);
  bool validate_docs_body(Call& call, RestCall& rc);
  bool validate_eliza_body(Call& call, RestCall& rc);

  // Graceful stops: a wake-up on the emulator clock that resolves what is due for one agent.
  // The store keeps its id and cancels it once no stop needs it.
  Scheduler::TimerId wake_at(SystemTime when, const std::string& agent_id);
  void settle(const std::string& agent_id);
  // Renders waiting stops' answers and hands their calls back; the lock must not be held.
  static void finish(std::vector<StopOutcome>& outcomes);

  std::optional<FixtureIssue> check_redacted_secrets(const JsonValue& agent, const std::string& at) const;
  static void apply_runtime_fixture(Agent& agent, const JsonValue& item, std::int64_t now_ms);

  const VendorContext context_;
  mutable AgentStore store_;
  std::atomic<bool> has_keys_{false};  // read on every request without the lock
};

std::unique_ptr<Vendor> make_rest_vendor(const VendorContext& context);

}  // namespace agentemu::rest
