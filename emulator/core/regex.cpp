#include "core/regex.hpp"

#include <algorithm>
#include <memory>

namespace agentemu {
namespace {

using Ranges = std::vector<std::pair<char32_t, char32_t>>;
constexpr char32_t kMaxCodePoint = 0x10FFFF;

// One code point of UTF-8 at text[i]; an invalid or truncated sequence is U+FFFD of one byte.
char32_t decode_utf8(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int extra = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<std::size_t>(extra) >= text.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = byte(i + static_cast<std::size_t>(k));
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp > kMaxCodePoint ? 0xFFFD : cp;
}

Ranges normalise(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& [lo, hi] : r) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

Ranges complement(const Ranges& sorted) {
  Ranges out;
  char32_t next = 0;
  for (const auto& [lo, hi] : sorted) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxCodePoint) out.emplace_back(next, kMaxCodePoint);
  return out;
}

const Ranges& digits() {
  static const Ranges r{{'0', '9'}};
  return r;
}
const Ranges& word() {
  static const Ranges r = normalise({{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}});
  return r;
}
// ECMAScript's WhiteSpace and LineTerminator.
const Ranges& space() {
  static const Ranges r = normalise({{'\t', '\r'}, {' ', ' '}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                                     {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
                                     {0xFEFF, 0xFEFF}});
  return r;
}

// The parsed pattern. Groups leave no node: capturing is irrelevant when only "does it match"
// is asked.
struct Node {
  enum class Kind { empty, ch, set, any, bol, eol, cat, alt, rep } kind = Kind::empty;
  char32_t c = 0;
  Ranges ranges;  // set
  int min = 0, max = 0;  // rep; max -1: unbounded
  std::vector<Node> kids;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<Node> parse(std::string& error) {
    Node n = alternation();
    if (failed_) {
      error = error_;
      return std::nullopt;
    }
    if (pos_ < text_.size()) {
      error = "unbalanced ')' at offset " + std::to_string(pos_);
      return std::nullopt;
    }
    return n;
  }

 private:
  bool done() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  char32_t next_code_point() { return decode_utf8(text_, pos_); }

  void fail(std::string message) {
    if (!failed_) error_ = std::move(message) + " at offset " + std::to_string(pos_);
    failed_ = true;
  }

  Node alternation() {
    Node first = sequence();
    if (peek() != '|' || done()) return first;
    Node alt;
    alt.kind = Node::Kind::alt;
    alt.kids.push_back(std::move(first));
    while (!done() && peek() == '|' && !failed_) {
      ++pos_;
      alt.kids.push_back(sequence());
    }
    return alt;
  }

  Node sequence() {
    Node cat;
    cat.kind = Node::Kind::cat;
    while (!done() && !failed_ && peek() != '|' && peek() != ')') {
      Node atom_node = atom();
      if (failed_) break;
      quantifiers(atom_node);
      cat.kids.push_back(std::move(atom_node));
    }
    if (cat.kids.size() == 1) return std::move(cat.kids.front());
    if (cat.kids.empty()) return Node{};
    return cat;
  }

  // Reads {n}, {n,} or {n,m} at pos_; false (pos_ unchanged) when it is not one.
  bool braces(int& min, int& max) {
    std::size_t p = pos_ + 1;
    const auto number = [&](int& out) {
      const std::size_t start = p;
      long long v = 0;
      while (p < text_.size() && text_[p] >= '0' && text_[p] <= '9') {
        v = v * 10 + (text_[p] - '0');
        if (v > 100000) v = 100000;
        ++p;
      }
      out = static_cast<int>(v);
      return p > start;
    };
    if (!number(min)) return false;
    max = min;
    if (p < text_.size() && text_[p] == ',') {
      ++p;
      if (!number(max)) max = -1;
    }
    if (p >= text_.size() || text_[p] != '}') return false;
    pos_ = p + 1;
    return true;
  }

  // At most one quantifier per atom: "a**" is an error in ECMAScript, as here.
  bool quantifier(int& min, int& max) {
    const char c = peek();
    if (done()) return false;
    if (c == '*') {
      min = 0, max = -1, ++pos_;
    } else if (c == '+') {
      min = 1, max = -1, ++pos_;
    } else if (c == '?') {
      min = 0, max = 1, ++pos_;
    } else if (!(c == '{' && braces(min, max))) {
      return false;
    }
    return true;
  }

  void quantifiers(Node& target) {
    int min = 0, max = 0;
    if (!quantifier(min, max)) return;
    if (max != -1 && max < min) return fail("numbers out of order in {} quantifier");
    if (target.kind == Node::Kind::bol || target.kind == Node::Kind::eol) return fail("nothing to repeat");
    if (!done() && peek() == '?') ++pos_;  // lazy: the same strings match
    int again_min = 0, again_max = 0;
    const std::size_t at = pos_;
    if (quantifier(again_min, again_max)) {
      pos_ = at;
      return fail("nothing to repeat");
    }
    Node rep;
    rep.kind = Node::Kind::rep;
    rep.min = min;
    rep.max = max;
    rep.kids.push_back(std::move(target));
    target = std::move(rep);
  }

  static Node set_node(Ranges r) {
    Node n;
    n.kind = Node::Kind::set;
    n.ranges = normalise(std::move(r));
    return n;
  }
  static Node char_node(char32_t c) {
    Node n;
    n.kind = Node::Kind::ch;
    n.c = c;
    return n;
  }

  Node atom() {
    const char c = peek();
    switch (c) {
      case '^': ++pos_; return Node{Node::Kind::bol};
      case '$': ++pos_; return Node{Node::Kind::eol};
      case '.': ++pos_; return Node{Node::Kind::any};
      case '(': {
        ++pos_;
        if (peek() == '?') {
          if (peek(1) != ':') {
            fail("lookarounds and named groups are not supported");
            return {};
          }
          pos_ += 2;
        }
        Node inner = alternation();
        if (failed_) return {};
        if (peek() != ')' || done()) {
          fail("missing ')'");
          return {};
        }
        ++pos_;
        return inner;
      }
      case '[': return char_class();
      case '*':
      case '+':
      case '?':
        fail("nothing to repeat");
        return {};
      case '{': {
        int min = 0, max = 0;
        const std::size_t at = pos_;
        if (braces(min, max)) {
          pos_ = at;
          fail("nothing to repeat");
          return {};
        }
        ++pos_;
        return char_node('{');
      }
      case '\\': {
        ++pos_;
        Ranges r;
        char32_t single = 0;
        if (!escape(false, single, r)) return {};
        return r.empty() ? char_node(single) : set_node(std::move(r));
      }
      default: return char_node(next_code_point());
    }
  }

  // After a backslash: one code point in `single`, or a class in `set` (\d, \w, \s...).
  bool escape(bool in_class, char32_t& single, Ranges& set) {
    if (done()) {
      fail("\\ at the end of the pattern");
      return false;
    }
    const char c = text_[pos_++];
    const auto hex = [&](int digits, char32_t& out) {
      out = 0;
      for (int k = 0; k < digits; ++k) {
        const char h = peek();
        int v = -1;
        if (h >= '0' && h <= '9') v = h - '0';
        if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
        if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
        if (v < 0 || done()) return false;
        out = out * 16 + static_cast<char32_t>(v);
        ++pos_;
      }
      return true;
    };
    switch (c) {
      case 'd': set = digits(); return true;
      case 'D': set = complement(digits()); return true;
      case 'w': set = word(); return true;
      case 'W': set = complement(word()); return true;
      case 's': set = space(); return true;
      case 'S': set = complement(space()); return true;
      case 't': single = '\t'; return true;
      case 'n': single = '\n'; return true;
      case 'v': single = '\v'; return true;
      case 'f': single = '\f'; return true;
      case 'r': single = '\r'; return true;
      case '0':
        if (peek() >= '0' && peek() <= '9') break;
        single = 0;
        return true;
      case 'b':
        if (!in_class) break;
        single = '\b';
        return true;
      case 'x':
        if (hex(2, single)) return true;
        fail("\\x needs two hex digits");
        return false;
      case 'u':
        if (hex(4, single)) return true;
        fail("\\u needs four hex digits");
        return false;
      default:
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
          --pos_;
          single = next_code_point();  // an escaped punctuation character is itself
          return true;
        }
    }
    --pos_;
    fail(std::string("unsupported escape \\") + c);
    return false;
  }

  // One member of a class: a code point, or a class escape.
  bool class_atom(char32_t& single, Ranges& set) {
    if (peek() == '\\') {
      ++pos_;
      return escape(true, single, set);
    }
    single = next_code_point();
    return true;
  }

  Node char_class() {
    ++pos_;  // '['
    bool negated = false;
    if (peek() == '^') {
      negated = true;
      ++pos_;
    }
    Ranges members;
    while (true) {
      if (done()) {
        fail("missing ']'");
        return {};
      }
      if (peek() == ']') {
        ++pos_;
        break;
      }
      char32_t lo = 0;
      Ranges lo_set;
      if (!class_atom(lo, lo_set)) return {};
      if (peek() == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] != ']') {
        ++pos_;
        char32_t hi = 0;
        Ranges hi_set;
        if (!class_atom(hi, hi_set)) return {};
        if (lo_set.empty() && hi_set.empty()) {
          if (hi < lo) {
            fail("range out of order in character class");
            return {};
          }
          members.emplace_back(lo, hi);
        } else {  // [\d-x]: Annex B reads the '-' as itself
          members.insert(members.end(), lo_set.begin(), lo_set.end());
          members.insert(members.end(), hi_set.begin(), hi_set.end());
          if (lo_set.empty()) members.emplace_back(lo, lo);
          if (hi_set.empty()) members.emplace_back(hi, hi);
          members.emplace_back('-', '-');
        }
        continue;
      }
      if (lo_set.empty()) {
        members.emplace_back(lo, lo);
      } else {
        members.insert(members.end(), lo_set.begin(), lo_set.end());
      }
    }
    Ranges r = normalise(std::move(members));
    return set_node(negated ? complement(r) : std::move(r));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
};

bool starts_anchored(const Node& n) {
  switch (n.kind) {
    case Node::Kind::bol: return true;
    case Node::Kind::cat: return !n.kids.empty() && starts_anchored(n.kids.front());
    case Node::Kind::alt:
      return std::all_of(n.kids.begin(), n.kids.end(), [](const Node& k) { return starts_anchored(k); });
    default: return false;
  }
}

// The rep node of "^X{m,n}$" when X is a set, else nullptr.
const Node* anchored_set_run(const Node& n) {
  if (n.kind != Node::Kind::cat || n.kids.size() != 3) return nullptr;
  const Node& rep = n.kids[1];
  const bool shape = n.kids[0].kind == Node::Kind::bol && n.kids[2].kind == Node::Kind::eol &&
                     rep.kind == Node::Kind::rep && rep.kids.size() == 1 && rep.kids[0].kind == Node::Kind::set;
  return shape ? &rep : nullptr;
}

}  // namespace

class Regex::Compiler {
 public:
  explicit Compiler(Regex& out) : out_(out) {}

  bool emit(const Node& n) {
    if (out_.program_.size() > kMaxProgram) return false;
    switch (n.kind) {
      case Node::Kind::empty: return true;
      case Node::Kind::ch: push({Op::ch, static_cast<std::uint32_t>(n.c)}); return true;
      case Node::Kind::set: push({Op::set, set_index(n.ranges)}); return true;
      case Node::Kind::any: push({Op::any}); return true;
      case Node::Kind::bol: push({Op::bol}); return true;
      case Node::Kind::eol: push({Op::eol}); return true;
      case Node::Kind::cat:
        for (const Node& k : n.kids) {
          if (!emit(k)) return false;
        }
        return true;
      case Node::Kind::alt: {
        std::vector<std::size_t> exits;
        for (std::size_t i = 0; i + 1 < n.kids.size(); ++i) {
          const std::size_t split = push({Op::split});
          at(split).a = here();
          if (!emit(n.kids[i])) return false;
          exits.push_back(push({Op::jmp}));
          at(split).b = here();
        }
        if (!emit(n.kids.back())) return false;
        for (std::size_t j : exits) at(j).a = here();
        return true;
      }
      case Node::Kind::rep: return repeat(n);
    }
    return true;
  }

 private:
  bool repeat(const Node& n) {
    const Node& kid = n.kids.front();
    for (int i = 0; i < n.min; ++i) {
      if (!emit(kid)) return false;
    }
    if (n.max == -1) {  // L: split(body, end); body; jmp L; end:
      const std::size_t split = push({Op::split});
      at(split).a = here();
      if (!emit(kid)) return false;
      push({Op::jmp, static_cast<std::uint32_t>(split)});
      at(split).b = here();
      return true;
    }
    // (kid(kid(kid)?)?)? flattened: skipping one optional copy skips every later one.
    std::vector<std::size_t> splits;
    for (int i = n.min; i < n.max; ++i) {
      const std::size_t split = push({Op::split});
      at(split).a = here();
      splits.push_back(split);
      if (!emit(kid)) return false;
    }
    for (std::size_t s : splits) at(s).b = here();
    return true;
  }

  std::uint32_t set_index(const Ranges& ranges) {
    Set s;
    for (const auto& [lo, hi] : ranges) {
      for (char32_t c = lo; c <= hi && c < 128; ++c) s.ascii[c / 64] |= std::uint64_t{1} << (c % 64);
      if (hi >= 128) s.wide.emplace_back(std::max<char32_t>(lo, 128), hi);
    }
    out_.sets_.push_back(std::move(s));
    return static_cast<std::uint32_t>(out_.sets_.size() - 1);
  }

  std::size_t push(Inst i) {
    out_.program_.push_back(i);
    return out_.program_.size() - 1;
  }
  Inst& at(std::size_t i) { return out_.program_[i]; }
  std::uint32_t here() const { return static_cast<std::uint32_t>(out_.program_.size()); }

  Regex& out_;
};

bool Regex::Set::contains(char32_t c) const {
  if (c < 128) return (ascii[c / 64] >> (c % 64)) & 1;
  for (const auto& [lo, hi] : wide) {
    if (c < lo) return false;
    if (c <= hi) return true;
  }
  return false;
}

std::optional<Regex> Regex::compile(std::string_view pattern, std::string* error) {
  std::string problem;
  std::optional<Node> tree = Parser(pattern).parse(problem);
  if (!tree) {
    if (error != nullptr) *error = std::move(problem);
    return std::nullopt;
  }
  Regex re;
  Compiler compiler(re);
  if (!compiler.emit(*tree) || re.program_.size() > kMaxProgram) {
    if (error != nullptr) *error = "the pattern expands to more than " + std::to_string(kMaxProgram) + " instructions";
    return std::nullopt;
  }
  re.program_.push_back({Op::match});
  re.anchored_ = starts_anchored(*tree);
  if (const Node* rep = anchored_set_run(*tree)) {
    // Every copy of the set compiled alike: the first one serves (with min 0, the one after the split).
    const auto first = std::find_if(re.program_.begin(), re.program_.end(), [](const Inst& i) { return i.op == Op::set; });
    if (first != re.program_.end()) re.run_ = Run{first->a, rep->min, rep->max};
  }
  return re;
}

namespace {

// Per-thread scratch shared by every Regex: two thread lists, the marks that keep a state from
// being added twice in one step, and the work stack of add_thread. They keep their capacity, so
// matching allocates nothing once warm.
struct Scratch {
  std::vector<std::uint32_t> current, next, stack;
  std::vector<std::uint32_t> marks;
  std::uint32_t generation = 0;

  void begin_step(std::size_t program) {
    if (marks.size() < program) marks.resize(program, 0);
    if (++generation == 0) {  // wrapped: forget every old mark
      std::fill(marks.begin(), marks.end(), 0);
      generation = 1;
    }
  }
};

thread_local Scratch scratch;

}  // namespace

bool Regex::add_thread(std::vector<std::uint32_t>& list, std::uint32_t pc, std::size_t pos, std::size_t end) const {
  std::vector<std::uint32_t>& stack = scratch.stack;
  stack.clear();
  stack.push_back(pc);
  while (!stack.empty()) {
    const std::uint32_t at = stack.back();
    stack.pop_back();
    if (scratch.marks[at] == scratch.generation) continue;
    scratch.marks[at] = scratch.generation;
    const Inst& inst = program_[at];
    switch (inst.op) {
      case Op::jmp: stack.push_back(inst.a); break;
      case Op::split:
        stack.push_back(inst.b);
        stack.push_back(inst.a);
        break;
      case Op::bol:
        if (pos == 0) stack.push_back(at + 1);
        break;
      case Op::eol:
        if (pos == end) stack.push_back(at + 1);
        break;
      case Op::match: return true;
      default: list.push_back(at); break;
    }
  }
  return false;
}

bool Regex::search_run(const Run& run, std::string_view text) const {
  const Set& set = sets_[run.set];
  long count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    if (run.max != -1 && count >= run.max) return false;
    if (!set.contains(decode_utf8(text, i))) return false;
  }
  return count >= run.min;
}

bool Regex::search(std::string_view text) const {
  if (run_) return search_run(*run_, text);
  std::vector<std::uint32_t>& current = scratch.current;
  std::vector<std::uint32_t>& next = scratch.next;
  current.clear();
  scratch.begin_step(program_.size());
  if (add_thread(current, 0, 0, text.size())) return true;
  std::size_t i = 0;
  while (i < text.size()) {
    if (current.empty() && anchored_) return false;
    const char32_t c = decode_utf8(text, i);
    next.clear();
    scratch.begin_step(program_.size());
    for (const std::uint32_t pc : current) {
      const Inst& inst = program_[pc];
      bool takes = false;
      switch (inst.op) {
        case Op::ch: takes = inst.a == c; break;
        case Op::set: takes = sets_[inst.a].contains(c); break;
        case Op::any: takes = c != '\n' && c != '\r' && c != 0x2028 && c != 0x2029; break;
        default: break;
      }
      if (takes && add_thread(next, pc + 1, i, text.size())) return true;
    }
    // A match may also begin here, unless every one must begin at the start.
    if (!anchored_ && add_thread(next, 0, i, text.size())) return true;
    current.swap(next);
  }
  return false;
}

}  // namespace agentemu
