// One validator for every vendor: an operation's table lists its parameters with their
// constraints, a vendor-specific ParamSource finds each value, and the vendor renders the first
// Violation in its own envelope.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace agentemu {

enum class ParamType : std::uint8_t {
  string,
  integer,
  number,
  boolean,
  object,
  array,
  json_text,  // a string that must hold JSON (ICE's RuntimeConfig, AgentConfig...)
  any,
};

// A documented pattern and a hand-written matcher for it: readable in messages, and far cheaper
// on the hot path than a regex engine.
struct Pattern {
  std::string_view text;
  bool (*matches)(std::string_view value);
};

struct ParamSpec {
  std::string_view name;
  std::uint8_t where = 0;  // vendor-defined location: query, header, body member, label...
  ParamType type = ParamType::string;
  bool required = false;
  std::optional<std::int64_t> min_length = {};  // characters for strings, items for arrays
  std::optional<std::int64_t> max_length = {};
  std::optional<double> min = {};  // numbers
  std::optional<double> max = {};
  const Pattern* pattern = nullptr;
  std::span<const std::string_view> one_of = {};
  std::span<const ParamSpec> members = {};  // object members, checked recursively
  const ParamSpec* items = nullptr;         // array items; for an object: the values of a map
  const ParamSpec* keys = nullptr;          // an object that is a map: its keys (min/max_length: entries)
  bool one_member = false;                  // a union: exactly one of `members` is set
};

enum class Problem {
  missing,
  wrong_type,
  too_short,
  too_long,
  below_minimum,
  above_maximum,
  pattern_mismatch,
  not_one_of,
  invalid_json,
  not_exactly_one,  // a union with no member or several set
};

struct Violation {
  std::string path;  // "sessionId", "viewPort.width", "Messages[2].Role"
  const ParamSpec* spec = nullptr;
  Problem problem = Problem::missing;
  std::string value;    // the offending value as text, shortened
  std::string message;  // a plain English sentence; vendors may phrase their own from the fields
};

// A value as found in the request: text (query, header, form, label) or a JSON member.
struct ParamValue {
  const JsonValue* json = nullptr;
  std::optional<std::string_view> text;

  static ParamValue missing() { return {}; }
  static ParamValue of_text(std::string_view t) { return {nullptr, t}; }
  static ParamValue of_json(const JsonValue* v) { return {v, std::nullopt}; }
  bool present() const { return (json != nullptr && !json->IsNull()) || text.has_value(); }
};

class ParamSource {
 public:
  virtual ~ParamSource() = default;
  virtual ParamValue find(const ParamSpec& spec) const = 0;
};

// Members of one JSON object, looked up by spec.name (a JSON body, or a nested object).
class JsonObjectSource final : public ParamSource {
 public:
  explicit JsonObjectSource(const JsonValue* object) : object_(object) {}
  ParamValue find(const ParamSpec& spec) const override;

 private:
  const JsonValue* object_;
};

std::optional<Violation> validate_params(std::span<const ParamSpec> specs, const ParamSource& source);
// The spec named `name` in a table, or nullptr.
const ParamSpec* find_param(std::span<const ParamSpec> specs, std::string_view name);
std::optional<Violation> validate_value(const ParamSpec& spec, const ParamValue& value, std::string path);

// How many offending values this thread rendered into Violation::value: a value is serialised
// only for a violation, never for a check it passes (tests observe this).
std::uint64_t validation_values_rendered();

std::size_t utf8_length(std::string_view text);
std::string_view describe(Problem problem);

}  // namespace agentemu
