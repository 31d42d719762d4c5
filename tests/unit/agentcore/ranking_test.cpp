// RetrieveMemoryRecords' lexical ranking (BM25) on known corpora, and the text rules of extraction.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "vendors/agentcore/extraction.hpp"
#include "vendors/agentcore/ranking.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;

namespace {

std::vector<std::size_t> order_of(std::string_view query, const std::vector<std::string_view>& docs) {
  const auto scores = bm25_scores(query, docs);
  std::vector<std::size_t> order(docs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  order.erase(std::remove_if(order.begin(), order.end(), [&](std::size_t i) { return scores[i] <= 0; }), order.end());
  return order;
}

}  // namespace

TEST_CASE("tokenize: lowercased ASCII words and digits, other scripts whole") {
  CHECK(tokenize("Hello, World! 42-times") == std::vector<std::string>{"hello", "world", "42", "times"});
  CHECK(tokenize("café au lait") == std::vector<std::string>{"café", "au", "lait"});
  CHECK(tokenize("  ...  ").empty());
}

TEST_CASE("bm25: the numbers of the formula on a corpus small enough to compute by hand") {
  // Three documents of 2, 2 and 4 terms (average 8/3); "jazz" is in one of them, once.
  const std::vector<std::string_view> docs = {"likes jazz", "likes rock", "plays the guitar daily"};
  const auto scores = bm25_scores("jazz", docs);
  const double idf = std::log(1.0 + (3.0 - 1.0 + 0.5) / (1.0 + 0.5));
  const double norm = 1.2 * (1.0 - 0.75 + 0.75 * 2.0 / (8.0 / 3.0));
  CHECK(scores[0] == doctest::Approx(idf * 1.0 * 2.2 / (1.0 + norm)));
  CHECK(scores[1] == 0.0);
  CHECK(scores[2] == 0.0);
  CHECK(relevance_score(scores[0]) == doctest::Approx(scores[0] / (1 + scores[0])));
  CHECK(relevance_score(0) == 0.0);
}

TEST_CASE("bm25: retrieval order for a known corpus") {
  const std::vector<std::string_view> corpus = {
      "The user lives in Paris and works as a nurse.",           // 0
      "The user prefers window seats on long flights.",          // 1
      "The user's favourite music is jazz, especially Coltrane", // 2
      "Jazz concerts in Paris are the user's favourite outings", // 3
      "The user has a dog called Rex.",                          // 4
  };
  // Both query terms beat one; the rarer term weighs more; unrelated documents are left out.
  CHECK(order_of("jazz in Paris", corpus) == std::vector<std::size_t>{3, 0, 2});
  CHECK(order_of("window seat flights", corpus) == std::vector<std::size_t>{1});
  CHECK(order_of("dog", corpus) == std::vector<std::size_t>{4});
  CHECK(order_of("astronomy", corpus).empty());
  // Repeating a term saturates (k1) instead of growing without bound, and a shorter document with
  // the same term ranks above a longer one (b).
  const std::vector<std::string_view> lengths = {"jazz jazz jazz jazz jazz jazz jazz jazz", "jazz music",
                                                 "jazz and many other words about music that dilute it"};
  const auto s = bm25_scores("jazz", lengths);
  CHECK(s[0] > s[1]);
  CHECK(s[0] < 2.2 * s[1]);  // (k1 + 1) bounds the gain of repetition
  CHECK(s[1] > s[2]);
}

TEST_CASE("bm25: deterministic, and no documents or no query terms score nothing") {
  const std::vector<std::string_view> docs = {"alpha beta", "beta gamma"};
  CHECK(bm25_scores("beta", docs) == bm25_scores("beta", docs));
  CHECK(bm25_scores("", docs) == std::vector<double>{0, 0});
  CHECK(bm25_scores("alpha", {}).empty());
  // A term in every document still counts a little (Lucene's idf is never negative).
  const auto everywhere = bm25_scores("beta", docs);
  CHECK(everywhere[0] > 0);
  CHECK(everywhere[0] == doctest::Approx(everywhere[1]));
}

TEST_CASE("extraction: sentences, preferences, episodes and summaries") {
  CHECK(sentences("I live in Paris. I love jazz!  Really?\nNew line here") ==
        std::vector<std::string>{"I live in Paris.", "I love jazz!", "Really?", "New line here"});
  CHECK(sentences("v1.2 is out") == std::vector<std::string>{"v1.2 is out"});  // no split inside a word
  CHECK(sentences("... !!") .empty());
  CHECK(states_preference("I prefer aisle seats"));
  CHECK(states_preference("My FAVOURITE colour is green"));
  CHECK_FALSE(states_preference("I live in Paris"));
  CHECK_FALSE(states_preference("Unlikely to rain"));  // whole words only

  const std::vector<Turn> turns = {{"USER", "I live in Paris. I prefer trains."},
                                   {"ASSISTANT", "Noted, trains it is."},
                                   {"USER", "I live in Paris."}};
  CHECK(extract_from_event(StrategyKind::semantic, turns) ==
        std::vector<std::string>{"I live in Paris.", "I prefer trains."});
  CHECK(extract_from_event(StrategyKind::user_preference, turns) == std::vector<std::string>{"I prefer trains."});
  CHECK(extract_from_event(StrategyKind::episodic, turns) ==
        std::vector<std::string>{"USER: I live in Paris. I prefer trains.\nASSISTANT: Noted, trains it is.\nUSER: I live in Paris."});
  CHECK(extract_from_event(StrategyKind::summary, turns).empty());
  CHECK(summarize_session(turns) ==
        "USER: I live in Paris. I prefer trains.\nASSISTANT: Noted, trains it is.\nUSER: I live in Paris.");
  // A long conversation keeps its newest lines within the record limit.
  std::vector<std::string> texts(40, std::string(1000, 'x'));
  texts.back() = "the last words";
  std::vector<Turn> many;
  for (const auto& t : texts) many.push_back({"USER", t});
  const std::string summary = summarize_session(many);
  CHECK(summary.size() <= kRecordTextLimit);
  CHECK(summary.ends_with("USER: the last words"));
}

TEST_CASE("extraction: namespace templates and strategies read from a memory's record") {
  CHECK(fill_namespace("/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}", "user:1", "s-1", "sem-1") ==
        "/strategies/sem-1/actors/user:1/sessions/s-1");
  CHECK(fill_namespace("/x/{topic}/{unknown}", "a", "s", "m", {{"topic", "travel"}}) == "/x/travel/{unknown}");
  CHECK(fill_namespace("{strategyId}", "a", "s", "m") == "m");

  JsonDocument memory;
  REQUIRE_FALSE(parse_json(R"({"strategies": [
      {"strategyId": "facts-1", "type": "SEMANTIC", "namespaceTemplates": ["/facts/{actorId}"]},
      {"strategyId": "sum-1", "type": "SUMMARIZATION", "namespaces": ["/sum/{sessionId}"], "namespaceTemplates": []},
      {"strategyId": "pref-1", "type": "USER_PREFERENCE"},
      {"strategyId": "cust-1", "type": "CUSTOM", "configuration": {"type": "SUMMARY_OVERRIDE"}},
      {"strategyId": "self-1", "type": "CUSTOM", "configuration": {"selfManagedConfiguration": {}}},
      {"name": "no id"}]})", memory));
  const auto strategies = memory_strategies(memory);
  REQUIRE(strategies.size() == 5);
  CHECK(strategies[0].kind == StrategyKind::semantic);
  CHECK(strategies[0].templates == std::vector<std::string>{"/facts/{actorId}"});
  CHECK(strategies[1].kind == StrategyKind::summary);
  CHECK(strategies[1].templates == std::vector<std::string>{"/sum/{sessionId}"});
  CHECK(strategies[2].templates == std::vector<std::string>{std::string(default_template(StrategyKind::user_preference))});
  CHECK(strategies[3].kind == StrategyKind::summary);
  CHECK(strategies[4].kind == StrategyKind::self_managed);
}
