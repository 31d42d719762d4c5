// A regular-expression matcher for the patterns of vendors' service models (Smithy's @pattern
// trait, which is ECMAScript syntax). It is linear in the input whatever the pattern or the input:
// a pattern is compiled once into a Thompson NFA and run as a Pike VM over code points, so it never
// backtracks and hostile input cannot make it slow (std::regex can take exponential time).
//
// The syntax is exactly what the models use: literals and escapes, '.', classes [...] with ranges
// and negation, \d \D \w \W \s \S, \t \n \v \f \r \0 \xHH \uXXXX, groups (...) and (?:...),
// alternation, the quantifiers * + ? {n} {n,} {n,m} (their lazy forms match the same strings), and
// ^ and $ (no multiline). A '{' that does not open a quantifier and a lone ']' or '}' are literals,
// as ECMAScript's Annex B says. Anything else (backreferences, lookarounds, \b, flags) is a
// compile error, so a model that starts using it fails loudly instead of matching wrongly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentemu {

class Regex {
 public:
  // nullopt, with the reason in `error`, when the pattern uses syntax outside the subset or
  // expands to more than kMaxProgram instructions.
  static std::optional<Regex> compile(std::string_view pattern, std::string* error = nullptr);

  // ECMAScript's RegExp.prototype.test: a match anywhere in `text`; ^ and $ anchor it. Text is
  // read as UTF-8 (an invalid byte is one U+FFFD), so {1,40} counts characters.
  bool search(std::string_view text) const;

  std::size_t program_size() const { return program_.size(); }
  // search() counts code points instead of running the NFA: the pattern is one set repeated
  // between ^ and $ (see Run). Tests check which patterns take that path.
  bool counts_a_run() const { return run_.has_value(); }

  static constexpr std::size_t kMaxProgram = 200'000;

 private:
  enum class Op : std::uint8_t { ch, set, any, split, jmp, bol, eol, match };
  struct Inst {
    Op op;
    std::uint32_t a = 0;  // ch: the code point; set: its index; split, jmp: the target
    std::uint32_t b = 0;  // split: the second target
  };
  struct Set {
    std::array<std::uint64_t, 2> ascii{};            // members below 128, as a bitmap
    std::vector<std::pair<char32_t, char32_t>> wide;  // members from 128 up, sorted ranges
    bool contains(char32_t c) const;
  };
  class Compiler;
  // "^[class]{m,n}$" and its kin (+, *, ?): one set repeated between the anchors, the shape of
  // most model patterns. Matched by counting code points, which is what the NFA concludes.
  struct Run {
    std::uint32_t set;
    int min, max;  // max -1: unbounded
  };
  bool search_run(const Run& run, std::string_view text) const;

  // The threads waiting at `pc` and everything they reach without reading a character.
  bool add_thread(std::vector<std::uint32_t>& list, std::uint32_t pc, std::size_t pos, std::size_t end) const;

  std::vector<Inst> program_;
  std::vector<Set> sets_;
  bool anchored_ = false;  // every match starts at position 0 (each alternative begins with ^)
  std::optional<Run> run_;
};

}  // namespace agentemu
