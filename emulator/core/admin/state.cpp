// Health, reset, the vendors' state and the Prometheus metrics.
#include "core/admin/endpoints.hpp"
#include "core/callbacks/engine.hpp"
#include "core/clock.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/registry.hpp"
#include "core/scheduler.hpp"
#include "core/faults.hpp"
#include "core/pipeline.hpp"
#include "core/state_file.hpp"
#include "core/uri.hpp"

namespace agentemu::admin {
namespace {

// How GET /_emulator/state was asked to write the state: ?secrets=true includes what the vendors
// redact (the dump then loads back whole); --state-file always writes them.
StateOptions state_options(const Call& call) {
  StateOptions options;
  if (const auto params = parse_query(call.request.query, PlusIs::space)) {
    if (const QueryParam* v = find_param(*params, "secrets")) options.secrets = v->value == "true";
  }
  return options;
}

void write_state(Context& admin, Call& call) {
  std::optional<std::string> only;
  if (!read_vendor_param(admin, call, only)) return;
  const StateOptions options = state_options(call);
  JsonWriter w;
  w.begin_object();
  for (const auto& vendor : admin.vendors.vendors()) {
    if (only && vendor->name() != *only) continue;
    w.key(vendor->name());
    vendor->write_state(w, options);
  }
  w.end_object();
  ok_json(call, w);
}

}  // namespace

void health(Context& admin, Call& call, const PathParams&) {
  JsonWriter w;
  w.begin_object().field("status", "ok").field("version", AGENTEMU_VERSION);
  w.key("vendors").begin_array();
  for (std::string_view name : admin.vendors.names()) w.string(name);
  w.end_array();
  const auto up = std::chrono::steady_clock::now() - admin.started;
  w.field_int("uptimeSeconds", std::chrono::duration_cast<std::chrono::seconds>(up).count());
  w.end_object();
  ok_json(call, w);
}

void reset(Context& admin, Call& call, const PathParams&) {
  // Pending callback retries go first: the instances they speak of are about to.
  if (admin.callbacks != nullptr) admin.callbacks->reset();
  admin.fixtures.reset(admin.vendors);
  admin.journal.clear();
  if (admin.scenarios != nullptr) admin.scenarios->reset_counters();
  admin.clock.set_offset(Millis(0));
  admin.scheduler.clock_changed();
  ok_status(call);
}

void read_state(Context& admin, Call& call, const PathParams&) { write_state(admin, call); }

void merge_state(Context& admin, Call& call, const PathParams&) {
  JsonDocument doc;
  if (!parse_body(call, doc)) return;
  if (auto issue = Fixtures::merge(doc, admin.vendors)) {
    JsonWriter w;
    w.begin_object()
        .field("error", "invalid_fixture")
        .field("message", issue->message)
        .field("pointer", issue->pointer)
        .end_object();
    return ok_json(call, w, 400);
  }
  write_state(admin, call);
}

void save_state(Context& admin, Call& call, const PathParams&) {
  if (admin.state_file == nullptr) {
    return set_core_error(call.response, 409, "no_state_file", "agentemu was started without --state-file");
  }
  StateSaved saved;
  if (auto error = admin.state_file->save(admin.vendors, &saved)) {
    return set_core_error(call.response, 500, "state_not_saved", *error);
  }
  JsonWriter w;
  w.begin_object()
      .field("status", "ok")
      .field("path", admin.state_file->path())
      .field_int("bytes", static_cast<std::int64_t>(saved.bytes))
      .end_object();
  ok_json(call, w);
}

void metrics(Context& admin, Call& call, const PathParams&) {
  std::string text = admin.metrics.prometheus_text();
  if (admin.callbacks != nullptr) text += admin.callbacks->prometheus_text();
  call.response.set(200, "text/plain; version=0.0.4; charset=utf-8", std::move(text));
}

}  // namespace agentemu::admin
