// The admin API under /_emulator/ and GET /metrics: JSON in and out (Prometheus text for
// /metrics). Admin requests are not journaled, so inspecting the journal never changes it.
// The endpoints are rows of the table in core/admin/routes.cpp; their handlers live beside it.
#pragma once

#include <string>

#include "core/admin/context.hpp"
#include "core/call.hpp"

namespace agentemu {

class AdminApi {
 public:
  AdminApi(std::string token, VendorRegistry& vendors, Fixtures& fixtures, Journal& journal, Metrics& metrics,
           Clock& clock, Scheduler& scheduler);

  void set_scenarios(Scenarios* scenarios) { context_.scenarios = scenarios; }
  void set_callbacks(CallbackEngine* callbacks) { context_.callbacks = callbacks; }
  void set_state_file(const StateFile* file) { context_.state_file = file; }
  void handle(Call& call);

 private:
  enum class Credentials { none_needed, bearer, basic, wrong };
  Credentials credentials(const Call& call) const;

  std::string token_;
  admin::Context context_;
};

}  // namespace agentemu
