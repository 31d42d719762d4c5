#include "core/admin.hpp"

#include <cmath>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/faults.hpp"
#include "core/fixtures.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"

namespace agentemu {
namespace {

void ok_json(Call& call, JsonWriter& w, int status = 200) { call.response.set(status, kJson, w.take()); }

void method_not_allowed(Call& call, std::string_view allow) {
  set_core_error(call.response, 405, "method_not_allowed",
                 std::string(call.request.method) + " is not allowed on " + std::string(call.request.path) +
                     " (allowed: " + std::string(allow) + ")");
  call.response.add_header("Allow", allow);
}

bool parse_body(Call& call, JsonDocument& doc) {
  if (auto error = parse_json(call.request.body, doc)) {
    set_core_error(call.response, 400, "invalid_json",
                   "the body is not JSON: " + error->message + " at line " + std::to_string(error->line) +
                       " column " + std::to_string(error->column));
    return false;
  }
  return true;
}

void write_entry(JsonWriter& w, const JournalEntry& e) {
  w.begin_object();
  w.field_int("id", static_cast<std::int64_t>(e.id));
  w.field("time", format_rfc3339_millis(e.time));
  w.field("vendor", e.vendor);
  w.field("operation", e.operation);
  w.field("method", e.method);
  w.field("path", e.path);
  w.field("query", e.query);
  w.key("headers").begin_object();
  // Repeated headers are joined as HTTP allows, so the object keeps one key per name.
  for (std::size_t i = 0; i < e.headers.size(); ++i) {
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = iequals(e.headers[j].first, e.headers[i].first);
    if (seen) continue;
    std::string value = e.headers[i].second;
    for (std::size_t j = i + 1; j < e.headers.size(); ++j) {
      if (iequals(e.headers[j].first, e.headers[i].first)) value += ", " + e.headers[j].second;
    }
    w.field(e.headers[i].first, value);
  }
  w.end_object();
  w.field("body", e.body);
  w.field_int("bodySize", static_cast<std::int64_t>(e.body_size));
  w.field_bool("bodyTruncated", e.body.size() < e.body_size);
  w.field_int("status", e.status);
  e.error_code.empty() ? w.field_null("errorCode") : w.field("errorCode", e.error_code);
  if (e.scenario.empty()) {
    w.field_null("scenario");
  } else {
    w.key("scenario").begin_object().field("name", e.scenario).field("rule", e.rule).end_object();
  }
  e.diagnostic.empty() ? w.field_null("diagnostic") : w.field("diagnostic", e.diagnostic);
  w.field_number("durationMs", std::round(e.duration_ms * 1000.0) / 1000.0);
  w.end_object();
}

// Query filters shared by /requests and /requests/count; answers false after writing a 400.
bool read_filter(Call& call, JournalFilter& filter) {
  QueryParseError parse_error;
  const auto params = parse_query(call.request.query, PlusIs::space, &parse_error);
  if (!params) {
    set_core_error(call.response, 400, "invalid_query", "cannot decode query parameter \"" + parse_error.piece + "\"");
    return false;
  }
  for (const QueryParam& p : *params) {
    if (p.name == "vendor") {
      filter.vendor = p.value;
    } else if (p.name == "operation") {
      filter.operation = p.value;
    } else if (p.name == "status") {
      const bool exact = parse_int64(p.value).has_value() && p.value.size() == 3;
      const bool klass = p.value.size() == 3 && p.value[0] >= '1' && p.value[0] <= '5' &&
                         (p.value.substr(1) == "xx" || p.value.substr(1) == "XX");
      if (!exact && !klass) {
        set_core_error(call.response, 400, "invalid_query", "status must be a code such as 404 or a class such as 4xx");
        return false;
      }
      filter.status = p.value;
    } else if (p.name == "limit") {
      const auto n = parse_int64(p.value);
      if (!n || *n < 0) {
        set_core_error(call.response, 400, "invalid_query", "limit must be a whole number >= 0");
        return false;
      }
      filter.limit = static_cast<std::size_t>(*n);
    } else {
      set_core_error(call.response, 400, "invalid_query",
                     "unknown filter \"" + p.name + "\" (use vendor, operation, status, limit)");
      return false;
    }
  }
  return true;
}

}  // namespace

AdminApi::AdminApi(std::string token, VendorRegistry& vendors, Fixtures& fixtures, Journal& journal, Metrics& metrics,
                   Clock& clock, Scheduler& scheduler)
    : token_(std::move(token)),
      vendors_(vendors),
      fixtures_(fixtures),
      journal_(journal),
      metrics_(metrics),
      clock_(clock),
      scheduler_(scheduler) {}

bool AdminApi::authorized(const Call& call) const {
  if (token_.empty()) return true;
  const std::string_view header = call.request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!istarts_with(header, kBearer)) return false;
  return constant_time_equal(header.substr(kBearer.size()), token_);
}

void AdminApi::handle(Call& call) {
  const std::string_view path = call.request.path;
  const std::string_view method = call.request.method;
  if (path == "/metrics") {
    if (method != "GET" && method != "HEAD") return method_not_allowed(call, "GET");
    call.response.set(200, "text/plain; version=0.0.4; charset=utf-8", metrics_.prometheus_text());
    return;
  }
  if (!authorized(call)) {
    set_core_error(call.response, 401, "unauthorized", "the admin API needs Authorization: Bearer <admin token>");
    call.response.add_header("WWW-Authenticate", "Bearer realm=\"agentemu\"");
    return;
  }
  std::string_view rest = path.substr(std::string_view("/_emulator").size());
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);

  if (rest == "health") {
    if (method != "GET" && method != "HEAD") return method_not_allowed(call, "GET");
    return health(call);
  }
  if (rest == "reset") {
    if (method != "POST") return method_not_allowed(call, "POST");
    return reset(call);
  }
  if (rest == "requests") {
    if (method == "DELETE") {
      journal_.clear();
      JsonWriter w;
      w.begin_object().field("status", "ok").end_object();
      return ok_json(call, w);
    }
    if (method != "GET") return method_not_allowed(call, "GET, DELETE");
    return requests(call, false);
  }
  if (rest == "requests/count") {
    if (method != "GET") return method_not_allowed(call, "GET");
    return requests(call, true);
  }
  if (rest == "state") {
    if (method != "GET" && method != "POST") return method_not_allowed(call, "GET, POST");
    return state(call);
  }
  if (rest == "operations") {
    if (method != "GET" && method != "HEAD") return method_not_allowed(call, "GET");
    return operations(call);
  }
  if (rest == "clock") {
    if (method != "GET" && method != "PUT") return method_not_allowed(call, "GET, PUT");
    return clock(call);
  }
  if (rest == "scenarios" || rest.starts_with("scenarios/")) {
    std::string_view name = rest == "scenarios" ? std::string_view{} : rest.substr(std::string_view("scenarios/").size());
    return scenarios(call, name);
  }
  set_core_error(call.response, 404, "not_found",
                 "no admin endpoint " + std::string(path) +
                     " (see health, reset, requests, requests/count, state, operations, clock, scenarios)");
}

void AdminApi::health(Call& call) {
  JsonWriter w;
  w.begin_object().field("status", "ok").field("version", AGENTEMU_VERSION);
  w.key("vendors").begin_array();
  for (std::string_view name : vendors_.names()) w.string(name);
  w.end_array();
  const auto up = std::chrono::steady_clock::now() - started_;
  w.field_int("uptimeSeconds", std::chrono::duration_cast<std::chrono::seconds>(up).count());
  w.end_object();
  ok_json(call, w);
}

void AdminApi::reset(Call& call) {
  fixtures_.reset(vendors_);
  journal_.clear();
  if (scenarios_ != nullptr) scenarios_->reset_counters();
  clock_.set_offset(Millis(0));
  scheduler_.clock_changed();
  JsonWriter w;
  w.begin_object().field("status", "ok").end_object();
  ok_json(call, w);
}

void AdminApi::requests(Call& call, bool count_only) {
  JournalFilter filter;
  if (!read_filter(call, filter)) return;
  JsonWriter w;
  if (count_only) {
    w.begin_object().field_int("count", static_cast<std::int64_t>(journal_.count(filter))).end_object();
    return ok_json(call, w);
  }
  const auto entries = journal_.entries(filter);
  w.begin_object().key("requests").begin_array();
  for (const auto& e : entries) write_entry(w, e);
  w.end_array().end_object();
  ok_json(call, w);
}

void AdminApi::state(Call& call) {
  if (call.request.method == "POST") {
    JsonDocument doc;
    if (!parse_body(call, doc)) return;
    if (auto issue = Fixtures::merge(doc, vendors_)) {
      JsonWriter w;
      write_issue(w, "invalid_fixture", *issue);
      return ok_json(call, w, 400);
    }
  }
  std::optional<std::string> only;
  StateOptions options;  // secrets redacted unless ?secrets=true
  if (const auto params = parse_query(call.request.query, PlusIs::space)) {
    if (const QueryParam* v = find_param(*params, "vendor")) only = v->value;
    if (const QueryParam* v = find_param(*params, "secrets")) {
      if (v->value != "true" && v->value != "false") {
        set_core_error(call.response, 400, "invalid_query", "secrets must be true or false");
        return;
      }
      options.secrets = v->value == "true";
    }
  }
  if (only && vendors_.find(*only) == nullptr) {
    set_core_error(call.response, 400, "invalid_query", "unknown vendor \"" + *only + "\"");
    return;
  }
  JsonWriter w;
  w.begin_object();
  for (const auto& vendor : vendors_.vendors()) {
    if (only && vendor->name() != *only) continue;
    w.key(vendor->name());
    vendor->write_state(w, options);
  }
  w.end_object();
  ok_json(call, w);
}

void AdminApi::operations(Call& call) {
  std::optional<std::string> only;
  if (const auto params = parse_query(call.request.query, PlusIs::space)) {
    if (const QueryParam* v = find_param(*params, "vendor")) only = v->value;
  }
  if (only && vendors_.find(*only) == nullptr) {
    set_core_error(call.response, 400, "invalid_query", "unknown vendor \"" + *only + "\"");
    return;
  }
  JsonWriter w;
  w.begin_object().key("operations").begin_array();
  for (const auto& vendor : vendors_.vendors()) {
    if (!only || vendor->name() == *only) vendor->describe_operations(w);
  }
  w.end_array().end_object();
  ok_json(call, w);
}

void AdminApi::clock(Call& call) {
  if (call.request.method == "PUT") {
    JsonDocument doc;
    if (!parse_body(call, doc)) return;
    const JsonValue* offset = json_member(doc, "offsetSeconds");
    const JsonValue* now = json_member(doc, "now");
    // Both forms end in set_offset, which refuses a "now" outside the representable range.
    bool moved = false;
    if (offset != nullptr && offset->IsNumber() && std::isfinite(offset->GetDouble()) &&
        std::fabs(offset->GetDouble()) <= 100.0 * 365 * 86400) {
      moved = clock_.set_offset(Millis(static_cast<std::int64_t>(std::llround(offset->GetDouble() * 1000.0))));
    } else if (offset == nullptr && now != nullptr && now->IsString()) {
      const auto target = parse_iso8601({now->GetString(), now->GetStringLength()});
      moved = target && clock_.set_now(*target);
    }
    if (!moved) {
      set_core_error(call.response, 400, "invalid_clock",
                     "send {\"offsetSeconds\": N} (|N| up to 100 years) or {\"now\": \"2030-01-01T00:00:00Z\"}; "
                     "\"now\" stays " + std::string(kTimeRangeText));
      return;
    }
    scheduler_.clock_changed();
  }
  JsonWriter w;
  w.begin_object()
      .field_number("offsetSeconds", static_cast<double>(clock_.offset().count()) / 1000.0)
      .field("now", format_rfc3339_millis(clock_.now()))
      .end_object();
  ok_json(call, w);
}

void AdminApi::scenarios(Call& call, std::string_view name) {
  const std::string_view method = call.request.method;
  if (scenarios_ == nullptr) {
    set_core_error(call.response, 501, "not_implemented", "scenarios are not available in this build");
    return;
  }
  if (name.empty()) {
    if (method == "GET") {
      JsonWriter w;
      scenarios_->write_list(w);
      return ok_json(call, w);
    }
    if (method == "DELETE") {
      scenarios_->remove_all();
      JsonWriter w;
      w.begin_object().field("status", "ok").end_object();
      return ok_json(call, w);
    }
    return method_not_allowed(call, "GET, DELETE");
  }
  const auto decoded = percent_decode(name);
  if (!decoded || decoded->empty() || decoded->find('/') != std::string::npos) {
    set_core_error(call.response, 400, "invalid_name", "a scenario name is one non-empty path segment");
    return;
  }
  if (method == "PUT") {
    if (auto issue = scenarios_->put(*decoded, call.request.body)) {
      JsonWriter w;
      write_issue(w, "invalid_scenario", *issue);
      return ok_json(call, w, 400);
    }
    JsonWriter w;
    w.begin_object().field("status", "ok").field("name", *decoded).end_object();
    return ok_json(call, w);
  }
  if (method == "DELETE") {
    if (!scenarios_->remove(*decoded)) {
      set_core_error(call.response, 404, "not_found", "no scenario named \"" + *decoded + "\"");
      return;
    }
    JsonWriter w;
    w.begin_object().field("status", "ok").end_object();
    return ok_json(call, w);
  }
  method_not_allowed(call, "PUT, DELETE");
}

}  // namespace agentemu
