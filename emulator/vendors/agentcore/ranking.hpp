// RetrieveMemoryRecords' relevance without embeddings: BM25 over the records' text, a
// deterministic lexical ranking (the README's "Memory" section says how it differs from AWS's
// semantic search). Pure functions, so the ranking can be tested on a known corpus.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agentemu::agentcore {

// Runs of ASCII letters and digits, lowercased; bytes of 0x80 and above (UTF-8 beyond ASCII)
// belong to the run they are in, so words of other scripts stay whole. Everything else splits.
std::vector<std::string> tokenize(std::string_view text);

struct Bm25Params {
  double k1 = 1.2;  // term-frequency saturation
  double b = 0.75;  // length normalisation
};

// One BM25 score per document for `query`: the sum over the query's distinct terms of
// idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen)), with Lucene's idf
// log(1 + (N - n + 0.5) / (n + 0.5)) over these documents (N of them, n containing t), so a
// term found everywhere still counts a little and no score is negative. 0: no term matched.
std::vector<double> bm25_scores(std::string_view query, std::span<const std::string_view> documents,
                                Bm25Params params = {});

// The score an answer carries: s / (1 + s), in [0, 1) like AWS's relevance scores and ordered as
// the raw score is.
double relevance_score(double bm25);

}  // namespace agentemu::agentcore
