#include "vendors/agentcore/browser_sessions.hpp"

#include <atomic>

#include "core/browser/devtools.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"

namespace agentemu::agentcore {

namespace {

constexpr std::chrono::milliseconds kDevToolsConnectTimeout{5000};
constexpr std::chrono::milliseconds kLiveViewTimeout{5000};
constexpr std::string_view kStreamsPrefix = "/browser-streams/";
constexpr std::uint16_t kWebSocketPolicyViolation = 1008;

int member_int(const JsonValue* object, std::string_view name, int fallback) {
  const JsonValue* v = object != nullptr ? json_member(*object, name) : nullptr;
  return v != nullptr && v->IsInt() ? v->GetInt() : fallback;
}

std::string member_text(const JsonValue* object, std::string_view name) {
  const JsonValue* v = object != nullptr ? json_member(*object, name) : nullptr;
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

// proxyConfiguration: Chromium takes one proxy for everything (--proxy-server), so agentemu uses
// the first of the session's proxies; bypass.domainPatterns become --proxy-bypass-list.
void apply_proxy(const JsonValue* config, ChromiumSpec& spec) {
  const JsonValue* proxy = config != nullptr ? json_member(*config, "proxyConfiguration") : nullptr;
  if (proxy == nullptr) return;
  if (const JsonValue* proxies = json_member(*proxy, "proxies"); proxies != nullptr && proxies->IsArray()) {
    for (const auto& p : proxies->GetArray()) {
      const JsonValue* external = json_member(p, "externalProxy");
      const std::string server = member_text(external, "server");
      if (server.empty()) continue;
      spec.proxy_server = "http://" + server + ":" + std::to_string(member_int(external, "port", 80));
      break;
    }
  }
  const JsonValue* bypass = json_member(*proxy, "bypass");
  if (const JsonValue* patterns = bypass != nullptr ? json_member(*bypass, "domainPatterns") : nullptr;
      patterns != nullptr && patterns->IsArray()) {
    for (const auto& p : patterns->GetArray()) {
      if (!p.IsString()) continue;
      if (!spec.proxy_bypass.empty()) spec.proxy_bypass.push_back(';');
      spec.proxy_bypass.append(p.GetString(), p.GetStringLength());
    }
  }
}

std::string profile_id(const JsonValue* config) {
  const JsonValue* profile = config != nullptr ? json_member(*config, "profileConfiguration") : nullptr;
  return member_text(profile, "profileIdentifier");
}

}  // namespace

std::optional<BrowserStreamPath> browser_stream_path(const Request& request) {
  std::string_view path = request.path;
  if (!path.starts_with(kStreamsPrefix)) return std::nullopt;
  const auto parts = split(path.substr(kStreamsPrefix.size()), '/');
  if (parts.size() != 4 || parts[0].empty() || parts[1] != "sessions" || parts[2].empty()) return std::nullopt;
  BrowserStreamPath out{BrowserStream::none, parts[0], parts[2]};
  if (parts[3] == "automation") {
    out.stream = BrowserStream::automation;
  } else if (parts[3] == "live-view") {
    out.stream = BrowserStream::live_view;
  } else {
    return std::nullopt;
  }
  return out;
}

// ---- One session's browser ---------------------------------------------------------------------

struct Browsers::Running {
  std::shared_ptr<Chromium> chromium;  // null while reserved
  std::string devtools_url;            // set once DevTools listens
  std::vector<std::weak_ptr<WebSocketChannel>> connections;  // automation clients and their DevTools ends
  bool ended = false;

  void close_connections(std::uint16_t code, const std::string& reason) {
    for (auto& weak : connections) {
      if (auto channel = weak.lock()) channel->close(code, reason);
    }
    connections.clear();
  }
};

namespace {

// The upgrade of an automation client, relayed to the DevTools connection agentemu opened for it.
class AutomationRelay final : public WebSocketAcceptor {
 public:
  AutomationRelay(std::weak_ptr<Browsers::Running> running, std::shared_ptr<WebSocketChannel> devtools,
                  std::mutex& mutex)
      : running_(std::move(running)), devtools_(std::move(devtools)), mutex_(mutex) {}

  void open(std::shared_ptr<WebSocketChannel> client) override {
    {
      std::lock_guard lock(mutex_);
      const auto running = running_.lock();
      if (!running || running->ended) {
        client->close(kWebSocketGoingAway, "the browser session ended");
        devtools_->close(kWebSocketGoingAway, "");
        return;
      }
      std::erase_if(running->connections, [](const std::weak_ptr<WebSocketChannel>& w) { return w.expired(); });
      running->connections.push_back(client);
      running->connections.push_back(devtools_);
    }
    relay_websockets(std::move(client), devtools_);
  }
  void cancel() override { devtools_->close(kWebSocketGoingAway, "the client's upgrade did not happen"); }

 private:
  std::weak_ptr<Browsers::Running> running_;
  std::shared_ptr<WebSocketChannel> devtools_;
  std::mutex& mutex_;  // the Browsers' own; the vendor outlives every upgrade
};

}  // namespace

// ---- Every session's browser --------------------------------------------------------------------

Browsers::Browsers(const VendorContext& context, State& state) : context_(context), state_(state) {}

Browsers::~Browsers() {
  *alive_ = false;
  end_all();
}

bool Browsers::enabled() const { return context_.local != nullptr && context_.local->options().real_browser; }

std::size_t Browsers::limit() const { return context_.local != nullptr ? context_.local->options().max_browsers : 0; }

std::string Browsers::key(std::string_view account, std::string_view region, std::string_view session_id) {
  return std::string(account) + "-" + std::string(region) + "-" + std::string(session_id);
}

std::shared_ptr<Browsers::Running> Browsers::find(const std::string& k) const {
  std::lock_guard lock(mutex_);
  const auto it = running_.find(k);
  return it == running_.end() ? nullptr : it->second;
}

bool Browsers::reserve(std::string_view account, std::string_view region, std::string_view session_id) {
  std::lock_guard lock(mutex_);
  if (running_.size() >= limit()) return false;
  running_.emplace(key(account, region, session_id), std::make_shared<Running>());
  return true;
}

std::string Browsers::devtools_url(std::string_view account, std::string_view region, std::string_view session_id) const {
  std::lock_guard lock(mutex_);
  const auto it = running_.find(key(account, region, session_id));
  return it == running_.end() ? std::string() : it->second->devtools_url;
}

void Browsers::launch(std::string account, std::string region, std::string session_id, const JsonValue* config,
                      SystemTime expires_at, std::function<void(const std::string& error)> ready) {
  const std::string k = key(account, region, session_id);
  std::string error;
  const auto dir = context_.local->workspace().make_dir("browser-" + k, error);
  if (!dir) {
    end(account, region, session_id);
    return ready("agentemu cannot make the browser's profile directory: " + error);
  }
  ChromiumSpec spec;
  spec.program = context_.local->options().chromium;
  spec.profile_dir = *dir;
  const JsonValue* viewport = config != nullptr ? json_member(*config, "viewPort") : nullptr;
  spec.width = member_int(viewport, "width", kDefaultViewportWidth);
  spec.height = member_int(viewport, "height", kDefaultViewportHeight);
  apply_proxy(config, spec);

  Workspace& workspace = context_.local->workspace();
  std::weak_ptr<bool> alive = alive_;
  auto chromium = Chromium::launch(
      context_.local->processes(), spec,
      [this, alive, k, account, region, session_id, profile = profile_id(config),
       ready = std::move(ready)](const std::string& error) mutable {
        if (alive.expired()) return ready("agentemu is shutting down");
        if (!error.empty()) {
          end(account, region, session_id);
          return ready(error);
        }
        std::string url;
        {
          std::lock_guard lock(mutex_);
          const auto it = running_.find(k);
          if (it == running_.end() || it->second->ended || !it->second->chromium) {
            return ready("the browser session ended while its browser started");
          }
          url = it->second->devtools_url = it->second->chromium->devtools_url();
        }
        if (profile.empty()) return ready("");
        // profileConfiguration: what was saved to the profile, before the session is handed out.
        load_profile(url, profile_file(account, region, profile),
                     [this, alive, account, region, session_id, ready = std::move(ready)](const std::string& failure) {
                       if (!failure.empty() && !alive.expired()) end(account, region, session_id);
                       ready(failure);
                     });
      },
      // Once the browser and its group are gone, so is its profile; a browser that ended by
      // itself (it crashed, someone killed it) frees its place, and its session has none.
      [this, alive, k, &workspace, dir = *dir] {
        workspace.remove_dir(dir);
        if (alive.expired()) return;
        std::lock_guard lock(mutex_);
        const auto it = running_.find(k);
        if (it == running_.end() || !it->second->chromium || !it->second->chromium->exited()) return;
        it->second->ended = true;
        it->second->close_connections(kWebSocketGoingAway, "the browser exited");
        running_.erase(it);
      });
  {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(k);
    if (it == running_.end()) {
      chromium->kill();  // ended (reset) between the reservation and now
      return;
    }
    it->second->chromium = std::move(chromium);
  }
  watch(std::move(account), std::move(region), std::move(session_id), expires_at);
}

// At the session's timeout (emulator clock): if it ended, so does its browser; if it lives on (the
// clock moved back), look again at its new end.
void Browsers::watch(std::string account, std::string region, std::string session_id, SystemTime at) {
  std::weak_ptr<bool> alive = alive_;
  context_.scheduler.at(at, [this, alive, account = std::move(account), region = std::move(region),
                             session_id = std::move(session_id)]() mutable {
    if (alive.expired() || !find(key(account, region, session_id))) return;
    std::optional<SystemTime> still_ready;
    {
      std::lock_guard lock(state_.mutex);
      const SystemTime now = context_.clock.now();
      const ToolSession* s = state_.tenant(account, region).browser_sessions.find(session_id);
      if (s != nullptr && s->status(now) == SessionStatus::ready) still_ready = s->expires_at();
    }
    if (still_ready) return watch(std::move(account), std::move(region), std::move(session_id), *still_ready);
    end(account, region, session_id);
  });
}

void Browsers::end(std::string_view account, std::string_view region, std::string_view session_id) {
  std::shared_ptr<Running> running;
  {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(key(account, region, session_id));
    if (it == running_.end()) return;
    running = std::move(it->second);
    running_.erase(it);
    running->ended = true;
    running->close_connections(kWebSocketGoingAway, "the browser session ended");
  }
  if (running->chromium) running->chromium->kill();
}

void Browsers::end_all() {
  std::map<std::string, std::shared_ptr<Running>, std::less<>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(running_);
    for (auto& [k, running] : all) {
      running->ended = true;
      running->close_connections(kWebSocketGoingAway, "the browser session ended");
    }
  }
  for (auto& [k, running] : all) {
    if (running->chromium) running->chromium->kill();
  }
}

void Browsers::disconnect(std::string_view account, std::string_view region, std::string_view session_id) {
  std::lock_guard lock(mutex_);
  const auto it = running_.find(key(account, region, session_id));
  if (it != running_.end()) it->second->close_connections(kWebSocketPolicyViolation, "the automation stream is DISABLED");
}

void Browsers::open_automation(HandlerContext& h, const std::string& session_id) {
  const auto running = find(key(h.in.account, h.in.region, session_id));
  const std::string url = devtools_url(h.in.account, h.in.region, session_id);
  if (url.empty()) {
    answer_error(h.call, h.in, "ResourceNotFoundException", "Session '" + session_id + "' has no browser running");
    return;
  }
  WebSocketConnectSpec spec;
  spec.url = url;
  spec.timeout = kDevToolsConnectTimeout;
  std::weak_ptr<Running> weak = running;
  context_.local->http().connect_websocket(
      std::move(spec), [this, weak, deferred = h.call.defer(), url](const HttpError& error, int,
                                                                    std::shared_ptr<WebSocketChannel> devtools) mutable {
        Call& call = deferred.call();
        if (error) {
          answer_error(call, call.state_as<AgentcoreCall>(), "InternalServerException");
          call.response.diagnostic = "agentemu could not open the browser's DevTools at " + url + ": " + error.message;
          return deferred.finish();
        }
        call.response.status = 101;
        call.response.add_header("x-amzn-RequestId", call.state_as<AgentcoreCall>().request_id);
        call.response.upgrade = std::make_shared<AutomationRelay>(weak, std::move(devtools), mutex_);
        deferred.finish();
      });
}

void Browsers::serve_live_view(HandlerContext& h, const std::string& session_id) {
  const std::string url = devtools_url(h.in.account, h.in.region, session_id);
  if (url.empty()) {
    answer_error(h.call, h.in, "ResourceNotFoundException", "Session '" + session_id + "' has no browser running");
    return;
  }
  // One answer, whichever comes first: the screenshot or the time limit (a page that never
  // paints must not hold the request forever).
  struct Pending {
    Deferred deferred;
    std::atomic<bool> answered{false};
    std::string session_id;
    std::atomic<Scheduler::TimerId> timer{0};
  };
  auto pending = std::make_shared<Pending>();
  pending->deferred = h.call.defer();
  pending->session_id = session_id;
  Scheduler& scheduler = context_.scheduler;
  const auto answer = [pending, &scheduler](const std::string& error, const std::string& png) {
    if (pending->answered.exchange(true)) return;
    if (const auto timer = pending->timer.load()) scheduler.cancel(timer);
    Call& call = pending->deferred.call();
    const auto& in = call.state_as<AgentcoreCall>();
    if (!error.empty()) {
      answer_error(call, in, "InternalServerException");
      call.response.diagnostic = "agentemu could not take the live view's screenshot: " + error;
    } else {
      // A page that shows the browser as it is now and reloads itself every second.
      std::string html =
          "<!doctype html>\n<html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"1\">"
          "<title>AgentCore browser session " + pending->session_id + " (agentemu live view)</title></head>"
          "<body style=\"margin:0;background:#202124\"><img alt=\"the browser's page\" style=\"display:block;max-width:100%\" "
          "src=\"data:image/png;base64," + png + "\"></body></html>\n";
      call.response.set(200, "text/html; charset=utf-8", std::move(html));
      call.response.add_header("Cache-Control", "no-store");
      call.response.add_header("x-amzn-RequestId", in.request_id);
    }
    pending->deferred.finish();
  };
  pending->timer = scheduler.after(kLiveViewTimeout, [answer] { answer("no screenshot within 5 s", ""); });
  capture_screenshot(context_.local->http(), url, [answer](const std::string& error, std::string png) { answer(error, png); });
}

// ---- The stream requests ------------------------------------------------------------------------

void browser_stream(HandlerContext& h) {
  const auto path = browser_stream_path(h.call.request);
  const std::string session_id = std::string(h.in.label_value("sessionId").value_or(""));
  if (!h.browsers.enabled()) {
    answer_error(h.call, h.in, "NotImplementedException",
                 "agentemu serves browser streams only with --browser chromium: start it so to run a real browser");
    return;
  }
  bool enabled = false;
  {
    std::lock_guard lock(h.state.mutex);
    Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
    const ToolSession* s = tenant.browser_sessions.find(session_id);
    const std::string_view label = h.in.label;
    const bool same_tool = s != nullptr && s->tool_named_by(label);
    if (!same_tool || s->status(h.call.now) == SessionStatus::terminated) {
      answer_error(h.call, h.in, "ResourceNotFoundException",
                   "Session '" + session_id + "' not found for browser '" + h.in.label + "'");
      return;
    }
    enabled = s->automation_enabled;
  }
  if (path->stream == BrowserStream::live_view) return h.browsers.serve_live_view(h, session_id);
  if (!h.call.request.wants_websocket()) {
    answer_error(h.call, h.in, "ValidationException",
                 "The automation stream is a WebSocket: send Connection: Upgrade and Upgrade: websocket");
    return;
  }
  if (!enabled) {
    answer_error(h.call, h.in, "AccessDeniedException",
                 "The automation stream of session '" + session_id + "' is DISABLED");
    return;
  }
  h.browsers.open_automation(h, session_id);
}

void write_browser_streams(JsonWriter& w, const ToolSession& s, const HandlerContext& h) {
  std::string automation, live;
  const std::string path = "/browser-streams/" + std::string(s.tool()) + "/sessions/" + s.session_id;
  if (h.browsers.enabled() && !h.call.request.header("host").empty()) {
    const std::string host(h.call.request.header("host"));
    const bool tls = h.call.request.secure;
    automation = (tls ? "wss://" : "ws://") + host + path + "/automation";
    live = (tls ? "https://" : "http://") + host + path + "/live-view";
  } else {
    const std::string host = "bedrock-agentcore." + h.in.region + ".amazonaws.com";
    automation = "wss://" + host + path + "/automation";
    live = "https://" + host + path + "/live-view";
  }
  w.key("streams").begin_object();
  w.key("automationStream")
      .begin_object()
      .field("streamEndpoint", automation)
      .field("streamStatus", s.automation_enabled ? "ENABLED" : "DISABLED")
      .end_object();
  w.key("liveViewStream").begin_object().field("streamEndpoint", live).end_object();
  w.end_object();
}

}  // namespace agentemu::agentcore
