// InvokeBrowser against the session's real Chromium (--browser chromium): each BrowserAction
// becomes DevTools Input and Page commands on the browser's first page. A command DevTools
// refuses is the action's FAILED status with its error, as the model's result shapes carry it.
#include <array>
#include <cctype>

#include "core/browser/devtools.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"

namespace agentemu::agentcore {

namespace {

constexpr std::string_view kBrowserSessionHeader = "x-amzn-browser-session-id";

int int_of(const JsonValue& args, std::string_view name, int fallback = 0) {
  const JsonValue* v = json_member(args, name);
  return v != nullptr && v->IsInt() ? v->GetInt() : fallback;
}

std::string string_of(const JsonValue& args, std::string_view name) {
  const JsonValue* v = json_member(args, name);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::string button_of(const JsonValue& args) {
  const std::string b = string_of(args, "button");
  return b == "RIGHT" ? "right" : b == "MIDDLE" ? "middle" : "left";
}

DevToolsCommand mouse(std::string_view type, int x, int y, std::string_view button = "none", int clicks = 0) {
  JsonWriter w;
  w.begin_object().field("type", type).field_int("x", x).field_int("y", y).field("button", button);
  if (clicks > 0) w.field_int("clickCount", clicks);
  w.end_object();
  return {"Input.dispatchMouseEvent", w.take()};
}

// What DevTools needs to press a named key: its key, code, Windows key code and the text it types.
struct KeyInfo {
  std::string key, code, text;
  int key_code = 0;
};

KeyInfo key_info(std::string_view name) {
  struct Named {
    std::string_view name, code;
    int key_code;
    std::string_view text;
  };
  static constexpr std::array<Named, 19> kNamed{{
      {"Enter", "Enter", 13, "\r"},       {"Tab", "Tab", 9, "\t"},
      {"Backspace", "Backspace", 8, ""},  {"Delete", "Delete", 46, ""},
      {"Escape", "Escape", 27, ""},       {"Space", "Space", 32, " "},
      {"ArrowLeft", "ArrowLeft", 37, ""}, {"ArrowUp", "ArrowUp", 38, ""},
      {"ArrowRight", "ArrowRight", 39, ""}, {"ArrowDown", "ArrowDown", 40, ""},
      {"Home", "Home", 36, ""},           {"End", "End", 35, ""},
      {"PageUp", "PageUp", 33, ""},       {"PageDown", "PageDown", 34, ""},
      {"Shift", "ShiftLeft", 16, ""},     {"Control", "ControlLeft", 17, ""},
      {"Alt", "AltLeft", 18, ""},         {"Meta", "MetaLeft", 91, ""},
      {"Insert", "Insert", 45, ""},
  }};
  std::string_view canonical = name;
  if (iequals(name, "ctrl")) canonical = "Control";
  if (iequals(name, "cmd") || iequals(name, "command")) canonical = "Meta";
  if (iequals(name, "esc")) canonical = "Escape";
  if (iequals(name, "return")) canonical = "Enter";
  for (const Named& n : kNamed) {
    if (iequals(n.name, canonical)) return {std::string(n.name), std::string(n.code), std::string(n.text), n.key_code};
  }
  KeyInfo k;
  k.key.assign(name);
  if (name.size() == 1) {
    const char c = name[0];
    k.text.assign(name);
    if (std::isalpha(static_cast<unsigned char>(c))) {
      k.code = std::string("Key") + static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      k.key_code = std::toupper(static_cast<unsigned char>(c));
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      k.code = std::string("Digit") + c;
      k.key_code = c;
    }
  }
  return k;
}

int modifier_bit(const KeyInfo& k) {
  if (k.key == "Alt") return 1;
  if (k.key == "Control") return 2;
  if (k.key == "Meta") return 4;
  if (k.key == "Shift") return 8;
  return 0;
}

DevToolsCommand key_event(std::string_view type, const KeyInfo& k, int modifiers, bool with_text) {
  JsonWriter w;
  w.begin_object().field("type", type).field("key", k.key);
  if (!k.code.empty()) w.field("code", k.code);
  if (k.key_code != 0) w.field_int("windowsVirtualKeyCode", k.key_code);
  if (with_text && !k.text.empty() && (modifiers & ~8) == 0) w.field("text", k.text);
  if (modifiers != 0) w.field_int("modifiers", modifiers);
  w.end_object();
  return {"Input.dispatchKeyEvent", w.take()};
}

// The DevTools commands of one action, by the action's member name.
std::vector<DevToolsCommand> commands_for(std::string_view action, const JsonValue& a) {
  std::vector<DevToolsCommand> out;
  if (action == "mouseClick") {
    const int x = int_of(a, "x"), y = int_of(a, "y"), clicks = int_of(a, "clickCount", 1);
    const std::string button = button_of(a);
    out.push_back(mouse("mouseMoved", x, y));
    out.push_back(mouse("mousePressed", x, y, button, clicks));
    out.push_back(mouse("mouseReleased", x, y, button, clicks));
  } else if (action == "mouseMove") {
    out.push_back(mouse("mouseMoved", int_of(a, "x"), int_of(a, "y")));
  } else if (action == "mouseDrag") {
    const std::string button = button_of(a);
    out.push_back(mouse("mouseMoved", int_of(a, "startX"), int_of(a, "startY")));
    out.push_back(mouse("mousePressed", int_of(a, "startX"), int_of(a, "startY"), button, 1));
    out.push_back(mouse("mouseMoved", int_of(a, "endX"), int_of(a, "endY"), button));
    out.push_back(mouse("mouseReleased", int_of(a, "endX"), int_of(a, "endY"), button, 1));
  } else if (action == "mouseScroll") {
    JsonWriter w;
    w.begin_object().field("type", "mouseWheel").field_int("x", int_of(a, "x")).field_int("y", int_of(a, "y"));
    w.field_int("deltaX", int_of(a, "deltaX")).field_int("deltaY", int_of(a, "deltaY")).end_object();
    out.push_back({"Input.dispatchMouseEvent", w.take()});
  } else if (action == "keyType") {
    JsonWriter w;
    w.begin_object().field("text", string_of(a, "text")).end_object();
    out.push_back({"Input.insertText", w.take()});
  } else if (action == "keyPress") {
    const KeyInfo k = key_info(string_of(a, "key"));
    for (int i = 0, n = int_of(a, "presses", 1); i < n; ++i) {
      out.push_back(key_event("keyDown", k, 0, true));
      out.push_back(key_event("keyUp", k, 0, false));
    }
  } else if (action == "keyShortcut") {
    std::vector<KeyInfo> keys;
    if (const JsonValue* list = json_member(a, "keys"); list != nullptr && list->IsArray()) {
      for (const auto& k : list->GetArray()) {
        if (k.IsString()) keys.push_back(key_info(std::string_view(k.GetString(), k.GetStringLength())));
      }
    }
    int modifiers = 0;
    for (const KeyInfo& k : keys) {
      modifiers |= modifier_bit(k);
      out.push_back(key_event("keyDown", k, modifiers, true));
    }
    for (auto k = keys.rbegin(); k != keys.rend(); ++k) {
      out.push_back(key_event("keyUp", *k, modifiers, false));
      modifiers &= ~modifier_bit(*k);
    }
  } else if (action == "screenshot") {
    out.push_back({"Page.captureScreenshot", "{\"format\":\"png\"}"});
  }
  return out;
}

constexpr std::array<std::string_view, 8> kActions{"mouseClick", "mouseMove", "mouseDrag", "mouseScroll",
                                                  "keyType",    "keyPress",  "keyShortcut", "screenshot"};

}  // namespace

void invoke_browser(HandlerContext& h) {
  const std::string session_id(h.call.request.header(kBrowserSessionHeader));
  if (!h.browsers.enabled()) {
    answer_error(h.call, h.in, "NotImplementedException",
                 "agentemu emulates InvokeBrowser only with --browser chromium, against a real browser");
    return;
  }
  bool enabled = false;
  {
    std::lock_guard lock(h.state.mutex);
    const ToolSession* s = h.state.tenant(h.in.account, h.in.region).browser_sessions.find(session_id);
    const std::string_view label = h.in.label;
    const bool same_tool = s != nullptr && s->tool_named_by(label);
    if (!same_tool || s->status(h.call.now) == SessionStatus::terminated) {
      answer_error(h.call, h.in, "ResourceNotFoundException",
                   "Session '" + session_id + "' not found for browser '" + h.in.label + "'");
      return;
    }
    enabled = s->automation_enabled;
  }
  if (!enabled) {
    answer_error(h.call, h.in, "AccessDeniedException", "The automation stream of session '" + session_id + "' is DISABLED");
    return;
  }
  const JsonValue* action = h.in.body_member("action");
  std::string name;
  const JsonValue* args = nullptr;
  for (std::string_view candidate : kActions) {
    if (const JsonValue* v = action != nullptr ? json_member(*action, candidate) : nullptr; v != nullptr && !v->IsNull()) {
      name.assign(candidate);
      args = v;
    }
  }
  if (args == nullptr) {
    answer_error(h.call, h.in, "ValidationException", "The action must set exactly one member");
    return;
  }
  const std::string url = h.browsers.devtools_url(h.in.account, h.in.region, session_id);
  if (url.empty()) {
    answer_error(h.call, h.in, "ResourceNotFoundException", "Session '" + session_id + "' has no browser running");
    return;
  }
  auto commands = commands_for(name, *args);
  attach_first_page(
      h.vendor.local->http(), url,
      [deferred = h.call.defer(), name, session_id, commands = std::move(commands)](
          const std::string& error, std::shared_ptr<DevToolsSession> cdp, std::string page) mutable {
        auto answer = [deferred, name, session_id](const std::string& failure, const std::string& last) mutable {
          Call& call = deferred.call();
          const auto& in = call.state_as<AgentcoreCall>();
          JsonWriter w;
          w.begin_object().key("result").begin_object().key(name).begin_object();
          w.field("status", failure.empty() ? "SUCCESS" : "FAILED");
          if (!failure.empty()) w.field("error", failure);
          if (failure.empty() && name == "screenshot") {
            JsonDocument shot;
            const JsonValue* data = nullptr;
            if (!parse_json(last, shot) && (data = json_member(shot, "data")) != nullptr && data->IsString()) {
              w.field("data", std::string_view(data->GetString(), data->GetStringLength()));
            }
          }
          w.end_object().end_object().end_object();
          call.response.set(200, "application/json", w.take());
          call.response.add_header("x-amzn-RequestId", in.request_id);
          call.response.add_header(kBrowserSessionHeader, session_id);
          deferred.finish();
        };
        if (!error.empty()) {
          if (cdp) cdp->close();
          return answer(error, "");
        }
        run_commands(cdp, std::move(page), std::move(commands), [cdp, answer](const std::string& failure, std::string last) mutable {
          cdp->close();
          answer(failure, last);
        });
      });
}

}  // namespace agentemu::agentcore
