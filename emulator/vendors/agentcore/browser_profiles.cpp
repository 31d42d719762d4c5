// SaveBrowserSessionProfile against the session's real Chromium (--browser chromium): the
// browser's cookies (DevTools Storage.getCookies) are written as JSON to a file of the profile
// under agentemu's workspace, and a session started with that profileConfiguration gets them
// back (Storage.setCookies) before StartBrowserSession answers.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/browser/devtools.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"

namespace agentemu::agentcore {

namespace {

// The members of a DevTools Cookie that Storage.setCookies takes back (CookieParam).
constexpr std::string_view kCookieParams[] = {"name",     "value",  "domain",       "path",      "secure",
                                              "httpOnly", "sameSite", "priority", "sourceScheme", "sourcePort"};

// Storage.getCookies' result -> Storage.setCookies' params: {"cookies":[CookieParam...]}.
std::string cookie_params(const JsonValue& result) {
  JsonWriter w;
  w.begin_object().key("cookies").begin_array();
  if (const JsonValue* cookies = json_member(result, "cookies"); cookies != nullptr && cookies->IsArray()) {
    for (const auto& c : cookies->GetArray()) {
      w.begin_object();
      for (std::string_view name : kCookieParams) {
        if (const JsonValue* v = json_member(c, name)) w.field_value(name, *v);
      }
      // A session cookie has no expiry to give back.
      const JsonValue* session = json_member(c, "session");
      const JsonValue* expires = json_member(c, "expires");
      if ((session == nullptr || !session->IsTrue()) && expires != nullptr && expires->IsNumber()) {
        w.field_value("expires", *expires);
      }
      w.end_object();
    }
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace

std::string Browsers::profile_file(std::string_view account, std::string_view region, std::string_view profile_id) {
  std::lock_guard lock(mutex_);
  if (profiles_dir_.empty()) {
    std::string error;
    if (const auto dir = context_.local->workspace().make_dir("browser-profiles", error)) profiles_dir_ = *dir;
    if (profiles_dir_.empty()) return {};
  }
  return profiles_dir_ + "/" + std::string(account) + "-" + std::string(region) + "-" + std::string(profile_id) + ".json";
}

void Browsers::load_profile(const std::string& devtools_url, const std::string& file,
                            std::function<void(const std::string& error)> done) {
  std::ifstream in(file);
  if (!in) return done("");  // nothing saved to this profile yet: the session starts empty
  std::stringstream text;
  text << in.rdbuf();
  attach_first_page(context_.local->http(), devtools_url,
                    [params = text.str(), done = std::move(done)](const std::string& error,
                                                                  std::shared_ptr<DevToolsSession> cdp, std::string) {
                      if (!cdp) return done(error);
                      cdp->send("Storage.setCookies", params, "", [cdp, done](const std::string& failure, const JsonValue&) {
                        cdp->close();
                        done(failure.empty() ? "" : "the saved profile's cookies were refused: " + failure);
                      });
                    });
}

void save_browser_session_profile(HandlerContext& h) {
  const std::string profile_id = std::string(h.in.label_value("profileIdentifier").value_or(h.in.label));
  const std::string browser(h.in.body_string("browserIdentifier").value_or(""));
  const std::string session_id(h.in.body_string("sessionId").value_or(""));
  if (!h.browsers.enabled()) {
    answer_error(h.call, h.in, "NotImplementedException",
                 "agentemu emulates SaveBrowserSessionProfile only with --browser chromium, against a real browser");
    return;
  }
  {
    std::lock_guard lock(h.state.mutex);
    Tenant& tenant = h.state.tenant(h.in.account, h.in.region);
    const auto& profiles = tenant.resources[static_cast<std::size_t>(KindId::browser_profile)];
    const auto profile = profiles.find(profile_id);
    if (profile == profiles.end() || profile->second.gone(h.call.now)) {
      answer_error(h.call, h.in, "ResourceNotFoundException", "Browser profile '" + profile_id + "' not found");
      return;
    }
    const ToolSession* s = tenant.browser_sessions.find(session_id);
    if (s == nullptr || !s->tool_named_by(browser)) {
      answer_error(h.call, h.in, "ResourceNotFoundException",
                   "Session '" + session_id + "' not found for browser '" + browser + "'");
      return;
    }
    if (s->status(h.call.now) == SessionStatus::terminated) {
      answer_error(h.call, h.in, "ConflictException", "Session '" + session_id + "' is TERMINATED: its profile cannot be saved");
      return;
    }
  }
  const std::string url = h.browsers.devtools_url(h.in.account, h.in.region, session_id);
  const std::string file = h.browsers.profile_file(h.in.account, h.in.region, profile_id);
  if (url.empty() || file.empty()) {
    answer_error(h.call, h.in, "ResourceNotFoundException", "Session '" + session_id + "' has no browser running");
    return;
  }
  DevToolsSession::open(
      h.vendor.local->http(), url, std::chrono::milliseconds(5000),
      [deferred = h.call.defer(), file, profile_id, browser, session_id](
          const std::string& error, std::shared_ptr<DevToolsSession> cdp) mutable {
        auto finish = [deferred, file, profile_id, browser, session_id](const std::string& failure, const std::string& params) mutable {
          Call& call = deferred.call();
          const auto& in = call.state_as<AgentcoreCall>();
          if (failure.empty()) {
            // Written whole, then renamed, so a session loading it never reads half a profile.
            const std::string partial = file + ".partial";
            std::ofstream(partial, std::ios::trunc) << params;
            std::error_code ec;
            std::filesystem::rename(partial, file, ec);
            if (!ec) {
              JsonWriter w;
              w.begin_object().field("profileIdentifier", profile_id).field("browserIdentifier", browser);
              w.field("sessionId", session_id).field("lastUpdatedAt", format_rfc3339_millis(call.now)).end_object();
              call.response.set(200, "application/json", w.take());
              call.response.add_header("x-amzn-RequestId", in.request_id);
              return deferred.finish();
            }
          }
          answer_error(call, in, "InternalServerException");
          call.response.diagnostic = "agentemu could not save the browser's cookies: " +
                                     (failure.empty() ? std::string("cannot write ") + file : failure);
          deferred.finish();
        };
        if (!cdp) return finish(error, "");
        cdp->send("Storage.getCookies", "{}", "", [cdp, finish](const std::string& failure, const JsonValue& result) mutable {
          cdp->close();
          finish(failure, failure.empty() ? cookie_params(result) : "");
        });
      });
}

}  // namespace agentemu::agentcore
