#include "core/uri.hpp"

#include "core/text.hpp"

namespace agentemu {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

}  // namespace

// Runs of characters that stand for themselves go in one append each: most text has no escape
// at all, and signed requests decode and encode their path and query more than once.
std::optional<std::string> percent_decode(std::string_view text, PlusIs plus) {
  const auto special = [plus](char c) { return c == '%' || (c == '+' && plus == PlusIs::space); };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i;
    while (run < text.size() && !special(text[run])) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    if (text[run] == '+') {
      out.push_back(' ');
      i = run + 1;
      continue;
    }
    if (run + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[run + 1]);
    const int lo = hex_value(text[run + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i = run + 3;
  }
  return out;
}

void append_percent_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i;
    while (run < text.size() && unreserved(text[run])) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    const auto b = static_cast<unsigned char>(text[run]);
    const char escaped[3] = {'%', kHex[b >> 4], kHex[b & 0x0f]};
    out.append(escaped, sizeof escaped);
    i = run + 1;
  }
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  append_percent_encoded(out, text);
  return out;
}

std::optional<std::vector<QueryParam>> parse_query(std::string_view raw, PlusIs plus, QueryParseError* error) {
  std::vector<QueryParam> params;
  if (raw.empty()) return params;
  for (std::string_view piece : split(raw, '&')) {
    if (piece.empty()) continue;  // "a=1&&b=2" is tolerated by every real gateway we emulate
    const auto eq = piece.find('=');
    const std::string_view raw_name = piece.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    auto name = percent_decode(raw_name, plus);
    auto value = percent_decode(raw_value, plus);
    if (!name || !value) {
      if (error != nullptr) error->piece = std::string(piece);
      return std::nullopt;
    }
    params.push_back({std::move(*name), std::move(*value), eq != std::string_view::npos});
  }
  return params;
}

const QueryParam* find_param(const std::vector<QueryParam>& params, std::string_view name) {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string_view> raw_segments(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return {};
  return split(path, '/');
}

}  // namespace agentemu
