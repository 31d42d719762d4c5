#include "vendors/rest/operations.hpp"

#include <vector>

#include "core/text.hpp"
#include "vendors/rest/ids.hpp"

namespace agentemu::rest {
namespace {

using T = ParamType;

constexpr std::array<std::string_view, 2> kStatuses{"active", "inactive"};

const ParamSpec kString{.name = "item", .where = in_body, .type = T::string};

// GET /agents
const ParamSpec kListQuery[] = {
    {.name = "status", .where = in_query, .type = T::string, .one_of = kStatuses},
    {.name = "offset", .where = in_query, .type = T::integer, .min = 0},
    {.name = "limit", .where = in_query, .type = T::integer, .min = 1, .max = static_cast<double>(kMaxListLimit)},
};

const ParamSpec kStyle[] = {
    {.name = "all", .where = in_body, .type = T::array, .items = &kString},
    {.name = "chat", .where = in_body, .type = T::array, .items = &kString},
    {.name = "post", .where = in_body, .type = T::array, .items = &kString},
};

const ParamSpec kSettings[] = {
    {.name = "model", .where = in_body, .type = T::string},
    {.name = "embeddingModel", .where = in_body, .type = T::string},
};

// POST /agents (the reference's Create page).
const ParamSpec kCreateBody[] = {
    {.name = "name", .where = in_body, .type = T::string, .required = true, .min_length = 1},
    {.name = "bio", .where = in_body, .type = T::string},
    {.name = "lore", .where = in_body, .type = T::array, .items = &kString},
    {.name = "messageExamples", .where = in_body, .type = T::array},
    {.name = "style", .where = in_body, .type = T::object, .members = kStyle},
    {.name = "topics", .where = in_body, .type = T::array, .items = &kString},
    {.name = "adjectives", .where = in_body, .type = T::array, .items = &kString},
    {.name = "settings", .where = in_body, .type = T::object, .members = kSettings},
    {.name = "plugins", .where = in_body, .type = T::array, .items = &kString},
};

// PUT/PATCH /agents/{agentId}: every field optional, plus enabled.
const ParamSpec kUpdateBody[] = {
    {.name = "name", .where = in_body, .type = T::string, .min_length = 1},
    {.name = "bio", .where = in_body, .type = T::string},
    {.name = "lore", .where = in_body, .type = T::array, .items = &kString},
    {.name = "messageExamples", .where = in_body, .type = T::array},
    {.name = "style", .where = in_body, .type = T::object, .members = kStyle},
    {.name = "topics", .where = in_body, .type = T::array, .items = &kString},
    {.name = "adjectives", .where = in_body, .type = T::array, .items = &kString},
    {.name = "settings", .where = in_body, .type = T::object, .members = kSettings},
    {.name = "plugins", .where = in_body, .type = T::array, .items = &kString},
    {.name = "enabled", .where = in_body, .type = T::boolean},
};

const ParamSpec kStartBody[] = {
    {.name = "enableAutonomy", .where = in_body, .type = T::boolean},
    {.name = "settings", .where = in_body, .type = T::object},
};

const ParamSpec kStopBody[] = {
    {.name = "graceful", .where = in_body, .type = T::boolean},
    {.name = "timeout", .where = in_body, .type = T::number, .min = 0, .max = kMaxStopTimeoutMs},
};

// PATCH /api/agents/{agentId}: the agent row's columns; unknown keys are ignored.
const ParamSpec kElizaUpdate[] = {
    {.name = "name", .where = in_body, .type = T::string, .min_length = 1},
    {.name = "username", .where = in_body, .type = T::string},
    {.name = "system", .where = in_body, .type = T::string},
    {.name = "bio", .where = in_body, .type = T::any},
    {.name = "enabled", .where = in_body, .type = T::boolean},
    {.name = "templates", .where = in_body, .type = T::object},
    {.name = "messageExamples", .where = in_body, .type = T::array},
    {.name = "postExamples", .where = in_body, .type = T::array},
    {.name = "topics", .where = in_body, .type = T::array},
    {.name = "adjectives", .where = in_body, .type = T::array},
    {.name = "knowledge", .where = in_body, .type = T::array},
    {.name = "plugins", .where = in_body, .type = T::array},
    {.name = "settings", .where = in_body, .type = T::object},
    {.name = "secrets", .where = in_body, .type = T::object},
    {.name = "style", .where = in_body, .type = T::object},
};


// POST /api/agents/{agentId}/worlds (the server's createWorldHelper).
const ParamSpec kWorldCreate[] = {
    {.name = "name", .where = in_body, .type = T::string, .required = true},
    {.name = "messageServerId", .where = in_body, .type = T::string, .pattern = &kUuidPattern},
    {.name = "metadata", .where = in_body, .type = T::any},
};

// PATCH /api/agents/{agentId}/worlds/{worldId}: only these two are read.
const ParamSpec kWorldUpdate[] = {
    {.name = "name", .where = in_body, .type = T::string},
    {.name = "metadata", .where = in_body, .type = T::any},
};

// GET /api/agents/{agentId}/logs
const ParamSpec kLogsQuery[] = {
    {.name = "roomId", .where = in_query, .type = T::string, .pattern = &kUuidPattern},
    {.name = "type", .where = in_query, .type = T::string},
    {.name = "count", .where = in_query, .type = T::integer, .min = 0},
    {.name = "offset", .where = in_query, .type = T::integer, .min = 0},
    {.name = "excludeTypes", .where = in_query, .type = T::string},
};

// ---- the routes ----

// The reference's pages (rest/agents/*). Update is PUT on its page and PATCH in its overview.
constexpr Route kDocsRoutes[] = {
    {"GET", "/agents", "ListAgents", ""},
    {"POST", "/agents", "CreateAgent", ""},
    {"GET", "/agents/{agentId}", "GetAgent", ""},
    {"PATCH", "/agents/{agentId}", "UpdateAgent", ""},
    {"PUT", "/agents/{agentId}", "UpdateAgent", ""},
    {"DELETE", "/agents/{agentId}", "DeleteAgent", ""},
    {"POST", "/agents/{agentId}/start", "StartAgent", ""},
    {"POST", "/agents/{agentId}/stop", "StopAgent", ""},
};

// Every route of @elizaos/server 1.7.2 (gitHead e91c91c5, dist/index.js: createApiRouter and the
// routers it mounts), in the order Express tries them: /media is mounted first, then /agents
// (crud, lifecycle, worlds, panels, logs, runs, memory, rooms), /messaging (core, message
// servers, channels, sessions, jobs), /memory (agent memory, groups, rooms), /audio, /server,
// /system. The deprecated aliases the server rewrites to another route carry that route's name.
//
// Left out on purpose:
// - GET /api/agents/worlds (agents.getWorlds): the crud router's GET /api/agents/{agentId} is
//   mounted first and answers it, as INVALID_ID, so that is where it lands here too.
// - What @elizaos/api-client 1.7.2 calls but the server has no route for, so its answer is
//   "API endpoint not found": messaging.completeMessage (POST /api/messaging/complete),
//   getMessage and updateMessage (GET, PATCH /api/messaging/messages/{id}), searchMessages
//   (POST /api/messaging/messages/search), syncMessageServerChannels (POST
//   /api/messaging/message-servers/{id}/sync-channels), deleteMessageServer (DELETE
//   /api/messaging/message-servers/{id}), audio.processSpeech (POST /api/audio/{agentId}/speech).
constexpr Route kElizaRoutes[] = {
    // media (before the content-type check)
    {"POST", "/api/media/agents/{agentId}/upload-media", "UploadAgentMedia", "media.uploadAgentMedia"},
    {"POST", "/api/media/channels/{channelId}/upload-media", "UploadChannelMediaFile", ""},
    // agents: crud and lifecycle
    {"GET", "/api/agents", "ListAgents", "agents.listAgents"},
    {"GET", "/api/agents/{agentId}", "GetAgent", "agents.getAgent, agents.getWorlds"},
    {"POST", "/api/agents", "CreateAgent", "agents.createAgent"},
    {"PATCH", "/api/agents/{agentId}", "UpdateAgent", "agents.updateAgent"},
    {"DELETE", "/api/agents/{agentId}", "DeleteAgent", "agents.deleteAgent"},
    {"POST", "/api/agents/{agentId}/start", "StartAgent", "agents.startAgent"},
    {"POST", "/api/agents/{agentId}/stop", "StopAgent", "agents.stopAgent"},
    // agents: worlds, panels, logs
    {"POST", "/api/agents/{agentId}/worlds", "AddAgentToWorld", "agents.addAgentToWorld"},
    {"PATCH", "/api/agents/{agentId}/worlds/{worldId}", "UpdateAgentWorldSettings", "agents.updateAgentWorldSettings"},
    {"GET", "/api/agents/{agentId}/panels", "GetAgentPanels", "agents.getAgentPanels"},
    {"GET", "/api/agents/{agentId}/logs", "GetAgentLogs", "agents.getAgentLogs"},
    {"DELETE", "/api/agents/{agentId}/logs/{logId}", "DeleteAgentLog", "agents.deleteAgentLog"},
    // agents: runs, memories, rooms
    {"GET", "/api/agents/{agentId}/runs", "ListRuns", "runs.listRuns"},
    {"GET", "/api/agents/{agentId}/runs/{runId}", "GetRun", "runs.getRun"},
    {"GET", "/api/agents/{agentId}/rooms/{roomId}/memories", "GetRoomMemories", ""},
    {"GET", "/api/agents/{agentId}/memories", "GetAgentMemories", ""},
    {"PATCH", "/api/agents/{agentId}/memories/{memoryId}", "UpdateMemory", ""},
    {"DELETE", "/api/agents/{agentId}/memories", "ClearAgentMemories", ""},
    {"DELETE", "/api/agents/{agentId}/memories/all/{roomId}", "ClearRoomMemories", ""},
    {"DELETE", "/api/agents/{agentId}/memories/{memoryId}", "DeleteMemory", ""},
    {"POST", "/api/agents/{agentId}/rooms", "CreateRoom", ""},
    {"GET", "/api/agents/{agentId}/rooms", "ListAgentRooms", ""},
    {"GET", "/api/agents/{agentId}/rooms/{roomId}", "GetRoom", ""},
    // messaging: core
    {"POST", "/api/messaging/submit", "SubmitMessage", "messaging.submitMessage"},
    {"POST", "/api/messaging/action", "CreateActionMessage", ""},
    {"PATCH", "/api/messaging/action/{id}", "UpdateActionMessage", ""},
    {"POST", "/api/messaging/ingest-external", "IngestExternalMessages", "messaging.ingestExternalMessages"},
    // messaging: message servers
    {"GET", "/api/messaging/message-server/current", "GetCurrentMessageServer", "messaging.getCurrentMessageServer"},
    {"GET", "/api/messaging/message-servers", "ListMessageServers", "messaging.listMessageServers"},
    {"POST", "/api/messaging/message-servers", "CreateMessageServer", "messaging.createMessageServer"},
    {"GET", "/api/messaging/message-servers/{messageServerId}/agents", "GetAgentsForMessageServer",
     "agents.getAgentsForMessageServer"},
    {"POST", "/api/messaging/message-servers/{messageServerId}/agents", "AddAgentToMessageServer",
     "agents.addAgentToMessageServer"},
    {"DELETE", "/api/messaging/message-servers/{messageServerId}/agents/{agentId}", "RemoveAgentFromMessageServer",
     "agents.removeAgentFromMessageServer"},
    {"GET", "/api/messaging/agents/{agentId}/message-servers", "GetMessageServersForAgent",
     "agents.getMessageServersForAgent"},
    {"GET", "/api/messaging/central-servers", "ListCentralServers", ""},
    {"POST", "/api/messaging/servers", "CreateMessageServer", ""},
    {"GET", "/api/messaging/servers/{serverId}/agents", "GetAgentsForMessageServer", ""},
    {"POST", "/api/messaging/servers/{serverId}/agents", "AddAgentToMessageServer", ""},
    {"DELETE", "/api/messaging/servers/{serverId}/agents/{agentId}", "RemoveAgentFromMessageServer", ""},
    // messaging: channels
    {"POST", "/api/messaging/channels/{channelId}/messages", "PostMessage", "messaging.postMessage"},
    {"GET", "/api/messaging/channels/{channelId}/messages", "GetChannelMessages", "messaging.getChannelMessages"},
    {"GET", "/api/messaging/message-servers/{messageServerId}/channels", "GetMessageServerChannels",
     "messaging.getMessageServerChannels"},
    {"GET", "/api/messaging/dm-channel", "GetOrCreateDmChannel", "messaging.getOrCreateDmChannel"},
    {"POST", "/api/messaging/channels", "CreateChannel", "messaging.createChannel, messaging.createGroupChannel"},
    {"GET", "/api/messaging/channels/{channelId}/details", "GetChannelDetails", "messaging.getChannelDetails"},
    {"GET", "/api/messaging/channels/{channelId}/participants", "GetChannelParticipants",
     "messaging.getChannelParticipants"},
    {"POST", "/api/messaging/channels/{channelId}/agents", "AddAgentToChannel", "messaging.addAgentToChannel"},
    {"DELETE", "/api/messaging/channels/{channelId}/agents/{agentId}", "RemoveAgentFromChannel",
     "messaging.removeAgentFromChannel"},
    {"GET", "/api/messaging/channels/{channelId}/agents", "GetChannelAgents", ""},
    {"DELETE", "/api/messaging/channels/{channelId}/messages/{messageId}", "DeleteMessage",
     "messaging.deleteMessage, memory.deleteGroupMemory"},
    {"DELETE", "/api/messaging/channels/{channelId}/messages", "ClearChannelHistory",
     "messaging.clearChannelHistory, memory.clearGroupChat"},
    {"PATCH", "/api/messaging/channels/{channelId}", "UpdateChannel",
     "messaging.updateChannel, messaging.addUserToChannel, messaging.addUsersToChannel, messaging.removeUserFromChannel"},
    {"DELETE", "/api/messaging/channels/{channelId}", "DeleteChannel", "messaging.deleteChannel"},
    {"POST", "/api/messaging/channels/{channelId}/upload-media", "UploadChannelMedia", "media.uploadChannelMedia"},
    {"POST", "/api/messaging/channels/{channelId}/generate-title", "GenerateChannelTitle",
     "messaging.generateChannelTitle"},
    {"POST", "/api/messaging/central-channels/{channelId}/messages", "PostMessage", ""},
    {"GET", "/api/messaging/central-channels/{channelId}/messages", "GetChannelMessages", ""},
    {"GET", "/api/messaging/central-servers/{serverId}/channels", "GetMessageServerChannels", ""},
    {"POST", "/api/messaging/central-channels", "CreateChannel", ""},
    {"GET", "/api/messaging/central-channels/{channelId}/details", "GetChannelDetails", ""},
    {"GET", "/api/messaging/central-channels/{channelId}/participants", "GetChannelParticipants", ""},
    {"POST", "/api/messaging/central-channels/{channelId}/agents", "AddAgentToChannel", ""},
    {"DELETE", "/api/messaging/central-channels/{channelId}/agents/{agentId}", "RemoveAgentFromChannel", ""},
    {"GET", "/api/messaging/central-channels/{channelId}/agents", "GetChannelAgents", ""},
    {"DELETE", "/api/messaging/central-channels/{channelId}/messages/{messageId}", "DeleteMessage", ""},
    {"DELETE", "/api/messaging/central-channels/{channelId}/messages", "ClearChannelHistory", ""},
    {"PATCH", "/api/messaging/central-channels/{channelId}", "UpdateChannel", ""},
    {"DELETE", "/api/messaging/central-channels/{channelId}", "DeleteChannel", ""},
    {"POST", "/api/messaging/central-channels/{channelId}/generate-title", "GenerateChannelTitle", ""},
    // messaging: sessions
    {"GET", "/api/messaging/sessions/health", "CheckSessionsHealth", "sessions.checkHealth"},
    {"POST", "/api/messaging/sessions", "CreateSession", "sessions.createSession"},
    {"GET", "/api/messaging/sessions/{sessionId}", "GetSession", "sessions.getSession"},
    {"POST", "/api/messaging/sessions/{sessionId}/messages", "SendSessionMessage",
     "sessions.sendMessage, sessions.sendMessageSync"},
    {"GET", "/api/messaging/sessions/{sessionId}/messages", "GetSessionMessages", "sessions.getMessages"},
    {"POST", "/api/messaging/sessions/{sessionId}/renew", "RenewSession", ""},
    {"PATCH", "/api/messaging/sessions/{sessionId}/timeout", "UpdateSessionTimeout", ""},
    {"POST", "/api/messaging/sessions/{sessionId}/heartbeat", "SendSessionHeartbeat", ""},
    {"DELETE", "/api/messaging/sessions/{sessionId}", "DeleteSession", "sessions.deleteSession"},
    {"GET", "/api/messaging/sessions", "ListSessions", "sessions.listSessions"},
    // messaging: jobs
    {"POST", "/api/messaging/jobs", "CreateJob", "jobs.create, jobs.createAndPoll, jobs.ask"},
    {"GET", "/api/messaging/jobs/health", "CheckJobsHealth", "jobs.health"},
    {"GET", "/api/messaging/jobs", "ListJobs", "jobs.list"},
    {"GET", "/api/messaging/jobs/{jobId}", "GetJob", "jobs.getJob, jobs.poll"},
    // memory: agent memories, groups, rooms
    {"GET", "/api/memory/{agentId}/rooms/{roomId}/memories", "GetRoomMemories",
     "memory.getRoomMemories, memory.getAgentInternalMemories"},
    {"GET", "/api/memory/{agentId}/memories", "GetAgentMemories", "memory.getAgentMemories"},
    {"PATCH", "/api/memory/{agentId}/memories/{memoryId}", "UpdateMemory",
     "memory.updateMemory, memory.updateAgentInternalMemory"},
    {"DELETE", "/api/memory/{agentId}/memories", "ClearAgentMemories", "memory.clearAgentMemories"},
    {"DELETE", "/api/memory/{agentId}/memories/all/{roomId}", "ClearRoomMemories",
     "memory.clearRoomMemories, memory.deleteAllAgentInternalMemories"},
    {"DELETE", "/api/memory/{agentId}/memories/{memoryId}", "DeleteMemory",
     "memory.deleteMemory, memory.deleteAgentInternalMemory"},
    {"POST", "/api/memory/groups/{messageServerId}", "CreateWorldFromMessageServer", "memory.createWorldFromMessageServer"},
    {"DELETE", "/api/memory/groups/{messageServerId}", "DeleteWorld", "memory.deleteWorld"},
    {"DELETE", "/api/memory/groups/{messageServerId}/memories", "ClearWorldMemories", "memory.clearWorldMemories"},
    {"POST", "/api/memory/{agentId}/rooms", "CreateRoom", "memory.createRoom"},
    {"GET", "/api/memory/{agentId}/rooms", "ListAgentRooms", "memory.listAgentRooms"},
    {"GET", "/api/memory/{agentId}/rooms/{roomId}", "GetRoom", "memory.getRoom"},
    // audio
    {"POST", "/api/audio/{agentId}/audio-messages", "ProcessAudioMessage", ""},
    {"POST", "/api/audio/{agentId}/transcriptions", "Transcribe", "audio.transcribe"},
    {"POST", "/api/audio/{agentId}/audio-messages/synthesize", "SynthesizeAudioMessage", "audio.synthesizeAudioMessage"},
    {"POST", "/api/audio/{agentId}/speech/generate", "GenerateSpeech", "audio.generateSpeech"},
    {"POST", "/api/audio/{agentId}/speech/conversation", "SpeechConversation", "audio.speechConversation"},
    // server
    {"GET", "/api/server/ping", "Ping", "server.ping"},
    {"GET", "/api/server/hello", "Hello", "server.hello"},
    {"GET", "/api/server/status", "GetStatus", "server.getStatus"},
    {"GET", "/api/server/health", "CheckHealth", "server.checkHealth"},
    {"POST", "/api/server/stop", "StopServer", "server.stopServer"},
    {"GET", "/api/server/logs", "GetGlobalLogs", "system.getGlobalLogs"},
    {"POST", "/api/server/logs", "SubmitLogs", "server.submitLogs"},
    {"DELETE", "/api/server/logs", "ClearLogs", "server.clearLogs, system.deleteGlobalLogs"},
    {"GET", "/api/server/debug/servers", "GetDebugInfo", "server.getDebugInfo"},
    // system
    {"GET", "/api/system/config", "GetSystemConfig", ""},
    {"GET", "/api/system/env/local", "GetEnvironment", "system.getEnvironment"},
    {"POST", "/api/system/env/local", "UpdateLocalEnvironment", "system.updateLocalEnvironment"},
    {"GET", "/api/system/version", "GetVersion", ""},
};

// ---- the table checks itself at compile time ----

constexpr int index_of(std::string_view operation) {
  for (int i = 0; i < kOperationCount; ++i) {
    if (kOperationNames[i] == operation) return i;
  }
  return -1;
}

constexpr std::size_t count_params(std::string_view pattern) {
  std::size_t n = 0;
  for (const char c : pattern) n += c == '{' ? 1 : 0;
  return n;
}

constexpr bool well_formed(std::span<const Route> routes, bool emulated_only) {
  for (const Route& route : routes) {
    const int index = index_of(route.operation);
    if (index < 0 || (emulated_only && index >= kEmulatedCount)) return false;
    if (count_params(route.pattern) > kMaxPathParams) return false;
  }
  return true;
}

// Every operation name is routed somewhere, and no name is listed twice.
constexpr bool every_name_routed() {
  for (int i = 0; i < kOperationCount; ++i) {
    if (index_of(kOperationNames[i]) != i) return false;
    bool routed = false;
    for (const Route& route : kElizaRoutes) routed = routed || route.operation == kOperationNames[i];
    if (!routed) return false;
  }
  return true;
}

static_assert(well_formed(kDocsRoutes, true), "a docs route names an unknown or unemulated operation");
static_assert(well_formed(kElizaRoutes, false), "an elizaOS route names an unknown operation");
static_assert(every_name_routed(), "an operation name is unrouted or listed twice");

// A route split into segments once, with its operation's index.
struct CompiledRoute {
  const Route* route;
  int operation;
  std::vector<std::string_view> segments;  // "agents", "{agentId}", "logs"
};

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::vector<CompiledRoute> compile(std::span<const Route> routes) {
  std::vector<CompiledRoute> out;
  out.reserve(routes.size());
  for (const Route& route : routes) out.push_back({&route, index_of(route.operation), segments_of(route.pattern)});
  return out;
}

const std::vector<CompiledRoute>& compiled(Profile profile) {
  static const std::vector<CompiledRoute> docs = compile(kDocsRoutes);
  static const std::vector<CompiledRoute> eliza = compile(kElizaRoutes);
  return profile == Profile::docs ? docs : eliza;
}

bool is_param(std::string_view segment) { return segment.size() > 2 && segment.front() == '{'; }

}  // namespace

int operation_index(std::string_view name) { return index_of(name); }

std::span<const Route> routes_of(Profile profile) {
  if (profile == Profile::docs) return kDocsRoutes;
  return kElizaRoutes;
}

std::array<std::string_view, kMaxPathParams> pattern_params(std::string_view pattern) {
  std::array<std::string_view, kMaxPathParams> names{};
  std::size_t n = 0;
  for (std::size_t open = pattern.find('{'); open != std::string_view::npos && n < kMaxPathParams;
       open = pattern.find('{', open + 1)) {
    const auto close = pattern.find('}', open);
    if (close == std::string_view::npos) break;
    names[n++] = pattern.substr(open + 1, close - open - 1);
  }
  return names;
}

std::string_view RouteMatch::param(std::string_view name) const {
  if (route == nullptr) return {};
  const auto names = pattern_params(route->pattern);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!names[i].empty() && names[i] == name) return params[i];
  }
  return {};
}

std::optional<RouteMatch> match_route(Profile profile, std::string_view method, std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  // Split without allocating: at most this many segments are compared.
  constexpr std::size_t kMaxSegments = 8;
  std::array<std::string_view, kMaxSegments> segments{};
  std::size_t count = 0;
  std::string_view rest = path.starts_with('/') ? path.substr(1) : path;
  while (true) {
    if (count == kMaxSegments) return std::nullopt;  // deeper than any route
    const auto slash = rest.find('/');
    segments[count++] = rest.substr(0, slash);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  for (const CompiledRoute& candidate : compiled(profile)) {
    if (candidate.route->method != method || candidate.segments.size() != count) continue;
    RouteMatch match{candidate.route, candidate.operation, {}};
    std::size_t param = 0;
    bool same = true;
    for (std::size_t i = 0; i < count && same; ++i) {
      const std::string_view want = candidate.segments[i];
      if (is_param(want)) {
        same = !segments[i].empty();
        if (same) match.params[param++] = segments[i];
      } else {
        same = want == segments[i];
      }
    }
    if (same) return match;
  }
  return std::nullopt;
}

std::span<const ParamSpec> query_specs(Profile profile, Op op) {
  if (profile == Profile::docs && op == Op::list) return kListQuery;
  if (profile == Profile::eliza && op == Op::logs) return kLogsQuery;
  return {};
}

std::span<const ParamSpec> body_specs(Profile profile, Op op) {
  if (profile == Profile::eliza) {
    switch (op) {
      case Op::update: return kElizaUpdate;
      case Op::add_world: return kWorldCreate;
      case Op::update_world: return kWorldUpdate;
      default: return {};
    }
  }
  switch (op) {
    case Op::create: return kCreateBody;
    case Op::update: return kUpdateBody;
    case Op::start: return kStartBody;
    case Op::stop: return kStopBody;
    default: return {};
  }
}

}  // namespace agentemu::rest
