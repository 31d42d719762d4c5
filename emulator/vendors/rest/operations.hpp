// The table of the REST agent runtime: every operation of both profiles, how each is routed, and
// the parameters the emulated ones take (checked by core/validation.hpp). The /agents profile has
// the reference's seven; the /api profile has every route the real elizaOS server has
// (@elizaos/server 1.7.2), emulated or answered 501.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/validation.hpp"
#include "vendors/rest/errors.hpp"

namespace agentemu::rest {

// The emulated operations, in kOperationNames' order.
enum class Op : int {
  list,
  create,
  get,
  update,
  remove,
  start,
  stop,
  add_world,
  update_world,
  panels,
  logs,
  delete_log,
};
inline constexpr int kEmulatedCount = 12;

// Every operation name, for the journal, metrics and scenario match.operation: the emulated ones
// first (Op's order), then the elizaOS server's routes that agentemu answers with 501. Names are
// the @elizaos/api-client method that calls the route, capitalised; routes no client method
// calls are named after what the server's handler does.
inline constexpr std::string_view kOperationNames[] = {
    // emulated
    "ListAgents", "CreateAgent", "GetAgent", "UpdateAgent", "DeleteAgent", "StartAgent", "StopAgent",
    "AddAgentToWorld", "UpdateAgentWorldSettings", "GetAgentPanels", "GetAgentLogs", "DeleteAgentLog",
    // agents: runs, memories, rooms
    "ListRuns", "GetRun", "GetRoomMemories", "GetAgentMemories", "UpdateMemory", "ClearAgentMemories",
    "ClearRoomMemories", "DeleteMemory", "CreateRoom", "ListAgentRooms", "GetRoom",
    // media
    "UploadAgentMedia", "UploadChannelMediaFile",
    // messaging: core
    "SubmitMessage", "CreateActionMessage", "UpdateActionMessage", "IngestExternalMessages",
    // messaging: message servers
    "GetCurrentMessageServer", "ListMessageServers", "CreateMessageServer", "GetAgentsForMessageServer",
    "AddAgentToMessageServer", "RemoveAgentFromMessageServer", "GetMessageServersForAgent", "ListCentralServers",
    // messaging: channels
    "PostMessage", "GetChannelMessages", "GetMessageServerChannels", "GetOrCreateDmChannel", "CreateChannel",
    "GetChannelDetails", "GetChannelParticipants", "AddAgentToChannel", "RemoveAgentFromChannel",
    "GetChannelAgents", "DeleteMessage", "ClearChannelHistory", "UpdateChannel", "DeleteChannel",
    "UploadChannelMedia", "GenerateChannelTitle",
    // messaging: sessions
    "CheckSessionsHealth", "CreateSession", "GetSession", "SendSessionMessage", "GetSessionMessages",
    "RenewSession", "UpdateSessionTimeout", "SendSessionHeartbeat", "DeleteSession", "ListSessions",
    // messaging: jobs
    "CreateJob", "CheckJobsHealth", "ListJobs", "GetJob",
    // memory: groups
    "CreateWorldFromMessageServer", "DeleteWorld", "ClearWorldMemories",
    // audio
    "ProcessAudioMessage", "Transcribe", "SynthesizeAudioMessage", "GenerateSpeech", "SpeechConversation",
    // server
    "Ping", "Hello", "GetStatus", "CheckHealth", "StopServer", "GetGlobalLogs", "SubmitLogs", "ClearLogs",
    "GetDebugInfo",
    // system
    "GetSystemConfig", "GetEnvironment", "UpdateLocalEnvironment", "GetVersion",
};
inline constexpr int kOperationCount = static_cast<int>(std::size(kOperationNames));

// ParamSpec::where for this vendor.
enum Where : std::uint8_t { in_path = 0, in_query = 1, in_body = 2 };

inline constexpr std::string_view kDocsPrefix = "/agents";
inline constexpr std::string_view kElizaPrefix = "/api";

// One route: a method and a path pattern whose "{name}" segments are parameters (one non-empty
// segment each, as Express's ":name").
struct Route {
  std::string_view method;
  std::string_view pattern;    // "/api/agents/{agentId}/logs/{logId}"
  std::string_view operation;  // a name in kOperationNames
  std::string_view clients;    // the @elizaos/api-client methods that call it ("" none)
};

// The index of an operation name in kOperationNames; -1 when unknown.
int operation_index(std::string_view name);

// Each profile's routes, in the order its server tries them (Express: the first match wins).
std::span<const Route> routes_of(Profile profile);

inline constexpr std::size_t kMaxPathParams = 3;

struct RouteMatch {
  const Route* route = nullptr;
  int operation = -1;  // index into kOperationNames
  std::array<std::string_view, kMaxPathParams> params{};  // raw segments, in the pattern's order

  bool emulated() const { return operation < kEmulatedCount; }
  Op op() const { return static_cast<Op>(operation); }
  // The raw segment of parameter `name` ("agentId"); "" when the route has none.
  std::string_view param(std::string_view name) const;
};

// Which route a method and path name in a profile; nullopt: no such route (404). Paths may end
// with one '/', as Express's non-strict routing allows.
std::optional<RouteMatch> match_route(Profile profile, std::string_view method, std::string_view path);

// The parameter names of a pattern, in order ("{agentId}" -> "agentId").
std::array<std::string_view, kMaxPathParams> pattern_params(std::string_view pattern);

// Parameters, by profile and operation.
std::span<const ParamSpec> query_specs(Profile profile, Op op);
std::span<const ParamSpec> body_specs(Profile profile, Op op);

// Stop's limits (milliseconds).
inline constexpr double kDefaultStopTimeoutMs = 30000;
inline constexpr double kMaxStopTimeoutMs = 3600000;
inline constexpr std::int64_t kMaxListLimit = 1000;

}  // namespace agentemu::rest
