// The journal: GET /_emulator/requests (with filters), /requests/count, DELETE /requests.
#include <cmath>

#include "core/admin/endpoints.hpp"
#include "core/journal.hpp"
#include "core/pipeline.hpp"
#include "core/text.hpp"

namespace agentemu::admin {
namespace {

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
  const auto params = read_query(call);
  if (!params) return false;
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

void list_requests(Context& admin, Call& call, const PathParams&) {
  JournalFilter filter;
  if (!read_filter(call, filter)) return;
  const auto entries = admin.journal.entries(filter);
  JsonWriter w;
  w.begin_object().key("requests").begin_array();
  for (const auto& e : entries) write_entry(w, e);
  w.end_array().end_object();
  ok_json(call, w);
}

void count_requests(Context& admin, Call& call, const PathParams&) {
  JournalFilter filter;
  if (!read_filter(call, filter)) return;
  JsonWriter w;
  w.begin_object().field_int("count", static_cast<std::int64_t>(admin.journal.count(filter))).end_object();
  ok_json(call, w);
}

void clear_requests(Context& admin, Call& call, const PathParams&) {
  admin.journal.clear();
  ok_status(call);
}

}  // namespace agentemu::admin
