#include "vendors/agentcore/agent_link.hpp"

#include "core/json.hpp"
#include "core/local.hpp"
#include "core/scheduler.hpp"
#include "core/stream.hpp"
#include "core/text.hpp"
#include "core/websocket.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"

namespace agentemu::agentcore {
namespace {

constexpr std::string_view kSessionHeader = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id";
constexpr std::string_view kRequestIdHeader = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id";
// The agent's credential for Identity: GetResourceApiKey and GetResourceOauth2Token take it.
constexpr std::string_view kWorkloadTokenHeader = "WorkloadAccessToken";
constexpr std::string_view kCustomPrefix = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-";
constexpr std::size_t kDiagnosticBody = 1024;
constexpr std::size_t kAgentCardMax = 1024 * 1024;  // an agent card is a small JSON document

// What AgentCore passes to the agent: the payload's type, what the caller accepts, the session,
// a request id, the caller's user id, MCP's session headers, the custom headers and the trace
// context. Never the caller's own Authorization (its SigV4 signature is AgentCore's to check).
std::vector<std::pair<std::string, std::string>> agent_headers(const Request& request, std::string_view session_id,
                                                               std::string_view request_id) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Header& h : request.headers) {
    const bool passed = iequals(h.name, "content-type") || iequals(h.name, "accept") ||
                        iequals(h.name, "X-Amzn-Bedrock-AgentCore-Runtime-User-Id") ||
                        iequals(h.name, "Mcp-Session-Id") || iequals(h.name, "Mcp-Protocol-Version") ||
                        istarts_with(h.name, kCustomPrefix) || iequals(h.name, "X-Amzn-Trace-Id") ||
                        iequals(h.name, "traceparent") || iequals(h.name, "tracestate") || iequals(h.name, "baggage");
    if (passed) out.emplace_back(h.name, h.value);
  }
  out.emplace_back(kSessionHeader, session_id);
  out.emplace_back(kRequestIdHeader, request_id);
  return out;
}

std::string workload_token(HandlerContext& h, const Runtime& runtime) {
  return h.state.identity.runtime_token(runtime.account, runtime.region, runtime.runtime_id,
                                        h.call.request.header("X-Amzn-Bedrock-AgentCore-Runtime-User-Id"), h.call.now);
}

// The agent's answer, read as it arrives and written on as it arrives.
class ProxyBody final : public BodySource, public std::enable_shared_from_this<ProxyBody> {
 public:
  ProxyBody(std::shared_ptr<HttpBodyReader> reader, std::function<void()> finished)
      : reader_(std::move(reader)), finished_(std::move(finished)) {}

  void start(std::shared_ptr<BodySink> sink) override {
    {
      std::lock_guard lock(mutex_);
      sink_ = std::move(sink);
    }
    next();
  }

  void cancel() override {
    take_sink();
    reader_->cancel();
  }

 private:
  std::shared_ptr<BodySink> current() {
    std::lock_guard lock(mutex_);
    return sink_;
  }
  std::shared_ptr<BodySink> take_sink() {
    std::lock_guard lock(mutex_);
    return std::exchange(sink_, nullptr);
  }

  void next() {
    reader_->read([me = shared_from_this()](const HttpError& error, std::string_view bytes, bool end) {
      if (error || end) {
        if (auto sink = me->take_sink()) {
          if (error) {
            sink->abort();
          } else {
            sink->end();
          }
        }
        if (me->finished_) me->finished_();
        return;
      }
      auto sink = me->current();
      if (!sink) return me->reader_->cancel();
      sink->write(std::string(bytes), [me](bool ok) {
        if (!ok) return me->cancel();
        me->next();
      });
    });
  }

  std::shared_ptr<HttpBodyReader> reader_;
  std::function<void()> finished_;
  std::mutex mutex_;
  std::shared_ptr<BodySink> sink_;
};

// Where the agent could not be reached, in words that say which way it failed.
std::string unreachable_message(const HttpError& error) {
  switch (error.kind) {
    case HttpFailure::refused:
      return "The runtime refused the connection: " + error.message + " (is the agent running?)";
    case HttpFailure::connect_timeout:
    case HttpFailure::timeout: return "The runtime did not respond in time: " + error.message;
    case HttpFailure::closed: return "The runtime closed the connection before its response was complete";
    default: return "The runtime could not be reached: " + error.message;
  }
}

// The runtime's WebSocket without an agent: every message comes back as it went.
class EchoSocket final : public WebSocketAcceptor {
 public:
  void open(std::shared_ptr<WebSocketChannel> client) override { echo(std::move(client)); }
  void cancel() override {}

 private:
  static void echo(std::shared_ptr<WebSocketChannel> client) {
    client->read([client](std::optional<WebSocketMessage> message) {
      if (!message) return;
      client->send(std::move(*message), [client](bool ok) {
        if (ok) echo(client);
      });
    });
  }
};

// The client's upgrade, accepted once the agent's own WebSocket is open: then messages flow both ways.
class RelaySocket final : public WebSocketAcceptor {
 public:
  explicit RelaySocket(std::shared_ptr<WebSocketChannel> agent) : agent_(std::move(agent)) {}
  void open(std::shared_ptr<WebSocketChannel> client) override { relay_websockets(std::move(client), agent_); }
  void cancel() override { agent_->close(kWebSocketGoingAway, "the client's upgrade did not happen"); }

 private:
  std::shared_ptr<WebSocketChannel> agent_;
};

void answer_unreachable(Call& call, const std::string& message, std::string diagnostic) {
  const AgentcoreCall& in = call.state_as<AgentcoreCall>();
  answer_error(call, in, "RuntimeClientError", message);
  call.response.diagnostic = std::move(diagnostic);
}

void add_answer_headers(Call& call, const std::string& session_id, const HttpResponseHead* agent) {
  const AgentcoreCall& in = call.state_as<AgentcoreCall>();
  Response& res = call.response;
  res.add_header(kSessionHeader, session_id);
  res.add_header("x-amzn-RequestId", in.request_id);
  for (std::string_view name : {"Mcp-Session-Id", "Mcp-Protocol-Version"}) {
    const std::string_view from_agent = agent != nullptr ? agent->header(name) : std::string_view{};
    if (!from_agent.empty()) {
      res.add_header(name, from_agent);
    } else if (call.request.has_header(name)) {
      res.add_header(name, call.request.header(name));
    }
  }
  for (std::string_view name : {"X-Amzn-Trace-Id", "traceparent", "tracestate", "baggage"}) {
    if (call.request.has_header(name)) res.add_header(name, call.request.header(name));
  }
}

}  // namespace

std::string_view invocation_path(const Runtime& runtime) {
  if (runtime.server_protocol == "MCP") return "/mcp";
  if (runtime.server_protocol == "A2A") return "/";
  return "/invocations";
}

std::string runtime_error_message(int status) {
  return "Received error (" + std::to_string(status) + ") from runtime. Please check your CloudWatch logs for more information.";
}

AgentLinks::AgentLinks(const VendorContext& context, State& state) : context_(context), state_(state) {}

AgentLinks::~AgentLinks() { *alive_ = false; }

std::string AgentLinks::url_for(const Runtime& runtime) const {
  if (context_.local == nullptr) return {};
  std::string url = runtime.invocation_url.empty() ? context_.local->options().agent_url : runtime.invocation_url;
  while (url.ends_with("/")) url.pop_back();
  return url;
}

void AgentLinks::invoke(HandlerContext& h, const Runtime& runtime, const std::string& url, const std::string& session_id) {
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.url = url + std::string(invocation_path(runtime));
  spec.body.assign(h.call.request.body);
  spec.headers = agent_headers(h.call.request, session_id, h.in.request_id);
  spec.headers.emplace_back(kWorkloadTokenHeader, workload_token(h, runtime));
  spec.connect_timeout = kAgentConnectTimeout;
  spec.timeout = context_.local->options().agent_timeout;
  const std::string session_key = RuntimeSessions::key(runtime.runtime_id, session_id);
  watch(url, Watched{runtime.account, runtime.region, session_key});

  // Each finished invocation counts as activity: the idle timeout starts again from its end.
  std::weak_ptr<bool> alive = alive_;
  const auto touch = [this, alive, account = runtime.account, region = runtime.region, session_key] {
    if (alive.expired()) return;
    std::lock_guard lock(state_.mutex);
    Tenant& tenant = state_.tenant(account, region);
    RuntimeSession* s = tenant.runtime_sessions.find(session_key);
    const SystemTime now = context_.clock.now();
    if (s != nullptr && s->status(now) == SessionStatus::ready) tenant.runtime_sessions.touch(session_key, *s, now);
  };

  context_.local->http().open(
      std::move(spec), [deferred = h.call.defer(), target = url + std::string(invocation_path(runtime)), session_id, touch](
                           const HttpError& error, HttpResponseHead& head, std::shared_ptr<HttpBodyReader> body) mutable {
        Call& call = deferred.call();
        if (error) {
          answer_unreachable(call, unreachable_message(error), "agentemu forwarded this invocation to " + target + ": " + error.message);
          return deferred.finish();
        }
        if (head.status >= 400) {
          // AWS keeps the agent's error body to itself (it goes to CloudWatch); its start goes into
          // the diagnostic, so the developer sees it here.
          const int status = head.status;
          auto reader = body;
          reader->read([deferred, reader, status, target](const HttpError&, std::string_view bytes, bool) mutable {
            reader->cancel();
            Call& c = deferred.call();
            answer_unreachable(c, runtime_error_message(status),
                               "the agent at " + target + " answered " + std::to_string(status) + ": " +
                                   std::string(bytes.substr(0, kDiagnosticBody)));
            deferred.finish();
          });
          return;
        }
        call.response.status = head.status;
        call.response.content_type.assign(head.header("content-type"));
        add_answer_headers(call, session_id, &head);
        call.response.stream = std::make_shared<ProxyBody>(std::move(body), touch);
        deferred.finish();
      });
}

void AgentLinks::agent_card(HandlerContext& h, const std::string& url, const std::string& session_id) {
  HttpRequestSpec spec;
  spec.url = url + "/.well-known/agent-card.json";
  spec.headers = {{std::string(kSessionHeader), session_id}, {std::string(kRequestIdHeader), h.in.request_id}};
  spec.connect_timeout = kAgentConnectTimeout;
  spec.timeout = context_.local->options().agent_timeout;
  spec.max_body_bytes = kAgentCardMax;
  std::string target = spec.url;
  context_.local->http().fetch(std::move(spec), [deferred = h.call.defer(), target = std::move(target), session_id](
                                                    const HttpError& error, HttpResponse& response) mutable {
    Call& call = deferred.call();
    JsonDocument card;
    if (error) {
      answer_unreachable(call, unreachable_message(error), "agentemu asked " + target + " for the agent card: " + error.message);
    } else if (response.status >= 400) {
      answer_unreachable(call, runtime_error_message(response.status),
                         "the agent at " + target + " answered " + std::to_string(response.status) + ": " +
                             response.body.substr(0, kDiagnosticBody));
    } else if (parse_json(response.body, card) || !card.IsObject()) {
      answer_unreachable(call, "The runtime's agent card is not a JSON object",
                         "the agent at " + target + " answered: " + response.body.substr(0, kDiagnosticBody));
    } else {
      call.response.set(200, "application/json", std::move(response.body));
      add_answer_headers(call, session_id, nullptr);
    }
    deferred.finish();
  });
}

void AgentLinks::open_websocket(HandlerContext& h, const Runtime& runtime, const std::string& url,
                                const std::string& session_id) {
  if (url.empty()) {
    h.call.response.status = 101;
    add_answer_headers(h.call, session_id, nullptr);
    h.call.response.upgrade = std::make_shared<EchoSocket>();
    return;
  }
  watch(url, Watched{runtime.account, runtime.region, RuntimeSessions::key(runtime.runtime_id, session_id)});
  WebSocketConnectSpec spec;
  spec.url = url + "/ws";
  for (auto& [name, value] : agent_headers(h.call.request, session_id, h.in.request_id)) {
    if (!iequals(name, "content-type") && !iequals(name, "accept")) spec.headers.emplace_back(std::move(name), std::move(value));
  }
  spec.headers.emplace_back(kWorkloadTokenHeader, workload_token(h, runtime));
  // A presigned URL carries the custom headers in its query (RuntimeClient.generatePresignedUrl).
  for (const QueryParam& p : h.in.query) {
    if (istarts_with(p.name, kCustomPrefix) && !h.call.request.has_header(p.name)) spec.headers.emplace_back(p.name, p.value);
  }
  spec.timeout = kAgentConnectTimeout;
  context_.local->http().connect_websocket(
      std::move(spec), [deferred = h.call.defer(), target = url + "/ws", session_id](
                           const HttpError& error, int status, std::shared_ptr<WebSocketChannel> agent) mutable {
        Call& call = deferred.call();
        if (error) {
          answer_unreachable(call, status >= 400 ? runtime_error_message(status) : unreachable_message(error),
                             "agentemu opened " + target + " for this WebSocket: " + error.message);
          return deferred.finish();
        }
        call.response.status = 101;
        add_answer_headers(call, session_id, nullptr);
        call.response.upgrade = std::make_shared<RelaySocket>(std::move(agent));
        deferred.finish();
      });
}

void AgentLinks::clear() {
  std::lock_guard lock(mutex_);
  watched_.clear();
}

// ---- /ping --------------------------------------------------------------------------------------

void AgentLinks::watch(const std::string& url, Watched session) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    watched_[url].insert(std::move(session));
    start = polling_.insert(url).second;
  }
  if (!start) return;
  std::weak_ptr<bool> alive = alive_;
  context_.scheduler.after(kPingInterval, [this, alive, url] {
    if (!alive.expired()) poll(url);
  });
}

void AgentLinks::poll(const std::string& url) {
  HttpRequestSpec spec;
  spec.url = url + "/ping";
  spec.connect_timeout = kPingTimeout;
  spec.timeout = kPingTimeout;
  spec.max_body_bytes = 64 * 1024;
  std::weak_ptr<bool> alive = alive_;
  context_.local->http().fetch(std::move(spec), [this, alive, url](const HttpError& error, HttpResponse& response) {
    if (alive.expired()) return;
    std::string status;
    JsonDocument doc;
    if (!error && response.status == 200 && !parse_json(response.body, doc) && doc.IsObject()) {
      if (const JsonValue* s = json_member(doc, "status"); s != nullptr && s->IsString()) status = s->GetString();
    }
    apply_health(url, status);
    bool again = false;
    {
      std::lock_guard lock(mutex_);
      const auto it = watched_.find(url);
      again = it != watched_.end() && !it->second.empty();
      if (!again) {
        if (it != watched_.end()) watched_.erase(it);
        polling_.erase(url);
      }
    }
    if (!again) return;
    context_.scheduler.after(kPingInterval, [this, alive, url] {
      if (!alive.expired()) poll(url);
    });
  });
}

// HealthyBusy holds the watched sessions' idle timers; anything else (Healthy, no answer) lets
// them run from now. Sessions that ended are no longer watched.
void AgentLinks::apply_health(const std::string& url, std::string_view status) {
  std::set<Watched> sessions;
  {
    std::lock_guard lock(mutex_);
    const auto it = watched_.find(url);
    if (it == watched_.end()) return;
    sessions = it->second;
  }
  const bool busy = status == "HealthyBusy";
  std::vector<Watched> ended;
  {
    std::lock_guard lock(state_.mutex);
    const SystemTime now = context_.clock.now();
    for (const Watched& w : sessions) {
      Tenant& tenant = state_.tenant(w.account, w.region);
      tenant.runtime_sessions.advance(now);
      RuntimeSession* s = tenant.runtime_sessions.find(w.key);
      if (s == nullptr || s->status(now) == SessionStatus::terminated) {
        ended.push_back(w);
        continue;
      }
      tenant.runtime_sessions.set_busy(w.key, *s, busy, now);
    }
  }
  std::lock_guard lock(mutex_);
  const auto it = watched_.find(url);
  if (it == watched_.end()) return;
  for (const Watched& w : ended) it->second.erase(w);
}

}  // namespace agentemu::agentcore
