// Target 7: JSON parse and write round trip. The first byte picks the dialect (even: strict, as
// request bodies; odd: relaxed, as fixture and scenario files). What parses is written by
// JsonWriter and must parse again, strictly, to the same value, member by member in order
// (doubles to within a few units in the last place, as RapidJSON reads them); and
// the UTF-8 repair and JSON-pointer helpers keep their promises on any bytes.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/json.hpp"

using namespace agentemu;

namespace {

// RapidJSON's normal-precision parsing (core/json.cpp says why not the full one) may read a
// double a few units in the last place off; what is written is exact.
bool close(double a, double b) {
  if (a == b) return true;
  if (std::signbit(a) != std::signbit(b)) return false;
  std::int64_t x = 0, y = 0;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return (x > y ? x - y : y - x) <= 4;
}

bool same(const JsonValue& a, const JsonValue& b) {
  if (a.GetType() != b.GetType()) return false;
  switch (a.GetType()) {
    case rapidjson::kObjectType: {
      if (a.MemberCount() != b.MemberCount()) return false;
      for (auto x = a.MemberBegin(), y = b.MemberBegin(); x != a.MemberEnd(); ++x, ++y) {
        if (x->name != y->name || !same(x->value, y->value)) return false;
      }
      return true;
    }
    case rapidjson::kArrayType: {
      if (a.Size() != b.Size()) return false;
      for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
        if (!same(a[i], b[i])) return false;
      }
      return true;
    }
    case rapidjson::kNumberType:
      if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
      if (a.IsUint64() && b.IsUint64()) return a.GetUint64() == b.GetUint64();
      return close(a.GetDouble(), b.GetDouble());
    default:
      return a == b;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const JsonDialect dialect = (data[0] & 1) != 0 ? JsonDialect::relaxed : JsonDialect::strict;

  JsonDocument first;
  if (!parse_json(text, first, dialect)) {
    JsonWriter w;
    w.value(first);
    JsonDocument second;
    if (parse_json(w.text(), second, JsonDialect::strict)) __builtin_trap();  // what was written must parse
    if (!same(first, second)) __builtin_trap();
    if (!first.IsString() && json_to_text(first).empty()) __builtin_trap();
  }

  const std::string repaired = to_valid_utf8(text);
  if (!is_valid_utf8(repaired)) __builtin_trap();
  if (is_valid_utf8(text) && repaired != text) __builtin_trap();
  JsonWriter w;
  w.begin_object().key(text).string(text).end_object();
  JsonDocument echoed;
  if (parse_json(w.text(), echoed)) __builtin_trap();  // any bytes are written as valid JSON
  const std::string pointer = json_pointer("", text);
  if (pointer.size() > 1 + 2 * kPointerKeyLimit + 3) __builtin_trap();  // long keys are shortened
  return 0;
}
