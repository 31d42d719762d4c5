#include <doctest/doctest.h>

#include <array>

#include "core/text.hpp"
#include "core/validation.hpp"

using namespace agentemu;

namespace {

bool session_id(std::string_view v) { return !v.empty() && v.size() <= 40 && is_alnum(v); }
constexpr Pattern kSessionId{"^[0-9a-zA-Z]{1,40}$", &session_id};
constexpr std::array<std::string_view, 2> kStatuses = {"READY", "TERMINATED"};
constexpr std::array<ParamSpec, 2> kViewPort = {{
    {.name = "width", .type = ParamType::integer, .required = true, .min = 320, .max = 3840},
    {.name = "height", .type = ParamType::integer, .required = true, .min = 240, .max = 2160},
}};
constexpr ParamSpec kItem{.name = "item", .type = ParamType::string, .max_length = 3};
constexpr std::array<ParamSpec, 6> kSpecs = {{
    {.name = "sessionId", .type = ParamType::string, .required = true, .pattern = &kSessionId},
    {.name = "status", .type = ParamType::string, .one_of = kStatuses},
    {.name = "maxResults", .type = ParamType::integer, .min = 1, .max = 100},
    {.name = "viewPort", .type = ParamType::object, .members = kViewPort},
    {.name = "tags", .type = ParamType::array, .max_length = 2, .items = &kItem},
    {.name = "name", .type = ParamType::string, .min_length = 1, .max_length = 4},
}};

std::optional<Violation> check(const char* json) {
  static JsonDocument doc;
  REQUIRE_FALSE(parse_json(json, doc));
  return validate_params(kSpecs, JsonObjectSource(&doc));
}

}  // namespace

TEST_CASE("a valid JSON body passes") {
  CHECK_FALSE(check(R"({"sessionId":"abc123","status":"READY","maxResults":5,"viewPort":{"width":800,"height":600},"tags":["a"],"name":"x"})"));
}

TEST_CASE("each JSON constraint names the field and the problem") {
  auto v = check(R"({})");
  REQUIRE(v);
  CHECK(v->problem == Problem::missing);
  CHECK(v->path == "sessionId");

  v = check(R"({"sessionId":"not-alnum"})");
  REQUIRE(v);
  CHECK(v->problem == Problem::pattern_mismatch);
  CHECK(v->message.find("^[0-9a-zA-Z]{1,40}$") != std::string::npos);

  v = check(R"({"sessionId":"a","status":"GONE"})");
  REQUIRE(v);
  CHECK(v->problem == Problem::not_one_of);

  v = check(R"({"sessionId":"a","maxResults":0})");
  REQUIRE(v);
  CHECK(v->problem == Problem::below_minimum);
  v = check(R"({"sessionId":"a","maxResults":101})");
  REQUIRE(v);
  CHECK(v->problem == Problem::above_maximum);
  v = check(R"({"sessionId":"a","maxResults":"5"})");
  REQUIRE(v);
  CHECK(v->problem == Problem::wrong_type);
  v = check(R"({"sessionId":"a","maxResults":5.5})");
  REQUIRE(v);
  CHECK(v->problem == Problem::wrong_type);

  v = check(R"({"sessionId":"a","viewPort":{"width":100,"height":600}})");
  REQUIRE(v);
  CHECK(v->path == "viewPort.width");
  CHECK(v->problem == Problem::below_minimum);
  v = check(R"({"sessionId":"a","viewPort":{"width":800}})");
  REQUIRE(v);
  CHECK(v->path == "viewPort.height");

  v = check(R"({"sessionId":"a","tags":["a","b","c"]})");
  REQUIRE(v);
  CHECK(v->problem == Problem::too_long);
  v = check(R"({"sessionId":"a","tags":["abcd"]})");
  REQUIRE(v);
  CHECK(v->path == "tags[0]");

  v = check(R"({"sessionId":"a","name":""})");
  REQUIRE(v);
  CHECK(v->problem == Problem::too_short);
  v = check("{\"sessionId\":\"a\",\"name\":\"\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\"}");
  CHECK_FALSE(v);  // four characters, twelve bytes
}

TEST_CASE("JSON null counts as absent") {
  CHECK_FALSE(check(R"({"sessionId":"a","viewPort":null})"));
  auto v = check(R"({"sessionId":null})");
  REQUIRE(v);
  CHECK(v->problem == Problem::missing);
}

TEST_CASE("text values are parsed by type") {
  const ParamSpec size{.name = "PageSize", .type = ParamType::integer, .min = 0, .max = 100};
  CHECK_FALSE(validate_value(size, ParamValue::of_text("10"), "PageSize"));
  CHECK(validate_value(size, ParamValue::of_text("abc"), "PageSize")->problem == Problem::wrong_type);
  CHECK(validate_value(size, ParamValue::of_text("101"), "PageSize")->problem == Problem::above_maximum);
  const ParamSpec flag{.name = "EnableInterrupt", .type = ParamType::boolean};
  CHECK_FALSE(validate_value(flag, ParamValue::of_text("true"), "EnableInterrupt"));
  CHECK(validate_value(flag, ParamValue::of_text("yes"), "EnableInterrupt")->problem == Problem::wrong_type);
  const ParamSpec config{.name = "RuntimeConfig", .type = ParamType::json_text, .required = true};
  CHECK_FALSE(validate_value(config, ParamValue::of_text(R"({"a":1})"), "RuntimeConfig"));
  CHECK(validate_value(config, ParamValue::of_text("{nope"), "RuntimeConfig")->problem == Problem::invalid_json);
  CHECK(validate_value(config, ParamValue::missing(), "RuntimeConfig")->problem == Problem::missing);
  const ParamSpec object{.name = "Config", .type = ParamType::object};
  CHECK(validate_value(object, ParamValue::of_text("[1]"), "Config")->problem == Problem::wrong_type);
}

TEST_CASE("a value is rendered for the violation only, never for a check it passes") {
  const ParamSpec number{.name = "n", .type = ParamType::integer, .min = 0, .max = 1000000};
  const ParamSpec list{.name = "list", .type = ParamType::array, .min_length = 1, .max_length = 5000, .items = &number};
  const ParamSpec text{.name = "t", .type = ParamType::string, .min_length = 1, .max_length = 10, .pattern = &kSessionId};
  JsonDocument doc;
  std::string body = R"({"list":[)";
  for (int i = 0; i < 4000; ++i) body += (i > 0 ? "," : "") + std::to_string(i);
  body += R"(],"t":"abc","n":"42"})";
  REQUIRE_FALSE(parse_json(body, doc));

  const std::uint64_t before = validation_values_rendered();
  CHECK_FALSE(validate_value(list, ParamValue::of_json(&doc["list"]), "list"));
  CHECK_FALSE(validate_value(text, ParamValue::of_json(&doc["t"]), "t"));
  CHECK_FALSE(validate_value(number, ParamValue::of_text("42"), "n"));
  CHECK_FALSE(validate_value(number, ParamValue::of_json(&doc["list"][7]), "n"));
  CHECK(validation_values_rendered() == before);

  // A violation still shows the value, shortened as before, with the same message.
  const ParamSpec short_list{.name = "list", .type = ParamType::array, .max_length = 3};
  auto v = validate_value(short_list, ParamValue::of_json(&doc["list"]), "list");
  REQUIRE(v);
  CHECK(validation_values_rendered() == before + 1);
  CHECK(v->problem == Problem::too_long);
  CHECK(v->message == "list must have at most 3 items");
  CHECK(v->value.starts_with("[0,1,2,3,"));
  CHECK(v->value.ends_with("..."));
  CHECK(v->value.size() == 131);
  v = validate_value(number, ParamValue::of_text("1000001"), "n");
  REQUIRE(v);
  CHECK(v->value == "1000001");
  CHECK(v->message == "n must be less than or equal to 1000000");
  CHECK(validation_values_rendered() == before + 2);
}
