// agentemu's own DevTools client, for what it asks a browser itself (a live-view screenshot, an
// InvokeBrowser action, a profile's cookies): commands over the browser's DevTools WebSocket,
// answers matched by id, events ignored.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/net/http_client.hpp"

namespace agentemu {

class DevToolsSession : public std::enable_shared_from_this<DevToolsSession> {
 public:
  // `error` empty on success; `result` is the command's "result" object.
  using Answer = std::function<void(const std::string& error, const JsonValue& result)>;
  using Opened = std::function<void(const std::string& error, std::shared_ptr<DevToolsSession> session)>;

  // Connects to `url` (ws://127.0.0.1:PORT/devtools/browser/<id>).
  static void open(HttpClient& http, const std::string& url, std::chrono::milliseconds timeout, Opened done);

  // Sends {"id", "method", "params", "sessionId"}; `params_json` is an object's text ("{}").
  // A target's session id (Target.attachToTarget, flatten) addresses one page; "" the browser.
  void send(std::string_view method, std::string_view params_json, std::string_view target_session, Answer done);
  void close();

  explicit DevToolsSession(std::shared_ptr<WebSocketChannel> channel) : channel_(std::move(channel)) {}

 private:
  void read_next();
  void fail_all(const std::string& error);

  std::shared_ptr<WebSocketChannel> channel_;
  std::mutex mutex_;
  std::int64_t next_id_ = 1;
  std::map<std::int64_t, Answer> pending_;
  bool closed_ = false;
};

// Opens `devtools_url` and attaches to the browser's first page (Target.attachToTarget, flatten):
// the session and the page's session id for send().
using PageOpened = std::function<void(const std::string& error, std::shared_ptr<DevToolsSession> cdp, std::string page)>;
void attach_first_page(HttpClient& http, const std::string& devtools_url, PageOpened done);

// One DevTools command of a sequence.
struct DevToolsCommand {
  std::string method;
  std::string params_json = "{}";
};
// Sends the commands to the page one after another, each once the previous one answered; `done`
// gets the first error, or the last command's result as JSON text.
void run_commands(std::shared_ptr<DevToolsSession> cdp, std::string page, std::vector<DevToolsCommand> commands,
                  std::function<void(const std::string& error, std::string last_result)> done);

// A PNG of the browser's first page, base64-encoded as DevTools gives it.
void capture_screenshot(HttpClient& http, const std::string& devtools_url,
                        std::function<void(const std::string& error, std::string base64_png)> done);

}  // namespace agentemu
