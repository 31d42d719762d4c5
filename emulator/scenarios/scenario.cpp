#include "scenarios/scenario.hpp"

#include <rapidjson/pointer.h>

#include <cmath>
#include <initializer_list>

#include "core/call.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"
#include "scenarios/callback_rules.hpp"

namespace agentemu {
namespace {

// Reads one scenario document with the reader every document uses (core/document.hpp); the
// first problem is kept with its JSON pointer.
class Reader : public DocumentReader {
 public:
  explicit Reader(const VendorRegistry& vendors) : vendors_(vendors) {}

  bool glob(const JsonValue& v, const std::string& at, std::string& out) {
    if (!string(v, at, out)) return false;
    if (!glob_valid(out)) return fail(at, "bad glob " + excerpt(out) + ": a '[' class is not closed");
    return true;
  }

  bool glob_map(const JsonValue& v, const std::string& at, std::vector<std::pair<std::string, std::string>>& out,
                bool pointers) {
    if (!v.IsObject()) return fail(at, std::string("must be an object of globs, not ") + json_type_name(v));
    for (const auto& m : v.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      const std::string here = json_pointer(at, key);
      if (pointers && !key.empty() && key.front() != '/') {
        return fail(here, "a body key is a JSON pointer such as /clientToken");
      }
      if (pointers && !rapidjson::Pointer(key.c_str(), key.size()).IsValid()) {
        return fail(here, "not a valid JSON pointer");
      }
      std::string pattern;
      if (!glob(m.value, here, pattern)) return false;
      out.emplace_back(std::move(key), std::move(pattern));
    }
    return true;
  }

  bool match(const JsonValue& v, const std::string& at, RuleMatch& out) {
    if (!object(v, at, {"vendor", "operation", "method", "path", "query", "headers", "params", "body", "callback"})) {
      return false;
    }
    if (const JsonValue* vendor = json_member(v, "vendor")) {
      std::string name;
      if (!string(*vendor, json_pointer(at, "vendor"), name)) return false;
      out.vendor = vendors_.find(name);
      if (out.vendor == nullptr) {
        std::string known;
        for (std::string_view n : vendors_.names()) known += (known.empty() ? "" : ", ") + std::string(n);
        return fail(json_pointer(at, "vendor"), "unknown vendor " + excerpt(name) + " (expected one of " + known + ")");
      }
    }
    if (const JsonValue* operation = json_member(v, "operation")) {
      if (!string(*operation, json_pointer(at, "operation"), out.operation_name)) return false;
      if (!resolve_operation(out, json_pointer(at, "operation"))) return false;
    }
    if (const JsonValue* method = json_member(v, "method")) {
      if (!string(*method, json_pointer(at, "method"), out.method)) return false;
      for (char& c : out.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (out.method.empty() || out.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
        return fail(json_pointer(at, "method"), "must be an HTTP method such as POST");
      }
    }
    if (const JsonValue* path = json_member(v, "path")) {
      out.path.emplace();
      if (!glob(*path, json_pointer(at, "path"), *out.path)) return false;
    }
    if (const JsonValue* q = json_member(v, "query"); q && !glob_map(*q, json_pointer(at, "query"), out.query, false)) {
      return false;
    }
    if (const JsonValue* h = json_member(v, "headers"); h && !glob_map(*h, json_pointer(at, "headers"), out.headers, false)) {
      return false;
    }
    if (const JsonValue* p = json_member(v, "params"); p && !glob_map(*p, json_pointer(at, "params"), out.params, false)) {
      return false;
    }
    for (const auto& [name, pattern] : out.params) {
      if (!known_param(out, name)) {
        const std::string here = json_pointer(json_pointer(at, "params"), name);
        if (out.vendor != nullptr) {
          return fail(here, "vendor " + std::string(out.vendor->name()) + " has no parameter " + excerpt(name));
        }
        return fail(here, "no vendor has a parameter " + excerpt(name));
      }
    }
    if (const JsonValue* b = json_member(v, "body"); b && !glob_map(*b, json_pointer(at, "body"), out.body, true)) {
      return false;
    }
    if (const JsonValue* c = json_member(v, "callback")) {
      out.callback.emplace();
      if (!glob(*c, json_pointer(at, "callback"), *out.callback)) return false;
    }
    return true;
  }

  // A "params" name must be one the rule's vendor (or, without one, some vendor) can answer.
  bool known_param(const RuleMatch& match, std::string_view name) const {
    if (match.vendor != nullptr) return match.vendor->knows_param(name);
    for (const auto& vendor : vendors_.vendors()) {
      if (vendor->knows_param(name)) return true;
    }
    return false;
  }

  bool resolve_operation(RuleMatch& out, const std::string& at) {
    const auto index_in = [&](const Vendor& vendor) {
      const auto names = vendor.operation_names();
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == out.operation_name) return static_cast<int>(i);
      }
      return -1;
    };
    if (out.vendor != nullptr) {
      out.operation = index_in(*out.vendor);
      if (out.operation < 0) {
        return fail(at, "vendor " + std::string(out.vendor->name()) + " has no operation " + excerpt(out.operation_name));
      }
      return true;
    }
    for (const auto& vendor : vendors_.vendors()) {
      if (index_in(*vendor) >= 0) return true;
    }
    return fail(at, "no vendor has an operation " + excerpt(out.operation_name));
  }

  bool when(const JsonValue& v, const std::string& at, RuleWhen& out) {
    if (!object(v, at, {"calls", "times", "every", "after", "probability"})) return false;
    if (const JsonValue* calls = json_member(v, "calls")) {
      const std::string here = json_pointer(at, "calls");
      if (calls->IsString()) {
        const std::string_view text(calls->GetString(), calls->GetStringLength());
        const auto dash = text.find('-');
        const auto first = parse_int64(text.substr(0, dash));
        const auto last = dash == std::string_view::npos ? first : parse_int64(text.substr(dash + 1));
        if (!first || !last || *first < 1 || *last < *first) {
          return fail(here, "must be a call number or range such as \"2-3\" (counting from 1)");
        }
        out.calls.emplace_back(*first, *last);
      } else if (calls->IsArray() && !calls->Empty()) {
        for (rapidjson::SizeType i = 0; i < calls->Size(); ++i) {
          std::int64_t n = 0;
          if (!integer((*calls)[i], json_pointer(here, i), 1, INT64_MAX, n)) return false;
          out.calls.emplace_back(n, n);
        }
      } else {
        return fail(here, "must be a range such as \"2-3\" or a list of call numbers such as [1, 4]");
      }
    }
    std::int64_t n = 0;
    if (const JsonValue* times = json_member(v, "times")) {
      if (!integer(*times, json_pointer(at, "times"), 1, INT64_MAX, n)) return false;
      out.times = n;
    }
    if (const JsonValue* every = json_member(v, "every")) {
      if (!integer(*every, json_pointer(at, "every"), 1, INT64_MAX, n)) return false;
      out.every = n;
    }
    if (const JsonValue* after = json_member(v, "after")) {
      if (!integer(*after, json_pointer(at, "after"), 0, INT64_MAX, n)) return false;
      out.after = n;
    }
    if (const JsonValue* p = json_member(v, "probability")) {
      if (!p->IsNumber() || p->GetDouble() < 0.0 || p->GetDouble() > 1.0 || std::isnan(p->GetDouble())) {
        return fail(json_pointer(at, "probability"), "must be a number between 0 and 1");
      }
      out.probability = p->GetDouble();
    }
    return true;
  }

  bool respond(const JsonValue& v, const std::string& at, const RuleMatch& match, FaultPlan& out) {
    if (v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == "pass") {
      out.kind = FaultPlan::Kind::pass;
      return true;
    }
    if (!v.IsObject()) return fail(at, "must be \"pass\" or an object with error, status or fault");
    if (json_member(v, "error") != nullptr) return vendor_error(v, at, match, out);
    if (json_member(v, "fault") != nullptr) return network(v, at, out);
    if (json_member(v, "status") != nullptr) return raw(v, at, out);
    return fail(at, "needs one of error (a vendor error id), status (a raw answer) or fault (a network fault)");
  }

  bool vendor_error(const JsonValue& v, const std::string& at, const RuleMatch& match, FaultPlan& out) {
    if (!object(v, at, {"error", "message", "status", "retryAfter"})) return false;
    out.kind = FaultPlan::Kind::vendor_error;
    const JsonValue& id = v["error"];
    const std::string here = json_pointer(at, "error");
    if (id.IsString()) {
      out.error_id.assign(id.GetString(), id.GetStringLength());
    } else if (id.IsUint64()) {
      out.error_id = std::to_string(id.GetUint64());  // ZEGO codes are numbers
    } else {
      return fail(here, "must be a vendor error id (a string, or a ZEGO code number)");
    }
    if (match.vendor == nullptr) {
      return fail(here, "a vendor error needs match.vendor: each vendor names and renders its errors its own way");
    }
    if (!match.vendor->knows_error(out.error_id)) {
      return fail(here, "vendor " + std::string(match.vendor->name()) + " has no error " + excerpt(out.error_id));
    }
    if (const JsonValue* m = json_member(v, "message"); m && !string(*m, json_pointer(at, "message"), out.message)) {
      return false;
    }
    std::int64_t n = 0;
    if (const JsonValue* s = json_member(v, "status")) {
      if (!integer(*s, json_pointer(at, "status"), 200, 599, n)) return false;  // a 1xx is interim: the client would wait on
      out.status = static_cast<int>(n);
    }
    if (const JsonValue* r = json_member(v, "retryAfter")) {
      if (!integer(*r, json_pointer(at, "retryAfter"), 0, 86400, n)) return false;
      out.retry_after_seconds = static_cast<int>(n);
    }
    return true;
  }

  bool network(const JsonValue& v, const std::string& at, FaultPlan& out) {
    if (!object(v, at, {"fault"})) return false;
    std::string name;
    if (!string(v["fault"], json_pointer(at, "fault"), name)) return false;
    out.kind = FaultPlan::Kind::network;
    if (name == "connection_reset") {
      out.network = NetworkFault::connection_reset;
    } else if (name == "empty_response") {
      out.network = NetworkFault::empty_response;
    } else if (name == "malformed_response") {
      out.network = NetworkFault::malformed_response;
    } else if (name == "random_then_close") {
      out.network = NetworkFault::random_then_close;
    } else if (name == "hang") {
      out.network = NetworkFault::hang;
    } else {
      return fail(json_pointer(at, "fault"),
                  "unknown fault " + excerpt(name) +
                      " (expected connection_reset, empty_response, malformed_response, random_then_close or hang)");
    }
    return true;
  }

  bool raw(const JsonValue& v, const std::string& at, FaultPlan& out) {
    if (!object(v, at, {"status", "headers", "body"})) return false;
    out.kind = FaultPlan::Kind::raw;
    std::int64_t status = 0;
    if (!integer(v["status"], json_pointer(at, "status"), 200, 599, status)) return false;
    out.status = static_cast<int>(status);
    if (const JsonValue* headers = json_member(v, "headers")) {
      const std::string here = json_pointer(at, "headers");
      if (!headers->IsObject()) return fail(here, "must be an object of header names to strings");
      for (const auto& m : headers->GetObject()) {
        const std::string name(m.name.GetString(), m.name.GetStringLength());
        std::string value;
        if (!string(m.value, json_pointer(here, name), value)) return false;
        if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection")) {
          return fail(json_pointer(here, name), "is managed by the server and cannot be scripted");
        }
        const bool token = !name.empty() && name.find_first_of(" :\r\n\t") == std::string::npos;
        if (!token || value.find_first_of("\r\n") != std::string::npos) {
          return fail(json_pointer(here, name), "is not a valid header");
        }
        if (iequals(name, "content-type")) {
          out.content_type = value;
        } else {
          out.headers.emplace_back(name, value);
        }
      }
    }
    if (const JsonValue* body = json_member(v, "body")) {
      if (body->IsString()) {
        out.body.assign(body->GetString(), body->GetStringLength());
        if (out.content_type.empty()) out.content_type = "text/plain; charset=utf-8";
      } else {
        JsonWriter w;
        w.value(*body);
        out.body = w.take();
        if (out.content_type.empty()) out.content_type = std::string(kJson);
      }
    }
    return true;
  }

  bool rule(const JsonValue& v, const std::string& at, std::size_t index, Rule& out) {
    if (!object(v, at, {"name", "description", "match", "when", "phase", "delayMs", "jitterMs", "respond", "sequence"})) {
      return false;
    }
    out.label = "rules/" + std::to_string(index);
    if (const JsonValue* name = json_member(v, "name"); name && !string(*name, json_pointer(at, "name"), out.label)) {
      return false;
    }
    if (const JsonValue* d = json_member(v, "description"); d && !d->IsString()) {
      return fail(json_pointer(at, "description"), "must be a string");
    }
    if (const JsonValue* m = json_member(v, "match"); m && !match(*m, json_pointer(at, "match"), out.match)) return false;
    if (const JsonValue* w = json_member(v, "when"); w && !when(*w, json_pointer(at, "when"), out.when)) return false;
    if (const JsonValue* phase = json_member(v, "phase")) {
      std::string text;
      if (!string(*phase, json_pointer(at, "phase"), text)) return false;
      if (text == "before") {
        out.phase = Phase::before;
      } else if (text == "after") {
        out.phase = Phase::after;
      } else {
        return fail(json_pointer(at, "phase"), "must be \"before\" or \"after\"");
      }
    }
    if (const JsonValue* d = json_member(v, "delayMs"); d && !integer(*d, json_pointer(at, "delayMs"), 0, 600'000, out.delay_ms)) {
      return false;
    }
    if (const JsonValue* j = json_member(v, "jitterMs"); j && !integer(*j, json_pointer(at, "jitterMs"), 0, 600'000, out.jitter_ms)) {
      return false;
    }
    if (out.match.callback) {  // its own responses: scenarios/callback_rules.cpp
      if (auto issue = read_callback_rule(v, at, out)) return fail(issue->pointer, issue->message);
      return true;
    }
    const JsonValue* single = json_member(v, "respond");
    const JsonValue* sequence = json_member(v, "sequence");
    if ((single == nullptr) == (sequence == nullptr)) {
      return fail(at, "a rule needs exactly one of respond or sequence");
    }
    if (single != nullptr) {
      out.steps.emplace_back();
      return respond(*single, json_pointer(at, "respond"), out.match, out.steps.back());
    }
    const std::string here = json_pointer(at, "sequence");
    if (!sequence->IsArray() || sequence->Empty()) return fail(here, "must be a non-empty array of responses");
    for (rapidjson::SizeType i = 0; i < sequence->Size(); ++i) {
      out.steps.emplace_back();
      if (!respond((*sequence)[i], json_pointer(here, i), out.match, out.steps.back())) return false;
    }
    return true;
  }

 private:
  const VendorRegistry& vendors_;
};

std::unique_ptr<Scenario> read_scenario(Reader& reader, const JsonValue& doc, std::string source,
                                        std::optional<std::string> name_override, std::string_view default_name) {
  if (!reader.object(doc, "", {"name", "description", "seed", "rules"})) return nullptr;
  auto scenario = std::make_unique<Scenario>();
  scenario->source = std::move(source);
  if (const JsonValue* name = json_member(doc, "name"); name && !reader.string(*name, "/name", scenario->name)) {
    return nullptr;
  }
  if (name_override) scenario->name = *name_override;
  if (scenario->name.empty() && !default_name.empty()) scenario->name = std::string(default_name);
  if (scenario->name.empty() || scenario->name.find('/') != std::string::npos) {
    reader.fail("/name", "a scenario needs a name: one non-empty word without '/'");
    return nullptr;
  }
  if (const JsonValue* d = json_member(doc, "description"); d && !d->IsString()) {
    reader.fail("/description", "must be a string");
    return nullptr;
  }
  if (const JsonValue* seed = json_member(doc, "seed")) {
    if (!seed->IsUint64()) {
      reader.fail("/seed", "must be a whole number >= 0");
      return nullptr;
    }
    scenario->seed = seed->GetUint64();
  }
  const JsonValue* rules = json_member(doc, "rules");
  if (rules == nullptr || !rules->IsArray()) {
    reader.fail("/rules", "a scenario needs a rules array");
    return nullptr;
  }
  for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
    scenario->rules.emplace_back();
    if (!reader.rule((*rules)[i], json_pointer("/rules", i), i, scenario->rules.back())) return nullptr;
  }
  scenario->reset_counters();
  return scenario;
}


}  // namespace

bool RuleMatch::matches(const Call& call, MatchCache& decoded) const {
  if (vendor != nullptr && call.vendor != vendor) return false;
  if (vendor != nullptr && operation >= 0 && call.operation != operation) return false;
  if (vendor == nullptr && !operation_name.empty()) {
    if (call.vendor == nullptr || call.operation < 0) return false;
    if (call.vendor->operation_names()[static_cast<std::size_t>(call.operation)] != operation_name) return false;
  }
  if (!method.empty() && !iequals(call.request.method, method)) return false;
  if (path && !glob_match(*path, call.request.path)) return false;
  for (const auto& [name, pattern] : headers) {
    if (!call.request.has_header(name) || !glob_match(pattern, call.request.header(name))) return false;
  }
  if (!query.empty()) {
    if (!decoded.query_done) {
      decoded.query = parse_query(call.request.query, PlusIs::literal);
      decoded.query_done = true;
    }
    if (!decoded.query) return false;
    for (const auto& [name, pattern] : query) {
      const QueryParam* p = find_param(*decoded.query, name);
      if (p == nullptr || !glob_match(pattern, p->value)) return false;
    }
  }
  for (const auto& [name, pattern] : params) {
    if (call.vendor == nullptr) return false;
    const auto value = call.vendor->param(call, name);
    if (!value || !glob_match(pattern, *value)) return false;
  }
  if (!body.empty()) {
    if (!decoded.body) {
      decoded.body = std::make_unique<JsonDocument>();
      decoded.body_ok = !parse_json(call.request.body, *decoded.body).has_value();
    }
    if (!decoded.body_ok) return false;
    for (const auto& [pointer, pattern] : body) {
      const JsonValue* value = rapidjson::Pointer(pointer.c_str(), pointer.size()).Get(*decoded.body);
      if (value == nullptr || !glob_match(pattern, json_to_text(*value))) return false;
    }
  }
  return true;
}

void Scenario::reset_counters() {
  random.seed(seed);
  for (Rule& rule : rules) {
    rule.matched = 0;
    rule.fired = 0;
    rule.next_step = 0;
  }
}

std::unique_ptr<Scenario> parse_scenario(std::string_view text, const VendorRegistry& vendors, std::string source,
                                         std::optional<std::string> name_override, ScenarioError& error,
                                         std::string_view default_name) {
  JsonDocument doc;
  if (auto syntax = parse_document(text, doc)) {
    error = std::move(*syntax);
    return nullptr;
  }
  Reader reader(vendors);
  auto scenario = read_scenario(reader, doc, std::move(source), std::move(name_override), default_name);
  if (!scenario) error = *reader.take_issue();
  return scenario;
}

}  // namespace agentemu
