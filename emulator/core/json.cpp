#include "core/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/writer.h>

#include <cmath>

namespace agentemu {
namespace {

struct StringSink {
  using Ch = char;
  std::string* out;
  void Put(char c) { out->push_back(c); }
  void Flush() {}
};

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return 1;
  std::size_t len;
  std::uint32_t cp;
  if ((b0 & 0xe0) == 0xc0) {
    len = 2;
    cp = b0 & 0x1f;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3;
    cp = b0 & 0x0f;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  if (overlong || surrogate || cp > 0x10ffff) return 0;
  return len;
}

void line_and_column(std::string_view text, std::size_t offset, std::size_t& line, std::size_t& column) {
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

// Offset of the first '[' or '{' that opens level kMaxJsonDepth + 1, or npos. RapidJSON parses
// any depth iteratively, but copying, writing and comparing values recurse once per level.
std::size_t too_deep_at(std::string_view text, bool comments) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (comments && c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (comments && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const auto end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// What RapidJSON accepts but no writer can write back, found by the json fuzz target: a number
// too large for a double (a long run of digits and an exponent together) reads as infinity, and
// a lone low surrogate escape ("\udd43") as bytes that are not UTF-8. Such a document is refused
// as "1e400" and a lone high surrogate already are. Recursive without allocating: parse_json has
// capped the depth; strings are only looked at when the text has a \u escape.
std::optional<rapidjson::ParseErrorCode> unwritable(const JsonValue& v, bool strings) {
  if (v.IsDouble() && !std::isfinite(v.GetDouble())) return rapidjson::kParseErrorNumberTooBig;
  if (strings && v.IsString() && !is_valid_utf8({v.GetString(), v.GetStringLength()})) {
    return rapidjson::kParseErrorStringUnicodeSurrogateInvalid;
  }
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (strings && !is_valid_utf8({m.name.GetString(), m.name.GetStringLength()})) {
        return rapidjson::kParseErrorStringUnicodeSurrogateInvalid;
      }
      if (auto code = unwritable(m.value, strings)) return code;
    }
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      if (auto code = unwritable(item, strings)) return code;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<JsonParseError> parse_json(std::string_view text, JsonDocument& document, JsonDialect dialect) {
  // Not kParseFullPrecisionFlag: RapidJSON 1.1.0's full-precision path calls clz(0), undefined,
  // for a zero with a large exponent such as 0e38 (tests/fuzz/regressions/json). The normal path
  // is exact for what integers hold and within a few units in the last place for doubles.
  constexpr unsigned kStrict = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  constexpr unsigned kRelaxed = kStrict | rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag;
  if (const std::size_t at = too_deep_at(text, dialect == JsonDialect::relaxed); at != std::string_view::npos) {
    document.SetNull();
    JsonParseError error;
    line_and_column(text, at, error.line, error.column);
    error.message = "Nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return error;
  }
  if (dialect == JsonDialect::strict) {
    document.Parse<kStrict>(text.data(), text.size());
  } else {
    document.Parse<kRelaxed>(text.data(), text.size());
  }
  if (!document.HasParseError()) {
    const auto code = unwritable(document, text.find("\\u") != std::string_view::npos);
    if (!code) return std::nullopt;
    document.SetNull();
    JsonParseError error{1, 1, rapidjson::GetParseError_En(*code)};
    if (!error.message.empty() && error.message.back() == '.') error.message.pop_back();
    return error;
  }
  JsonParseError error;
  line_and_column(text, document.GetErrorOffset(), error.line, error.column);
  error.message = rapidjson::GetParseError_En(document.GetParseError());
  if (!error.message.empty() && error.message.back() == '.') error.message.pop_back();
  return error;
}

const char* json_type_name(const JsonValue& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

std::string json_pointer(std::string_view base, std::string_view key) {
  std::string out(base);
  out.push_back('/');
  const bool shortened = key.size() > kPointerKeyLimit;
  if (shortened) {
    std::size_t end = kPointerKeyLimit;  // not inside a UTF-8 sequence
    while (end > 0 && (static_cast<unsigned char>(key[end]) & 0xc0) == 0x80) --end;
    key = key.substr(0, end);
  }
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  if (shortened) out += "...";
  return out;
}

std::string json_pointer(std::string_view base, std::size_t index) {
  std::string out(base);
  out.push_back('/');
  out += std::to_string(index);
  return out;
}

std::string json_to_text(const JsonValue& value) {
  if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
  JsonWriter w;
  w.value(value);
  return w.take();
}

const JsonValue* json_member(const JsonValue& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(JsonValue(rapidjson::StringRef(name.data(), name.size())));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = utf8_sequence(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = utf8_sequence(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

namespace {

// Printable ASCII without '"' and '\\': RapidJSON would write it as it is, byte for byte.
bool needs_no_escaping(std::string_view text) {
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

// RapidJSON's writer, with appends for text it would copy byte by byte anyway: its generic
// output stream takes one character per call, which made writing the answer a visible part of
// every request. Prefix and EndValue keep its commas, colons and nesting checks.
class Writer : public rapidjson::Writer<StringSink> {
 public:
  using rapidjson::Writer<StringSink>::Writer;

  // A key or a string value that needs_no_escaping.
  void plain_string(std::string_view text) {
    Prefix(rapidjson::kStringType);
    std::string& out = *os_->out;
    out += '"';
    out.append(text);
    out += '"';
    EndValue(true);
  }
  // Compact JSON text, as a value.
  void raw_value(std::string_view json) {
    Prefix(rapidjson::kObjectType);  // the type only tells it is no key
    os_->out->append(json);
    EndValue(true);
  }
};

}  // namespace

struct JsonWriter::Impl {
  explicit Impl(std::string& out) : sink{&out}, writer(sink) {}
  StringSink sink;
  Writer writer;
};

// Most answers fit the first buffer; growing it five times through 423 bytes showed up in profiles.
JsonWriter::JsonWriter() : impl_(new Impl(out_)) { out_.reserve(512); }
JsonWriter::~JsonWriter() { delete impl_; }

JsonWriter& JsonWriter::begin_object() {
  impl_->writer.StartObject();
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  impl_->writer.EndObject();
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  impl_->writer.StartArray();
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  impl_->writer.EndArray();
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view name) {
  if (needs_no_escaping(name)) {
    impl_->writer.plain_string(name);
  } else if (is_valid_utf8(name)) {
    impl_->writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  } else {
    const std::string repaired = to_valid_utf8(name);
    impl_->writer.Key(repaired.data(), static_cast<rapidjson::SizeType>(repaired.size()), true);
  }
  return *this;
}
JsonWriter& JsonWriter::string(std::string_view text) {
  if (needs_no_escaping(text)) {
    impl_->writer.plain_string(text);
  } else if (is_valid_utf8(text)) {
    impl_->writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    const std::string repaired = to_valid_utf8(text);
    impl_->writer.String(repaired.data(), static_cast<rapidjson::SizeType>(repaired.size()), true);
  }
  return *this;
}
JsonWriter& JsonWriter::int64(std::int64_t number) {
  impl_->writer.Int64(number);
  return *this;
}
JsonWriter& JsonWriter::uint64(std::uint64_t number) {
  impl_->writer.Uint64(number);
  return *this;
}
JsonWriter& JsonWriter::number(double number) {
  impl_->writer.Double(number);
  return *this;
}
JsonWriter& JsonWriter::boolean(bool flag) {
  impl_->writer.Bool(flag);
  return *this;
}
JsonWriter& JsonWriter::null() {
  impl_->writer.Null();
  return *this;
}
JsonWriter& JsonWriter::value(const JsonValue& parsed) {
  parsed.Accept(impl_->writer);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  impl_->writer.raw_value(json);
  return *this;
}

std::string JsonWriter::take() {
  std::string result = std::move(out_);
  out_.clear();
  impl_->writer.Reset(impl_->sink);
  return result;
}

}  // namespace agentemu
