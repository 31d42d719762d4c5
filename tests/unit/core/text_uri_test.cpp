#include <doctest/doctest.h>

#include <string>

#include "core/text.hpp"
#include "core/uri.hpp"

using namespace agentemu;

TEST_CASE("glob_match: stars, question marks and classes") {
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything"));
  CHECK(glob_match("/runtimes/*/invocations", "/runtimes/arn%3Aaws%3Ax/invocations"));
  CHECK_FALSE(glob_match("/runtimes/*/invocations", "/runtimes/x/stopruntimesession"));
  CHECK(glob_match("a?c", "abc"));
  CHECK_FALSE(glob_match("a?c", "ac"));
  CHECK(glob_match("*.aliyuncs.com", "ice.cn-shanghai.aliyuncs.com"));
  CHECK_FALSE(glob_match("*.aliyuncs.com", "aliyuncs.com.evil"));
  CHECK(glob_match("v[0-9]", "v7"));
  CHECK_FALSE(glob_match("v[0-9]", "vx"));
  CHECK(glob_match("v[!0-9]", "vx"));
  CHECK(glob_match("[ab]*[cd]", "a-long-d"));
  CHECK(glob_match("*a*b*c*", "xxaxxbxxcxx"));
  CHECK_FALSE(glob_match("*a*b*c*", "xxaxxcxxbxx"));
  // Ranges are of byte values: a range across 0x80 holds the bytes above it (found by fuzzing,
  // tests/fuzz/regressions/match).
  CHECK(glob_match("[a-\xff]", "\xc3"));
  CHECK(glob_match("[\x80-\xff]*", "\xc3\xa9t\xc3\xa9"));
  CHECK_FALSE(glob_match("[!0-\xfe]?x", "q1x"));
  CHECK(glob_match("[!0-\xfe]?x", "\xff" "1x"));
}

TEST_CASE("glob_valid rejects an unclosed class") {
  CHECK(glob_valid("plain*"));
  CHECK(glob_valid("[abc]"));
  CHECK(glob_valid("[]]"));
  CHECK_FALSE(glob_valid("[abc"));
  CHECK_FALSE(glob_valid("ok[!"));
}

TEST_CASE("parse_int64 accepts whole decimal numbers only") {
  CHECK(parse_int64("42") == 42);
  CHECK(parse_int64("-7") == -7);
  CHECK_FALSE(parse_int64(""));
  CHECK_FALSE(parse_int64("4x"));
  CHECK_FALSE(parse_int64(" 4"));
  CHECK_FALSE(parse_int64("99999999999999999999"));
  CHECK(parse_double("1.5") == 1.5);
  CHECK_FALSE(parse_double("nan"));
  CHECK_FALSE(parse_double("1.5e"));
}

TEST_CASE("case-insensitive helpers and split") {
  CHECK(iequals("Content-Type", "content-type"));
  CHECK_FALSE(iequals("a", "ab"));
  CHECK(iends_with("ICE.aliyuncs.COM", ".aliyuncs.com"));
  CHECK(trim("  x \t") == "x");
  const auto pieces = split("a,,b", ',');
  REQUIRE(pieces.size() == 3);
  CHECK(pieces[1].empty());
}

TEST_CASE("percent_decode rejects malformed escapes") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("a+b", PlusIs::space) == "a b");
  CHECK(percent_decode("%3a%3A") == "::");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
  CHECK_FALSE(percent_decode("ok%2"));
  CHECK_FALSE(percent_decode("%%41"));
  CHECK(percent_decode("") == "");
  CHECK(percent_decode("%41") == "A");
  CHECK(percent_decode("x%41") == "xA");
  CHECK(percent_decode("%41x") == "Ax");
  CHECK(percent_decode("++", PlusIs::space) == "  ");
  CHECK(percent_decode("a+%2B+b", PlusIs::space) == "a + b");
  CHECK(percent_decode("plain-text.without_escapes~") == "plain-text.without_escapes~");
}

TEST_CASE("percent_encode and percent_decode are inverses over every byte") {
  std::string every;
  for (int b = 0; b < 256; ++b) every.push_back(static_cast<char>(b));
  const std::string encoded = percent_encode(every + "tail");
  CHECK(encoded.ends_with("%FFtail"));
  CHECK(percent_decode(encoded) == every + "tail");
  CHECK(percent_decode(encoded, PlusIs::space) == every + "tail");  // '+' is encoded, never literal
  std::string appended = "prefix:";
  append_percent_encoded(appended, "a b");
  CHECK(appended == "prefix:a%20b");
}

TEST_CASE("percent_encode follows RFC 3986") {
  CHECK(percent_encode("aZ09-_.~") == "aZ09-_.~");
  CHECK(percent_encode("a b*'()!/") == "a%20b%2A%27%28%29%21%2F");
  CHECK(percent_encode("\xE4\xB8\xAD") == "%E4%B8%AD");
}

TEST_CASE("parse_query keeps order and duplicates, and names the bad piece") {
  const auto params = parse_query("b=2&a=1&b=3&flag", PlusIs::literal);
  REQUIRE(params);
  REQUIRE(params->size() == 4);
  CHECK((*params)[0].name == "b");
  CHECK((*params)[2].value == "3");
  CHECK_FALSE((*params)[3].has_value);
  CHECK(find_param(*params, "a")->value == "1");
  QueryParseError error;
  CHECK_FALSE(parse_query("ok=1&bad=%G1", PlusIs::literal, &error));
  CHECK(error.piece == "bad=%G1");
}

TEST_CASE("raw_segments splits before decoding, so an encoded '/' stays in its segment") {
  const auto segments = raw_segments("/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A1%3Aruntime%2Fx/invocations");
  REQUIRE(segments.size() == 3);
  CHECK(segments[1] == "arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A1%3Aruntime%2Fx");
  CHECK(percent_decode(segments[1]) == "arn:aws:bedrock-agentcore:us-east-1:1:runtime/x");
  CHECK(raw_segments("/").empty());
  CHECK(raw_segments("/agents/").size() == 2);
}
