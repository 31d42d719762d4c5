// The fixture sections of the Memory and Identity data planes, checked, applied and dumped beside
// the rest of the "agentcore" section (fixtures.cpp calls these), each in the API's own shapes:
//   memoryEvents          GetEvent's event, plus extractionMode; memoryId an id or the memory's ARN
//   memoryRecords         GetMemoryRecord's memoryRecord, plus memoryId
//   memoryExtractionJobs  ListMemoryExtractionJobs' job, plus memoryId
//   jwtIssuers            the issuers whose user JWTs agentemu accepts: issuer, allowedAudience,
//                         allowedClients, and the keys: jwks (inline) or jwksFile (a path)
//   oauth2Tokens          the access tokens GetResourceOauth2Token answers
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/vendor.hpp"
#include "vendors/agentcore/model.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

// memory_fixtures.cpp
std::optional<FixtureIssue> check_memory_fixtures(const JsonValue& section, const std::string& root, const State& live);
void apply_memory_fixtures(State& state, const JsonValue& section, SystemTime now);
void write_memory_state(JsonWriter& w, const State& state, SystemTime now);

// identity_fixtures.cpp
std::optional<FixtureIssue> check_identity_fixtures(const JsonValue& section, const std::string& root);
void apply_identity_fixtures(State& state, const JsonValue& section);
void write_identity_state(JsonWriter& w, const State& state, const StateOptions& options);

}  // namespace agentemu::agentcore
