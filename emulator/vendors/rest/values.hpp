// Small JavaScript-isms the elizaOS server's handlers rely on, for JSON values.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace agentemu::rest {

// JavaScript truthiness: a missing member (nullptr), null, false, 0, NaN and "" are falsy.
inline bool truthy(const JsonValue* v) {
  if (v == nullptr || v->IsNull()) return false;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) return v->GetStringLength() > 0;
  if (v->IsNumber()) return v->GetDouble() != 0 && !std::isnan(v->GetDouble());
  return true;
}

// A string value's text (the caller knows it is a string).
inline std::string_view text_of(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

// A value as compact JSON text, the way the store keeps JSON (see state.hpp).
inline std::string json_text(const JsonValue& v) {
  JsonWriter w;
  w.value(v);
  return w.take();
}

// Writes JSON text the store kept; "" is null.
inline void write_json_text(JsonWriter& w, std::string_view text) {
  JsonDocument doc;
  if (text.empty() || parse_json(text, doc)) {
    w.null();
    return;
  }
  w.value(doc);
}

}  // namespace agentemu::rest
