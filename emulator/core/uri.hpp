// Percent-encoding, query strings and raw path segments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentemu {

enum class PlusIs { literal, space };  // '+' is a space only in form bodies and form-style queries

// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, PlusIs plus = PlusIs::literal);

// RFC 3986: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase hex).
std::string percent_encode(std::string_view text);
void append_percent_encoded(std::string& out, std::string_view text);

struct QueryParam {
  std::string name;
  std::string value;
  bool has_value = true;  // "flag" without '=' has no value
};

struct QueryParseError {
  std::string piece;  // the raw name=value that could not be decoded
};

// Decodes a raw query or x-www-form-urlencoded body. Keeps order and duplicates so callers can
// decide what a repeated parameter means for their vendor.
std::optional<std::vector<QueryParam>> parse_query(std::string_view raw, PlusIs plus,
                                                   QueryParseError* error = nullptr);

const QueryParam* find_param(const std::vector<QueryParam>& params, std::string_view name);

// Raw path segments after the leading '/', still encoded: "/a/b%2Fc" -> {"a", "b%2Fc"}.
std::vector<std::string_view> raw_segments(std::string_view path);

}  // namespace agentemu
