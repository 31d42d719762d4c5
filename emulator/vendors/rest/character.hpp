// The elizaOS character as the server validates it: @elizaos/core's characterSchema (zod 4,
// packages/core/src/schemas/character.ts, version 1.7.2) written down as data, one walker that
// reports every issue in zod's words and order, and the server's way of joining them
// (packages/server loader.ts jsonToCharacter: "path: message" joined by "; ").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/validation.hpp"

namespace agentemu::rest::zod {

enum class Kind : std::uint8_t {
  string,
  number,
  boolean,
  unknown,   // z.unknown(): anything
  function,  // z.function(): nothing JSON can hold
  object,
  array,
  record,    // z.record(z.string(), element)
  union_of,
  enum_of,
};

// What an object does with keys its shape does not name.
enum class Extra : std::uint8_t {
  strip,   // z.object(): dropped from the output
  strict,  // .strict(): one "Unrecognized key(s)" issue
  loose,   // .loose() / .catchall(z.unknown()): kept, after the shape's keys
};

struct Field;

struct Schema {
  Kind kind = Kind::unknown;
  std::span<const Field> fields = {};  // object
  Extra extra = Extra::strip;
  const Schema* element = nullptr;             // array items, record values
  std::span<const Schema* const> options = {};  // union, tried in order
  std::span<const std::string_view> values = {};  // enum
  // String checks, each with the schema's own message.
  std::int64_t min_length = -1;
  std::string_view min_message = {};
  const Pattern* pattern = nullptr;
  std::string_view pattern_message = {};
};

struct Field {
  std::string_view key;
  const Schema* schema;
  bool optional = false;
};

struct Issue {
  std::string path;     // zod's path joined with "." ("messageExamples.0.0.name"; "" at the root)
  std::string message;  // zod's English message
  bool aborts = true;   // a type failure; a failed check (min, regex) lets a union keep trying
};

// Issues past this many are not collected: each costs far more text than the input that caused it.
inline constexpr std::size_t kMaxIssues = 1000;

// Every issue of `value` against `schema`, in zod's order; none: it parses.
std::vector<Issue> check(const Schema& schema, const JsonValue& value);
// What zod's parse returns for a value that passed check(): keys in the shape's order, unknown
// keys of strip objects dropped, the first matching option of a union.
void parse(const Schema& schema, const JsonValue& value, JsonValue& out, JsonDocument::AllocatorType& alloc);

// "name: Invalid input: expected string, received undefined; bio: Invalid input"
std::string join_issues(std::span<const Issue> issues);

// @elizaos/core's characterSchema.
const Schema& character_schema();

}  // namespace agentemu::rest::zod
