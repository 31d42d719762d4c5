#include "core/browser/devtools.hpp"

#include <vector>

namespace agentemu {

void DevToolsSession::open(HttpClient& http, const std::string& url, std::chrono::milliseconds timeout, Opened done) {
  WebSocketConnectSpec spec;
  spec.url = url;
  spec.timeout = timeout;
  http.connect_websocket(std::move(spec), [done = std::move(done)](const HttpError& error, int,
                                                                    std::shared_ptr<WebSocketChannel> channel) {
    if (error) return done("cannot open DevTools: " + error.message, nullptr);
    auto session = std::make_shared<DevToolsSession>(std::move(channel));
    session->read_next();
    done("", session);
  });
}

void DevToolsSession::send(std::string_view method, std::string_view params_json, std::string_view target_session,
                           Answer done) {
  std::int64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      static const JsonValue kNull;
      done("the DevTools connection is closed", kNull);
      return;
    }
    id = next_id_++;
    pending_.emplace(id, std::move(done));
  }
  std::string text = "{\"id\":" + std::to_string(id) + ",\"method\":";
  {
    JsonWriter w;
    w.string(method);
    text += w.take();
  }
  text.append(",\"params\":").append(params_json);
  if (!target_session.empty()) {
    JsonWriter w;
    w.string(target_session);
    text.append(",\"sessionId\":").append(w.take());
  }
  text.push_back('}');
  channel_->send({std::move(text), false}, [me = shared_from_this()](bool ok) {
    if (!ok) me->fail_all("the DevTools connection is closed");
  });
}

void DevToolsSession::close() {
  channel_->close(1000, "");
  fail_all("the DevTools connection is closed");
}

void DevToolsSession::read_next() {
  channel_->read([me = shared_from_this()](std::optional<WebSocketMessage> message) {
    if (!message) return me->fail_all("the browser closed DevTools");
    JsonDocument doc;
    if (!parse_json(message->data, doc) && doc.IsObject()) {
      const JsonValue* id = json_member(doc, "id");
      if (id != nullptr && id->IsInt64()) {
        Answer answer;
        {
          std::lock_guard lock(me->mutex_);
          if (auto it = me->pending_.find(id->GetInt64()); it != me->pending_.end()) {
            answer = std::move(it->second);
            me->pending_.erase(it);
          }
        }
        if (answer) {
          static const JsonValue kEmpty(rapidjson::kObjectType);
          if (const JsonValue* error = json_member(doc, "error")) {
            const JsonValue* text = json_member(*error, "message");
            answer(text != nullptr && text->IsString() ? text->GetString() : "DevTools answered an error", kEmpty);
          } else {
            const JsonValue* result = json_member(doc, "result");
            answer("", result != nullptr ? *result : kEmpty);
          }
        }
      }
    }
    me->read_next();
  });
}

void DevToolsSession::fail_all(const std::string& error) {
  std::map<std::int64_t, Answer> pending;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    pending.swap(pending_);
  }
  static const JsonValue kNull;
  for (auto& [id, answer] : pending) answer(error, kNull);
}

namespace {

std::string text_of(const JsonValue& v, std::string_view name) {
  const JsonValue* m = json_member(v, name);
  return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : std::string();
}

using Shot = std::function<void(const std::string& error, std::string base64_png)>;

std::string json_text(const JsonValue& v) {
  JsonWriter w;
  w.value(v);
  return w.take();
}

void run_from(std::shared_ptr<DevToolsSession> cdp, std::shared_ptr<std::vector<DevToolsCommand>> commands,
              std::size_t at, std::string page, std::function<void(const std::string&, std::string)> done) {
  const DevToolsCommand& c = (*commands)[at];
  cdp->send(c.method, c.params_json, page,
            [cdp, commands, at, page, done = std::move(done)](const std::string& error, const JsonValue& result) mutable {
              if (!error.empty()) return done(error, "");
              if (at + 1 == commands->size()) return done("", json_text(result));
              run_from(std::move(cdp), std::move(commands), at + 1, std::move(page), std::move(done));
            });
}

}  // namespace

void attach_first_page(HttpClient& http, const std::string& devtools_url, PageOpened done) {
  DevToolsSession::open(http, devtools_url, std::chrono::milliseconds(5000),
                        [done = std::move(done)](const std::string& error, std::shared_ptr<DevToolsSession> cdp) {
    if (!cdp) return done(error, nullptr, "");
    cdp->send("Target.getTargets", "{}", "", [cdp, done](const std::string& failure, const JsonValue& targets) {
      if (!failure.empty()) return done(failure, cdp, "");
      std::string target;
      if (const JsonValue* infos = json_member(targets, "targetInfos"); infos != nullptr && infos->IsArray()) {
        for (const auto& info : infos->GetArray()) {
          if (text_of(info, "type") == "page") {
            target = text_of(info, "targetId");
            break;
          }
        }
      }
      if (target.empty()) return done("the browser has no page open", cdp, "");
      JsonWriter params;
      params.begin_object().field("targetId", target).field_bool("flatten", true).end_object();
      cdp->send("Target.attachToTarget", params.take(), "", [cdp, done](const std::string& problem, const JsonValue& attached) {
        if (!problem.empty()) return done(problem, cdp, "");
        done("", cdp, text_of(attached, "sessionId"));
      });
    });
  });
}

void run_commands(std::shared_ptr<DevToolsSession> cdp, std::string page, std::vector<DevToolsCommand> commands,
                  std::function<void(const std::string& error, std::string last_result)> done) {
  if (commands.empty()) return done("", "{}");
  run_from(std::move(cdp), std::make_shared<std::vector<DevToolsCommand>>(std::move(commands)), 0, std::move(page),
           std::move(done));
}

void capture_screenshot(HttpClient& http, const std::string& devtools_url, Shot done) {
  attach_first_page(http, devtools_url,
                    [done = std::move(done)](const std::string& error, std::shared_ptr<DevToolsSession> cdp, std::string page) {
    if (!error.empty()) {
      if (cdp) cdp->close();
      return done(error, "");
    }
    cdp->send("Page.captureScreenshot", "{\"format\":\"png\"}", page,
              [cdp, done](const std::string& failure, const JsonValue& shot) {
                cdp->close();
                done(failure, failure.empty() ? text_of(shot, "data") : "");
              });
  });
}

}  // namespace agentemu
