// Health, reset, the vendors' state and the Prometheus metrics.
#include "core/admin/endpoints.hpp"
#include "core/callbacks/engine.hpp"
#include "core/clock.hpp"
#include "core/faults.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/scheduler.hpp"
#include "core/faults.hpp"
#include "core/pipeline.hpp"
#include "core/state_file.hpp"
#include "core/uri.hpp"

namespace agentemu::admin {
namespace {

// How the state was asked to be written: secrets redacted unless ?secrets=true. Answers nullopt
// after writing a 400 for any other value.
std::optional<StateOptions> state_options(Call& call) {
  StateOptions options;
  if (const auto params = parse_query(call.request.query, PlusIs::space)) {
    if (const QueryParam* v = find_param(*params, "secrets")) {
      if (v->value != "true" && v->value != "false") {
        set_core_error(call.response, 400, "invalid_query", "secrets must be true or false");
        return std::nullopt;
      }
      options.secrets = v->value == "true";
    }
  }
  return options;
}

// The query is read before anything changes: a POST with a bad ?vendor or ?secrets merges nothing.
struct StateQuery {
  std::optional<std::string> only;
  StateOptions options;
};

std::optional<StateQuery> read_state_query(Context& admin, Call& call) {
  StateQuery query;
  if (!read_vendor_param(admin, call, query.only)) return std::nullopt;
  const auto options = state_options(call);
  if (!options) return std::nullopt;
  query.options = *options;
  return query;
}

void write_state(Context& admin, Call& call, const StateQuery& query) {
  JsonWriter w;
  w.begin_object();
  for (const auto& vendor : admin.vendors.vendors()) {
    if (query.only && vendor->name() != *query.only) continue;
    w.key(vendor->name());
    vendor->write_state(w, query.options);
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

void read_state(Context& admin, Call& call, const PathParams&) {
  if (const auto query = read_state_query(admin, call)) write_state(admin, call, *query);
}

void merge_state(Context& admin, Call& call, const PathParams&) {
  const auto query = read_state_query(admin, call);
  if (!query) return;
  JsonDocument doc;
  if (!parse_body(call, doc)) return;
  if (auto issue = Fixtures::merge(doc, admin.vendors)) {
    JsonWriter w;
    write_issue(w, "invalid_fixture", *issue);
    return ok_json(call, w, 400);
  }
  write_state(admin, call, *query);
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
