// Target 8: the matchers written by hand for speed against reference semantics, with std::regex
// as the reference for every pattern:
// - globs (scenario match clauses) against a plain dynamic-programming matcher of the documented
//   language;
// - each vendor's hand-written Pattern matcher against std::regex over its own Pattern::text, as
//   a whole-string match (texts with a space are descriptions, not regexes, and are skipped);
// - core/regex over every pattern of AgentCore's service models (the generated tables' matchers
//   are core/regex) against std::regex_search, the RegExp.prototype.test the models mean. Values
//   are ASCII here (each byte's top bit cleared): std::regex reads bytes where core/regex reads
//   code points, and the unit tests hold core/regex to UTF-8.
//
// Input: first byte 0xff: pattern text \0 value (regression inputs: independent of the tables'
// order); else even: glob \0 text; odd: (byte >> 1) picks a pattern, the rest is the value.
#include <algorithm>
#include <cstdio>
#include <regex>
#include <set>
#include <vector>

#include "core/regex.hpp"
#include "core/text.hpp"
#include "support/world.hpp"
#include "vendors/agentcore/model.hpp"
#include "vendors/ice/operations.hpp"
#include "vendors/rest/ids.hpp"
#include "vendors/rest/operations.hpp"
#include "vendors/zego/operations.hpp"

using namespace agentemu;

namespace {

// The documented glob language: '*' any run of bytes, '?' one byte, "[...]" one byte of a
// class ("[!...]" or "[^...]" negated; "a-z" a range of byte values, compared unsigned; a ']'
// first is a member; a '-' before the closing ']' is itself), anything else itself.
struct Class {
  std::size_t end = 0;  // the closing ']'
  bool negated = false;
  std::vector<std::pair<unsigned char, unsigned char>> ranges;

  bool contains(unsigned char c) const {
    bool hit = false;
    for (const auto& [lo, hi] : ranges) hit = hit || (c >= lo && c <= hi);
    return hit != negated;
  }
};

std::optional<Class> parse_class(std::string_view p, std::size_t i) {
  Class k;
  std::size_t j = i + 1;
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
    k.negated = true;
    ++j;
  }
  for (bool first = true;; first = false) {
    if (j >= p.size()) return std::nullopt;  // not closed
    if (p[j] == ']' && !first) break;
    const auto lo = static_cast<unsigned char>(p[j]);
    if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
      k.ranges.emplace_back(lo, static_cast<unsigned char>(p[j + 2]));
      j += 3;
    } else {
      k.ranges.emplace_back(lo, lo);
      ++j;
    }
  }
  k.end = j;
  return k;
}

bool reference_valid(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '[') continue;
    const auto k = parse_class(p, i);
    if (!k) return false;
    i = k->end;
  }
  return true;
}

// A valid glob as items: '*', '?', a class or a literal byte.
struct Item {
  char kind;  // '*', '?', '[' or 'c'
  char byte = 0;
  Class klass;
};

std::vector<Item> items(std::string_view p) {
  std::vector<Item> out;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '*' || p[i] == '?') {
      out.push_back({p[i]});
    } else if (p[i] == '[') {
      Class k = *parse_class(p, i);
      i = k.end;
      out.push_back({'[', 0, std::move(k)});
    } else {
      out.push_back({'c', p[i]});
    }
  }
  return out;
}

// matched[i][j]: items i.. match t[j..].
bool reference_glob(std::string_view p, std::string_view t) {
  const std::vector<Item> pattern = items(p);
  std::vector<std::vector<char>> matched(pattern.size() + 1, std::vector<char>(t.size() + 1, 0));
  matched[pattern.size()][t.size()] = 1;
  for (std::size_t i = pattern.size(); i-- > 0;) {
    const Item& item = pattern[i];
    for (std::size_t j = t.size() + 1; j-- > 0;) {
      const bool more = j < t.size();
      if (item.kind == '*') {
        matched[i][j] = matched[i + 1][j] || (more && matched[i][j + 1]);
      } else if (more) {
        const bool one = item.kind == '?' || (item.kind == '[' && item.klass.contains(static_cast<unsigned char>(t[j]))) ||
                         (item.kind == 'c' && item.byte == t[j]);
        matched[i][j] = one && matched[i + 1][j + 1];
      }
    }
  }
  return matched[0][0] != 0;
}

// The generated tables' shapes may be recursive (a structure whose list holds that structure):
// each list of specs is visited once.
void collect(std::set<const Pattern*>& out, std::span<const ParamSpec> specs, std::set<const ParamSpec*>& seen) {
  if (specs.empty() || !seen.insert(specs.data()).second) return;
  for (const ParamSpec& spec : specs) {
    if (spec.pattern != nullptr) out.insert(spec.pattern);
    collect(out, spec.members, seen);
    if (spec.items != nullptr) collect(out, std::span<const ParamSpec>(spec.items, 1), seen);
  }
}

void collect(std::set<const Pattern*>& out, std::span<const ParamSpec> specs) {
  std::set<const ParamSpec*> seen;
  collect(out, specs, seen);
}

// One matcher and its reference.
struct Checked {
  std::string_view text;
  const Pattern* pattern = nullptr;  // a vendor's matcher (or a generated one, which is core/regex)
  const Regex* model = nullptr;      // core/regex compiled from a model pattern no table names
  std::regex reference;
  bool model_semantics = false;  // RegExp.test over ASCII, not a whole-string match over bytes

  bool matches(std::string_view value) const { return pattern != nullptr ? pattern->matches(value) : model->search(value); }
};

// Every Pattern the vendors' tables use, and every pattern of AgentCore's models.
std::vector<Checked> patterns() {
  std::set<const Pattern*> found;
  for (const auto& op : agentcore::operations()) {
    for (const auto& member : op.members) collect(found, std::span<const ParamSpec>(&member.spec, 1));
  }
  for (const auto& op : ice::operations()) collect(found, op.params);
  for (const auto& op : zego::operations()) collect(found, op.body);
  for (const auto profile : {rest::Profile::docs, rest::Profile::eliza}) {
    for (int op = 0; op < rest::kEmulatedCount; ++op) {
      collect(found, rest::query_specs(profile, static_cast<rest::Op>(op)));
      collect(found, rest::body_specs(profile, static_cast<rest::Op>(op)));
    }
  }
  found.insert(&rest::kUuidPattern);  // the character schema's (vendors/rest/character.cpp)
  const auto model_texts = agentcore::pattern_texts();
  const auto is_model = [&](std::string_view text) {
    return std::find(model_texts.begin(), model_texts.end(), text) != model_texts.end();
  };
  std::vector<Checked> out;
  std::set<std::string_view> covered;
  for (const Pattern* p : found) {
    if (p->text.find(' ') != std::string_view::npos) continue;
    out.push_back({p->text, p, nullptr, std::regex(std::string(p->text), std::regex::ECMAScript), is_model(p->text)});
    covered.insert(p->text);
  }
  for (std::size_t i = 0; i < model_texts.size(); ++i) {
    if (covered.contains(model_texts[i])) continue;
    out.push_back({model_texts[i], nullptr, &agentcore::compiled_pattern(i),
                   std::regex(std::string(model_texts[i]), std::regex::ECMAScript), true});
  }
  std::stable_sort(out.begin(), out.end(), [](const Checked& a, const Checked& b) { return a.text < b.text; });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    const auto f = fuzz::fields(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size(), 2);
    if (f[0].size() > 64 || f[1].size() > 256) return 0;
    const bool valid = glob_valid(f[0]);
    if (valid != reference_valid(f[0])) __builtin_trap();
    if (valid && glob_match(f[0], f[1]) != reference_glob(f[0], f[1])) {
      std::fprintf(stderr, "glob \"%s\" on \"%s\": glob_match says %d\n", std::string(f[0]).c_str(),
                   std::string(f[1]).c_str(), glob_match(f[0], f[1]));
      __builtin_trap();
    }
    return 0;
  }
  static const auto all = patterns();
  if (all.empty()) return 0;
  std::size_t index = (data[0] >> 1) % all.size();
  if (data[0] == 0xff) {
    const auto f = fuzz::fields(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size(), 2);
    const auto named = std::find_if(all.begin(), all.end(), [&](const Checked& p) { return p.text == f[0]; });
    if (named == all.end()) return 0;
    index = static_cast<std::size_t>(named - all.begin());
    rest = f[1];
  }
  if (rest.size() > 128) return 0;
  const Checked& checked = all[index];
  std::string value(rest);
  if (checked.model_semantics) {
    for (char& c : value) c = static_cast<char>(c & 0x7f);
  }
  const bool expected = checked.model_semantics ? std::regex_search(value, checked.reference)
                                                : std::regex_match(value, checked.reference);
  if (checked.matches(value) != expected) {
    std::fprintf(stderr, "pattern %s: the matcher says %s for \"%s\"\n", std::string(checked.text).c_str(),
                 expected ? "no" : "yes", value.c_str());
    __builtin_trap();
  }
  return 0;
}
