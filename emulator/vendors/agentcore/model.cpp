#include "vendors/agentcore/model.hpp"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace agentemu::agentcore {
namespace {

std::vector<Regex> compile_all() {
  std::vector<Regex> out;
  out.reserve(pattern_texts().size());
  for (std::string_view text : pattern_texts()) {
    std::string error;
    auto re = Regex::compile(text, &error);
    if (!re) {
      // The unit tests compile every model pattern, so this is a model that changed under us.
      std::fprintf(stderr, "agentemu: the AgentCore model pattern %.*s does not compile: %s\n",
                   static_cast<int>(text.size()), text.data(), error.c_str());
      std::abort();
    }
    out.push_back(std::move(*re));
  }
  return out;
}

}  // namespace

const Regex& compiled_pattern(std::size_t index) {
  static const std::vector<Regex> all = compile_all();
  return all[index];
}

void compile_patterns() { (void)compiled_pattern(0); }

}  // namespace agentemu::agentcore
