#include "core/admin/context.hpp"

#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace agentemu::admin {

void ok_json(Call& call, JsonWriter& w, int status) { call.response.set(status, kJson, w.take()); }

void ok_status(Call& call) {
  JsonWriter w;
  w.begin_object().field("status", "ok").end_object();
  ok_json(call, w);
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

std::optional<std::vector<QueryParam>> read_query(Call& call) {
  QueryParseError parse_error;
  auto params = parse_query(call.request.query, PlusIs::space, &parse_error);
  if (!params) {
    set_core_error(call.response, 400, "invalid_query", "cannot decode query parameter \"" + parse_error.piece + "\"");
  }
  return params;
}

bool read_vendor_param(Context& admin, Call& call, std::optional<std::string>& only) {
  if (const auto params = parse_query(call.request.query, PlusIs::space)) {
    if (const QueryParam* v = find_param(*params, "vendor")) only = v->value;
  }
  if (only && admin.vendors.find(*only) == nullptr) {
    set_core_error(call.response, 400, "invalid_query", "unknown vendor \"" + *only + "\"");
    return false;
  }
  return true;
}

bool valid_status_filter(std::string_view value) {
  if (value == "0") return true;
  if (value.size() != 3 || value[0] < '1' || value[0] > '5') return false;
  if (value.substr(1) == "xx" || value.substr(1) == "XX") return true;
  return parse_int64(value).has_value();
}

}  // namespace agentemu::admin
