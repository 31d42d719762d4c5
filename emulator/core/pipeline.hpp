// The request path, readable in one place (pipeline.cpp, run()):
//   route -> decode -> authenticate -> validate -> scenario "before" -> execute
//   -> scenario "after" -> journal, metrics, log
// Any step may answer early; execute and injected delays may pause the call and resume later.
#pragma once

#include <string_view>

#include "core/call.hpp"
#include "core/faults.hpp"
#include "core/vendor.hpp"

namespace agentemu {

class AdminApi;
class Journal;
class Logger;
class Metrics;
class Scheduler;
class VendorRegistry;

class Pipeline {
 public:
  Pipeline(VendorRegistry& vendors, AdminApi& admin, Journal& journal, Metrics& metrics, Logger& log,
           Scheduler& scheduler);

  void set_scenarios(Scenarios* scenarios) { scenarios_ = scenarios; }

  // Runs the call from its current stage. Returns with call.paused() when a handler or an
  // injected delay answers later; the connection then calls run() again on resume.
  void run(Call& call);

  // The connection could not read a request (malformed, too large, too slow): answer it with a
  // plain JSON error and record it like any other request.
  void reject(Call& call, int status, std::string_view code, std::string_view message);

  // The largest body the vendor that this head routes to takes for it (0: the server's own
  // limit applies). Asked once the head is read, before the body.
  std::size_t body_limit(const Request& head) const;
  // The body was not read (BodyRefusal): the vendor answers in its own envelope when it can,
  // else the core's 413. The connection closes after the answer.
  void refuse_body(Call& call, const BodyRefusal& why);

  static bool is_admin_path(std::string_view path);

 private:
  bool inject(Call& call, Phase phase);  // true when the call paused for a delay
  void record(Call& call);

  VendorRegistry& vendors_;
  AdminApi& admin_;
  Journal& journal_;
  Metrics& metrics_;
  Logger& log_;
  Scheduler& scheduler_;
  Scenarios* scenarios_ = nullptr;
};

// The vendor name of a request no vendor claimed, the same in the journal, metrics and logs.
inline constexpr std::string_view kNoVendor = "none";

// {"error": code, "message": message}: the core's own answers (admin, unknown routes, transport).
void set_core_error(Response& response, int status, std::string_view code, std::string_view message);

}  // namespace agentemu
