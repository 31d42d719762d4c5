// One function per operation. Each resolves its resource, takes the state lock only while it
// reads or changes state, and answers in restJson1 (or, for InvokeCodeInterpreter, an AWS event
// stream). Validation already happened against the table (operations.cpp).
#include <algorithm>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/eventstream.hpp"
#include "vendors/agentcore/exec_tools.hpp"
#include "vendors/agentcore/idempotency.hpp"
#include "vendors/agentcore/runtime_command.hpp"
#include "vendors/agentcore/tools.hpp"

namespace agentemu::agentcore {
namespace {

constexpr std::string_view kSessionHeader = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id";
constexpr std::string_view kToolSessionHeader = "x-amzn-code-interpreter-session-id";
constexpr int kDefaultPageSize = 10;
// InvokeAgentRuntimeCommand's timeout, in seconds, as its documentation gives it.
constexpr std::int64_t kCommandDefaultTimeout = 300;
constexpr std::int64_t kCommandMaxTimeout = 3600;

void ok(Call& call, const AgentcoreCall& in, std::string body) {
  call.response.set(200, kJson, std::move(body));
  call.response.add_header("x-amzn-RequestId", in.request_id);
}

// Object keys sorted, so two bodies with the same members in another order compare equal.
void write_canonical(JsonWriter& w, const JsonValue& v, std::string_view skip_key = {}) {
  if (v.IsObject()) {
    std::vector<const JsonValue::Member*> members;
    for (const auto& m : v.GetObject()) {
      if (!skip_key.empty() && std::string_view(m.name.GetString(), m.name.GetStringLength()) == skip_key) continue;
      members.push_back(&m);
    }
    std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
      return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
             std::string_view(b->name.GetString(), b->name.GetStringLength());
    });
    w.begin_object();
    for (const auto* m : members) {
      w.key(std::string_view(m->name.GetString(), m->name.GetStringLength()));
      write_canonical(w, m->value);
    }
    w.end_object();
  } else if (v.IsArray()) {
    w.begin_array();
    for (const auto& item : v.GetArray()) write_canonical(w, item);
    w.end_array();
  } else {
    w.value(v);
  }
}

}  // namespace

// What "the same parameters" means for idempotency: every member but clientToken.
std::string fingerprint(const AgentcoreCall& in, const Request& request) {
  JsonWriter w;
  w.begin_object();
  w.field("label", in.label);
  for (const Member& m : in.op->members) {
    if (m.spec.where == static_cast<std::uint8_t>(Where::query)) {
      if (auto v = in.query_value(m.wire)) w.field(m.spec.name, *v);
    } else if (m.spec.where == static_cast<std::uint8_t>(Where::header) && m.spec.name != "traceId" &&
               m.spec.name != "traceParent") {
      if (request.has_header(m.wire)) w.field(m.spec.name, request.header(m.wire));
    }
  }
  if (in.has_body) {
    w.key("body");
    write_canonical(w, in.body, "clientToken");
  }
  w.end_object();
  return w.take();
}

// Replays the first answer to this clientToken, or refuses different parameters. True when it
// answered.
bool replay(HandlerContext& h, Tenant& tenant, std::string& key, std::string& print) {
  const auto token = h.in.body_string("clientToken");
  if (!token) return false;
  key.assign(h.in.op->name).append("\n").append(*token);
  print = fingerprint(h.in, h.call.request);
  const RememberedAnswer* previous = tenant.answer(key);
  if (previous == nullptr) return false;
  if (previous->fingerprint != print) {
    ValidationDetail detail;
    detail.reason = "IdempotentParameterMismatchException";
    answer_error(h.call, h.in, "ValidationException",
                 "The clientToken '" + std::string(*token) +
                     "' was already used with different request parameters. Use a new clientToken for a different "
                     "request.",
                 detail);
    return true;
  }
  h.call.response.set(h.in.op->status, kJson, previous->body);  // the operation's own success status
  h.call.response.add_header("x-amzn-RequestId", h.in.request_id);
  for (const auto& [name, value] : previous->headers) h.call.response.add_header(name, value);
  return true;
}

void remember(Tenant& tenant, std::string& key, std::string& print, const Call& call, std::string_view skip_header) {
  if (key.empty()) return;
  RememberedAnswer answer;
  answer.fingerprint = std::move(print);
  answer.body = call.response.body;
  for (const auto& [name, value] : call.response.headers) {
    if (!iequals(name, skip_header)) answer.headers.emplace_back(name, value);
  }
  tenant.remember(std::move(key), std::move(answer));
}

namespace {

// ---- Runtimes ----------------------------------------------------------------------------------

struct RuntimeRef {
  std::string account, region, runtime_id;
};

// An ARN names its account and region; a bare agent id uses ?accountId= (or the caller's
// account) and the region the request was signed for.
RuntimeRef runtime_ref(const AgentcoreCall& in) {
  if (const auto arn = parse_runtime_arn(in.label)) {
    return {std::string(arn->account), std::string(arn->region), std::string(arn->runtime_id)};
  }
  const auto account = in.query_value("accountId");
  return {std::string(account ? *account : std::string_view(in.account)), in.region, in.label};
}

// Finds the runtime and qualifier, or answers the error. Copies what the handler needs.
bool resolve_runtime(HandlerContext& h, const RuntimeRef& ref, Runtime& out, std::string& qualifier) {
  if (h.vendor.auth == AuthMode::strict && ref.account != h.in.account) {
    answer_error(h.call, h.in, "AccessDeniedException",
                 "User: arn:aws:iam::" + h.in.account + ":user/" + h.in.caller.access_key_id +
                     " is not authorized to perform: bedrock-agentcore:" + std::string(h.in.op->name) +
                     " on resource: " + h.in.label + " because no resource-based policy allows it");
    return false;
  }
  const auto q = h.in.query_value("qualifier");
  qualifier.assign(q ? *q : std::string_view("DEFAULT"));
  {
    std::lock_guard lock(h.state.mutex);
    const Runtime* runtime = h.state.runtime(ref.account, ref.region, ref.runtime_id);
    if (runtime != nullptr) out = *runtime;
  }
  if (out.arn.empty()) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "No agent runtime found for '" + h.in.label + "' in account " + ref.account + ", region " + ref.region);
    return false;
  }
  if (std::find(out.qualifiers.begin(), out.qualifiers.end(), qualifier) == out.qualifiers.end()) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "No endpoint found with qualifier '" + qualifier + "' for agent runtime " + out.arn);
    return false;
  }
  return true;
}

void echo_header(Call& call, std::string_view name) {
  if (call.request.has_header(name)) call.response.add_header(name, call.request.header(name));
}

bool is_json_type(std::string_view type) {
  const std::string_view media = trim(type.substr(0, type.find(';')));
  return iequals(media, "application/json") || iends_with(media, "+json");
}

struct RuntimeVisit {
  bool created = false;
  std::uint64_t invocation = 0;
};

// Opens the named session, or counts another visit to it: a stopped or timed-out session id
// starts a new session, as a new microVM would.
RuntimeVisit visit_runtime_session(HandlerContext& h, const Runtime& runtime, const std::string& qualifier,
                                   const std::string& session_id) {
  RuntimeVisit visit;
  std::lock_guard lock(h.state.mutex);
  Tenant& tenant = h.state.tenant(runtime.account, runtime.region);
  tenant.runtime_sessions.advance(h.call.now);
  std::string key = RuntimeSessions::key(runtime.runtime_id, session_id);
  RuntimeSession* s = tenant.runtime_sessions.find(key);
  if (s == nullptr || s->status(h.call.now) == SessionStatus::terminated) {
    RuntimeSession fresh;
    fresh.created_at = h.call.now;
    fresh.last_active_at = h.call.now;
    fresh.idle_timeout = runtime.idle_timeout;
    fresh.max_lifetime = runtime.max_lifetime;
    tenant.runtime_sessions.make_room(h.call.now);
    s = &tenant.runtime_sessions.add(key, runtime.arn, std::move(fresh));
    visit.created = true;
  } else {
    tenant.runtime_sessions.touch(key, *s, h.call.now);
  }
  tenant.runtime_sessions.set_qualifier(*s, qualifier);
  visit.invocation = ++s->invocations;
  return visit;
}

}  // namespace

void invoke_agent_runtime(HandlerContext& h) {
  const RuntimeRef ref = runtime_ref(h.in);
  Runtime runtime;
  std::string qualifier;
  if (!resolve_runtime(h, ref, runtime, qualifier)) return;

  // The SDK always sends a session id (an idempotency token); other clients get a fresh one.
  std::string session_id(h.call.request.header(kSessionHeader));
  if (!h.call.request.has_header(kSessionHeader)) session_id = uuid_v4();

  const RuntimeVisit visit = visit_runtime_session(h, runtime, qualifier, session_id);
  const bool created = visit.created;
  const std::uint64_t invocation = visit.invocation;

  // The developer's own agent answers when the runtime has one (agent_link.hpp).
  if (const std::string url = h.agents.url_for(runtime); !url.empty()) return h.agents.invoke(h, runtime, url, session_id);

  const std::string_view content_type = h.call.request.header("content-type");
  JsonWriter w;
  w.begin_object();
  w.field("agentRuntimeArn", runtime.arn);
  w.field("qualifier", qualifier);
  w.field("runtimeSessionId", session_id);
  w.field_bool("newSession", created);
  w.field_int("invocation", static_cast<std::int64_t>(invocation));
  if (h.call.request.has_header("X-Amzn-Bedrock-AgentCore-Runtime-User-Id")) {
    w.field("runtimeUserId", h.call.request.header("X-Amzn-Bedrock-AgentCore-Runtime-User-Id"));
  }
  w.field("contentType", content_type.empty() ? std::string_view("application/octet-stream") : content_type);
  JsonDocument parsed;
  if (is_json_type(content_type) && !parse_json(h.call.request.body, parsed)) {
    w.field_value("payload", parsed);
  } else {
    w.field("payload", h.call.request.body);
  }
  w.end_object();

  // Server-sent events when the client lists them before JSON (MCP clients send both).
  const std::string_view accept = h.call.request.header("accept");
  const auto sse_at = accept.find("text/event-stream");
  const bool sse = sse_at != std::string_view::npos && sse_at < accept.find("application/json");
  if (sse) {
    std::string body = "data: ";
    body += w.text();
    body += "\n\n";
    h.call.response.set(200, "text/event-stream", std::move(body));
  } else {
    h.call.response.set(200, kJson, w.take());
  }
  h.call.response.add_header(kSessionHeader, session_id);
  h.call.response.add_header("x-amzn-RequestId", h.in.request_id);
  for (std::string_view name : {"Mcp-Session-Id", "Mcp-Protocol-Version", "X-Amzn-Trace-Id", "traceparent",
                                "tracestate", "baggage"}) {
    echo_header(h.call, name);
  }
}

// GET /runtimes/{arn}/ws: the runtime's WebSocket, SigV4-signed like any request (headers or a
// presigned query, handshake.hpp). The session is opened as an invocation opens it; the socket
// is relayed to the agent's /ws, or echoes without an agent.
void runtime_websocket(HandlerContext& h) {
  if (!h.call.request.wants_websocket()) {
    answer_error(h.call, h.in, "ValidationException",
                 "GET /runtimes/{agentRuntimeArn}/ws is a WebSocket: send Connection: Upgrade and Upgrade: websocket");
    return;
  }
  const RuntimeRef ref = runtime_ref(h.in);
  Runtime runtime;
  std::string qualifier;
  if (!resolve_runtime(h, ref, runtime, qualifier)) return;
  std::string session_id(h.call.request.header(kSessionHeader));
  if (session_id.empty()) session_id.assign(h.in.query_value(kSessionHeader).value_or(""));
  if (session_id.empty()) session_id = uuid_v4();
  visit_runtime_session(h, runtime, qualifier, session_id);
  h.agents.open_websocket(h, runtime, h.agents.url_for(runtime), session_id);
}

// POST /runtimes/{arn}/commands: the command runs in the session's own working directory, as
// code-interpreter commands do (runtime_command.hpp); with --code-interpreter echo it is echoed.
void invoke_agent_runtime_command(HandlerContext& h) {
  const RuntimeRef ref = runtime_ref(h.in);
  Runtime runtime;
  std::string qualifier;
  if (!resolve_runtime(h, ref, runtime, qualifier)) return;
  const std::string_view command = h.in.body_string("command").value_or("");  // required: the table checked it
  std::int64_t timeout = kCommandDefaultTimeout;
  if (const JsonValue* t = h.in.body_member("timeout"); t != nullptr && t->IsInt64()) timeout = t->GetInt64();
  if (timeout < 1 || timeout > kCommandMaxTimeout) {
    const std::string constraint = "Member must have value between 1 and " + std::to_string(kCommandMaxTimeout);
    ValidationDetail detail;
    detail.fields.push_back({"timeout", constraint});
    answer_error(h.call, h.in, "ValidationException",
                 "1 validation error detected: Value '" + std::to_string(timeout) +
                     "' at 'timeout' failed to satisfy constraint: " + constraint,
                 std::move(detail));
    return;
  }
  std::string session_id(h.call.request.header(kSessionHeader));
  if (!h.call.request.has_header(kSessionHeader)) session_id = uuid_v4();
  // A new session of an ended one's id gets a directory of its own, not the one the old left.
  if (visit_runtime_session(h, runtime, qualifier, session_id).created) {
    h.sandboxes.end_runtime(runtime.account, runtime.region, runtime.runtime_id, session_id);
  }
  if (!h.sandboxes.enabled()) return echo_runtime_command(h, session_id, command);

  RuntimeSession session;
  {
    std::lock_guard lock(h.state.mutex);
    if (const RuntimeSession* s = h.state.tenant(runtime.account, runtime.region)
                                      .runtime_sessions.find(RuntimeSessions::key(runtime.runtime_id, session_id))) {
      session = *s;
    }
  }
  std::string error;
  auto sandbox = h.sandboxes.open_runtime(session, runtime.account, runtime.region, runtime.runtime_id, session_id, error);
  if (!sandbox) {
    answer_error(h.call, h.in, "InternalServerException", "agentemu cannot make the session's working directory: " + error);
    return;
  }
  stream_runtime_command(h, sandbox, session_id, std::string(command), std::chrono::seconds(timeout));
}

// GET /runtimes/{arn}/invocations/.well-known/agent-card.json: an A2A runtime's agent answers it;
// without an agent, a card made from the runtime. Other protocols have no card.
void get_agent_card(HandlerContext& h) {
  const RuntimeRef ref = runtime_ref(h.in);
  Runtime runtime;
  std::string qualifier;
  if (!resolve_runtime(h, ref, runtime, qualifier)) return;
  if (runtime.server_protocol != "A2A") {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "No agent card found for agent runtime " + runtime.arn + ": its server protocol is " +
                     runtime.server_protocol + ", and agent cards belong to A2A runtimes");
    return;
  }
  std::string session_id(h.call.request.header(kSessionHeader));
  if (!h.call.request.has_header(kSessionHeader)) session_id = uuid_v4();
  if (const std::string url = h.agents.url_for(runtime); !url.empty()) return h.agents.agent_card(h, url, session_id);

  // The card an A2A server would publish, pointing at the runtime's AgentCore URL.
  const std::string& id = runtime.runtime_id;  // <name>-<10 letters or digits>
  const std::string name = id.size() > 11 ? id.substr(0, id.size() - 11) : id;
  JsonWriter w;
  w.begin_object();
  w.field("name", name);
  w.field("description", "agentemu's card for " + runtime.arn +
                             ": give the runtime an invocationUrl and its agent answers with its own");
  w.field("url", "https://bedrock-agentcore." + runtime.region + ".amazonaws.com/runtimes/" +
                     percent_encode(runtime.arn) + "/invocations/");
  w.field("version", "1");
  w.field("protocolVersion", "0.3.0");
  w.field("preferredTransport", "JSONRPC");
  w.key("capabilities").begin_object().field_bool("streaming", true).end_object();
  w.key("defaultInputModes").begin_array().string("text").end_array();
  w.key("defaultOutputModes").begin_array().string("text").end_array();
  w.key("skills").begin_array().end_array();
  w.end_object();
  ok(h.call, h.in, w.take());
  h.call.response.add_header(kSessionHeader, session_id);
}

void stop_runtime_session(HandlerContext& h) {
  const RuntimeRef ref = runtime_ref(h.in);
  Runtime runtime;
  std::string qualifier;
  if (!resolve_runtime(h, ref, runtime, qualifier)) return;
  const std::string session_id(h.call.request.header(kSessionHeader));

  std::lock_guard lock(h.state.mutex);
  Tenant& tenant = h.state.tenant(runtime.account, runtime.region);
  std::string key, print;
  if (replay(h, tenant, key, print)) return;
  tenant.runtime_sessions.advance(h.call.now);
  const std::string session_key = RuntimeSessions::key(runtime.runtime_id, session_id);
  RuntimeSession* s = tenant.runtime_sessions.find(session_key);
  // A stopped (or timed-out) runtime session is gone: stopping it again with a new token finds
  // nothing, as for a session id that never ran.
  if (s == nullptr || s->status(h.call.now) == SessionStatus::terminated) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Session '" + session_id + "' not found for agent runtime " + runtime.arn);
    return;
  }
  tenant.runtime_sessions.stop(session_key, *s, h.call.now);
  h.sandboxes.end_runtime(runtime.account, runtime.region, runtime.runtime_id, session_id);
  ok(h.call, h.in, "{}");
  h.call.response.add_header(kSessionHeader, session_id);
  remember(tenant, key, print, h.call, "x-amzn-RequestId");
}

// ---- Code interpreters and browsers ------------------------------------------------------------

namespace {

struct ToolRef {
  std::string id;  // the registered id the label names
};

// "aws.codeinterpreter.v1", or an ARN whose resource is code-interpreter[-custom]/<id>
// (browser[-custom]/<id>). Answers the error itself when the label names nothing.
bool resolve_tool(HandlerContext& h, bool browser, ToolRef& out) {
  std::string_view label = h.in.label;
  if (label.starts_with("arn:")) {
    const auto parts = split(label, ':');
    const std::string_view resource = parts.size() == 6 ? parts[5] : std::string_view{};
    const auto slash = resource.find('/');
    const std::string_view type = resource.substr(0, slash);
    const bool type_ok = browser ? (type == "browser" || type == "browser-custom")
                                 : (type == "code-interpreter" || type == "code-interpreter-custom");
    if (parts.size() != 6 || parts[2] != "bedrock-agentcore" || slash == std::string_view::npos || !type_ok) {
      ValidationDetail detail;
      detail.fields.push_back({browser ? "browserIdentifier" : "codeInterpreterIdentifier",
                               "Member must be an identifier or a bedrock-agentcore " +
                                   std::string(browser ? "browser" : "code-interpreter") + " ARN"});
      answer_error(h.call, h.in, "ValidationException",
                   "1 validation error detected: Value '" + h.in.label + "' at '" + detail.fields[0].name +
                       "' failed to satisfy constraint: " + detail.fields[0].message,
                   detail);
      return false;
    }
    const std::string_view account = parts[4];
    if (h.vendor.auth == AuthMode::strict && account != "aws" && account != h.in.account) {
      answer_error(h.call, h.in, "AccessDeniedException",
                   "User: arn:aws:iam::" + h.in.account + ":user/" + h.in.caller.access_key_id +
                       " is not authorized to perform: bedrock-agentcore:" + std::string(h.in.op->name) +
                       " on resource: " + h.in.label);
      return false;
    }
    label = resource.substr(slash + 1);
  }
  bool known = false;
  {
    std::lock_guard lock(h.state.mutex);
    known = browser ? h.state.browsers.contains(label) : h.state.code_interpreters.contains(label);
  }
  if (!known) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 std::string(browser ? "Browser" : "Code interpreter") + " '" + h.in.label + "' not found");
    return false;
  }
  out.id.assign(label);
  return true;
}

ToolSessions& sessions_of(Tenant& t, bool browser) { return browser ? t.browser_sessions : t.code_sessions; }

std::string_view identifier_key(bool browser) { return browser ? "browserIdentifier" : "codeInterpreterIdentifier"; }

// The tool's sessions, brought up to now (expired ones end, old terminated ones are forgotten).
ToolSessions& current_sessions(HandlerContext& h, Tenant& tenant, bool browser, const ToolRef& tool) {
  ToolSessions& sessions = sessions_of(tenant, browser);
  sessions.advance(tool.id, h.call.now);
  return sessions;
}

// Finds the session the query's sessionId names under this tool, or answers not found.
ToolSession* find_session(HandlerContext& h, Tenant& tenant, bool browser, const ToolRef& tool) {
  const std::string_view id = h.in.query_value("sessionId").value_or("");
  ToolSession* s = current_sessions(h, tenant, browser, tool).find(id);
  if (s == nullptr || s->tool() != tool.id) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "Session '" + std::string(id) + "' not found for " +
                     std::string(browser ? "browser '" : "code interpreter '") + h.in.label + "'");
    return nullptr;
  }
  return s;
}

}  // namespace

void start_tool_session(HandlerContext& h, bool browser) {
  ToolRef tool;
  if (!resolve_tool(h, browser, tool)) return;
  const bool real_browser = browser && h.browsers.enabled();  // --browser chromium
  std::unique_lock lock(h.state.mutex);
  Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
  std::string key, print;
  if (replay(h, tenant, key, print)) return;
  ToolSessions& sessions = current_sessions(h, tenant, browser, tool);
  if (sessions.ready(tool.id) >= kActiveSessionLimit) {
    answer_error(h.call, h.in, "ServiceQuotaExceededException",
                 "The number of active sessions for '" + h.in.label + "' has reached the limit of " +
                     std::to_string(kActiveSessionLimit) + ". Stop a session and retry.");
    return;
  }
  ToolSession s;
  do {
    s.session_id = new_tool_session_id();
  } while (sessions.contains(s.session_id));
  if (real_browser && !h.browsers.reserve(h.in.account, h.in.region, s.session_id)) {
    answer_error(h.call, h.in, "ServiceQuotaExceededException",
                 "The number of running browser sessions has reached the limit of " +
                     std::to_string(h.browsers.limit()) + ". Stop a session and retry.");
    h.call.response.diagnostic =
        "agentemu runs at most --max-browsers " + std::to_string(h.browsers.limit()) + " Chromium processes at once";
    return;
  }
  if (const auto name = h.in.body_string("name"); name && !name->empty()) s.extras_to_change().name.assign(*name);
  const JsonValue* timeout = h.in.body_member("sessionTimeoutSeconds");
  s.timeout_seconds = timeout != nullptr && timeout->IsInt64()
                          ? static_cast<int>(timeout->GetInt64())
                          : (browser ? kBrowserDefaultTimeout : kCodeInterpreterDefaultTimeout);
  s.created_at = s.updated_at = h.call.now;
  // Only a session started with some of these has a config: most have none, and each costs.
  for (std::string_view member : {"viewPort", "extensions", "profileConfiguration", "proxyConfiguration",
                                  "enterprisePolicies", "certificates", "filesystemConfigurations"}) {
    if (const JsonValue* v = h.in.body_member(member); v != nullptr && !v->IsNull()) {
      if (!s.config) {
        s.config = std::make_shared<StoredJson>();
        s.config->SetObject();
      }
      JsonValue name(member.data(), static_cast<rapidjson::SizeType>(member.size()), s.config->GetAllocator());
      JsonValue copy(*v, s.config->GetAllocator());
      s.config->AddMember(name, copy, s.config->GetAllocator());
    }
  }

  const ToolSession& added = sessions.add(tool.id, std::move(s));
  JsonWriter w;
  w.begin_object();
  w.field(identifier_key(browser), h.in.label);
  w.field("sessionId", added.session_id);
  w.field("createdAt", format_rfc3339_millis(added.created_at));
  if (browser) write_browser_streams(w, added, h);
  w.end_object();
  ok(h.call, h.in, w.take());
  if (!real_browser) return remember(tenant, key, print, h.call, "x-amzn-RequestId");
  // The session's own Chromium: the answer waits until its DevTools listen, and is remembered
  // only then (a browser that did not start is no answer to replay).
  std::string session_id = added.session_id;
  std::shared_ptr<JsonDocument> config = added.config;
  const SystemTime expires_at = added.expires_at();
  lock.unlock();
  h.browsers.launch(h.in.account, h.in.region, session_id, config.get(), expires_at,
                    [&state = h.state, deferred = h.call.defer(), config, session_id, key,
                     print](const std::string& error) mutable {
                      Call& call = deferred.call();
                      const AgentcoreCall& in = call.state_as<AgentcoreCall>();
                      std::lock_guard relock(state.mutex);
                      Tenant& tenant = state.tenant(in.account, in.region);
                      if (error.empty()) {
                        remember(tenant, key, print, call, "x-amzn-RequestId");
                      } else {
                        // The session never ran: it ends at once, and the caller hears why.
                        if (ToolSession* failed = tenant.browser_sessions.find(session_id)) {
                          tenant.browser_sessions.stop(*failed, call.now);
                        }
                        answer_error(call, in, "InternalServerException");
                        call.response.diagnostic = "agentemu could not start Chromium for the session: " + error;
                      }
                      deferred.finish();
                    });
}

void stop_tool_session(HandlerContext& h, bool browser) {
  ToolRef tool;
  if (!resolve_tool(h, browser, tool)) return;
  std::lock_guard lock(h.state.mutex);
  Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
  std::string key, print;
  if (replay(h, tenant, key, print)) return;
  ToolSession* s = find_session(h, tenant, browser, tool);
  if (s == nullptr) return;
  // A terminated session still exists (Get shows it TERMINATED), so stopping it again is a
  // conflict with its state rather than a missing resource.
  if (s->status(h.call.now) == SessionStatus::terminated) {
    answer_error(h.call, h.in, "ConflictException",
                 "Session '" + s->session_id + "' is already TERMINATED (since " +
                     format_rfc3339_millis(s->last_updated(h.call.now)) + ")");
    return;
  }
  sessions_of(tenant, browser).stop(*s, h.call.now);
  // Its processes and working directory go with it (sandbox.hpp).
  if (!browser) h.sandboxes.end(h.in.account, h.in.region, s->session_id);
  if (browser) h.browsers.end(h.in.account, h.in.region, s->session_id);
  JsonWriter w;
  w.begin_object()
      .field(identifier_key(browser), h.in.label)
      .field("sessionId", s->session_id)
      .field("lastUpdatedAt", format_rfc3339_millis(s->stopped_at))
      .end_object();
  ok(h.call, h.in, w.take());
  remember(tenant, key, print, h.call, "x-amzn-RequestId");
}

void get_tool_session(HandlerContext& h, bool browser) {
  ToolRef tool;
  if (!resolve_tool(h, browser, tool)) return;
  JsonWriter w;
  {
    std::lock_guard lock(h.state.mutex);
    Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
    const ToolSession* s = find_session(h, tenant, browser, tool);
    if (s == nullptr) return;
    w.begin_object();
    w.field(identifier_key(browser), h.in.label);
    w.field("sessionId", s->session_id);
    if (!s->extras().name.empty()) w.field("name", s->extras().name);
    w.field("createdAt", format_rfc3339_millis(s->created_at));
    w.field_int("sessionTimeoutSeconds", s->timeout_seconds);
    w.field("status", status_name(s->status(h.call.now)));
    if (s->config) {
      for (const auto& m : s->config->GetObject()) {
        w.field_value(std::string_view(m.name.GetString(), m.name.GetStringLength()), m.value);
      }
    }
    if (browser) {
      write_browser_streams(w, *s, h);
      w.field("lastUpdatedAt", format_rfc3339_millis(s->last_updated(h.call.now)));
    }
    w.end_object();
  }
  ok(h.call, h.in, w.take());
}

void list_tool_sessions(HandlerContext& h, bool browser) {
  ToolRef tool;
  if (!resolve_tool(h, browser, tool)) return;
  const JsonValue* max = h.in.body_member("maxResults");
  const std::size_t page = max != nullptr && max->IsInt64() ? static_cast<std::size_t>(max->GetInt64()) : kDefaultPageSize;
  std::optional<SessionStatus> wanted;
  if (const auto status = h.in.body_string("status")) {
    wanted = *status == "READY" ? SessionStatus::ready : SessionStatus::terminated;
  }
  std::optional<Cursor> after;
  if (const auto token = h.in.body_string("nextToken")) {
    after = decode_cursor(*token);
    if (!after) {
      ValidationDetail detail;
      detail.fields.push_back({"nextToken", "Member must be a nextToken returned by a previous call"});
      answer_error(h.call, h.in, "ValidationException", "Invalid nextToken: '" + std::string(token->substr(0, 64)) + "'",
                   detail);
      return;
    }
  }
  JsonWriter w;
  {
    std::lock_guard lock(h.state.mutex);
    Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
    // Only this tool's sessions, and only those of the wanted status: the index has them apart.
    ToolSessions& sessions = current_sessions(h, tenant, browser, tool);
    std::vector<const ToolSession*> matching;
    if (const EndIndex* index = sessions.index(tool.id)) {
      matching.reserve((!wanted || *wanted == SessionStatus::ready ? index->ready() : 0) +
                       (!wanted || *wanted == SessionStatus::terminated ? index->terminated() : 0));
      const auto collect = [&](const EndIndex::Entries& entries) {
        for (const EndIndex::Entry& entry : entries) matching.push_back(sessions.find(*entry.key));
      };
      if (!wanted || *wanted == SessionStatus::ready) collect(index->ready_entries());
      if (!wanted || *wanted == SessionStatus::terminated) collect(index->ended_entries());
    }
    // Newest first; the session id breaks ties so the order (and the cursor) is total.
    const auto newer = [](const ToolSession* a, const ToolSession* b) {
      const auto am = epoch_millis(a->created_at), bm = epoch_millis(b->created_at);
      return am != bm ? am > bm : a->session_id > b->session_id;
    };
    std::sort(matching.begin(), matching.end(), newer);
    std::size_t start = 0;
    if (after) {
      while (start < matching.size()) {
        const auto ms = epoch_millis(matching[start]->created_at);
        const bool past = ms < after->created_ms || (ms == after->created_ms && matching[start]->session_id < after->session_id);
        if (past) break;
        ++start;
      }
    }
    const std::size_t end = std::min(matching.size(), start + page);
    w.begin_object().key("items").begin_array();
    for (std::size_t i = start; i < end; ++i) {
      const ToolSession& s = *matching[i];
      w.begin_object();
      w.field(identifier_key(browser), h.in.label);
      w.field("sessionId", s.session_id);
      if (!s.extras().name.empty()) w.field("name", s.extras().name);
      w.field("status", status_name(s.status(h.call.now)));
      w.field("createdAt", format_rfc3339_millis(s.created_at));
      w.field("lastUpdatedAt", format_rfc3339_millis(s.last_updated(h.call.now)));
      w.end_object();
    }
    w.end_array();
    if (end < matching.size()) {
      w.field("nextToken", encode_cursor({epoch_millis(matching[end - 1]->created_at), matching[end - 1]->session_id}));
    }
    w.end_object();
  }
  ok(h.call, h.in, w.take());
}

void update_browser_stream(HandlerContext& h) {
  ToolRef tool;
  if (!resolve_tool(h, true, tool)) return;
  std::lock_guard lock(h.state.mutex);
  Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
  std::string key, print;
  if (replay(h, tenant, key, print)) return;
  ToolSession* s = find_session(h, tenant, true, tool);
  if (s == nullptr) return;
  if (s->status(h.call.now) == SessionStatus::terminated) {
    answer_error(h.call, h.in, "ConflictException",
                 "Session '" + s->session_id + "' is TERMINATED: its streams cannot be updated");
    return;
  }
  const JsonValue* update = json_member(*h.in.body_member("streamUpdate"), "automationStreamUpdate");
  const JsonValue* status = update != nullptr ? json_member(*update, "streamStatus") : nullptr;
  if (status != nullptr && status->IsString()) {
    s->automation_enabled = std::string_view(status->GetString(), status->GetStringLength()) == "ENABLED";
    // As AWS does when a person takes control in the live view: the agent's connections drop.
    if (!s->automation_enabled) h.browsers.disconnect(h.in.account, h.in.region, s->session_id);
  }
  s->updated_at = h.call.now;
  JsonWriter w;
  w.begin_object();
  w.field("browserIdentifier", h.in.label);
  w.field("sessionId", s->session_id);
  write_browser_streams(w, *s, h);
  w.field("updatedAt", format_rfc3339_millis(s->updated_at));
  w.end_object();
  ok(h.call, h.in, w.take());
  remember(tenant, key, print, h.call, "x-amzn-RequestId");
}

void invoke_code_interpreter(HandlerContext& h) {
  ToolRef tool;
  if (!resolve_tool(h, false, tool)) return;
  const std::string_view session_id = h.call.request.header(kToolSessionHeader);
  std::string stream;
  std::optional<SystemTime> real_until;  // --code-interpreter exec: run for real, after the lock (session end)
  {
    std::lock_guard lock(h.state.mutex);
    Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
    ToolSession* s = current_sessions(h, tenant, false, tool).find(session_id);
    if (s == nullptr || s->tool() != tool.id || s->status(h.call.now) == SessionStatus::terminated) {
      // The stream is accepted, then its first event is the exception, as the model's
      // CodeInterpreterStreamOutput union carries it; the SDK throws it from send().
      const bool exists = s != nullptr && s->tool() == tool.id;
      const std::string message = "Session '" + std::string(session_id) +
                                  (exists ? "' is TERMINATED" : "' not found for code interpreter '" + h.in.label + "'");
      append_json_exception(stream, "resourceNotFoundException",
                            error_body(*find_error("ResourceNotFoundException"), message, nullptr));
    } else if (h.sandboxes.enabled()) {
      real_until = s->expires_at();
    } else {
      run_tool(*s, h.in, stream);
    }
  }
  // --code-interpreter exec: the session's own sandbox runs the tool (exec_tools.cpp).
  if (real_until) {
    std::string error;
    if (auto sandbox = h.sandboxes.open(h.in.account, h.in.region, session_id, *real_until, error)) {
      return invoke_tool_for_real(h, sandbox);
    }
    append_json_exception(stream, "internalServerException",
                          error_body(*find_error("InternalServerException"),
                                     "agentemu cannot make the session's working directory: " + error, nullptr));
  }
  h.call.response.set(200, "application/vnd.amazon.eventstream", std::move(stream));
  h.call.response.add_header(kToolSessionHeader, session_id);
  h.call.response.add_header("x-amzn-RequestId", h.in.request_id);
}

// ---- The rows ---------------------------------------------------------------------------------

namespace {

constexpr HandlerRow kDataPlane[] = {
    {kInvokeAgentRuntime, invoke_agent_runtime},
    {kStopRuntimeSession, stop_runtime_session},
    {kInvokeAgentRuntimeCommand, invoke_agent_runtime_command},
    {kGetAgentCard, get_agent_card},
    {kStartCodeInterpreterSession, [](HandlerContext& h) { start_tool_session(h, false); }},
    {kStopCodeInterpreterSession, [](HandlerContext& h) { stop_tool_session(h, false); }},
    {kGetCodeInterpreterSession, [](HandlerContext& h) { get_tool_session(h, false); }},
    {kListCodeInterpreterSessions, [](HandlerContext& h) { list_tool_sessions(h, false); }},
    {kInvokeCodeInterpreter, invoke_code_interpreter},
    {kStartBrowserSession, [](HandlerContext& h) { start_tool_session(h, true); }},
    {kStopBrowserSession, [](HandlerContext& h) { stop_tool_session(h, true); }},
    {kGetBrowserSession, [](HandlerContext& h) { get_tool_session(h, true); }},
    {kListBrowserSessions, [](HandlerContext& h) { list_tool_sessions(h, true); }},
    {kUpdateBrowserStream, update_browser_stream},
    {kInvokeBrowser, invoke_browser},
    {kSaveBrowserSessionProfile, save_browser_session_profile},
};

}  // namespace

std::span<const HandlerRow> data_plane_handlers() { return kDataPlane; }

}  // namespace agentemu::agentcore
