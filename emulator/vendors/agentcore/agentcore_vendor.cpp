#include "vendors/agentcore/agentcore_vendor.hpp"

#include "core/crypto.hpp"
#include "core/describe.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/handshake.hpp"

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
      case kWhereLabel: {
        const auto v = in_.label_value(m.wire);
        return v ? ParamValue::of_text(*v) : ParamValue::missing();
      }
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

std::optional<std::string_view> AgentcoreCall::label_value(std::string_view name) const {
  for (const auto& [label, value] : labels) {
    if (label == name) return std::string_view(value);
  }
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

namespace {

// The path prefixes of every route of both planes, with their '/', kept for the process's life.
const std::vector<std::string>& prefix_texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (std::string_view p : route_prefixes()) out.push_back("/" + std::string(p));
    return out;
  }();
  return texts;
}

// A JSON body may carry its largest string with this much framing around it.
constexpr std::size_t kJsonFraming = 1024 * 1024;
// Below this the server's --max-body-bytes (8 MiB by default) already covers the operation.
constexpr std::int64_t kLargeValue = 1024 * 1024;

std::size_t model_body_limit(const Operation& op) {
  if (op.largest_value <= kLargeValue) return 0;
  const auto largest = static_cast<std::size_t>(op.largest_value);
  return op.body == Body::payload ? largest : largest + kJsonFraming;
}

// A signature's credential scope names the service: ".../bedrock-agentcore/aws4_request", also
// percent-encoded in a presigned query.
bool scoped_to_agentcore(std::string_view text) {
  static constexpr std::string_view kScope = "/bedrock-agentcore/aws4_request";
  static constexpr std::string_view kEncoded = "%2fbedrock-agentcore%2faws4_request";
  if (text.find(kScope) != std::string_view::npos) return true;
  for (std::size_t at = text.find('%'); at != std::string_view::npos; at = text.find('%', at + 1)) {
    if (istarts_with(text.substr(at), kEncoded)) return true;
  }
  return false;
}

// agentemu's rule for the runtime label, which the model leaves a bare String: a runtime ARN or
// an agent id (README, fidelity notes).
const ParamSpec kRuntimeLabelSpec{.name = "agentRuntimeArn", .required = true, .pattern = &kRuntimeArnOrId};

}  // namespace

AgentcoreVendor::AgentcoreVendor(const VendorContext& context) : context_(context) {
  compile_patterns();
  for (const std::span<const HandlerRow> rows :
       {data_plane_handlers(), control_plane_handlers(), memory_handlers(), identity_handlers()}) {
    for (const HandlerRow& row : rows) handlers_[row.op] = row.run;
  }
}

VendorRoutes AgentcoreVendor::routes() const {
  VendorRoutes routes;
  for (const std::string& prefix : prefix_texts()) routes.path_prefixes.push_back(prefix);
  routes.path_prefixes.push_back("/browser-streams");  // a browser session's streams (browser_sessions.hpp)
  routes.host_globs = {"bedrock-agentcore.*.amazonaws.com",      "bedrock-agentcore-fips.*.amazonaws.com",
                       "bedrock-agentcore.*.amazonaws.com.cn",   "bedrock-agentcore.*.api.aws",
                       "bedrock-agentcore-fips.*.api.aws",       "bedrock-agentcore-control.*.amazonaws.com",
                       "bedrock-agentcore-control-fips.*.amazonaws.com", "bedrock-agentcore-control.*.amazonaws.com.cn",
                       "bedrock-agentcore-control.*.api.aws",    "bedrock-agentcore-control-fips.*.api.aws"};
  return routes;
}

bool AgentcoreVendor::owns(const Request& request) const {
  const std::string_view auth = request.header("authorization");
  if (!auth.empty()) return auth.starts_with(sigv4::kAlgorithm) && scoped_to_agentcore(auth);
  return request.query.find("X-Amz-Credential=") != std::string_view::npos && scoped_to_agentcore(request.query);
}

std::span<const std::string_view> AgentcoreVendor::operation_names() const { return agentcore::operation_names(); }

std::size_t AgentcoreVendor::body_limit(const Request& head) const {
  const RouteMatch route = match_route(head.method, head.path, planes_for_host(head.host()));
  return route.op == nullptr ? 0 : model_body_limit(*route.op);
}

bool AgentcoreVendor::refuse_body(Call& call, const BodyRefusal& why) {
  if (!decode(call)) return true;  // an unknown path: UnknownOperationException says it best
  AgentcoreCall& in = state_of(call);
  if (in.op == nullptr) {  // the runtime WebSocket: a handshake has no body
    answer_error(call, in, "ValidationException", "A WebSocket handshake carries no body");
    call.response.close = true;
    return true;
  }
  if (why.busy) {
    answer_error(call, in, "ThrottlingException", "Rate exceeded");
    call.response.diagnostic = "agentemu reads at most a bounded number of bodies over --max-body-bytes at once; "
                               "retry (the AWS SDKs do)";
    return true;
  }
  std::string_view member = "body";
  for (const Member& m : in.op->members) {
    if (m.spec.where == kWherePayload) member = m.spec.name;
  }
  ValidationDetail detail;
  const std::string constraint = "Member must have length less than or equal to " + std::to_string(why.limit);
  detail.fields.push_back({std::string(member), constraint});
  answer_error(call, in, "ValidationException",
               "1 validation error detected: Value at '" + std::string(member) + "' failed to satisfy constraint: " +
                   constraint,
               std::move(detail));
  call.response.diagnostic = "the request body is larger than " + std::to_string(why.limit) + " bytes, the most " +
                             std::string(in.op->name) + " takes; agentemu did not read it";
  call.response.close = true;  // the unread body is still on the connection
  return true;
}

bool AgentcoreVendor::decode(Call& call) {
  auto state = std::make_unique<AgentcoreCall>();
  state->request_id = uuid_v4();
  AgentcoreCall& in = *state;
  call.state = std::move(state);

  // The runtime's WebSocket is not an operation of the model: agent_link.hpp serves it.
  if (const auto ws = runtime_websocket_label(call.request)) {
    in.websocket = true;
    if (auto label = percent_decode(*ws)) {
      in.label = std::move(*label);
      return true;
    }
    answer_error(call, in, "ValidationException", "Unable to decode the path label agentRuntimeArn: '" + std::string(*ws) + "'");
    return false;
  }
  // Its interactive shell neither: known, and answered as not emulated once the signature holds.
  if (call.request.method == "GET" && call.request.path.starts_with("/runtimes/") &&
      call.request.path.ends_with("/ws/shells")) {
    in.websocket = in.shell = true;
    return true;
  }
  // Neither are a browser session's streams (browser_sessions.hpp).
  if (const auto stream = browser_stream_path(call.request); stream && call.request.method == "GET") {
    in.browser_stream = stream->stream;
    auto browser = percent_decode(stream->browser);
    auto session = percent_decode(stream->session);
    if (!browser || !session) {
      answer_error(call, in, "ValidationException", "Unable to decode the path of " + std::string(call.request.path));
      return false;
    }
    in.label = std::move(*browser);
    in.labels.emplace_back("sessionId", std::move(*session));
    return true;
  }
  const RouteMatch route = match_route(call.request.method, call.request.path, planes_for_host(call.request.host()));
  in.op = route.op;
  if (in.op == nullptr) {
    answer_error(call, in, "UnknownOperationException",
                 route.path_known ? "The operation " + std::string(call.request.method) + " " +
                                        std::string(call.request.path) +
                                        " is not supported: this path takes another HTTP method"
                                  : "No operation matches " + std::string(call.request.method) + " " +
                                        std::string(call.request.path));
    return false;
  }
  call.operation = in.op->id;
  std::size_t index = 0;
  for (const Member& m : in.op->members) {
    if (m.spec.where != kWhereLabel) continue;
    // Labels are matched in the URI's order; the members name them.
    const std::string_view uri = in.op->uri;
    std::size_t position = 0;
    for (std::size_t at = uri.find('{'); at != std::string_view::npos; at = uri.find('{', at + 1), ++position) {
      if (uri.substr(at + 1, m.wire.size()) == m.wire && uri.substr(at + 1 + m.wire.size()).starts_with('}')) break;
    }
    const std::string_view raw = position < route.label_count ? route.labels[position] : std::string_view{};
    const auto decoded = percent_decode(raw);
    if (!decoded) {
      ValidationDetail detail;
      detail.reason = "CannotParse";
      detail.fields.push_back({std::string(m.spec.name), "Member must be percent-encoded UTF-8"});
      answer_error(call, in, "ValidationException",
                   "Unable to decode the path label " + std::string(m.spec.name) + ": '" + std::string(raw) + "'",
                   std::move(detail));
      return false;
    }
    if (index++ == 0) in.label = *decoded;
    in.labels.emplace_back(m.wire, std::move(*decoded));
  }
  return true;
}

bool AgentcoreVendor::authenticate(Call& call) {
  AgentcoreCall& in = state_of(call);
  Signer signer;
  if (auto failure = authenticate_head(call.request, call.now, context_.auth, state_, signer)) {
    answer_error(call, in, failure->error, std::move(failure->message));
    call.response.diagnostic = failure->diagnostic.empty() && failure->error == "UnrecognizedClientException"
                                   ? unknown_key_diagnostic(call.request)
                                   : std::move(failure->diagnostic);
    return false;
  }
  in.caller = std::move(signer.caller);
  in.account = std::move(signer.account);
  in.region = std::move(signer.region);
  return true;
}

// Which keys would have worked: access key ids are not secrets, and a typo is the usual cause.
std::string AgentcoreVendor::unknown_key_diagnostic(const Request& request) const {
  std::string ignored;
  std::string key = "(none)";
  if (const auto auth = sigv4::parse_authorization(request.header("authorization"), ignored)) {
    key.assign(auth->access_key_id);
  }
  std::string known;
  std::size_t count = 0;
  {
    std::lock_guard lock(state_.mutex);
    for (const auto& [id, credential] : state_.credentials) {
      if (count++ == 10) {
        known += ", ...";
        break;
      }
      known += (known.empty() ? "" : ", ") + id;
    }
  }
  return "the access key " + key + " is not in agentemu's agentcore.credentials (fixtures define: " +
         (known.empty() ? std::string("none") : known) +
         "); sign with one of those, add it to the fixtures, or start agentemu with --auth lenient to accept any key";
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
  if (in.websocket || in.browser_stream != BrowserStream::none) return true;  // no body; the handler checks what it needs
  if (in.op->body == Body::json) {
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
  return validate_beyond_model(call, in);
}

// Constraints the model states in documentation rather than traits (README, fidelity notes).
bool AgentcoreVendor::validate_beyond_model(Call& call, AgentcoreCall& in) {
  const Request& request = call.request;
  const auto missing = [&](std::string_view field, std::string why) {
    ValidationDetail detail;
    detail.fields.push_back({std::string(field), "Member must not be null"});
    answer_error(call, in, "ValidationException",
                 "1 validation error detected: Value null at '" + std::string(field) +
                     "' failed to satisfy constraint: Member must not be null (" + why + ")",
                 std::move(detail));
    return false;
  };
  if (in.op->plane == Plane::data) {
    if (const auto arn = in.label_value("agentRuntimeArn"); arn && !kRuntimeArnOrId.matches(*arn)) {
      Violation v{"agentRuntimeArn", &kRuntimeLabelSpec, Problem::pattern_mismatch, std::string(arn->substr(0, 128)), ""};
      answer_violation(call, in, v);
      return false;
    }
  }
  if ((in.op->id == kInvokeAgentRuntime || in.op->id == kInvokeAgentRuntimeCommand) && !is_runtime_arn(in.label) &&
      !in.query_value("accountId")) {
    return missing("accountId", "an agent id needs the accountId of the agent's account");
  }
  if (in.op->id == kInvokeCodeInterpreter && !request.has_header("x-amzn-code-interpreter-session-id")) {
    return missing("sessionId", "tools run in a session: send x-amzn-code-interpreter-session-id");
  }
  return true;
}

void AgentcoreVendor::execute(Call& call) {
  AgentcoreCall& in = state_of(call);
  HandlerContext h{context_, state_, call, in, sandboxes_, agents_, browsers_};
  if (in.shell) {
    return answer_error(call, in, "NotImplementedException",
                        "agentemu does not emulate the runtime's interactive shell (GET "
                        "/runtimes/{agentRuntimeArn}/ws/shells); InvokeAgentRuntimeCommand runs commands in the "
                        "session's working directory");
  }
  if (in.websocket) return runtime_websocket(h);
  if (in.browser_stream != BrowserStream::none) return browser_stream(h);
  if (const Handler run = handlers_[in.op->id]) return run(h);
  answer_error(call, in, "NotImplementedException",
               "agentemu does not emulate " + std::string(in.op->name) + " (" +
                   (in.op->plane == Plane::data ? "bedrock-agentcore" : "bedrock-agentcore-control") +
                   "); it is a real AgentCore operation, recognised and validated, but not served");
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
    begin_operation(out, name(),
                    OperationInfo{.name = op.name,
                                  .method = op.method,
                                  .route = op.uri,
                                  .emulated = handlers_[op.id] != nullptr,
                                  .plane = op.plane == Plane::data ? "data" : "control"});
    for (const Member& m : op.members) write_param(out, m.spec, kWhere[m.spec.where], m.wire);
    begin_errors(out);
    for (std::string_view error : op.errors) out.string(error);
    end_operation(out);
  }
}

}  // namespace agentemu::agentcore
