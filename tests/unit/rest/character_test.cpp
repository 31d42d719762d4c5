// The elizaOS character schema as data: zod 4's issues, words and order, and its parse output.
// The expected texts are what @elizaos/core 1.7.2's validateCharacter (zod 4.6) answers, formatted
// as @elizaos/server joins them; tests/contract/rest-eliza.test.mjs compares with the live core.
#include <doctest/doctest.h>

#include "core/json.hpp"
#include "vendors/rest/character.hpp"

using namespace agentemu;
using namespace agentemu::rest;

namespace {

std::string issues_of(const char* json) {
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(json, doc).has_value());
  return zod::join_issues(zod::check(zod::character_schema(), doc));
}

std::string parsed(const char* json) {
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(json, doc).has_value());
  REQUIRE(zod::check(zod::character_schema(), doc).empty());
  JsonDocument out;
  zod::parse(zod::character_schema(), doc, out, out.GetAllocator());
  JsonWriter w;
  w.value(out);
  return w.take();
}

}  // namespace

TEST_CASE("rest character: every issue, in zod's words and order") {
  struct Case {
    const char* json;
    const char* issues;
  };
  const Case cases[] = {
      {R"({"name":"X1"})", "bio: Invalid input"},
      {R"({"name":"X2","bio":"b","lore":[]})", R"(: Unrecognized key: "lore")"},
      {R"({"name":"X","bio":"b","lore":[],"foo":1})", R"(: Unrecognized keys: "lore", "foo")"},
      {R"({"name":"X7","bio":"b","id":"nope"})", "id: Invalid UUID format"},
      {"{}", "name: Invalid input: expected string, received undefined; bio: Invalid input"},
      {R"({"name":5,"bio":5})", "name: Invalid input: expected string, received number; bio: Invalid input"},
      {R"({"name":"a","bio":"b","settings":{"a":null}})", "settings.a: Invalid input"},
      {R"("x")", ": Invalid input: expected object, received string"},
      {R"({"name":"","bio":[1,"a",2]})", "name: Character name is required; bio: Invalid input"},
      {R"({"lore":[],"bio":"b"})", R"(name: Invalid input: expected string, received undefined; : Unrecognized key: "lore")"},
      {R"({"name":"a","bio":"b","knowledge":[1,{"path":"p"},{}]})", "knowledge.0: Invalid input; knowledge.2: Invalid input"},
      {R"({"name":"a","bio":"b","settings":[]})", "settings: Invalid input: expected record, received array"},
      {R"({"name":"a","bio":"b","style":null})", "style: Invalid input: expected object, received null"},
      {R"({"name":"a","bio":"b","messageExamples":[{}],"plugins":"x"})",
       "messageExamples.0: Invalid input: expected array, received object; plugins: Invalid input: expected array, "
       "received string"},
      {R"({"name":"a","bio":"b","messageExamples":[[{"name":"n","content":{"channelType":"q","inReplyTo":"z"}}]]})",
       "messageExamples.0.0.content.inReplyTo: Invalid UUID format; messageExamples.0.0.content.channelType: Invalid "
       R"(option: expected one of "SELF"|"DM"|"GROUP"|"VOICE_DM"|"VOICE_GROUP"|"FEED"|"THREAD"|"WORLD"|"FORUM"|"API")"},
      {R"({"name":"a","bio":"b","a\"b":1})", R"(: Unrecognized key: "a"b")"},  // zod quotes keys without escaping
      {R"({"name":"a","bio":"b","id":"550E8400-E29B-41D4-A716-446655440000"})", ""},
      {R"({"name":"a","bio":[]})", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    CHECK(issues_of(c.json) == c.issues);
  }
}

TEST_CASE("rest character: parse keeps the shape's order and drops what strip objects do not name") {
  CHECK(parsed(R"({"plugins":[],"bio":"b","style":{"zz":1,"all":["x"]},"name":"a","settings":{"b":1,"a":{"q":null}}})") ==
        R"({"name":"a","bio":"b","plugins":[],"settings":{"b":1,"a":{"q":null}},"style":{"all":["x"]}})");
  // content is loose: its own keys first, then the others in input order; a union keeps the
  // first option that parses (a knowledge directory loses the keys it does not name).
  CHECK(parsed(R"({"name":"a","bio":"b","knowledge":[{"directory":"d","zz":1}],)"
               R"("messageExamples":[[{"content":{"extra":1,"text":"t"},"name":"n","foo":2}]]})") ==
        R"({"name":"a","bio":"b","messageExamples":[[{"name":"n","content":{"text":"t","extra":1}}]],)"
        R"("knowledge":[{"directory":"d"}]})");
}

TEST_CASE("rest character: a union keeps the issues of the one option that failed only its checks") {
  using zod::Kind;
  static constexpr zod::Schema kShort{.kind = Kind::string, .min_length = 3};
  static constexpr zod::Schema kNumber{.kind = Kind::number};
  static constexpr const zod::Schema* kOptions[] = {&kShort, &kNumber};
  static constexpr zod::Schema kEither{.kind = Kind::union_of, .options = kOptions};
  static constexpr const zod::Schema* kTwoStrings[] = {&kShort, &kShort};
  static constexpr zod::Schema kBoth{.kind = Kind::union_of, .options = kTwoStrings};
  JsonDocument ab;
  ab.Parse(R"("ab")");
  JsonDocument yes;
  yes.Parse("true");
  // z.union([z.string().min(3), z.number()]): "ab" has the string's type, so its check stands.
  CHECK(zod::join_issues(zod::check(kEither, ab)) == ": Too small: expected string to have >=3 characters");
  CHECK(zod::join_issues(zod::check(kEither, yes)) == ": Invalid input");
  CHECK(zod::join_issues(zod::check(kBoth, ab)) == ": Invalid input");  // two such options: no winner
}

TEST_CASE("rest character: code points count, and issues stop at the cap") {
  static constexpr zod::Schema kTwo{.kind = zod::Kind::string, .min_length = 2};
  JsonDocument emoji;
  emoji.Parse("\"\xF0\x9F\x98\x80\"");  // one code point, two UTF-16 units
  CHECK(zod::check(kTwo, emoji).size() == 1);

  std::string many = R"({"name":"a","bio":"b","topics":[)";
  for (int i = 0; i < 3000; ++i) many += i ? ",1" : "1";
  many += "]}";
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(many, doc).has_value());
  CHECK(zod::check(zod::character_schema(), doc).size() == zod::kMaxIssues);
}
