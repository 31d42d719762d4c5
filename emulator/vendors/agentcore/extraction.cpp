#include "vendors/agentcore/extraction.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace agentemu::agentcore {
namespace {

// Whole words (any case) that make a user's sentence a preference.
constexpr std::string_view kPreferenceWords[] = {
    "prefer", "prefers", "preferred", "preference", "like",  "likes",  "love",   "loves",    "enjoy",
    "enjoys", "favorite", "favourite", "hate",      "hates", "dislike", "dislikes", "want", "wants",
    "always", "never",
};

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

std::vector<std::string> string_list(const JsonValue& object, std::string_view key) {
  std::vector<std::string> out;
  const JsonValue* v = json_member(object, key);
  if (v == nullptr || !v->IsArray()) return out;
  for (const JsonValue& item : v->GetArray()) {
    if (item.IsString() && item.GetStringLength() > 0) out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

// A CUSTOM strategy behaves as the built-in type its configuration overrides: the output form
// {"type": "SEMANTIC_OVERRIDE"} or the input form {"semanticOverride": {...}}.
StrategyKind custom_kind(const JsonValue& strategy) {
  const JsonValue* config = json_member(strategy, "configuration");
  if (config == nullptr || !config->IsObject()) return StrategyKind::semantic;
  const std::string_view type = text_of(*config, "type");
  const auto has = [&](std::string_view member) { return json_member(*config, member) != nullptr; };
  if (type == "SUMMARY_OVERRIDE" || has("summaryOverride")) return StrategyKind::summary;
  if (type == "USER_PREFERENCE_OVERRIDE" || has("userPreferenceOverride")) return StrategyKind::user_preference;
  if (type == "EPISODIC_OVERRIDE" || has("episodicOverride")) return StrategyKind::episodic;
  if (type == "SELF_MANAGED" || has("selfManagedConfiguration")) return StrategyKind::self_managed;
  return StrategyKind::semantic;
}

bool has_word_character(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           static_cast<unsigned char>(c) >= 0x80;
  });
}

std::string clipped(std::string text) {
  if (text.size() <= kRecordTextLimit) return text;
  std::size_t cut = kRecordTextLimit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  text.resize(cut);
  return text;
}

std::string turn_line(const Turn& t) {
  std::string line(t.role);
  line += ": ";
  for (char c : trim(t.text)) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  return line;
}

}  // namespace

std::string_view default_template(StrategyKind kind) {
  switch (kind) {
    case StrategyKind::summary:
    case StrategyKind::episodic: return "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}";
    default: return "/strategies/{memoryStrategyId}/actors/{actorId}";
  }
}

std::vector<StrategyInfo> memory_strategies(const JsonValue& memory_record) {
  std::vector<StrategyInfo> out;
  const JsonValue* list = json_member(memory_record, "strategies");
  if (list == nullptr || !list->IsArray()) return out;
  for (const JsonValue& s : list->GetArray()) {
    if (!s.IsObject()) continue;
    StrategyInfo info;
    info.id.assign(text_of(s, "strategyId"));
    if (info.id.empty()) info.id.assign(text_of(s, "memoryStrategyId"));
    if (info.id.empty()) continue;
    const std::string_view type = text_of(s, "type");
    info.kind = type == "SUMMARIZATION"     ? StrategyKind::summary
                : type == "USER_PREFERENCE" ? StrategyKind::user_preference
                : type == "EPISODIC"        ? StrategyKind::episodic
                : type == "CUSTOM"          ? custom_kind(s)
                                            : StrategyKind::semantic;
    info.templates = string_list(s, "namespaceTemplates");
    if (info.templates.empty()) info.templates = string_list(s, "namespaces");
    if (info.templates.empty()) info.templates.emplace_back(default_template(info.kind));
    out.push_back(std::move(info));
  }
  return out;
}

std::string fill_namespace(std::string_view tmpl, std::string_view actor, std::string_view session,
                           std::string_view strategy_id, const std::map<std::string, std::string>& variables) {
  std::string out;
  out.reserve(tmpl.size() + actor.size() + session.size());
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const auto close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(tmpl[i++]);
      continue;
    }
    const std::string_view name = tmpl.substr(i + 1, close - i - 1);
    if (name == "actorId") {
      out += actor;
    } else if (name == "sessionId") {
      out += session;
    } else if (name == "memoryStrategyId" || name == "strategyId") {
      out += strategy_id;
    } else if (const auto it = variables.find(std::string(name)); it != variables.end()) {
      out += it->second;
    } else {
      out += tmpl.substr(i, close - i + 1);
    }
    i = close + 1;
  }
  return out;
}

std::vector<std::string> sentences(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  const auto flush = [&](std::size_t end) {
    const std::string_view piece = trim(text.substr(start, end - start));
    if (has_word_character(piece)) out.push_back(clipped(std::string(piece)));
    start = end;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == '\r') {
      flush(i);
      start = i + 1;
    } else if ((c == '.' || c == '!' || c == '?') &&
               (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\t' || text[i + 1] == '\n' ||
                text[i + 1] == '\r')) {
      flush(i + 1);
    }
  }
  flush(text.size());
  return out;
}

bool states_preference(std::string_view sentence) {
  std::string word;
  for (std::size_t i = 0; i <= sentence.size(); ++i) {
    const char c = i < sentence.size() ? sentence[i] : ' ';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word.push_back(ascii_lower(c));
      continue;
    }
    if (!word.empty() &&
        std::find(std::begin(kPreferenceWords), std::end(kPreferenceWords), word) != std::end(kPreferenceWords)) {
      return true;
    }
    word.clear();
  }
  return false;
}

std::vector<std::string> extract_from_event(StrategyKind kind, std::span<const Turn> turns) {
  std::vector<std::string> out;
  switch (kind) {
    case StrategyKind::semantic:
    case StrategyKind::user_preference:
      for (const Turn& t : turns) {
        if (t.role != "USER") continue;
        for (std::string& s : sentences(t.text)) {
          if (kind == StrategyKind::user_preference && !states_preference(s)) continue;
          if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
        }
      }
      break;
    case StrategyKind::episodic: {
      std::string episode;
      for (const Turn& t : turns) {
        if (!has_word_character(t.text)) continue;
        if (!episode.empty()) episode += '\n';
        episode += turn_line(t);
      }
      if (!episode.empty()) out.push_back(clipped(std::move(episode)));
      break;
    }
    default: break;
  }
  return out;
}

std::string summarize_session(std::span<const Turn> turns) {
  std::vector<std::string> lines;
  for (const Turn& t : turns) {
    if (has_word_character(t.text)) lines.push_back(turn_line(t));
  }
  // Keep the newest lines that fit; a single line longer than the limit is cut.
  std::size_t first = lines.size();
  std::size_t size = 0;
  while (first > 0 && size + lines[first - 1].size() + (size > 0 ? 1 : 0) <= kRecordTextLimit) {
    size += lines[first - 1].size() + (size > 0 ? 1 : 0);
    --first;
  }
  if (first == lines.size() && !lines.empty()) return clipped(lines.back());
  std::string out;
  for (std::size_t i = first; i < lines.size(); ++i) {
    if (!out.empty()) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace agentemu::agentcore
