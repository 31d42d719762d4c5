#include "vendors/ice/xml.hpp"

#include <cstdio>

namespace agentemu::ice {
namespace {

void append_element(std::string& out, std::string_view name, const JsonValue& value);

void append_scalar(std::string& out, const JsonValue& value) {
  char buf[40];
  if (value.IsString()) {
    append_xml_escaped(out, to_valid_utf8({value.GetString(), value.GetStringLength()}));
  } else if (value.IsBool()) {
    out += value.GetBool() ? "true" : "false";
  } else if (value.IsInt64()) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value.GetInt64()));
    out += buf;
  } else if (value.IsUint64()) {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(value.GetUint64()));
    out += buf;
  } else if (value.IsNumber()) {
    std::snprintf(buf, sizeof buf, "%.17g", value.GetDouble());
    out += buf;
  }
  // null: an empty element
}

void append_members(std::string& out, const JsonValue& object) {
  for (const auto& member : object.GetObject()) {
    append_element(out, {member.name.GetString(), member.name.GetStringLength()}, member.value);
  }
}

void append_element(std::string& out, std::string_view name, const JsonValue& value) {
  if (value.IsArray()) {
    for (const auto& item : value.GetArray()) append_element(out, name, item);
    return;
  }
  out += '<';
  out += name;
  out += '>';
  if (value.IsObject()) {
    append_members(out, value);
  } else {
    append_scalar(out, value);
  }
  out += "</";
  out += name;
  out += '>';
}

}  // namespace

void append_xml_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab/newline/return are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "&#xFFFD;";
        } else {
          out += c;
        }
    }
  }
}

std::string json_to_xml(std::string_view root, const JsonValue& object) {
  std::string out = "<?xml version='1.0' encoding='UTF-8'?>";
  out += '<';
  out += root;
  out += '>';
  if (object.IsObject()) append_members(out, object);
  out += "</";
  out += root;
  out += '>';
  return out;
}

std::string json_text_to_xml(std::string_view root, std::string_view json) {
  JsonDocument doc;
  parse_json(json, doc);
  return json_to_xml(root, doc);
}

}  // namespace agentemu::ice
