#include "core/validation.hpp"

#include <cmath>
#include <cstdio>

#include "core/text.hpp"

namespace agentemu {
namespace {

thread_local std::uint64_t values_rendered = 0;

std::string shorten(std::string_view text) {
  constexpr std::size_t kMax = 128;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

std::string json_text(const JsonValue& v) {
  JsonWriter w;
  w.value(v);
  return shorten(w.text());
}

// The value a Violation shows, rendered only once there is a violation: a value that passes
// (a long array, a number in range) is never serialised.
class Shown {
 public:
  static Shown of_text(std::string_view text) { return Shown(nullptr, text); }
  static Shown of_json(const JsonValue& v) { return Shown(&v, {}); }
  std::string render() const {
    ++values_rendered;
    return json_ != nullptr ? json_text(*json_) : shorten(text_);
  }

 private:
  Shown(const JsonValue* json, std::string_view text) : json_(json), text_(text) {}
  const JsonValue* json_;
  std::string_view text_;
};

Violation make(const ParamSpec& spec, std::string path, Problem problem, const Shown& shown, std::string message) {
  return Violation{std::move(path), &spec, problem, shown.render(), std::move(message)};
}

std::optional<Violation> check_length(const ParamSpec& spec, const std::string& path, std::int64_t length,
                                      const Shown& shown, std::string_view unit) {
  if (spec.min_length && length < *spec.min_length) {
    return make(spec, path, Problem::too_short, shown,
                path + " must have at least " + std::to_string(*spec.min_length) + " " + std::string(unit));
  }
  if (spec.max_length && length > *spec.max_length) {
    return make(spec, path, Problem::too_long, shown,
                path + " must have at most " + std::to_string(*spec.max_length) + " " + std::string(unit));
  }
  return std::nullopt;
}

std::optional<Violation> check_range(const ParamSpec& spec, const std::string& path, double n, const Shown& shown) {
  if (spec.min && n < *spec.min) {
    return make(spec, path, Problem::below_minimum, shown,
                path + " must be greater than or equal to " + format_number(*spec.min));
  }
  if (spec.max && n > *spec.max) {
    return make(spec, path, Problem::above_maximum, shown,
                path + " must be less than or equal to " + format_number(*spec.max));
  }
  return std::nullopt;
}

std::optional<Violation> check_string(const ParamSpec& spec, const std::string& path, std::string_view s) {
  const Shown shown = Shown::of_text(s);
  if (auto v = check_length(spec, path, static_cast<std::int64_t>(utf8_length(s)), shown, "characters")) return v;
  if (spec.pattern != nullptr && !spec.pattern->matches(s)) {
    return make(spec, path, Problem::pattern_mismatch, shown,
                path + " must match the pattern " + std::string(spec.pattern->text));
  }
  if (!spec.one_of.empty()) {
    bool found = false;
    std::string choices;
    for (std::string_view option : spec.one_of) {
      found = found || option == s;
      if (!choices.empty()) choices += ", ";
      choices += option;
    }
    if (!found) return make(spec, path, Problem::not_one_of, shown, path + " must be one of: " + choices);
  }
  return std::nullopt;
}

std::optional<Violation> wrong_type(const ParamSpec& spec, const std::string& path, const Shown& shown,
                                    std::string_view expected) {
  return make(spec, path, Problem::wrong_type, shown, path + " must be " + std::string(expected));
}

std::string_view expected_name(ParamType type) {
  switch (type) {
    case ParamType::string: return "a string";
    case ParamType::integer: return "an integer";
    case ParamType::number: return "a number";
    case ParamType::boolean: return "a boolean";
    case ParamType::object: return "an object";
    case ParamType::array: return "an array";
    case ParamType::json_text: return "a JSON string";
    case ParamType::any: return "a value";
  }
  return "a value";
}

std::optional<Violation> validate_text(const ParamSpec& spec, std::string_view text, const std::string& path) {
  switch (spec.type) {
    case ParamType::string:
    case ParamType::any:
      return check_string(spec, path, text);
    case ParamType::integer: {
      const auto n = parse_int64(text);
      if (!n) return wrong_type(spec, path, Shown::of_text(text), "an integer");
      return check_range(spec, path, static_cast<double>(*n), Shown::of_text(text));
    }
    case ParamType::number: {
      const auto n = parse_double(text);
      if (!n) return wrong_type(spec, path, Shown::of_text(text), "a number");
      return check_range(spec, path, *n, Shown::of_text(text));
    }
    case ParamType::boolean:
      if (!iequals(text, "true") && !iequals(text, "false")) {
        return wrong_type(spec, path, Shown::of_text(text), "true or false");
      }
      return std::nullopt;
    case ParamType::json_text:
    case ParamType::object:
    case ParamType::array: {
      const auto length = static_cast<std::int64_t>(utf8_length(text));
      if (auto v = check_length(spec, path, length, Shown::of_text(text), "characters")) return v;
      JsonDocument doc;
      if (auto error = parse_json(text, doc)) {
        return make(spec, path, Problem::invalid_json, Shown::of_text(text),
                    path + " is not valid JSON: " + error->message + " at column " + std::to_string(error->column));
      }
      if (spec.type == ParamType::object && !doc.IsObject()) {
        return wrong_type(spec, path, Shown::of_text(text), "a JSON object");
      }
      if (spec.type == ParamType::array && !doc.IsArray()) {
        return wrong_type(spec, path, Shown::of_text(text), "a JSON array");
      }
      if (doc.IsObject() && !spec.members.empty()) return validate_params(spec.members, JsonObjectSource(&doc));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// A union: exactly one member set (a null member counts as not set).
std::optional<Violation> check_union(const ParamSpec& spec, const JsonValue& v, const std::string& path) {
  int set = 0;
  std::string names;
  for (const ParamSpec& m : spec.members) {
    const JsonValue* found = json_member(v, m.name);
    if (found != nullptr && !found->IsNull()) ++set;
    if (!names.empty()) names += ", ";
    names += m.name;
  }
  if (set == 1) return std::nullopt;
  return make(spec, path, Problem::not_exactly_one, Shown::of_json(v),
              path + " must have exactly one of [" + names + "] set");
}

// A map: its number of entries, then each key and each value.
std::optional<Violation> check_map(const ParamSpec& spec, const JsonValue& v, const std::string& path) {
  if (auto violation = check_length(spec, path, static_cast<std::int64_t>(v.MemberCount()), Shown::of_json(v), "entries")) {
    return violation;
  }
  for (const auto& entry : v.GetObject()) {
    const std::string_view key(entry.name.GetString(), entry.name.GetStringLength());
    const std::string entry_path = path + "." + std::string(key);
    if (spec.keys != nullptr) {
      if (auto violation = check_string(*spec.keys, entry_path, key)) return violation;
    }
    if (spec.items != nullptr) {
      if (auto violation = validate_value(*spec.items, ParamValue::of_json(&entry.value), entry_path)) return violation;
    }
  }
  return std::nullopt;
}

std::optional<Violation> validate_json(const ParamSpec& spec, const JsonValue& v, const std::string& path) {
  switch (spec.type) {
    case ParamType::any:
      return std::nullopt;
    case ParamType::string:
    case ParamType::json_text:
      if (!v.IsString()) return wrong_type(spec, path, Shown::of_json(v), expected_name(spec.type));
      if (spec.type == ParamType::json_text) return validate_text(spec, {v.GetString(), v.GetStringLength()}, path);
      return check_string(spec, path, {v.GetString(), v.GetStringLength()});
    case ParamType::integer:
      if (!v.IsInt64()) return wrong_type(spec, path, Shown::of_json(v), "an integer");
      return check_range(spec, path, static_cast<double>(v.GetInt64()), Shown::of_json(v));
    case ParamType::number:
      if (!v.IsNumber()) return wrong_type(spec, path, Shown::of_json(v), "a number");
      return check_range(spec, path, v.GetDouble(), Shown::of_json(v));
    case ParamType::boolean:
      if (!v.IsBool()) return wrong_type(spec, path, Shown::of_json(v), "a boolean");
      return std::nullopt;
    case ParamType::object:
      if (!v.IsObject()) return wrong_type(spec, path, Shown::of_json(v), "an object");
      if (spec.one_member) {
        if (auto violation = check_union(spec, v, path)) return violation;
      }
      if (!spec.members.empty()) {
        for (const ParamSpec& member : spec.members) {
          const JsonValue* found = json_member(v, member.name);
          const ParamValue value = found == nullptr ? ParamValue::missing() : ParamValue::of_json(found);
          if (auto violation = validate_value(member, value, path + "." + std::string(member.name))) return violation;
        }
      }
      if (spec.keys != nullptr || spec.items != nullptr) return check_map(spec, v, path);
      return std::nullopt;
    case ParamType::array: {
      if (!v.IsArray()) return wrong_type(spec, path, Shown::of_json(v), "an array");
      if (auto violation = check_length(spec, path, static_cast<std::int64_t>(v.Size()), Shown::of_json(v), "items")) {
        return violation;
      }
      if (spec.items != nullptr) {
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
          const std::string item_path = path + "[" + std::to_string(i) + "]";
          if (auto violation = validate_value(*spec.items, ParamValue::of_json(&v[i]), item_path)) return violation;
        }
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

ParamValue JsonObjectSource::find(const ParamSpec& spec) const {
  if (object_ == nullptr) return ParamValue::missing();
  const JsonValue* member = json_member(*object_, spec.name);
  return member == nullptr ? ParamValue::missing() : ParamValue::of_json(member);
}

std::optional<Violation> validate_value(const ParamSpec& spec, const ParamValue& value, std::string path) {
  if (!value.present()) {
    if (!spec.required) return std::nullopt;
    return Violation{path, &spec, Problem::missing, "", path + " is required"};
  }
  if (value.json != nullptr) return validate_json(spec, *value.json, path);
  return validate_text(spec, *value.text, path);
}

std::optional<Violation> validate_params(std::span<const ParamSpec> specs, const ParamSource& source) {
  for (const ParamSpec& spec : specs) {
    if (auto violation = validate_value(spec, source.find(spec), std::string(spec.name))) return violation;
  }
  return std::nullopt;
}

const ParamSpec* find_param(std::span<const ParamSpec> specs, std::string_view name) {
  for (const ParamSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::uint64_t validation_values_rendered() { return values_rendered; }

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
  return n;
}

std::string_view describe(Problem problem) {
  switch (problem) {
    case Problem::missing: return "missing";
    case Problem::wrong_type: return "wrong type";
    case Problem::too_short: return "too short";
    case Problem::too_long: return "too long";
    case Problem::below_minimum: return "below minimum";
    case Problem::above_maximum: return "above maximum";
    case Problem::pattern_mismatch: return "pattern mismatch";
    case Problem::not_one_of: return "not one of the allowed values";
    case Problem::invalid_json: return "invalid JSON";
    case Problem::not_exactly_one: return "not exactly one member set";
  }
  return "invalid";
}

}  // namespace agentemu
