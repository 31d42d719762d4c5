// The journal: GET /_emulator/requests (with filters), /requests/count, /requests/unmatched,
// /requests/{id} (the last two with a diagnosis), DELETE /requests.
#include <cmath>

#include "core/admin/diagnosis.hpp"
#include "core/admin/endpoints.hpp"
#include "core/journal.hpp"
#include "core/registry.hpp"
#include "core/pipeline.hpp"
#include "core/text.hpp"

namespace agentemu::admin {
namespace {

// One entry; with `diagnosed`, also why it got its answer (diagnosis.cpp).
void write_entry(Context& admin, JsonWriter& w, const JournalEntry& e, bool diagnosed) {
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
  if (diagnosed) write_diagnosis(admin, e, w.key("diagnosis"));
  w.end_object();
}

bool bad_filter(Call& call, std::string_view message) {
  set_core_error(call.response, 400, "invalid_query", message);
  return false;
}

// The filters of /requests, /requests/count and /requests/unmatched; answers false after writing
// a 400. `vendor` names a vendor agentemu has, or none (the requests no vendor claimed).
bool read_filter(Context& admin, Call& call, JournalFilter& filter) {
  const auto params = read_query(call);
  if (!params) return false;
  for (const QueryParam& p : *params) {
    if (p.name == "vendor") {
      if (p.value != kNoVendor && admin.vendors.find(p.value) == nullptr) {
        std::string known;
        for (std::string_view name : admin.vendors.names()) known += std::string(name) + ", ";
        return bad_filter(call, "unknown vendor \"" + p.value + "\" (use " + known + "or " + std::string(kNoVendor) +
                                    " for requests no vendor claimed)");
      }
      filter.vendor = p.value;
    } else if (p.name == "operation") {
      filter.operation = p.value;
    } else if (p.name == "status") {
      if (!valid_status_filter(p.value)) return bad_filter(call, "status must be a code such as 404, a class such as 4xx, or 0");
      filter.status = p.value;
    } else if (p.name == "scenario") {
      filter.scenario = p.value;
    } else if (p.name == "rule") {
      filter.rule = p.value;
    } else if (p.name == "limit") {
      const auto n = parse_int64(p.value);
      if (!n || *n < 0) return bad_filter(call, "limit must be a whole number >= 0");
      filter.limit = static_cast<std::size_t>(*n);
    } else {
      return bad_filter(call, "unknown filter \"" + p.name + "\" (use vendor, operation, status, scenario, rule, limit)");
    }
  }
  return true;
}

void write_entries(Context& admin, Call& call, const JournalFilter& filter, bool diagnosed) {
  const auto entries = admin.journal.entries(filter);
  JsonWriter w;
  w.begin_object().key("requests").begin_array();
  for (const auto& e : entries) write_entry(admin, w, e, diagnosed);
  w.end_array().end_object();
  ok_json(call, w);
}

}  // namespace

void list_requests(Context& admin, Call& call, const PathParams&) {
  JournalFilter filter;
  if (read_filter(admin, call, filter)) write_entries(admin, call, filter, false);
}

void count_requests(Context& admin, Call& call, const PathParams&) {
  JournalFilter filter;
  if (!read_filter(admin, call, filter)) return;
  JsonWriter w;
  w.begin_object().field_int("count", static_cast<std::int64_t>(admin.journal.count(filter))).end_object();
  ok_json(call, w);
}

void unmatched_requests(Context& admin, Call& call, const PathParams&) {
  JournalFilter filter;
  if (!read_filter(admin, call, filter)) return;
  if (filter.vendor && *filter.vendor != kNoVendor) {
    set_core_error(call.response, 400, "invalid_query", "unmatched requests are those no vendor claimed: no vendor filter");
    return;
  }
  filter.vendor = std::string(kNoVendor);
  write_entries(admin, call, filter, true);
}

void one_request(Context& admin, Call& call, const PathParams& params) {
  const auto id = parse_int64(params.front());
  if (!id || *id <= 0) {
    set_core_error(call.response, 400, "invalid_id", "a request id is a whole number > 0, as the journal gives it");
    return;
  }
  const auto entry = admin.journal.find(static_cast<std::uint64_t>(*id));
  if (!entry) {
    set_core_error(call.response, 404, "not_found",
                   "the journal holds no request " + std::to_string(*id) +
                       " (never recorded, emptied, or past --journal-limit)");
    return;
  }
  JsonWriter w;
  write_entry(admin, w, *entry, true);
  ok_json(call, w);
}

void clear_requests(Context& admin, Call& call, const PathParams&) {
  admin.journal.clear();
  ok_status(call);
}

}  // namespace agentemu::admin
