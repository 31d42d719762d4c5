// What AgentCore Memory's long-term strategies extract, as agentemu does it: deterministic text
// rules over the events' conversational turns, no model involved (README, "Memory": the rules).
// Pure functions over text; memory_state.cpp applies them to a memory's records.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace agentemu::agentcore {

enum class StrategyKind {
  semantic,         // facts: every sentence the user said
  user_preference,  // the user's sentences that state a preference
  summary,          // one record per session: the conversation so far
  episodic,         // one record per event: its turns
  self_managed,     // a custom strategy the customer extracts itself: nothing
};

struct StrategyInfo {
  std::string id;
  StrategyKind kind = StrategyKind::semantic;
  std::vector<std::string> templates;  // namespace templates with {actorId}, {sessionId}, {memoryStrategyId}
};

// The strategies of a memory, read from its control-plane record ("strategies": the output
// MemoryStrategy list): type, custom configuration override, namespaceTemplates (or the legacy
// namespaces, or agentemu's default for the type).
std::vector<StrategyInfo> memory_strategies(const JsonValue& memory_record);

// The default namespace template of a strategy that names none.
std::string_view default_template(StrategyKind kind);

// A template with {actorId}, {sessionId}, {memoryStrategyId} (and {strategyId}, the SDKs' older
// spelling) filled in, and any other {name} from `variables` (IngestData's namespaceVariables).
// An unknown {name} is left as it is.
std::string fill_namespace(std::string_view tmpl, std::string_view actor, std::string_view session,
                           std::string_view strategy_id, const std::map<std::string, std::string>& variables = {});

struct Turn {
  std::string_view role;  // USER, ASSISTANT, TOOL, OTHER
  std::string_view text;
};

// Sentences of a text: split after '.', '!' or '?' followed by white space, and at line breaks;
// trimmed; only those with a letter or digit.
std::vector<std::string> sentences(std::string_view text);

// Whether a sentence states a preference: one of the words of kPreferenceWords, whole and in
// any case.
bool states_preference(std::string_view sentence);

// The record texts one event yields for a per-event strategy (semantic, user preference,
// episodic); each at most kRecordTextLimit characters.
std::vector<std::string> extract_from_event(StrategyKind kind, std::span<const Turn> turns);

// The summary record of a session: "ROLE: text" per turn, oldest first, one per line; when longer
// than kRecordTextLimit the oldest lines go first.
std::string summarize_session(std::span<const Turn> turns);

inline constexpr std::size_t kRecordTextLimit = 16000;  // MemoryContentTextString's max length

}  // namespace agentemu::agentcore
