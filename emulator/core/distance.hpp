// How far apart two texts are, or how far a text is from matching a glob, from 0 (equal, or it
// matches) to 1 (nothing in common). The diagnosis of a request ranks candidate operations and
// scenario rules with these, the way WireMock ranks its near misses.
#pragma once

#include <string_view>

namespace agentemu {

// Levenshtein distance over the longer length.
double text_distance(std::string_view a, std::string_view b);

// 0 when glob_match(glob, text); otherwise the fewest single-byte edits that would make the text
// match (a '*' absorbs any run for free), over the longer of the two. Long inputs are compared
// by their first kMaxCompared bytes.
double glob_distance(std::string_view glob, std::string_view text);

inline constexpr std::size_t kMaxCompared = 256;

}  // namespace agentemu
