#include "vendors/agentcore/agentcore_vendor.hpp"

#include "core/crypto.hpp"
#include "core/describe.hpp"
#include "core/text.hpp"

namespace agentemu::agentcore {
namespace {

constexpr auto kWhereLabel = static_cast<std::uint8_t>(Where::label);
constexpr auto kWhereQuery = static_cast<std::uint8_t>(Where::query);
constexpr auto kWhereHeader = static_cast<std::uint8_t>(Where::header);
constexpr auto kWhereBody = static_cast<std::uint8_t>(Where::body);
constexpr auto kWherePayload = static_cast<std::uint8_t>(Where::payload);

class RequestSource final : public MemberSource {
 public:
  RequestSource(const Call& call, const AgentcoreCall& in) : call_(call), in_(in) {}
  ParamValue find(const Member& m) const override {
    switch (m.spec.where) {
      case kWhereLabel: return ParamValue::of_text(in_.label);
      case kWhereQuery: {
        const auto v = in_.query_value(m.wire);
        return v ? ParamValue::of_text(*v) : ParamValue::missing();
      }
      case kWhereHeader:
        return call_.request.has_header(m.wire) ? ParamValue::of_text(call_.request.header(m.wire))
                                                : ParamValue::missing();
      case kWhereBody: {
        const JsonValue* v = in_.body_member(m.spec.name);
        return v == nullptr ? ParamValue::missing() : ParamValue::of_json(v);
      }
      case kWherePayload:
        return call_.request.body.empty() ? ParamValue::missing() : ParamValue::of_text(call_.request.body);
      default: return ParamValue::missing();
    }
  }

 private:
  const Call& call_;
  const AgentcoreCall& in_;
};

AgentcoreCall& state_of(Call& call) { return call.state_as<AgentcoreCall>(); }

}  // namespace

// ---- AgentcoreCall -----------------------------------------------------------------------------

std::optional<std::string_view> AgentcoreCall::query_value(std::string_view name) const {
  if (const QueryParam* p = find_param(query, name)) return std::string_view(p->value);
  return std::nullopt;
}

const JsonValue* AgentcoreCall::body_member(std::string_view name) const {
  if (!has_body) return nullptr;
  const JsonValue* v = json_member(body, name);
  return v == nullptr || v->IsNull() ? nullptr : v;
}

std::optional<std::string_view> AgentcoreCall::body_string(std::string_view name) const {
  const JsonValue* v = body_member(name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

// ---- Shared error answers ----------------------------------------------------------------------

void answer_error(Call& call, const AgentcoreCall& in, std::string_view id, std::string message,
                  std::optional<ValidationDetail> validation) {
  RenderedError e;
  e.id = id;
  e.message = std::move(message);
  e.validation = std::move(validation);
  render(call, e, in.request_id);
}

void answer_violation(Call& call, const AgentcoreCall& in, const Violation& v) {
  ValidationDetail detail;
  detail.fields.push_back({v.path, constraint_text(v)});
  answer_error(call, in, "ValidationException", violation_message(v), std::move(detail));
}

std::optional<std::string_view> runtime_websocket_label(const Request& request) {
  if (request.method != "GET") return std::nullopt;
  std::string_view path = request.path;
  if (path.size() <= 13 || !path.starts_with("/runtimes/") || !path.ends_with("/ws")) return std::nullopt;
  path = path.substr(10, path.size() - 13);
  if (path.empty() || path.find('/') != std::string_view::npos) return std::nullopt;
  return path;
}

// ---- The vendor --------------------------------------------------------------------------------

AgentcoreVendor::AgentcoreVendor(const VendorContext& context) : context_(context) {}

VendorRoutes AgentcoreVendor::routes() const {
  return VendorRoutes{
      {"/runtimes", "/code-interpreters", "/browsers"},
      {"bedrock-agentcore.*.amazonaws.com", "bedrock-agentcore-fips.*.amazonaws.com",
       "bedrock-agentcore.*.amazonaws.com.cn", "bedrock-agentcore.*.api.aws", "bedrock-agentcore-fips.*.api.aws"}};
}

std::span<const std::string_view> AgentcoreVendor::operation_names() const { return agentcore::operation_names(); }

bool AgentcoreVendor::decode(Call& call) {
  auto state = std::make_unique<AgentcoreCall>();
  state->request_id = uuid_v4();
  AgentcoreCall& in = *state;
  call.state = std::move(state);

  std::string_view raw_label;
  bool path_known = false;
  // The runtime's WebSocket is not an operation of the model: agent_link.hpp serves it.
  if (const auto ws = runtime_websocket_label(call.request)) {
    in.websocket = true;
    raw_label = *ws;
    if (const auto label = percent_decode(raw_label)) {
      in.label = std::move(*label);
      return true;
    }
    answer_error(call, in, "ValidationException", "Unable to decode the path label agentRuntimeArn: '" + std::string(raw_label) + "'");
    return false;
  }
  in.op = match_route(call.request.method, call.request.path, raw_label, path_known);
  if (in.op == nullptr) {
    answer_error(call, in, "UnknownOperationException",
                 path_known ? "The operation " + std::string(call.request.method) + " " + std::string(call.request.path) +
                                  " is not supported: this path takes another HTTP method"
                            : "No operation matches " + std::string(call.request.method) + " " +
                                  std::string(call.request.path));
    return false;
  }
  call.operation = in.op->id;
  const auto label = percent_decode(raw_label);
  if (!label) {
    const Member& m = in.op->members.front();
    ValidationDetail detail;
    detail.reason = "CannotParse";
    detail.fields.push_back({std::string(m.spec.name), "Member must be percent-encoded UTF-8"});
    answer_error(call, in, "ValidationException",
                 "Unable to decode the path label " + std::string(m.spec.name) + ": '" + std::string(raw_label) + "'",
                 std::move(detail));
    return false;
  }
  in.label = std::move(*label);
  return true;
}

bool AgentcoreVendor::authenticate(Call& call) {
  AgentcoreCall& in = state_of(call);
  if (context_.auth == AuthMode::lenient) {
    // Any credentials: the tenant still follows the signature's scope and the key's account.
    std::string ignored;
    in.region.assign(kDefaultRegion);
    if (const auto auth = sigv4::parse_authorization(call.request.header("authorization"), ignored)) {
      if (!auth->region.empty()) in.region.assign(auth->region);
      in.caller.access_key_id.assign(auth->access_key_id);
      if (state_.find(auth->access_key_id, in.caller.credential)) in.account = in.caller.credential.account_id;
    }
    if (in.account.empty()) in.account.assign(kDefaultAccount);
    return true;
  }
  if (auto failure = sigv4::verify(call.request, call.now, state_, in.caller)) {
    answer_error(call, in, failure->error, std::move(failure->message));
    return false;
  }
  in.region = in.caller.region;
  in.account = in.caller.credential.account_id.empty() ? std::string(kDefaultAccount) : in.caller.credential.account_id;
  return true;
}

bool AgentcoreVendor::validate(Call& call) {
  AgentcoreCall& in = state_of(call);
  const Request& request = call.request;
  QueryParseError query_error;
  auto query = parse_query(request.query, PlusIs::literal, &query_error);
  if (!query) {
    ValidationDetail detail;
    detail.reason = "CannotParse";
    answer_error(call, in, "ValidationException",
                 "Unable to decode the query parameter '" + query_error.piece + "'", std::move(detail));
    return false;
  }
  in.query = std::move(*query);
  if (in.websocket) return true;  // no body; runtime_websocket checks what it needs
  if (in.op->json_body) {
    if (request.body.empty()) {
      in.body.SetObject();
    } else if (auto error = parse_json(request.body, in.body)) {
      ValidationDetail detail;
      detail.reason = "CannotParse";
      answer_error(call, in, "ValidationException",
                   "Unable to parse the request body as JSON: " + error->message + " at line " +
                       std::to_string(error->line) + " column " + std::to_string(error->column),
                   std::move(detail));
      return false;
    } else if (!in.body.IsObject()) {
      ValidationDetail detail;
      detail.reason = "CannotParse";
      answer_error(call, in, "ValidationException",
                   std::string("The request body must be a JSON object, not ") + json_type_name(in.body),
                   std::move(detail));
      return false;
    }
    in.has_body = true;
  }
  if (auto violation = validate_members(*in.op, RequestSource(call, in))) {
    answer_violation(call, in, *violation);
    return false;
  }
  // Constraints the model states in documentation rather than traits.
  const auto missing = [&](std::string_view field, std::string why) {
    ValidationDetail detail;
    detail.fields.push_back({std::string(field), "Member must not be null"});
    answer_error(call, in, "ValidationException",
                 "1 validation error detected: Value null at '" + std::string(field) +
                     "' failed to satisfy constraint: Member must not be null (" + why + ")",
                 std::move(detail));
    return false;
  };
  if (in.op->id == kInvokeAgentRuntime && !is_runtime_arn(in.label) && !in.query_value("accountId")) {
    return missing("accountId", "an agent id needs the accountId of the agent's account");
  }
  if (in.op->id == kInvokeCodeInterpreter && !request.has_header("x-amzn-code-interpreter-session-id")) {
    return missing("sessionId", "tools run in a session: send x-amzn-code-interpreter-session-id");
  }
  return true;
}

void AgentcoreVendor::execute(Call& call) {
  AgentcoreCall& in = state_of(call);
  HandlerContext h{context_, state_, call, in, sandboxes_, agents_};
  if (in.websocket) return runtime_websocket(h);
  switch (in.op->id) {
    case kInvokeAgentRuntime: return invoke_agent_runtime(h);
    case kStopRuntimeSession: return stop_runtime_session(h);
    case kStartCodeInterpreterSession: return start_tool_session(h, false);
    case kStopCodeInterpreterSession: return stop_tool_session(h, false);
    case kGetCodeInterpreterSession: return get_tool_session(h, false);
    case kListCodeInterpreterSessions: return list_tool_sessions(h, false);
    case kInvokeCodeInterpreter: return invoke_code_interpreter(h);
    case kStartBrowserSession: return start_tool_session(h, true);
    case kStopBrowserSession: return stop_tool_session(h, true);
    case kGetBrowserSession: return get_tool_session(h, true);
    case kListBrowserSessions: return list_tool_sessions(h, true);
    case kUpdateBrowserStream: return update_browser_stream(h);
    case kOperationCount: break;
  }
  answer_error(call, in, "InternalServerException");
}

bool AgentcoreVendor::knows_error(std::string_view id) const { return find_error(id) != nullptr; }

void AgentcoreVendor::render_error(Call& call, const ErrorRequest& error) {
  RenderedError e;
  e.id = error.id;
  e.status = error.status;
  e.message.assign(error.message);
  e.retry_after_seconds = error.retry_after_seconds;
  if (error.id == "ValidationException") e.validation = ValidationDetail{};
  std::string request_id;
  if (call.state != nullptr) request_id = state_of(call).request_id;
  if (request_id.empty()) request_id = uuid_v4();
  render(call, e, request_id);
}

std::optional<std::string> AgentcoreVendor::param(const Call& call, std::string_view name) const {
  if (call.state == nullptr) return std::nullopt;
  const AgentcoreCall& in = call.state_as<AgentcoreCall>();
  if (in.op == nullptr) return std::nullopt;
  if (const Member* m = find_member(*in.op, name)) {
    const ParamValue v = RequestSource(call, in).find(*m);
    if (v.text) return std::string(*v.text);
    if (v.json == nullptr) return std::nullopt;
  }
  const JsonValue* v = in.body_member(name);
  if (v == nullptr) return std::nullopt;
  return json_to_text(*v);
}

// The members of the operation table, by the model's names (what param() looks up).
bool AgentcoreVendor::knows_param(std::string_view name) const {
  for (const Operation& op : operations()) {
    if (find_member(op, name) != nullptr) return true;
  }
  return false;
}

void AgentcoreVendor::describe_operations(JsonWriter& out) const {
  static constexpr std::string_view kWhere[] = {"label", "query", "header", "body", "payload"};
  for (const Operation& op : operations()) {
    std::string route = "/" + std::string(op.collection) + "/{";
    for (const Member& m : op.members) {
      if (m.spec.where == static_cast<std::uint8_t>(Where::label)) route += m.spec.name;
    }
    route += "}/" + std::string(op.rest);
    begin_operation(out, name(), OperationInfo{.name = op.name, .method = op.method, .route = route, .plane = "data"});
    for (const Member& m : op.members) write_param(out, m.spec, kWhere[m.spec.where], m.wire);
    begin_errors(out);
    for (std::string_view error : op.errors) out.string(error);
    end_operation(out);
  }
}

}  // namespace agentemu::agentcore
