#include "vendors/agentcore/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace agentemu::agentcore {
namespace {

bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Calls `each` with every token of `text`, without building a vector.
template <class Each>
void for_each_token(std::string_view text, Each&& each) {
  std::string token;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const auto c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    if (i < text.size() && word_byte(c)) {
      token.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c));
    } else if (!token.empty()) {
      each(token);
      token.clear();
    }
  }
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  for_each_token(text, [&](const std::string& t) { out.push_back(t); });
  return out;
}

std::vector<double> bm25_scores(std::string_view query, std::span<const std::string_view> documents,
                                Bm25Params params) {
  std::vector<double> scores(documents.size(), 0.0);
  if (documents.empty()) return scores;
  // The query's distinct terms, each with its index.
  std::unordered_map<std::string, std::size_t> terms;
  for_each_token(query, [&](const std::string& t) { terms.emplace(t, terms.size()); });
  if (terms.empty()) return scores;

  // Per document: its length and how often each query term occurs in it.
  std::vector<std::size_t> lengths(documents.size(), 0);
  std::vector<std::vector<std::uint32_t>> counts(documents.size(), std::vector<std::uint32_t>(terms.size(), 0));
  std::vector<std::size_t> document_frequency(terms.size(), 0);
  double total_length = 0;
  for (std::size_t d = 0; d < documents.size(); ++d) {
    for_each_token(documents[d], [&](const std::string& t) {
      ++lengths[d];
      if (const auto it = terms.find(t); it != terms.end()) ++counts[d][it->second];
    });
    total_length += static_cast<double>(lengths[d]);
    for (std::size_t t = 0; t < terms.size(); ++t) {
      if (counts[d][t] > 0) ++document_frequency[t];
    }
  }
  const double n_docs = static_cast<double>(documents.size());
  const double average = std::max(total_length / n_docs, 1.0);
  std::vector<double> idf(terms.size());
  for (std::size_t t = 0; t < terms.size(); ++t) {
    const double n = static_cast<double>(document_frequency[t]);
    idf[t] = std::log(1.0 + (n_docs - n + 0.5) / (n + 0.5));
  }
  for (std::size_t d = 0; d < documents.size(); ++d) {
    const double norm = params.k1 * (1.0 - params.b + params.b * static_cast<double>(lengths[d]) / average);
    double score = 0;
    for (std::size_t t = 0; t < terms.size(); ++t) {
      const double tf = counts[d][t];
      if (tf > 0) score += idf[t] * tf * (params.k1 + 1.0) / (tf + norm);
    }
    scores[d] = score;
  }
  return scores;
}

double relevance_score(double bm25) { return bm25 <= 0 ? 0.0 : bm25 / (1.0 + bm25); }

}  // namespace agentemu::agentcore
