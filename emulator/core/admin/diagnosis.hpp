// Why a request got the answer it got, for GET /_emulator/requests/{id} and
// /_emulator/requests/unmatched:
//  - a request no vendor claimed, or whose vendor found no operation in it: the nearest
//    operations of the vendors' describe data (method, path, the operation's selector such as
//    Action=...) and what differed;
//  - a request a vendor took: the scenario rules of its vendor that came nearest, with the first
//    clause that did not hold, or why a rule whose clauses hold did not answer.
// Candidates are ranked as WireMock's near-miss calculator ranks stubs: each part scores a
// distance from 0 to 1, a weighted mean orders them, and the nearest three are kept. Computed
// when asked, from the journal entry, so the request path pays nothing for it.
#pragma once

#include "core/admin/context.hpp"

namespace agentemu {

struct JournalEntry;

namespace admin {

inline constexpr std::size_t kNearMissCount = 3;

// Writes {"summary", "claimed", "nearestOperations"?, "rule"?, "nearMisses"?} as the value of the
// key the caller has written.
void write_diagnosis(Context& admin, const JournalEntry& entry, JsonWriter& out);

}  // namespace admin
}  // namespace agentemu
