// GET /_emulator/operations[?vendor=]: every operation of every vendor's real API, emulated or
// not, in the one shape of core/describe.hpp; and its text form for `agentemu describe`.
#include "core/admin/operations.hpp"

#include <algorithm>

#include "core/admin/endpoints.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace agentemu::admin {
namespace {

std::string text_of(const JsonValue& object, std::string_view name) {
  const JsonValue* v = json_member(object, name);
  if (v == nullptr || v->IsNull()) return {};
  return json_to_text(*v);
}

// " length 1-64", " >= 0", " <= 1000": a parameter's bounds as a person writes them.
std::string bounds(const JsonValue& p, std::string_view low_key, std::string_view high_key, std::string_view lead) {
  const JsonValue* low = json_member(p, low_key);
  const JsonValue* high = json_member(p, high_key);
  const auto number = [](const JsonValue* v) { return format_number(v->GetDouble()); };
  const bool has_low = low != nullptr && low->IsNumber();
  const bool has_high = high != nullptr && high->IsNumber();
  if (has_low && has_high) return std::string(lead) + number(low) + "-" + number(high);
  if (has_low) return std::string(lead) + ">= " + number(low);
  if (has_high) return std::string(lead) + "<= " + number(high);
  return {};
}

// "RuntimeConfig* (query, object)", "maxResults (body, integer 1-100)".
std::string param_text(const JsonValue& p) {
  std::string out = text_of(p, "name");
  const JsonValue* required = json_member(p, "required");
  if (required != nullptr && required->IsBool() && required->GetBool()) out += '*';
  std::string details = text_of(p, "in");
  if (const std::string wire = text_of(p, "wire"); !wire.empty()) details += " " + wire;
  details += ", " + text_of(p, "type");
  details += bounds(p, "minLength", "maxLength", " length ");
  details += bounds(p, "min", "max", " ");
  if (const JsonValue* values = json_member(p, "enum"); values != nullptr && values->IsArray()) {
    std::string list;
    for (const JsonValue& v : values->GetArray()) list += (list.empty() ? "" : "|") + json_to_text(v);
    details += " one of " + list;
  }
  if (const std::string pattern = text_of(p, "pattern"); !pattern.empty()) details += " matching " + pattern;
  return out + " (" + details + ")";
}

// Appends `items` after `lead`, wrapped at 100 columns with continuation lines indented.
void wrapped(std::string& out, std::string_view lead, const std::vector<std::string>& items, std::size_t indent) {
  if (items.empty()) return;
  std::string line(indent, ' ');
  line += lead;
  bool first = true;
  for (const std::string& item : items) {
    const std::string piece = (first ? "" : ", ") + item;
    if (!first && line.size() + piece.size() > 100) {
      out += line + ",\n";
      line = std::string(indent + lead.size(), ' ') + item;
    } else {
      line += piece;
    }
    first = false;
  }
  out += line + "\n";
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

}  // namespace

void write_operations_document(const VendorRegistry& vendors, std::optional<std::string_view> only, JsonWriter& w) {
  w.begin_object().key("operations").begin_array();
  for (const auto& vendor : vendors.vendors()) {
    if (!only || vendor->name() == *only) vendor->describe_operations(w);
  }
  w.end_array().end_object();
}

std::string operations_text(const JsonValue& document) {
  const JsonValue* list = json_member(document, "operations");
  if (list == nullptr || !list->IsArray()) return {};
  std::size_t name_width = 9, method_width = 6, route_width = 5;
  for (const JsonValue& op : list->GetArray()) {
    name_width = std::max(name_width, text_of(op, "operation").size());
    method_width = std::max(method_width, text_of(op, "method").size());
    route_width = std::max(route_width, text_of(op, "route").size());
  }
  std::string out;
  std::string vendor;
  for (const JsonValue& op : list->GetArray()) {
    if (text_of(op, "vendor") != vendor) {
      vendor = text_of(op, "vendor");
      std::size_t total = 0, emulated = 0;
      for (const JsonValue& other : list->GetArray()) {
        if (text_of(other, "vendor") != vendor) continue;
        ++total;
        emulated += text_of(other, "emulated") == "true" ? 1 : 0;
      }
      out += (out.empty() ? "" : "\n") + vendor + ": " + std::to_string(total) + " operations, " +
             std::to_string(emulated) + " emulated\n";
      out += "  " + padded("OPERATION", name_width) + "  " + padded("METHOD", method_width) + "  " +
             padded("ROUTE", route_width) + "  EMULATED\n";
    }
    std::string plane = text_of(op, "plane");
    const bool emulated = text_of(op, "emulated") == "true";
    std::string row = "  " + padded(text_of(op, "operation"), name_width) + "  " +
                      padded(text_of(op, "method"), method_width) + "  " + padded(text_of(op, "route"), route_width) +
                      "  " + (emulated ? "yes" : "no (501)") + (plane.empty() ? "" : "  [" + plane + "]");
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row + "\n";
    std::vector<std::string> params, errors;
    if (const JsonValue* p = json_member(op, "parameters"); p != nullptr && p->IsArray()) {
      for (const JsonValue& param : p->GetArray()) params.push_back(param_text(param));
    }
    if (const JsonValue* e = json_member(op, "errors"); e != nullptr && e->IsArray()) {
      for (const JsonValue& error : e->GetArray()) errors.push_back(json_to_text(error));
    }
    wrapped(out, "parameters: ", params, 4);
    wrapped(out, "errors: ", errors, 4);
  }
  return out;
}

void operations(Context& admin, Call& call, const PathParams&) {
  std::optional<std::string> only;
  if (!read_vendor_param(admin, call, only)) return;
  JsonWriter w;
  write_operations_document(admin.vendors, only ? std::optional<std::string_view>(*only) : std::nullopt, w);
  ok_json(call, w);
}

}  // namespace agentemu::admin
