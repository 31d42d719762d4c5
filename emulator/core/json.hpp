// RapidJSON with the project's parse flags, a writer that builds std::string directly, and the
// JSON-pointer helpers every fixture and scenario error message uses.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentemu {

using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;

struct JsonParseError {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
};

enum class JsonDialect {
  strict,  // request bodies: exactly what the vendors accept
  relaxed  // fixture and scenario files: // and /* */ comments, trailing commas
};

// No vendor document nests anywhere near this deep; deeper input is a parse error, so nothing
// downstream (copies, writers, matchers) recurses without bound.
inline constexpr std::size_t kMaxJsonDepth = 128;

// Iterative parsing and a depth cap, so no input can exhaust the stack.
std::optional<JsonParseError> parse_json(std::string_view text, JsonDocument& document,
                                         JsonDialect dialect = JsonDialect::strict);

const char* json_type_name(const JsonValue& value);

// "/a" + "b~c/d" -> "/a/b~0c~1d" (RFC 6901 escaping). These pointers name mistakes in error
// messages, so a key longer than kPointerKeyLimit bytes is shortened, with "..." after it.
inline constexpr std::size_t kPointerKeyLimit = 100;
std::string json_pointer(std::string_view base, std::string_view key);
std::string json_pointer(std::string_view base, std::size_t index);

// A value as text, the way a parameter or a glob sees it: a string's own characters, anything
// else as compact JSON.
std::string json_to_text(const JsonValue& value);

// Looks a member up by name; nullptr when `object` is not an object or lacks it.
const JsonValue* json_member(const JsonValue& object, std::string_view name);

// Replaces bytes that are not valid UTF-8 with U+FFFD, so echoed client input stays valid JSON.
bool is_valid_utf8(std::string_view text);
std::string to_valid_utf8(std::string_view text);

// Streams JSON text straight into a std::string; strings are escaped and UTF-8 repaired.
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view text);
  JsonWriter& int64(std::int64_t number);
  JsonWriter& uint64(std::uint64_t number);
  JsonWriter& number(double number);
  JsonWriter& boolean(bool flag);
  JsonWriter& null();
  JsonWriter& value(const JsonValue& parsed);  // deep copy of a parsed value
  // A value already written as compact JSON (by a JsonWriter), copied as it is: a stored text is
  // echoed without being parsed again.
  JsonWriter& raw(std::string_view json);

  JsonWriter& field(std::string_view name, std::string_view text) { return key(name).string(text); }
  JsonWriter& field_int(std::string_view name, std::int64_t number) { return key(name).int64(number); }
  JsonWriter& field_number(std::string_view name, double number) { return key(name).number(number); }
  JsonWriter& field_bool(std::string_view name, bool flag) { return key(name).boolean(flag); }
  JsonWriter& field_null(std::string_view name) { return key(name).null(); }
  JsonWriter& field_value(std::string_view name, const JsonValue& parsed) { return key(name).value(parsed); }

  const std::string& text() const { return out_; }
  std::string take();

 private:
  struct Impl;
  std::string out_;
  Impl* impl_;
};

}  // namespace agentemu
