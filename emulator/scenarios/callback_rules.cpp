#include "scenarios/callback_rules.hpp"

#include <rapidjson/pointer.h>

#include "core/text.hpp"
#include "core/vendor.hpp"

namespace agentemu {
namespace {

constexpr int kMaxCopies = 10;

ScenarioError issue(std::string pointer, std::string message) {
  ScenarioError e;
  e.pointer = std::move(pointer);
  e.message = std::move(message);
  return e;
}

std::optional<ScenarioError> read_step(const JsonValue& v, const std::string& at, CallbackFault& out) {
  if (v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == "pass") {
    out.action = CallbackFault::Action::deliver;
    return std::nullopt;
  }
  const JsonValue* action = v.IsObject() ? json_member(v, "callback") : nullptr;
  if (action == nullptr || !action->IsString()) {
    return issue(at, "a callback rule answers \"pass\" or {\"callback\": \"deliver\" | \"drop\" | \"duplicate\"}");
  }
  for (const auto& m : v.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key != "callback" && key != "copies") {
      return issue(json_pointer(at, key), "unknown key \"" + std::string(key) + "\" (expected callback, copies)");
    }
  }
  const std::string_view name(action->GetString(), action->GetStringLength());
  if (name == "deliver") {
    out.action = CallbackFault::Action::deliver;
  } else if (name == "drop") {
    out.action = CallbackFault::Action::drop;
  } else if (name == "duplicate") {
    out.action = CallbackFault::Action::duplicate;
    out.copies = 1;
  } else {
    return issue(json_pointer(at, "callback"), "unknown callback action \"" + std::string(name) +
                                                   "\" (expected deliver, drop or duplicate)");
  }
  if (const JsonValue* copies = json_member(v, "copies")) {
    if (out.action != CallbackFault::Action::duplicate) {
      return issue(json_pointer(at, "copies"), "goes with \"callback\": \"duplicate\"");
    }
    if (!copies->IsInt() || copies->GetInt() < 1 || copies->GetInt() > kMaxCopies) {
      return issue(json_pointer(at, "copies"), "must be a whole number between 1 and " + std::to_string(kMaxCopies));
    }
    out.copies = copies->GetInt();
  }
  return std::nullopt;
}

}  // namespace

std::optional<ScenarioError> read_callback_rule(const JsonValue& rule_json, const std::string& at, Rule& rule) {
  const JsonValue& match = rule_json["match"];
  for (const auto& m : match.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key != "vendor" && key != "callback" && key != "body") {
      return issue(json_pointer(json_pointer(at, "match"), key),
                   "a callback rule matches vendor, callback and body, not \"" + std::string(key) + "\"");
    }
  }
  if (rule.match.vendor == nullptr) {
    return issue(json_pointer(json_pointer(at, "match"), "callback"),
                 "a callback rule needs match.vendor: each vendor names its events its own way");
  }
  if (json_member(rule_json, "phase") != nullptr) {
    return issue(json_pointer(at, "phase"), "a callback rule has no phase: it acts before the first attempt");
  }
  const JsonValue* single = json_member(rule_json, "respond");
  const JsonValue* sequence = json_member(rule_json, "sequence");
  if ((single == nullptr) == (sequence == nullptr)) return issue(at, "a rule needs exactly one of respond or sequence");
  if (single != nullptr) {
    rule.callback_steps.emplace_back();
    return read_step(*single, json_pointer(at, "respond"), rule.callback_steps.back());
  }
  const std::string here = json_pointer(at, "sequence");
  if (!sequence->IsArray() || sequence->Empty()) return issue(here, "must be a non-empty array of responses");
  for (rapidjson::SizeType i = 0; i < sequence->Size(); ++i) {
    rule.callback_steps.emplace_back();
    if (auto problem = read_step((*sequence)[i], json_pointer(here, i), rule.callback_steps.back())) return problem;
  }
  return std::nullopt;
}

bool RuleMatch::matches_callback(const CallbackView& delivery, MatchCache& cache) const {
  if (!callback) return false;
  if (vendor != nullptr && vendor->name() != delivery.vendor) return false;
  if (!glob_match(*callback, delivery.event)) return false;
  if (body.empty()) return true;
  if (!cache.body) {
    cache.body = std::make_unique<JsonDocument>();
    cache.body_ok = !parse_json(delivery.body, *cache.body).has_value();
  }
  if (!cache.body_ok) return false;
  for (const auto& [pointer, pattern] : body) {
    const JsonValue* value = rapidjson::Pointer(pointer.c_str(), pointer.size()).Get(*cache.body);
    if (value == nullptr || !glob_match(pattern, json_to_text(*value))) return false;
  }
  return true;
}

}  // namespace agentemu
