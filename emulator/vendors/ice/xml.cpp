#include "vendors/ice/xml.hpp"

#include <cstdint>
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

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// "_x" starts an escape below, so a name holding it is escaped too (see element_name).
bool plain_name(std::string_view name) {
  if (name.empty() || !name_start(name.front()) || name.find("_x") != std::string_view::npos) return false;
  for (char c : name) {
    if (!name_char(c)) return false;
  }
  return true;
}

// The code point at the front of valid UTF-8 `text`; `length` gets its byte count.
std::uint32_t next_code_point(std::string_view text, std::size_t& length) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])); };
  const std::uint32_t b0 = byte(0);
  if (b0 < 0x80 || text.size() < 2) {
    length = 1;
    return b0;
  }
  if (b0 < 0xE0 || text.size() < 3) {
    length = 2;
    return ((b0 & 0x1F) << 6) | (byte(1) & 0x3F);
  }
  if (b0 < 0xF0 || text.size() < 4) {
    length = 3;
    return ((b0 & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
  }
  length = 4;
  return ((b0 & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
}

// A member name as an XML element name. JSON allows any string; XML names do not, so a name
// that is not [A-Za-z_][A-Za-z0-9_.-]* has each character outside that set (and a leading digit,
// '-' or '.') written as _xHHHH_, its code point in hex, the convention of .NET's
// XmlConvert.EncodeName: "a b" is <a_x0020_b>, "<x" is <_x003C_x>. A '_' before an 'x' is
// escaped as well (_x005F_), so two different names never encode alike. An empty name is "_x_",
// which nothing else encodes to.
std::string element_name(std::string_view raw) {
  if (raw.empty()) return "_x_";
  const std::string text = to_valid_utf8(raw);
  std::string out;
  std::string_view rest = text;
  bool first = true;
  char buf[16];
  while (!rest.empty()) {
    std::size_t length = 1;
    const std::uint32_t cp = next_code_point(rest, length);
    const bool starts_escape = cp == '_' && rest.size() > 1 && rest[1] == 'x';
    const bool ok = !starts_escape && cp < 0x80 &&
                    (first ? name_start(static_cast<char>(cp)) : name_char(static_cast<char>(cp)));
    if (ok) {
      out += static_cast<char>(cp);
    } else {
      std::snprintf(buf, sizeof buf, cp > 0xFFFF ? "_x%08X_" : "_x%04X_", static_cast<unsigned>(cp));
      out += buf;
    }
    rest.remove_prefix(length);
    first = false;
  }
  return out;
}

void append_element(std::string& out, std::string_view name, const JsonValue& value) {
  if (value.IsArray()) {
    for (const auto& item : value.GetArray()) append_element(out, name, item);
    return;
  }
  std::string encoded;
  if (!plain_name(name)) {
    encoded = element_name(name);
    name = encoded;
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
