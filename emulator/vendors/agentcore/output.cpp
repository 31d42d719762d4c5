#include "vendors/agentcore/output.hpp"

#include "core/clock.hpp"

namespace agentemu::agentcore {

const OutType* member_type(const OutType& type, std::string_view name) {
  for (const OutMember& m : type.members) {
    if (m.name == name) return m.type;
  }
  return nullptr;
}

void write_shaped_members(JsonWriter& out, const OutType& type, const JsonValue& value) {
  for (const OutMember& m : type.members) {
    const JsonValue* member = json_member(value, m.name);
    if (member == nullptr || member->IsNull()) continue;
    out.key(m.name);
    write_shaped(out, *m.type, *member);
  }
}

void write_shaped(JsonWriter& out, const OutType& type, const JsonValue& value) {
  switch (type.kind) {
    case OutKind::structure:
      if (!value.IsObject()) break;
      out.begin_object();
      write_shaped_members(out, type, value);
      out.end_object();
      return;
    case OutKind::list:
      if (!value.IsArray() || type.element == nullptr) break;
      out.begin_array();
      for (const JsonValue& item : value.GetArray()) write_shaped(out, *type.element, item);
      out.end_array();
      return;
    case OutKind::map:
      if (!value.IsObject() || type.element == nullptr) break;
      out.begin_object();
      for (const auto& entry : value.GetObject()) {
        out.key(std::string_view(entry.name.GetString(), entry.name.GetStringLength()));
        write_shaped(out, *type.element, entry.value);
      }
      out.end_object();
      return;
    case OutKind::epoch_seconds:
      if (value.IsString()) {
        if (const auto t = parse_iso8601(std::string_view(value.GetString(), value.GetStringLength()))) {
          out.number(static_cast<double>(epoch_millis(*t)) / 1000.0);
          return;
        }
      }
      break;
    default: break;
  }
  out.value(value);
}

}  // namespace agentemu::agentcore
