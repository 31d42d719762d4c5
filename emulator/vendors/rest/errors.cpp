#include "vendors/rest/errors.hpp"

#include <array>
#include <string>

#include "core/json.hpp"

namespace agentemu::rest {
namespace {

using enum ElizaShape;

// Statuses of the documented profile where its pages name none are reasoned choices; see the
// README's fidelity notes. The elizaOS column follows packages/server.
constexpr std::array<ErrorEntry, 25> kCatalogue{{
    {"Agent not found", 404, "NOT_FOUND", 404, "Agent not found", envelope},
    {"Agent is not running", 409, "NOT_FOUND", 404, "Agent not found", envelope},
    {"Graceful shutdown timed out", 408, "", 408, "Graceful shutdown timed out", handler},
    {"Failed to stop agent runtime", 500, "", 500, "Failed to stop agent runtime", handler},
    {"Invalid agent ID format", 400, "INVALID_ID", 400, "Invalid agent ID format", envelope},
    {"Invalid request", 400, "", 400, "Invalid request", handler},
    {"Content-Type must be application/json", 400, "INVALID_CONTENT_TYPE", 400,
     "Invalid or missing Content-Type header", envelope},
    {"Unauthorized", 401, "", 401, "Missing or invalid X-API-KEY header", api_key},
    {"Not found", 404, "", 404, "API endpoint not found", handler},
    {"Error creating agent", 400, "CREATE_ERROR", 400, "Error creating agent", envelope},
    {"Error updating agent", 500, "UPDATE_ERROR", 500, "Error updating agent", envelope},
    {"Error deleting agent", 500, "DELETE_ERROR", 500, "Error deleting agent", envelope},
    {"Error starting agent", 500, "START_ERROR", 500, "Error starting agent", envelope},
    {"Database not available", 500, "DB_ERROR", 500, "Database not available", envelope},
    {"Too many requests. Please try again later.", 429, "RATE_LIMIT_EXCEEDED", 429,
     "Too many requests. Please try again later.", envelope},
    {"Forbidden", 403, "", 403, "Forbidden", handler},
    {"Service unavailable", 503, "", 503, "Service unavailable", handler},
    {"Not implemented", 501, "NOT_IMPLEMENTED", 501, "Not implemented", envelope},
    {"World name is required", 400, "BAD_REQUEST", 400, "World name is required", envelope},
    {"Error creating world", 500, "500", 500, "Error creating world", envelope},
    {"Error retrieving agent logs", 500, "LOG_ERROR", 500, "Error retrieving agent logs", envelope},
    {"Error retrieving agent panels", 500, "PANEL_ERROR", 500, "Error retrieving agent panels", envelope},
    {"Failed to delete log", 500, "DELETE_ERROR", 500, "Failed to delete log", envelope},
    {"AGENT_NOT_FOUND", 404, "AGENT_NOT_FOUND", 404, "Agent not found", plugin},
    {"INVALID_AGENT_ID", 400, "INVALID_AGENT_ID", 400, "Invalid agent ID format", plugin},
}};

}  // namespace

const ErrorEntry& entry(Err err) { return kCatalogue[static_cast<std::size_t>(err)]; }

std::optional<Err> find_error(std::string_view id) {
  for (std::size_t i = 0; i < kCatalogue.size(); ++i) {
    if (kCatalogue[i].id == id || (!kCatalogue[i].eliza_code.empty() && kCatalogue[i].eliza_code == id)) {
      return static_cast<Err>(i);
    }
  }
  return std::nullopt;
}

void render(Call& call, Profile profile, Err err, const ErrorDetails& details) {
  const ErrorEntry& e = entry(err);
  JsonWriter w;
  int status = 0;
  if (profile == Profile::docs) {
    status = details.status != 0 ? details.status : e.status;
    w.begin_object().field_bool("success", false).field("error", details.message.empty() ? e.id : details.message);
    w.end_object();
    call.error_code.assign(e.id);
  } else {
    status = details.status != 0 ? details.status : e.eliza_status;
    const std::string_view message = details.message.empty() ? e.eliza_message : details.message;
    switch (e.eliza_shape) {
      case envelope:
        w.begin_object().field_bool("success", false).key("error").begin_object();
        w.field("code", e.eliza_code).field("message", message);
        if (!details.details.empty()) w.field("details", details.details);
        w.end_object().end_object();
        call.error_code.assign(e.eliza_code);
        break;
      case handler:
        w.begin_object().field_bool("success", false).key("error").begin_object();
        w.field("message", message).field_int("code", status);
        w.end_object().end_object();
        call.error_code.assign(e.id);
        break;
      case plugin:
        w.begin_object().field_bool("success", false).key("error").begin_object();
        w.field("message", message).field("code", e.eliza_code);
        w.end_object().end_object();
        call.error_code.assign(e.eliza_code);
        break;
      case api_key:
        w.begin_object().field("error", "API key required").field("message", message).end_object();
        call.error_code.assign(e.id);
        break;
    }
  }
  call.response.set(status, kJsonUtf8, w.take());
  if (err == Err::unauthorized && profile == Profile::docs) call.response.add_header("WWW-Authenticate", "Bearer");
  if (details.retry_after_seconds >= 0) {
    call.response.add_header("Retry-After", std::to_string(details.retry_after_seconds));
  }
}

}  // namespace agentemu::rest
