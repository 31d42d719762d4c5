#include "core/distance.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "core/text.hpp"

namespace agentemu {
namespace {

// One element of a glob: a byte, '?', '*' or a whole "[...]" class.
std::vector<std::string_view> glob_tokens(std::string_view glob) {
  std::vector<std::string_view> tokens;
  for (std::size_t i = 0; i < glob.size() && tokens.size() < kMaxCompared; ++i) {
    if (glob[i] == '[') {
      // A class ends at the first ']' after its first byte (so "[]a]" holds ']' and 'a').
      const std::size_t close = glob.find(']', i + (i + 1 < glob.size() && glob[i + 1] == '!' ? 3 : 2));
      if (close != std::string_view::npos) {
        tokens.push_back(glob.substr(i, close - i + 1));
        i = close;
        continue;
      }
    }
    tokens.push_back(glob.substr(i, 1));
  }
  return tokens;
}

bool token_takes(std::string_view token, char c) {
  if (token == "?") return true;
  if (token.size() == 1) return token[0] == c;
  return glob_match(token, std::string_view(&c, 1));
}

}  // namespace

double text_distance(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxCompared);
  b = b.substr(0, kMaxCompared);
  const std::size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return 0;
  std::vector<std::size_t> row(b.size() + 1), next(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    next[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      next[j] = std::min({row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    row.swap(next);
  }
  return static_cast<double>(row[b.size()]) / static_cast<double>(longer);
}

double glob_distance(std::string_view glob, std::string_view text) {
  if (glob_match(glob, text)) return 0;
  const auto tokens = glob_tokens(glob);
  text = text.substr(0, kMaxCompared);
  std::size_t literal = 0;
  for (std::string_view t : tokens) literal += t == "*" ? 0 : 1;
  const std::size_t longer = std::max({literal, text.size(), std::size_t{1}});
  // edits[j]: the fewest edits for the tokens so far to match text[0, j).
  std::vector<std::size_t> row(text.size() + 1), next(text.size() + 1);
  for (std::size_t j = 0; j <= text.size(); ++j) row[j] = j;
  for (std::string_view token : tokens) {
    const bool star = token == "*";
    next[0] = row[0] + (star ? 0 : 1);
    for (std::size_t j = 1; j <= text.size(); ++j) {
      if (star) {
        next[j] = std::min(row[j], next[j - 1]);
      } else {
        next[j] = std::min({row[j] + 1, next[j - 1] + 1, row[j - 1] + (token_takes(token, text[j - 1]) ? 0 : 1)});
      }
    }
    row.swap(next);
  }
  // At least one edit: the whole text did not match (it may only have been cut short).
  return std::min(1.0, static_cast<double>(std::max<std::size_t>(row[text.size()], 1)) / static_cast<double>(longer));
}

}  // namespace agentemu
