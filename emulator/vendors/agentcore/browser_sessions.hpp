// Browser sessions backed by a real headless Chromium (--browser chromium): StartBrowserSession
// launches one per session (core/browser), its automation stream is a WebSocket on agentemu
// (GET /browser-streams/{browserIdentifier}/sessions/{sessionId}/automation, SigV4-signed like
// any request) relayed to Chromium's DevTools, and its live view is a page of screenshots. The
// browser ends, its whole process group killed, when the session stops or times out (emulator
// clock), at POST /_emulator/reset and when agentemu exits.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/browser/chromium.hpp"
#include "core/local.hpp"
#include "core/vendor.hpp"
#include "core/websocket.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

struct HandlerContext;

// Which stream of a browser session a request addresses.
enum class BrowserStream : std::uint8_t { none, automation, live_view };

struct BrowserStreamPath {
  BrowserStream stream = BrowserStream::none;
  std::string_view browser;  // raw (percent-encoded) labels
  std::string_view session;
};
// GET /browser-streams/{browserIdentifier}/sessions/{sessionId}/automation (or /live-view).
std::optional<BrowserStreamPath> browser_stream_path(const Request& request);

// The viewport when StartBrowserSession names none (agentemu's choice: README, fidelity notes).
inline constexpr int kDefaultViewportWidth = 1456;
inline constexpr int kDefaultViewportHeight = 819;

class Browsers {
 public:
  Browsers(const VendorContext& context, State& state);
  ~Browsers();
  Browsers(const Browsers&) = delete;
  Browsers& operator=(const Browsers&) = delete;

  bool enabled() const;  // --browser chromium
  std::size_t limit() const;

  // Claims one of the --max-browsers places for the session; false when none is left.
  bool reserve(std::string_view account, std::string_view region, std::string_view session_id);
  // Launches the reserved session's Chromium with the session's StartBrowserSession members
  // (viewPort, proxyConfiguration); `ready(error)` once DevTools listens or the start failed
  // (the place is then free again). Its end is watched at `expires_at` on the emulator clock.
  void launch(std::string account, std::string region, std::string session_id, const JsonValue* config,
              SystemTime expires_at, std::function<void(const std::string& error)> ready);
  // Closes the session's automation connections, kills its Chromium and frees its place.
  void end(std::string_view account, std::string_view region, std::string_view session_id);
  void end_all();
  // UpdateBrowserStream DISABLED: the open automation connections are closed.
  void disconnect(std::string_view account, std::string_view region, std::string_view session_id);
  // The session's browser DevTools URL, "" while it has none running.
  std::string devtools_url(std::string_view account, std::string_view region, std::string_view session_id) const;

  // Where a browser profile's cookies are saved (SaveBrowserSessionProfile), "" when the
  // directory cannot be made. Profiles live as long as agentemu's workspace.
  std::string profile_file(std::string_view account, std::string_view region, std::string_view profile_id);

  // The stream requests, once the session is known READY (browser_sessions.cpp: browser_stream).
  void open_automation(HandlerContext& h, const std::string& session_id);
  void serve_live_view(HandlerContext& h, const std::string& session_id);

  struct Running;

 private:
  static std::string key(std::string_view account, std::string_view region, std::string_view session_id);
  std::shared_ptr<Running> find(const std::string& key) const;
  void watch(std::string account, std::string region, std::string session_id, SystemTime at);
  // Gives a started browser the cookies saved to `file` (browser_profiles.cpp); none saved is no error.
  void load_profile(const std::string& devtools_url, const std::string& file, std::function<void(const std::string& error)> done);

  const VendorContext& context_;
  State& state_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Running>, std::less<>> running_;  // reserved or running
  std::string profiles_dir_;  // made at the first save
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // scheduled watches check it
};

// GET /browser-streams/...: the automation WebSocket or the live view of a session.
void browser_stream(HandlerContext& h);

// The session's streams as Start/Get/UpdateBrowser* answer them: on agentemu itself (ws:// or
// wss://, the request's Host) with --browser chromium, else AWS's endpoints.
void write_browser_streams(JsonWriter& w, const ToolSession& s, const HandlerContext& h);

}  // namespace agentemu::agentcore
