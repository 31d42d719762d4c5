#include "core/describe.hpp"

namespace agentemu {

std::string_view type_name(ParamType type) {
  switch (type) {
    case ParamType::string: return "string";
    case ParamType::integer: return "integer";
    case ParamType::number: return "number";
    case ParamType::boolean: return "boolean";
    case ParamType::object: return "object";
    case ParamType::array: return "array";
    case ParamType::json_text: return "json_text";
    case ParamType::any: return "any";
  }
  return "any";
}

void begin_operation(JsonWriter& out, std::string_view vendor, const OperationInfo& info) {
  out.begin_object();
  out.field("vendor", vendor);
  out.field("operation", info.name);
  out.field("method", info.method);
  out.field("route", info.route);
  out.field_bool("emulated", info.emulated);
  if (!info.plane.empty()) out.field("plane", info.plane);
  out.key("parameters").begin_array();
}

namespace {

// Shapes may be recursive (a filter of filters): past this depth only the type is written.
constexpr int kMaxDepth = 8;

void write_constraints(JsonWriter& out, const ParamSpec& spec, int depth = 0) {
  out.field("type", type_name(spec.type));
  if (depth > kMaxDepth) {
    out.field_bool("truncated", true);
    return;
  }
  out.field_bool("required", spec.required);
  if (spec.min_length) out.field_int("minLength", *spec.min_length);
  if (spec.max_length) out.field_int("maxLength", *spec.max_length);
  if (spec.min) out.field_number("min", *spec.min);
  if (spec.max) out.field_number("max", *spec.max);
  if (spec.pattern != nullptr) out.field("pattern", spec.pattern->text);
  if (!spec.one_of.empty()) {
    out.key("enum").begin_array();
    for (std::string_view value : spec.one_of) out.string(value);
    out.end_array();
  }
  if (!spec.members.empty()) {
    out.key("members").begin_array();
    for (const ParamSpec& member : spec.members) {
      out.begin_object().field("name", member.name);
      write_constraints(out, member, depth + 1);
      out.end_object();
    }
    out.end_array();
  }
  if (spec.items != nullptr) {
    out.key(spec.type == ParamType::object ? "values" : "items").begin_object();
    write_constraints(out, *spec.items, depth + 1);
    out.end_object();
  }
  if (spec.keys != nullptr) {
    out.key("keys").begin_object();
    write_constraints(out, *spec.keys, depth + 1);
    out.end_object();
  }
  if (spec.one_member) out.field_bool("oneMember", true);
}

}  // namespace

void write_param(JsonWriter& out, const ParamSpec& spec, std::string_view in, std::string_view wire) {
  out.begin_object();
  out.field("name", spec.name);
  out.field("in", in);
  if (!wire.empty() && wire != spec.name) out.field("wire", wire);
  write_constraints(out, spec);
  out.end_object();
}

void begin_errors(JsonWriter& out) { out.end_array().key("errors").begin_array(); }

void end_operation(JsonWriter& out) { out.end_array().end_object(); }

}  // namespace agentemu
