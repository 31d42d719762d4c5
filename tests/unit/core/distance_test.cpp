#include <doctest/doctest.h>

#include <string>

#include "core/distance.hpp"

using namespace agentemu;

TEST_CASE("text distance: Levenshtein over the longer length") {
  CHECK(text_distance("", "") == 0);
  CHECK(text_distance("agents", "agents") == 0);
  CHECK(text_distance("agent", "agents") == doctest::Approx(1.0 / 6));
  CHECK(text_distance("kitten", "sitting") == doctest::Approx(3.0 / 7));
  CHECK(text_distance("abc", "") == 1);
  CHECK(text_distance("abc", "xyz") == 1);
}

TEST_CASE("glob distance: 0 when it matches, else the fewest edits that make it match") {
  CHECK(glob_distance("chaos-*", "chaos-7") == 0);
  CHECK(glob_distance("/runtimes/*", "/runtimes/a/b") == 0);
  CHECK(glob_distance("[a-c]?", "bz") == 0);
  CHECK(glob_distance("prod*", "prd") == doctest::Approx(1.0 / 4));  // one insertion
  CHECK(glob_distance("abc", "abd") == doctest::Approx(1.0 / 3));
  CHECK(glob_distance("[0-9][0-9]", "1x") == doctest::Approx(1.0 / 2));
  CHECK(glob_distance("[!0-9]", "5") == 1);
  CHECK(glob_distance("x*", "") == 1);
  // Nearer stays nearer: the ranking is what the diagnosis relies on.
  CHECK(glob_distance("StopRuntimeSession", "StopRuntimeSesion") < glob_distance("StopRuntimeSession", "ListSessions"));
  // Long inputs are compared by their head, in bounded time.
  const std::string long_text(100000, 'a');
  CHECK(glob_distance("b*", long_text) > 0);
  CHECK(text_distance(long_text, long_text + "b") == 0);
}
