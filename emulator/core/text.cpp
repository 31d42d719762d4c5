#include "core/text.hpp"

#include <cmath>
#include <cstdio>

namespace agentemu {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // Header lookups mostly meet names written as asked: one memcmp settles them.
  if (a == b) return true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

namespace {

// Matches one byte against a class "[abc]", "[a-z]" or "[!0-9]" starting at pattern[p] == '['.
// Sets `next` to the byte after the closing ']'; answers false for an unclosed class.
bool class_matches(std::string_view pattern, std::size_t p, char c, bool& matched, std::size_t& next) {
  std::size_t i = p + 1;
  const bool negated = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negated) ++i;
  bool hit = false;
  bool first = true;
  while (i < pattern.size() && (pattern[i] != ']' || first)) {
    first = false;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      // Byte values, unsigned: a char is signed here, and "[a-\xff]" must hold every byte from 'a' up.
      const auto byte = static_cast<unsigned char>(c);
      hit = hit || (byte >= static_cast<unsigned char>(pattern[i]) && byte <= static_cast<unsigned char>(pattern[i + 2]));
      i += 3;
    } else {
      hit = hit || c == pattern[i];
      ++i;
    }
  }
  if (i >= pattern.size()) return false;
  matched = hit != negated;
  next = i + 1;
  return true;
}

}  // namespace

bool glob_valid(std::string_view pattern) {
  for (std::size_t p = 0; p < pattern.size(); ++p) {
    if (pattern[p] != '[') continue;
    bool matched = false;
    std::size_t next = 0;
    if (!class_matches(pattern, p, 'a', matched, next)) return false;
    p = next - 1;
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: linear in practice, no recursion depth.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    bool advanced = false;
    if (p < pattern.size() && pattern[p] == '[') {
      bool matched = false;
      std::size_t next = 0;
      if (class_matches(pattern, p, text[t], matched, next) && matched) {
        p = next;
        ++t;
        advanced = true;
      }
    } else if (p < pattern.size() && pattern[p] != '*' && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
      advanced = true;
    }
    if (advanced) continue;
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || end != last) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(text.data(), last, value);
  if (ec != std::errc{} || end != last || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string format_number(double number) {
  char buf[32];
  if (std::floor(number) == number && std::fabs(number) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", number);
  } else {
    std::snprintf(buf, sizeof buf, "%g", number);
  }
  return buf;
}

bool is_alnum(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

}  // namespace agentemu
