// Answers written through the model's output shapes: a record (a JSON object holding what the
// emulator knows of a resource, by the model's member names) goes out with exactly the members the
// operation's output declares, timestamps in the form each member's shape names.
#pragma once

#include "core/json.hpp"
#include "vendors/agentcore/model.hpp"

namespace agentemu::agentcore {

// Writes `value` as `type` says: a structure keeps only its declared members (recursively), a
// timestamp held as RFC 3339 text becomes epoch seconds where the shape says so.
void write_shaped(JsonWriter& out, const OutType& type, const JsonValue& value);
// The members of the structure `value` as `type` declares them, into an object the caller has
// begun (and may add members of its own to).
void write_shaped_members(JsonWriter& out, const OutType& type, const JsonValue& value);

// The member `name` of a structure type, or nullptr.
const OutType* member_type(const OutType& type, std::string_view name);

}  // namespace agentemu::agentcore
