#include "scenarios/near_miss.hpp"

#include <rapidjson/pointer.h>

#include "core/call.hpp"
#include "core/distance.hpp"
#include "core/text.hpp"
#include "core/vendor.hpp"

namespace agentemu {
namespace {

constexpr double kSelects = 10;  // vendor, operation, path: what picks the call
constexpr double kMethod = 3;
constexpr double kDetail = 1;    // a header, a query parameter, a parameter, a body member

class Walk {
 public:
  Walk(RuleNearMiss& out, std::string base) : out_(out), base_(std::move(base)) {}

  void clause(double weight, double distance, std::string_view name, std::string_view key, std::string_view expected,
              std::optional<std::string> actual) {
    weighted_ += weight * distance;
    weights_ += weight;
    if (distance <= 0 || !out_.clause.empty()) return;
    out_.clause.assign(name);
    out_.key.assign(key);
    out_.pointer = json_pointer(base_, name);
    if (!key.empty()) out_.pointer = json_pointer(out_.pointer, key);
    out_.expected.assign(expected);
    out_.actual = std::move(actual);
  }

  double distance() const { return weights_ > 0 ? weighted_ / weights_ : 0; }

 private:
  RuleNearMiss& out_;
  std::string base_;
  double weighted_ = 0;
  double weights_ = 0;
};

std::optional<std::string> operation_of(const Call& call) {
  if (call.vendor == nullptr || call.operation < 0) return std::nullopt;
  return std::string(call.vendor->operation_names()[static_cast<std::size_t>(call.operation)]);
}

void score_selectors(const RuleMatch& m, const Call& call, Walk& walk) {
  if (m.vendor != nullptr) {
    const bool same = call.vendor == m.vendor;
    walk.clause(kSelects, same ? 0 : 1, "vendor", "", m.vendor->name(),
                call.vendor ? std::optional<std::string>(std::string(call.vendor->name())) : std::nullopt);
  }
  if (!m.operation_name.empty()) {
    const auto actual = operation_of(call);
    walk.clause(kSelects, actual ? text_distance(m.operation_name, *actual) : 1, "operation", "", m.operation_name,
                actual);
  }
  if (!m.method.empty()) {
    walk.clause(kMethod, iequals(call.request.method, m.method) ? 0 : 1, "method", "", m.method,
                std::string(call.request.method));
  }
  if (m.path) {
    walk.clause(kSelects, glob_distance(*m.path, call.request.path), "path", "", *m.path,
                std::string(call.request.path));
  }
}

void score_details(const RuleMatch& m, const Call& call, MatchCache& cache, Walk& walk, RuleNearMiss& out) {
  for (const auto& [name, pattern] : m.headers) {
    const bool present = call.request.has_header(name);
    walk.clause(kDetail, present ? glob_distance(pattern, call.request.header(name)) : 1, "headers", name, pattern,
                present ? std::optional<std::string>(std::string(call.request.header(name))) : std::nullopt);
  }
  if (!m.query.empty() && !cache.query_done) {
    cache.query = parse_query(call.request.query, PlusIs::literal);
    cache.query_done = true;
  }
  for (const auto& [name, pattern] : m.query) {
    const QueryParam* p = cache.query ? find_param(*cache.query, name) : nullptr;
    walk.clause(kDetail, p ? glob_distance(pattern, p->value) : 1, "query", name, pattern,
                p ? std::optional<std::string>(p->value) : std::nullopt);
  }
  for (const auto& [name, pattern] : m.params) {
    const auto value = call.vendor != nullptr && call.state ? call.vendor->param(call, name) : std::nullopt;
    if (!call.state && out.note.empty()) {
      out.note = "parameters are read from requests the vendor accepted; this one was refused first";
    }
    walk.clause(kDetail, value ? glob_distance(pattern, *value) : 1, "params", name, pattern, value);
  }
  if (!m.body.empty() && !cache.body) {
    cache.body = std::make_unique<JsonDocument>();
    cache.body_ok = !parse_json(call.request.body, *cache.body).has_value();
  }
  for (const auto& [pointer, pattern] : m.body) {
    const JsonValue* value =
        cache.body_ok ? rapidjson::Pointer(pointer.c_str(), pointer.size()).Get(*cache.body) : nullptr;
    const auto text = value ? std::optional<std::string>(json_to_text(*value)) : std::nullopt;
    walk.clause(kDetail, text ? glob_distance(pattern, *text) : 1, "body", pointer, pattern, text);
  }
}

}  // namespace

std::string describe_when(const RuleWhen& when) {
  std::string out;
  const auto add = [&out](std::string piece) { out += (out.empty() ? "" : ", ") + piece; };
  if (!when.calls.empty()) {
    std::string calls;
    for (const auto& [first, last] : when.calls) {
      calls += (calls.empty() ? "" : ", ") + std::to_string(first);
      if (last != first) calls += "-" + std::to_string(last);
    }
    add("calls " + calls);
  }
  if (when.times) add("times " + std::to_string(*when.times));
  if (when.every) add("every " + std::to_string(*when.every));
  if (when.after) add("after " + std::to_string(*when.after));
  if (when.probability) {
    JsonWriter w;
    w.number(*when.probability);
    add("probability " + w.take());
  }
  return out;
}

RuleNearMiss explain_rule(const Scenario& scenario, std::size_t index, const Call& call, MatchCache& cache) {
  const Rule& rule = scenario.rules[index];
  RuleNearMiss out;
  out.scenario = scenario.name;
  out.rule = rule.label;
  out.phase = rule.phase;
  Walk walk(out, json_pointer(json_pointer("/rules", index), "match"));
  score_selectors(rule.match, call, walk);
  score_details(rule.match, call, cache, walk, out);
  out.distance = walk.distance();
  if (out.clause.empty() && out.note.empty()) {
    const std::string when = describe_when(rule.when);
    const std::string counts = "it has matched " + std::to_string(rule.matched) + " calls and fired " +
                               std::to_string(rule.fired) + " times";
    out.note = when.empty() ? "every clause holds for this request now: the rule was loaded or changed after it (" +
                                  counts + ")"
                            : "every clause holds; its when (" + when + ") did not pick this call (" + counts + ")";
  }
  return out;
}

}  // namespace agentemu
