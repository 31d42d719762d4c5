// The paths of a browser session's streams (browser_sessions.hpp).
#include <doctest/doctest.h>

#include <string_view>

#include "core/http.hpp"
#include "vendors/agentcore/browser_sessions.hpp"

using namespace agentemu;

TEST_CASE("the browser stream paths") {
  Request r;
  r.method = "GET";
  r.path = "/browser-streams/aws.browser.v1/sessions/01ABC/automation";
  auto p = agentcore::browser_stream_path(r);
  REQUIRE(p);
  CHECK(p->stream == agentcore::BrowserStream::automation);
  CHECK(p->browser == "aws.browser.v1");
  CHECK(p->session == "01ABC");
  r.path = "/browser-streams/aws.browser.v1/sessions/01ABC/live-view";
  REQUIRE(agentcore::browser_stream_path(r));
  CHECK(agentcore::browser_stream_path(r)->stream == agentcore::BrowserStream::live_view);
  for (std::string_view bad : {"/browser-streams/aws.browser.v1/sessions/01ABC", "/browser-streams//sessions/x/automation",
                               "/browser-streams/b/session/x/automation", "/browser-streams/b/sessions/x/automation/more",
                               "/browsers/b/sessions/x/automation"}) {
    r.path = bad;
    CHECK_FALSE(agentcore::browser_stream_path(r));
  }
}
