// The callback journal: GET /_emulator/callbacks (with filters) and /callbacks/count.
#include <cmath>

#include "core/admin/endpoints.hpp"
#include "core/callbacks/engine.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace agentemu::admin {
namespace {

constexpr std::string_view kOutcomes[] = {"delivered", "retrying", "given_up", "dropped", "blocked"};

void write_entry(JsonWriter& w, const CallbackEntry& e) {
  w.begin_object();
  w.field_int("id", static_cast<std::int64_t>(e.id));
  w.field_int("delivery", static_cast<std::int64_t>(e.delivery));
  w.field("time", format_rfc3339_millis(e.time));
  w.field("vendor", e.vendor);
  w.field("event", e.event);
  w.field("url", e.url);
  w.field_int("attempt", e.attempt);
  w.field_int("status", e.status);
  e.error.empty() ? w.field_null("error") : w.field("error", e.error);
  w.field("outcome", e.outcome);
  e.next_attempt ? w.field("nextAttemptAt", format_rfc3339_millis(*e.next_attempt)) : w.field_null("nextAttemptAt");
  w.key("headers").begin_object();
  for (const auto& [name, value] : e.headers) w.field(name, value);
  w.end_object();
  w.field("body", e.body);
  w.field("response", e.response);
  if (e.scenario.empty()) {
    w.field_null("scenario");
  } else {
    w.key("scenario").begin_object().field("name", e.scenario).field("rule", e.rule).end_object();
  }
  w.field_number("durationMs", std::round(e.duration_ms * 1000.0) / 1000.0);
  w.end_object();
}

bool bad_filter(Call& call, std::string_view message) {
  set_core_error(call.response, 400, "invalid_query", message);
  return false;
}

bool read_filter(Context& admin, Call& call, CallbackFilter& filter) {
  const auto params = read_query(call);
  if (!params) return false;
  for (const QueryParam& p : *params) {
    if (p.name == "vendor") {
      if (admin.vendors.find(p.value) == nullptr) return bad_filter(call, "unknown vendor \"" + p.value + "\"");
      filter.vendor = p.value;
    } else if (p.name == "event") {
      filter.event = p.value;
    } else if (p.name == "status") {
      if (!valid_status_filter(p.value)) return bad_filter(call, "status must be a code such as 200, a class such as 5xx, or 0");
      filter.status = p.value;
    } else if (p.name == "outcome") {
      bool known = false;
      for (std::string_view o : kOutcomes) known = known || o == p.value;
      if (!known) return bad_filter(call, "outcome must be delivered, retrying, given_up, dropped or blocked");
      filter.outcome = p.value;
    } else if (p.name == "delivery") {
      const auto n = parse_int64(p.value);
      if (!n || *n <= 0) return bad_filter(call, "delivery must be a whole number > 0");
      filter.delivery = static_cast<std::uint64_t>(*n);
    } else if (p.name == "limit") {
      const auto n = parse_int64(p.value);
      if (!n || *n < 0) return bad_filter(call, "limit must be a whole number >= 0");
      filter.limit = static_cast<std::size_t>(*n);
    } else {
      return bad_filter(call, "unknown filter \"" + p.name + "\" (use vendor, event, status, outcome, delivery, limit)");
    }
  }
  return true;
}

}  // namespace

void list_callbacks(Context& admin, Call& call, const PathParams&) {
  CallbackFilter filter;
  if (!read_filter(admin, call, filter)) return;
  JsonWriter w;
  w.begin_object().key("callbacks").begin_array();
  if (admin.callbacks != nullptr) {
    for (const CallbackEntry& e : admin.callbacks->journal().entries(filter)) write_entry(w, e);
  }
  w.end_array().end_object();
  ok_json(call, w);
}

void count_callbacks(Context& admin, Call& call, const PathParams&) {
  CallbackFilter filter;
  if (!read_filter(admin, call, filter)) return;
  const std::size_t n = admin.callbacks == nullptr ? 0 : admin.callbacks->journal().count(filter);
  JsonWriter w;
  w.begin_object().field_int("count", static_cast<std::int64_t>(n)).end_object();
  ok_json(call, w);
}

}  // namespace agentemu::admin
