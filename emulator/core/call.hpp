// One request travelling through the request path (core/pipeline.cpp), from the connection that
// read it to the answer it gets. Connections reuse their Call for every request they carry.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/http.hpp"

namespace agentemu {

class Vendor;

// Vendor-owned decoded form of the request (parameters, parsed body, tenant...).
struct CallState {
  virtual ~CallState() = default;
};

// Implemented by the connection: continues a paused request on the connection's executor.
class CallHost {
 public:
  virtual ~CallHost() = default;
  virtual void resume() = 0;
};

class Call;

// A handler that answers later (a graceful shutdown waiting for idle, an injected delay) keeps
// this token; it holds the connection alive until finish() hands the call back. Thread-safe to
// finish from any thread: the connection continues on its own executor.
class Deferred {
 public:
  Deferred() = default;
  Call& call() const { return *call_; }
  explicit operator bool() const { return call_ != nullptr; }
  void finish();

 private:
  friend class Call;
  Deferred(std::shared_ptr<CallHost> host, Call* call) : host_(std::move(host)), call_(call) {}
  std::shared_ptr<CallHost> host_;
  Call* call_ = nullptr;
};

class Call {
 public:
  enum class Stage { route, before, execute, after, finish, done };

  Request request;
  Response response;

  Vendor* vendor = nullptr;
  std::size_t vendor_index = 0;
  int operation = -1;  // index into vendor->operations(), -1 while unknown
  bool accepted = false;  // decode, authenticate and validate passed: scenario rules are tried
  std::string error_code;       // the vendor's code when the answer is an error (journal, metrics)
  std::string scenario;         // scenario and rule that answered, when one fired
  std::string rule;
  std::unique_ptr<CallState> state;

  SystemTime now;  // the emulator's clock when the request was complete
  std::chrono::steady_clock::time_point started;

  // The handler answers later: keep the token, fill response, then finish().
  Deferred defer();
  bool paused() const { return paused_; }

  template <class State>
  State& state_as() {
    return static_cast<State&>(*state);
  }
  template <class State>
  const State& state_as() const {
    return static_cast<const State&>(*state);
  }

  // Set once by the connection that owns this call.
  void attach(std::weak_ptr<CallHost> host) { host_ = std::move(host); }
  // Forget the previous request; keeps buffers' capacity.
  void reset();

  Stage stage = Stage::route;
  bool paused_ = false;  // the request path waits for Deferred::finish

 private:
  std::weak_ptr<CallHost> host_;
};

inline Deferred Call::defer() {
  paused_ = true;
  return Deferred(host_.lock(), this);
}

inline void Deferred::finish() {
  if (call_ == nullptr) return;
  call_ = nullptr;
  if (host_) {
    auto host = std::move(host_);
    host->resume();
  }
}

inline void Call::reset() {
  // The views point into the previous request's parser, which the next read destroys: a request
  // that fails before its head is parsed must not show (and the journal must not copy) them.
  request.method = {};
  request.target = {};
  request.path = {};
  request.query = {};
  request.headers.clear();
  request.body = {};
  response.clear();
  vendor = nullptr;
  vendor_index = 0;
  operation = -1;
  accepted = false;
  error_code.clear();
  scenario.clear();
  rule.clear();
  state.reset();
  stage = Stage::route;
  paused_ = false;
}

}  // namespace agentemu
