#include "core/admin/diagnosis.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/distance.hpp"
#include "core/faults.hpp"
#include "core/journal.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace agentemu::admin {

// One operation of the describe data (core/describe.hpp), split for comparing.
struct KnownOperation {
  std::string vendor;
  std::string name;
  std::string method;  // "POST", or "GET|POST"
  std::string route;
  bool emulated = true;
  std::vector<std::string> segments;  // the route's path; "{agentId}" stands for any one segment
  std::string selector_key;           // "/?Action=StopAIAgentInstance": Action ...
  std::string selector_value;         // ... = StopAIAgentInstance
};

struct OperationCatalogue {
  std::vector<KnownOperation> operations;
};

namespace {

constexpr double kRouteWeight = 10;  // the path, and a selector such as Action=: what picks the operation
constexpr double kMethodWeight = 3;

std::vector<std::string_view> path_segments(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return {};
  return split(path, '/');
}

bool is_placeholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string text_of(const JsonValue& object, std::string_view name) {
  const JsonValue* v = json_member(object, name);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

OperationCatalogue build_catalogue(const VendorRegistry& vendors) {
  OperationCatalogue out;
  for (const auto& vendor : vendors.vendors()) {
    JsonWriter w;
    w.begin_array();
    vendor->describe_operations(w);
    w.end_array();
    JsonDocument doc;
    if (parse_json(w.take(), doc) || !doc.IsArray()) continue;
    for (const JsonValue& row : doc.GetArray()) {
      KnownOperation op;
      op.vendor = text_of(row, "vendor");
      op.name = text_of(row, "operation");
      op.method = text_of(row, "method");
      op.route = text_of(row, "route");
      const JsonValue* emulated = json_member(row, "emulated");
      op.emulated = emulated == nullptr || !emulated->IsBool() || emulated->GetBool();
      const std::string_view route = op.route;
      const auto question = route.find('?');
      for (std::string_view s : path_segments(route.substr(0, question))) op.segments.emplace_back(s);
      if (question != std::string_view::npos) {
        const std::string_view selector = route.substr(question + 1);
        const auto eq = selector.find('=');
        op.selector_key.assign(selector.substr(0, eq));
        if (eq != std::string_view::npos) op.selector_value.assign(selector.substr(eq + 1));
      }
      out.operations.push_back(std::move(op));
    }
  }
  return out;
}

const OperationCatalogue& catalogue(Context& admin) {
  std::lock_guard lock(admin.catalogue_mutex);
  if (!admin.catalogue) admin.catalogue = std::make_shared<const OperationCatalogue>(build_catalogue(admin.vendors));
  return *admin.catalogue;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The request's parts that pick an operation.
struct Seen {
  std::string_view method;
  std::string_view path;
  std::vector<std::string_view> segments;
  std::vector<QueryParam> params;  // query, then a form body's

  const QueryParam* param(std::string_view name) const { return find_param(params, name); }
};

Seen seen_of(const JournalEntry& e) {
  Seen seen{e.method, e.path, path_segments(e.path), {}};
  if (auto query = parse_query(e.query, PlusIs::space)) seen.params = std::move(*query);
  for (const auto& [name, value] : e.headers) {
    if (!iequals(name, "content-type") || !istarts_with(trim(value), "application/x-www-form-urlencoded")) continue;
    if (auto form = parse_query(e.body, PlusIs::space)) seen.params.insert(seen.params.end(), form->begin(), form->end());
  }
  return seen;
}

struct Scored {
  const KnownOperation* op = nullptr;
  double distance = 0;
  std::vector<std::string> differences;
};

double score_path(const KnownOperation& op, const Seen& seen, std::vector<std::string>& differences) {
  const std::size_t n = std::max(op.segments.size(), seen.segments.size());
  if (n == 0) return 0;
  double sum = 0;
  std::string what;  // every segment that differs
  const auto add = [&what](const std::string& difference) { what += (what.empty() ? "" : "; ") + difference; };
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= op.segments.size() || i >= seen.segments.size()) {
      sum += 1;
      continue;
    }
    const std::string_view want = op.segments[i];
    const std::string_view got = seen.segments[i];
    const double d = is_placeholder(want) ? (got.empty() ? 1 : 0) : text_distance(want, got);
    sum += d;
    if (d > 0) add("segment " + std::to_string(i + 1) + " is " + quoted(got) + ", the route has " + quoted(want));
  }
  if (sum > 0) {
    if (seen.segments.size() != op.segments.size()) {
      add("the path has " + std::to_string(seen.segments.size()) + " segments, the route " +
          std::to_string(op.segments.size()));
    }
    const std::string_view route_path = std::string_view(op.route).substr(0, op.route.find('?'));
    differences.push_back("path " + quoted(seen.path) + " is not " + quoted(route_path) + ": " + what);
  }
  return sum / static_cast<double>(n);
}

Scored score(const KnownOperation& op, const Seen& seen) {
  Scored s{&op, 0, {}};
  double weighted = 0;
  double weights = kMethodWeight + kRouteWeight;
  bool method_ok = false;
  for (std::string_view m : split(op.method, '|')) method_ok = method_ok || iequals(m, seen.method);
  if (!method_ok) {
    weighted += kMethodWeight;
    s.differences.push_back("method " + std::string(seen.method) + ", the operation takes " + op.method);
  }
  weighted += kRouteWeight * score_path(op, seen, s.differences);
  if (!op.selector_key.empty()) {
    weights += kRouteWeight;
    const QueryParam* p = seen.param(op.selector_key);
    if (p == nullptr) {
      weighted += kRouteWeight;
      s.differences.push_back("no " + op.selector_key + " (this operation is " + op.selector_key + "=" +
                              op.selector_value + ")");
    } else if (p->value != op.selector_value) {
      weighted += kRouteWeight * text_distance(op.selector_value, p->value);
      s.differences.push_back(op.selector_key + " is " + quoted(p->value) + ", this operation's is " +
                              quoted(op.selector_value));
    }
  }
  s.distance = weighted / weights;
  return s;
}

// Nothing differs, yet the vendor did not claim it: what marks a request as the vendor's.
std::string claim_hint(const Context& admin, const KnownOperation& op) {
  std::string hint = "the request fits this operation, but nothing in it marked it as " + op.vendor +
                     "'s: at \"/\" each vendor is told apart by its own query parameters or headers (README, "
                     "\"Routing on the one port\")";
  if (const Vendor* vendor = admin.vendors.find(op.vendor)) {
    const auto routes = vendor->routes();
    if (!routes.host_globs.empty()) hint += ", or by a Host header such as " + std::string(routes.host_globs.front());
  }
  return hint;
}

std::vector<Scored> nearest_operations(Context& admin, const JournalEntry& e, std::string_view only_vendor) {
  const Seen seen = seen_of(e);
  std::vector<Scored> all;
  for (const KnownOperation& op : catalogue(admin).operations) {
    if (!only_vendor.empty() && op.vendor != only_vendor) continue;
    all.push_back(score(op, seen));
  }
  std::stable_sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) { return a.distance < b.distance; });
  if (all.size() > kNearMissCount) all.resize(kNearMissCount);
  for (Scored& s : all) {
    if (s.differences.empty() && only_vendor.empty()) s.differences.push_back(claim_hint(admin, *s.op));
  }
  return all;
}

double rounded(double d) { return std::round(d * 1000.0) / 1000.0; }

void write_operations(JsonWriter& w, const std::vector<Scored>& nearest) {
  w.key("nearestOperations").begin_array();
  for (const Scored& s : nearest) {
    w.begin_object()
        .field("vendor", s.op->vendor)
        .field("operation", s.op->name)
        .field("method", s.op->method)
        .field("route", s.op->route)
        .field_bool("emulated", s.op->emulated)
        .field_number("distance", rounded(s.distance));
    w.key("differences").begin_array();
    for (const std::string& d : s.differences) w.string(d);
    w.end_array().end_object();
  }
  w.end_array();
}

std::string nearest_summary(const std::vector<Scored>& nearest) {
  if (nearest.empty()) return "";
  const Scored& s = nearest.front();
  std::string out = "; the nearest operation is " + s.op->vendor + " " + s.op->name + " (" + s.op->method + " " +
                    s.op->route + ")";
  if (!s.differences.empty()) out += ": " + s.differences.front();
  return out;
}

// The request as the vendor saw it, rebuilt from the journal so the rules' clauses can be scored.
// A request the vendor accepted is decoded and validated again (neither changes state), so rules
// can ask for its parameters; authentication is never run twice (nonces, rate limits).
class Replay {
 public:
  Replay(Context& admin, const JournalEntry& e) {
    const auto& vendors = admin.vendors.vendors();
    for (std::size_t i = 0; i < vendors.size(); ++i) {
      if (vendors[i]->name() == e.vendor) {
        call.vendor = vendors[i].get();
        call.vendor_index = i;
      }
    }
    Request& r = call.request;
    r.method = e.method;
    r.target = e.path;
    r.path = e.path;
    r.query = e.query;
    r.body = e.body;
    for (const auto& [name, value] : e.headers) r.headers.push_back({name, value});
    call.now = e.time;
    call.started = std::chrono::steady_clock::now();
    if (call.vendor == nullptr) return;
    const auto names = call.vendor->operation_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == e.operation) call.operation = static_cast<int>(i);
    }
    if (e.accepted && e.body.size() == e.body_size) {
      if (!(call.vendor->decode(call) && call.vendor->validate(call))) call.state.reset();
    }
    call.response.clear();
  }

  Call call;
};

void write_near_miss(JsonWriter& w, const RuleNearMiss& miss) {
  w.begin_object()
      .field("scenario", miss.scenario)
      .field("rule", miss.rule)
      .field("phase", miss.phase == Phase::before ? "before" : "after")
      .field_number("distance", rounded(miss.distance));
  if (miss.clause.empty()) {
    w.field_null("clause");
  } else {
    w.field("clause", miss.clause);
    if (!miss.key.empty()) w.field("key", miss.key);
    w.field("pointer", miss.pointer).field("expected", miss.expected);
    miss.actual ? w.field("actual", *miss.actual) : w.field_null("actual");
  }
  if (!miss.note.empty()) w.field("note", miss.note);
  w.end_object();
}

std::string near_miss_summary(const RuleNearMiss& miss) {
  std::string rule = "rule " + quoted(miss.rule) + " of scenario " + quoted(miss.scenario);
  if (miss.clause.empty()) return rule + " matches, but " + miss.note;
  std::string where = miss.clause + (miss.key.empty() ? "" : " " + miss.key);
  return "no scenario rule matched; the nearest, " + rule + ", fails at " + where + ": it wants " +
         quoted(miss.expected) + ", the request has " + (miss.actual ? quoted(*miss.actual) : "none");
}

void write_rules(Context& admin, const JournalEntry& e, JsonWriter& w, std::string& summary) {
  if (!e.scenario.empty()) {
    w.key("rule").begin_object().field("scenario", e.scenario).field("rule", e.rule).end_object();
    summary = "rule " + quoted(e.rule) + " of scenario " + quoted(e.scenario) + " answered";
  }
  std::vector<RuleNearMiss> misses;
  if (admin.scenarios != nullptr) {
    const Replay replay(admin, e);
    misses = admin.scenarios->near_misses(replay.call, kNearMissCount);
  }
  w.key("nearMisses").begin_array();
  for (const RuleNearMiss& miss : misses) write_near_miss(w, miss);
  w.end_array();
  if (!summary.empty()) return;
  const std::string answered = e.vendor + " " + e.operation + " answered " + std::to_string(e.status) +
                               (e.error_code.empty() ? "" : " (" + e.error_code + ")");
  if (!e.accepted) {
    summary = answered + " before any scenario rule was tried: rules see only requests that decode, "
                         "authenticate and validate";
  } else if (misses.empty()) {
    summary = answered + "; no scenario rule is loaded for " + e.vendor;
  } else {
    summary = answered + "; " + near_miss_summary(misses.front());
  }
}

bool is_transport_error(const JournalEntry& e) { return e.vendor == kNoVendor && e.error_code != "not_found"; }

}  // namespace

void write_diagnosis(Context& admin, const JournalEntry& e, JsonWriter& w) {
  w.begin_object();
  std::string summary;
  const bool claimed = e.vendor != kNoVendor;
  w.field_bool("claimed", claimed);
  const std::string request = std::string(e.method) + " " + e.path;
  if (is_transport_error(e)) {
    summary = "the request could not be read (" + e.error_code + "), so no vendor saw it";
  } else if (!claimed || e.operation.empty()) {
    const auto nearest = nearest_operations(admin, e, claimed ? std::string_view(e.vendor) : std::string_view());
    write_operations(w, nearest);
    summary = (claimed ? e.vendor + " found no operation in " : "no vendor claimed ") + request +
              nearest_summary(nearest);
  } else {
    write_rules(admin, e, w, summary);
  }
  if (!e.diagnostic.empty()) summary += ". The vendor's answer: " + e.diagnostic;
  w.field("summary", summary);
  w.end_object();
}

}  // namespace agentemu::admin
