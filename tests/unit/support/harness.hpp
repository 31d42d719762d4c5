// Builds calls and a core context for unit tests, without a server or sockets.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/call.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/scheduler.hpp"
#include "core/vendor.hpp"

namespace agentemu::testing {

// What a vendor module borrows from the core, with logs off.
struct TestCore {
  explicit TestCore(AuthMode auth = AuthMode::strict) : auth_mode(auth) {}

  VendorContext context() { return VendorContext{clock, scheduler, auth_mode, log}; }
  // Runs timers that are due (real time) until none is left or `limit` passes.
  void run_for(std::chrono::milliseconds limit) {
    io.restart();
    io.run_for(limit);
  }

  boost::asio::io_context io;
  Clock clock;
  Scheduler scheduler{io, clock};
  Logger log{LogLevel::off, LogFormat::text};
  AuthMode auth_mode;
};

struct TestRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A Call whose request views point into strings this object owns. When a handler defers, the
// test host records the resume so the test can assert on it.
class TestCall : public CallHost, public std::enable_shared_from_this<TestCall> {
 public:
  static std::shared_ptr<TestCall> make(TestRequest request, const Clock& clock) {
    auto test_call = std::shared_ptr<TestCall>(new TestCall(std::move(request)));
    test_call->call.attach(test_call->weak_from_this());
    test_call->call.now = clock.now();
    test_call->call.started = std::chrono::steady_clock::now();
    return test_call;
  }

  void resume() override { ++resumed; }

  // Drives the vendor's part of the request path the way core/pipeline.cpp does.
  // Answers false when a step stopped early (the answer is then the vendor's error).
  bool run(Vendor& vendor) {
    call.vendor = &vendor;
    if (!vendor.decode(call) || !vendor.authenticate(call) || !vendor.validate(call)) return false;
    vendor.execute(call);
    return true;
  }

  Call call;
  int resumed = 0;

 private:
  explicit TestCall(TestRequest request) : owned_(std::move(request)) {
    Request& r = call.request;
    r.method = owned_.method;
    r.target = owned_.path;
    r.path = owned_.path;
    r.query = owned_.query;
    r.body = owned_.body;
    for (const auto& [name, value] : owned_.headers) r.headers.push_back({name, value});
  }

  TestRequest owned_;
};

}  // namespace agentemu::testing
