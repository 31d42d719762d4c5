#include "core/pipeline.hpp"

#include "core/admin.hpp"
#include "core/journal.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/registry.hpp"
#include "core/scheduler.hpp"

namespace agentemu {

void set_core_error(Response& response, int status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.begin_object().field("error", code).field("message", message).end_object();
  response.set(status, kJson, w.take());
}

Pipeline::Pipeline(VendorRegistry& vendors, AdminApi& admin, Journal& journal, Metrics& metrics, Logger& log,
                   Scheduler& scheduler)
    : vendors_(vendors), admin_(admin), journal_(journal), metrics_(metrics), log_(log), scheduler_(scheduler) {}

bool Pipeline::is_admin_path(std::string_view path) {
  return path == "/metrics" || path == "/_emulator" || path.starts_with("/_emulator/");
}

void Pipeline::run(Call& call) {
  using Stage = Call::Stage;
  call.paused_ = false;
  while (true) {
    switch (call.stage) {
      case Stage::route: {
        if (is_admin_path(call.request.path)) {
          admin_.handle(call);
          call.stage = Stage::done;
          return;
        }
        const auto route = vendors_.route(call.request);
        if (!route) {
          set_core_error(call.response, 404, "not_found",
                         "agentemu emulates nothing at " + std::string(call.request.method) + " " +
                             std::string(call.request.path) +
                             ": no vendor recognised the path, the Host header or the query");
          call.error_code = "not_found";
          call.stage = Stage::finish;
          break;
        }
        call.vendor = route->vendor;
        call.vendor_index = route->index;
        Vendor& vendor = *call.vendor;
        call.accepted = vendor.decode(call) && vendor.authenticate(call) && vendor.validate(call);
        call.stage = call.accepted ? Stage::before : Stage::finish;
        break;
      }
      case Stage::before:
        call.stage = Stage::execute;
        if (inject(call, Phase::before)) return;
        break;
      case Stage::execute:
        call.stage = Stage::after;
        call.vendor->execute(call);
        if (call.paused()) return;
        break;
      case Stage::after:
        call.stage = Stage::finish;
        if (inject(call, Phase::after)) return;
        break;
      case Stage::finish:
        record(call);
        call.stage = Stage::done;
        return;
      case Stage::done:
        return;
    }
  }
}

bool Pipeline::inject(Call& call, Phase phase) {
  if (scenarios_ == nullptr) return false;
  std::optional<FaultPlan> plan = scenarios_->fire(call, phase);
  if (!plan) return false;
  call.scenario = plan->scenario;
  call.rule = plan->rule;
  metrics_.count_fault(call.vendor->name(), plan->scenario, plan->kind_name());
  switch (plan->kind) {
    case FaultPlan::Kind::pass:
      break;
    case FaultPlan::Kind::vendor_error:
      call.response.clear();
      call.vendor->render_error(call, ErrorRequest{plan->error_id, plan->message, plan->status,
                                                   plan->retry_after_seconds});
      call.stage = Call::Stage::finish;
      break;
    case FaultPlan::Kind::raw:
      call.response.clear();
      call.response.status = plan->status;
      call.response.content_type = std::move(plan->content_type);
      call.response.headers = std::move(plan->headers);
      call.response.body = std::move(plan->body);
      call.error_code.clear();
      call.stage = Call::Stage::finish;
      break;
    case FaultPlan::Kind::network:
      call.response.clear();
      call.response.fault = plan->network;
      call.response.status = 0;
      call.error_code = plan->kind_name();
      call.stage = Call::Stage::finish;
      break;
  }
  if (plan->delay.count() > 0) {
    Deferred resume = call.defer();
    scheduler_.after(plan->delay, [resume]() mutable { resume.finish(); });
    return true;
  }
  return false;
}

std::size_t Pipeline::body_limit(const Request& head) const {
  if (is_admin_path(head.path)) return 0;
  const auto route = vendors_.route(head);
  return route ? route->vendor->body_limit(head) : 0;
}

void Pipeline::refuse_body(Call& call, const BodyRefusal& why) {
  if (!is_admin_path(call.request.path)) {
    if (const auto route = vendors_.route(call.request)) {
      call.vendor = route->vendor;
      call.vendor_index = route->index;
      if (route->vendor->refuse_body(call, why)) {
        call.response.close = true;
        record(call);
        call.stage = Call::Stage::done;
        return;
      }
    }
  }
  reject(call, 413, "body_too_large", "the request body exceeds " + std::to_string(why.limit) + " bytes");
}

void Pipeline::reject(Call& call, int status, std::string_view code, std::string_view message) {
  set_core_error(call.response, status, code, message);
  call.response.close = true;
  call.error_code = code;
  record(call);
  call.stage = Call::Stage::done;
}

void Pipeline::record(Call& call) {
  const auto elapsed = std::chrono::steady_clock::now() - call.started;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const std::string_view vendor = call.vendor != nullptr ? call.vendor->name() : kNoVendor;
  std::string_view operation;
  if (call.vendor != nullptr && call.operation >= 0) {
    operation = call.vendor->operation_names()[static_cast<std::size_t>(call.operation)];
  }
  const int status = call.response.status;

  JournalRecord entry;
  entry.time = call.now;
  entry.vendor = vendor;
  entry.operation = operation;
  entry.method = call.request.method;
  entry.path = call.request.path;
  entry.query = call.request.query;
  entry.headers = &call.request.headers;
  entry.body = call.request.body;
  entry.status = status;
  entry.error_code = call.error_code;
  entry.scenario = call.scenario;
  entry.rule = call.rule;
  entry.diagnostic = call.response.diagnostic;
  entry.duration_ms = seconds * 1000.0;
  entry.accepted = call.accepted;
  journal_.record(entry);

  metrics_.count_request(
      call.vendor != nullptr ? vendors_.metrics_slot(call.vendor_index, call.operation) : Metrics::kUnroutedSlot,
      status, seconds, call.response.fault);

  if (log_.enabled(LogLevel::info)) {
    // Paths only: queries and headers carry signatures and access keys.
    log_.info("request", {{"vendor", vendor},
                          {"operation", operation},
                          {"method", call.request.method},
                          {"path", call.request.path},
                          {"status", status},
                          {"error", call.error_code},
                          {"ms", seconds * 1000.0}});
  }
}

}  // namespace agentemu
