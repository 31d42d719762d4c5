#include <doctest/doctest.h>

#include "core/admin/routes.hpp"

using namespace agentemu;
using namespace agentemu::admin;

namespace {

void none(Context&, Call&, const PathParams&) {}

constexpr Route kTable[] = {
    {"GET", "/_emulator/items", none},
    {"DELETE", "/_emulator/items", none},
    {"GET", "/_emulator/items/count", none},
    {"GET", "/_emulator/items/{id}", none},
    {"PUT", "/_emulator/items/{id}", none},
    {"POST", "/_emulator/items/{id}/reload", none},
    {"GET", "/metrics", none, Access::open},
};

}  // namespace

TEST_CASE("admin routes: a literal segment beats {name}, and {name} segments are handed over") {
  auto m = match_route(kTable, "GET", "/_emulator/items/count");
  REQUIRE(m.route == &kTable[2]);
  CHECK(m.params.empty());
  m = match_route(kTable, "PUT", "/_emulator/items/a%20b");
  REQUIRE(m.route == &kTable[4]);
  CHECK(m.params == PathParams{"a%20b"});
  m = match_route(kTable, "POST", "/_emulator/items/x/reload");
  REQUIRE(m.route == &kTable[5]);
  CHECK(m.params == PathParams{"x"});
}

TEST_CASE("admin routes: one 405 rule lists the path's methods, one 404 rule for unknown paths") {
  auto m = match_route(kTable, "POST", "/_emulator/items");
  CHECK(m.route == nullptr);
  CHECK(m.path == &kTable[0]);
  CHECK(m.allow == "GET, DELETE");
  // count is its own route: a PUT there is not the {id} route's PUT.
  m = match_route(kTable, "PUT", "/_emulator/items/count");
  CHECK(m.route == nullptr);
  CHECK(m.allow == "GET");
  m = match_route(kTable, "GET", "/_emulator/nothing");
  CHECK(m.path == nullptr);
  CHECK(m.allow.empty());
  CHECK(match_route(kTable, "GET", "/_emulator/items/x/y/z/a/b/c/d/e/f").path == nullptr);
  CHECK(match_route(kTable, "GET", "/_emulator/items//reload").path == nullptr);  // {id} is never empty
}

TEST_CASE("admin routes: HEAD answers as GET, a trailing slash is ignored, open routes are marked") {
  CHECK(match_route(kTable, "HEAD", "/_emulator/items").route == &kTable[0]);
  CHECK(match_route(kTable, "GET", "/_emulator/items/").route == &kTable[0]);
  CHECK(match_route(kTable, "GET", "/metrics").route->access == Access::open);
  CHECK(endpoint_list(kTable) == "items, items/count, items/{id}, items/{id}/reload");
}

TEST_CASE("admin routes: the real table has no path twice for one method") {
  const auto table = routes();
  for (std::size_t i = 0; i < table.size(); ++i) {
    for (std::size_t j = i + 1; j < table.size(); ++j) {
      CHECK_FALSE((table[i].pattern == table[j].pattern && table[i].method == table[j].method));
    }
  }
}
