// Small string helpers shared by the core and every vendor module.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentemu {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);
bool iends_with(std::string_view text, std::string_view suffix);
std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text);

// Splits on `separator`; empty pieces are kept so callers can reject them.
std::vector<std::string_view> split(std::string_view text, char separator);

// Shell-style glob: '*' matches any run (also empty), '?' one byte, "[a-z]" / "[!0-9]" one byte
// of a class, everything else itself.
bool glob_match(std::string_view pattern, std::string_view text);
// False when a class is left unclosed ("[abc").
bool glob_valid(std::string_view pattern);

// Whole-string decimal parsers: no sign games, no trailing bytes, no overflow.
std::optional<std::int64_t> parse_int64(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// A number as a person would write it in a message: 30 rather than 30.000000, 0.5 as 0.5.
std::string format_number(double number);

// True when every byte is one of ASCII letters or digits.
bool is_alnum(std::string_view text);

}  // namespace agentemu
