// The error catalogue of both profiles. An error's id is the text the documented (default)
// profile answers, e.g. "Agent is not running"; the elizaOS-server profile renders the same id
// with its own code, status and envelope (NOT_FOUND 404 "Agent not found" for that one).
// Scenario rules may name an error by either its text or its elizaOS code.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/call.hpp"

namespace agentemu::rest {

// Which skin a request wears: /agents (the published REST reference) or /api/agents (the
// elizaOS server in packages/server).
enum class Profile : std::uint8_t { docs, eliza };

enum class ElizaShape : std::uint8_t {
  envelope,  // {"success":false,"error":{"code":C,"message":M,"details"?:D}}  (sendError)
  handler,   // {"success":false,"error":{"message":M,"code":<status number>}}  (the /api error handler)
  api_key,   // {"error":"API key required","message":"Missing or invalid X-API-KEY header"}  (apiKeyAuthMiddleware)
  plugin,    // {"success":false,"error":{"message":M,"code":C}}  (the plugin route handler's own)
};

struct ErrorEntry {
  std::string_view id;  // the documented profile's error text
  int status;           // its status there
  std::string_view eliza_code;  // "" for handler-shaped errors
  int eliza_status;
  std::string_view eliza_message;
  ElizaShape eliza_shape;
};

enum class Err : std::uint8_t {
  agent_not_found,
  agent_not_running,
  graceful_timeout,
  stop_failed,
  invalid_id,
  invalid_request,
  content_type,
  unauthorized,
  route_not_found,
  create_error,
  update_error,
  delete_error,
  start_error,
  db_error,
  rate_limited,
  forbidden,
  unavailable,
  not_implemented,    // agentemu's own: a real route it does not emulate (501, the server's envelope)
  bad_request,        // BAD_REQUEST "World name is required"
  world_error,        // code "500": "Error creating world" / "Error updating world"
  log_error,          // LOG_ERROR
  panel_error,        // PANEL_ERROR
  log_delete_error,   // DELETE_ERROR "Failed to delete log"
  runtime_not_found,  // AGENT_NOT_FOUND: ?agentId= names no running agent
  invalid_agent_query,  // INVALID_AGENT_ID: ?agentId= is no UUID
};

const ErrorEntry& entry(Err err);
// Looks an id up by its documented text or its elizaOS code.
std::optional<Err> find_error(std::string_view id);

inline constexpr std::string_view kJsonUtf8 = "application/json; charset=utf-8";

struct ErrorDetails {
  std::string_view message;  // "" : the catalogue's text for the profile
  std::string_view details;  // elizaOS envelope's optional "details"
  int status = 0;            // 0 : the catalogue's status for the profile
  int retry_after_seconds = -1;
};

// Writes the error into call.response in the profile's envelope and sets call.error_code.
void render(Call& call, Profile profile, Err err, const ErrorDetails& details = {});

}  // namespace agentemu::rest
