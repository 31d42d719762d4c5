#include <doctest/doctest.h>

#include "vendors/rest/ids.hpp"

using namespace agentemu::rest;

TEST_CASE("rest: UUIDs are 8-4-4-4-12 hex, either case, no version check") {
  CHECK(is_uuid("550e8400-e29b-41d4-a716-446655440000"));
  CHECK(is_uuid("550E8400-E29B-41D4-A716-446655440000"));
  CHECK(is_uuid("b850bc30-45f8-0041-a00a-83df46d8555d"));  // elizaOS's own ids have version 0
  CHECK_FALSE(is_uuid(""));
  CHECK_FALSE(is_uuid("not-a-uuid"));
  CHECK_FALSE(is_uuid("550e8400e29b41d4a716446655440000"));
  CHECK_FALSE(is_uuid("550e8400-e29b-41d4-a716-44665544000g"));
  CHECK_FALSE(is_uuid("550e8400-e29b-41d4-a716-4466554400000"));
  CHECK_FALSE(is_uuid("550e8400_e29b-41d4-a716-446655440000"));
  CHECK(lowercase_id("550E8400-E29B-41D4-A716-446655440000") == "550e8400-e29b-41d4-a716-446655440000");
}

TEST_CASE("rest: encodeURIComponent keeps JavaScript's unreserved set") {
  CHECK(encode_uri_component("a b!*()~'\xc3\xa9/?") == "a%20b!*()~'%C3%A9%2F%3F");
  CHECK(encode_uri_component("Eliza") == "Eliza");
}

TEST_CASE("rest: stringToUuid matches elizaOS") {
  // elizaOS's default character "Eliza" has the well-known id b850bc30-45f8-0041-a00a-83df46d8555d.
  CHECK(string_to_uuid("Eliza") == "b850bc30-45f8-0041-a00a-83df46d8555d");
  CHECK(string_to_uuid("Ada Lovelace") == "3f5ac76d-9ae6-01d4-b7ab-ec1818629c85");
  CHECK(string_to_uuid("Zo\xc3\xab \xf0\x9f\xa4\x96") == "0c68d2ae-5e6b-0f31-8149-f5562c8399fb");
}
