#include <doctest/doctest.h>

#include <cmath>

#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json.hpp"

using namespace agentemu;

TEST_CASE("strict JSON rejects comments, trailing commas and trailing garbage") {
  JsonDocument doc;
  CHECK_FALSE(parse_json(R"({"a": 1})", doc));
  CHECK(parse_json("{\"a\": 1, }", doc));
  CHECK(parse_json("// c\n{}", doc));
  CHECK(parse_json("{} x", doc));
  CHECK(parse_json("", doc));
}

TEST_CASE("relaxed JSON allows comments and trailing commas, and reports line and column") {
  JsonDocument doc;
  CHECK_FALSE(parse_json("// top\n{\"a\": [1, 2,], /* c */ \"b\": 2,}", doc, JsonDialect::relaxed));
  const auto error = parse_json("{\n  \"a\": 1\n  \"b\": 2\n}", doc, JsonDialect::relaxed);
  REQUIRE(error);
  CHECK(error->line == 3);
  CHECK(error->column == 3);
  CHECK(error->message.find("comma") != std::string::npos);
}

TEST_CASE("nesting is capped, so nothing downstream recurses without bound") {
  JsonDocument doc;
  const std::string deep(200'000, '[');
  CHECK(parse_json(deep, doc));
  const std::string balanced = std::string(50'000, '[') + std::string(50'000, ']');
  const auto error = parse_json(balanced, doc);
  REQUIRE(error);
  CHECK(error->message == "Nesting deeper than 128 levels");
  CHECK(error->column == 129);
  const std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK_FALSE(parse_json(at_limit, doc));
  CHECK_FALSE(parse_json(R"({"a":"[[[[ {{{{ \" [[[["})", doc));  // brackets inside strings do not count
  const std::string commented = "// " + std::string(200, '[') + "\n{}";
  CHECK_FALSE(parse_json(commented, doc, JsonDialect::relaxed));
}

TEST_CASE("invalid UTF-8 is rejected on input and repaired on output") {
  JsonDocument doc;
  CHECK(parse_json("\"\xff\"", doc));
  CHECK_FALSE(is_valid_utf8("\xc3\x28"));
  CHECK(is_valid_utf8("\xe4\xb8\xad"));
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
  JsonWriter w;
  w.begin_object().field("k", "a\xff" "b").end_object();
  CHECK(w.text() == "{\"k\":\"a\xEF\xBF\xBD" "b\"}");
  CHECK_FALSE(parse_json(w.text(), doc));
}

TEST_CASE("JsonWriter writes every kind of value") {
  JsonDocument nested;
  REQUIRE_FALSE(parse_json(R"({"x":[1,true,null]})", nested));
  JsonWriter w;
  w.begin_object()
      .field("s", "q\"\n")
      .field_int("i", -3)
      .field_bool("b", false)
      .field_null("n")
      .field_number("d", 1.5)
      .field_value("v", nested)
      .end_object();
  CHECK(w.take() == R"({"s":"q\"\n","i":-3,"b":false,"n":null,"d":1.5,"v":{"x":[1,true,null]}})");
  w.begin_array().int64(1).end_array();
  CHECK(w.text() == "[1]");
}

TEST_CASE("JsonWriter's plain-text appends write what RapidJSON's own writer writes") {
  // Plain ASCII is appended as it is; anything else goes through RapidJSON's escaping. Each text,
  // as a key, as a value and raw, must come out as RapidJSON's Writer alone makes it.
  const std::vector<std::string> texts = {"",  "plain", "with space", "/slash", "tilde~\x7f", "q\"", "back\\",
                                          "tab\t", std::string("nul\0x", 5), "\x1f", "\xe4\xb8\xad", "caf\xc3\xa9"};
  for (const std::string& text : texts) {
    rapidjson::StringBuffer expected;
    rapidjson::Writer<rapidjson::StringBuffer> reference(expected);
    reference.StartObject();
    reference.Key(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    reference.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    reference.Key("n");
    reference.StartArray();
    reference.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    reference.RawValue("{\"r\":1}", 7, rapidjson::kObjectType);
    reference.EndArray();
    reference.EndObject();
    JsonWriter w;
    w.begin_object().field(text, text).key("n").begin_array().string(text).raw(R"({"r":1})").end_array().end_object();
    INFO("text: " << text);
    CHECK(w.text() == std::string(expected.GetString(), expected.GetSize()));
  }
}

TEST_CASE("json_pointer escapes per RFC 6901") {
  CHECK(json_pointer("", "a/b~c") == "/a~1b~0c");
  CHECK(json_pointer("/rules", std::size_t{2}) == "/rules/2");
}

TEST_CASE("numbers parse without undefined behaviour and survive a round trip (found by fuzzing)") {
  // tests/fuzz/regressions/json: a zero with a large exponent made RapidJSON's full-precision
  // path call clz(0); and a long integer that only a double holds reads back within an ulp.
  JsonDocument zero;
  REQUIRE_FALSE(parse_json("[0e038, 0.000e-400, -0e300]", zero));
  for (const auto& v : zero.GetArray()) CHECK(v.GetDouble() == 0.0);
  for (const char* text : {"922337203685477236854775805807", "0.30000000000000004", "1.7976931348623157e308"}) {
    JsonDocument first;
    REQUIRE_FALSE(parse_json(text, first));
    JsonWriter w;
    w.value(first);
    JsonDocument second;
    REQUIRE_FALSE(parse_json(w.text(), second));
    CHECK_MESSAGE(std::fabs(first.GetDouble() - second.GetDouble()) <= std::fabs(first.GetDouble()) * 1e-15, text);
  }
}

TEST_CASE("a number too large for a double is refused, not kept as an infinity no writer can write (found by fuzzing)") {
  // tests/fuzz/regressions/json: digits and exponent together overflow without RapidJSON's own error.
  JsonDocument doc;
  const auto error = parse_json("{\"t\": 92233720368547708563747851e308}", doc);
  REQUIRE(error);
  CHECK(error->message == "Number too big to be stored in double");
  CHECK(parse_json("[1, [2, {\"x\": -9223372036854770856374785100000e300}]]", doc));
  CHECK_FALSE(parse_json("[1.7976931348623157e308, -1e-400]", doc));
}

TEST_CASE("a lone low surrogate escape is refused, as a lone high one is (found by fuzzing)") {
  // tests/fuzz/regressions/json: RapidJSON stored "\udd43" as bytes that are not UTF-8, which every
  // answer echoing the member would then carry.
  JsonDocument doc;
  const auto error = parse_json(R"({"name": "a\udd43b"})", doc);
  REQUIRE(error);
  CHECK(error->message == "The surrogate pair in string is invalid");
  CHECK(parse_json(R"({"\udd43": 1})", doc));
  CHECK_FALSE(parse_json(R"({"name": "\ud83d\ude00 \u00e9"})", doc));
  CHECK(std::string(doc["name"].GetString()) == "\xf0\x9f\x98\x80 \xc3\xa9");
}
