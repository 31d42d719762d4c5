// The elizaOS profile's routes that talk to an agent's running runtime (packages/server
// api/agents/worlds.ts, panels.ts, logs.ts): each answers 404 "Agent not found" unless the agent
// is running, then does what the server does with plugin-sql's rows. And the 501 of the routes
// agentemu does not emulate.
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"
#include "vendors/rest/ids.hpp"
#include "vendors/rest/rest_vendor.hpp"
#include "vendors/rest/values.hpp"

namespace agentemu::rest {
namespace {

void answer(Call& call, int status, JsonWriter& w) { call.response.set(status, kJsonUtf8, w.take()); }

std::string iso_time(std::int64_t ms) { return format_rfc3339_millis(from_epoch_millis(ms)); }

// plugin-sql's worlds row: id, agentId, name, metadata, messageServerId, createdAt.
void write_world(JsonWriter& w, const World& world, std::string_view agent_id) {
  w.begin_object().field("id", world.id).field("agentId", agent_id).field("name", world.name);
  write_json_text(w.key("metadata"), world.metadata);
  world.message_server_id.empty() ? w.field_null("messageServerId") : w.field("messageServerId", world.message_server_id);
  w.field("createdAt", iso_time(world.created_ms)).end_object();
}

// plugin-sql's logs row (LogStore.getMany): id, createdAt, entityId, body, type, roomId.
void write_log(JsonWriter& w, const LogEntry& log) {
  w.begin_object().field("id", log.id).field("createdAt", iso_time(log.created_ms)).field("entityId", log.entity_id);
  write_json_text(w.key("body"), log.body);
  w.field("type", log.type).field("roomId", log.room_id).end_object();
}

World* find_world(Agent& agent, std::string_view id) {
  AgentExtras* extras = agent.made_extras();
  if (extras == nullptr) return nullptr;
  for (World& world : extras->worlds) {
    if (world.id == id) return &world;
  }
  return nullptr;
}

// JavaScript's object spread of a JSON value into `out`: an object's members, an array's items
// by index; nothing for the rest (strings, which spread into characters, included).
void spread(JsonValue& out, const JsonValue& from, JsonDocument::AllocatorType& alloc) {
  const auto put = [&](JsonValue key, const JsonValue& value) {
    if (auto it = out.FindMember(key); it != out.MemberEnd()) {
      it->value.CopyFrom(value, alloc);
    } else {
      out.AddMember(key, JsonValue(value, alloc), alloc);
    }
  };
  if (from.IsObject()) {
    for (const auto& member : from.GetObject()) put(JsonValue(member.name, alloc), member.value);
  } else if (from.IsArray()) {
    for (rapidjson::SizeType i = 0; i < from.Size(); ++i) {
      const std::string index = std::to_string(i);
      put(JsonValue(index.c_str(), static_cast<rapidjson::SizeType>(index.size()), alloc), from[i]);
    }
  }
}

// What Number() makes of a query value the logs route passes on to SQL, as a row count; nullopt
// when SQL would refuse it (the server answers 500; bad input here is a 400).
std::optional<std::int64_t> sql_count(std::string_view text) {
  const auto number = parse_double(trim(text));
  if (!number || *number < 0 || *number != std::floor(*number) || *number > 1e15) return std::nullopt;
  return static_cast<std::int64_t>(*number);
}

// excludeTypes: a row of one of these types, or whose body.modelType contains one, in any case.
bool excluded_type(const LogEntry& log, std::span<const std::string_view> excluded) {
  if (excluded.empty()) return false;
  const std::string model_type = to_lower(log.model_type);
  for (const std::string_view type : excluded) {
    if (!log.type.empty() && log.type == type) return true;
    if (!model_type.empty() && model_type.find(to_lower(type)) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void RestVendor::add_world(Call& call, RestCall& rc) {
  const std::int64_t now = epoch_millis(context_.clock.now());
  JsonWriter w;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr || !agent->active) return render(call, Profile::eliza, Err::agent_not_found);
    const JsonValue* name = json_member(rc.body, "name");
    if (!truthy(name)) return render(call, Profile::eliza, Err::bad_request);
    // `messageServerId || undefined` goes to a uuid column.
    const JsonValue* server = json_member(rc.body, "messageServerId");
    std::string server_id;
    if (truthy(server)) {
      if (!server->IsString() || !is_uuid(text_of(*server))) {
        return render(call, Profile::eliza, Err::world_error,
                      {.details = "invalid input syntax for type uuid: \"" + json_to_text(*server) + "\"", .status = 400});
      }
      server_id = lowercase_id(text_of(*server));
    }
    // createUniqueUuid(runtime, `world-${Date.now()}`); the insert does nothing on a conflict, so
    // a second world in the same millisecond answers with the first.
    const std::string id = string_to_uuid("world-" + std::to_string(now) + ":" + agent->id);
    World* world = find_world(*agent, id);
    if (world == nullptr) {
      std::vector<World>& worlds = agent->extras_to_change().worlds;
      if (worlds.size() >= kMaxWorldsPerAgent) {
        return render(call, Profile::eliza, Err::rate_limited, {.retry_after_seconds = 60});
      }
      World fresh;
      fresh.id = id;
      fresh.name = json_to_text(*name);  // a text column: what is not a string is stored as its JSON text
      if (const JsonValue* metadata = json_member(rc.body, "metadata"); metadata && !metadata->IsNull()) {
        fresh.metadata = json_text(*metadata);
      }
      fresh.message_server_id = std::move(server_id);
      fresh.created_ms = now;
      worlds.push_back(std::move(fresh));
      world = &worlds.back();
    }
    w.begin_object().field_bool("success", true).key("data").begin_object().key("world");
    write_world(w, *world, agent->id);
    w.end_object().end_object();
  }
  answer(call, 201, w);
}

void RestVendor::update_world(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr || !agent->active) return render(call, Profile::eliza, Err::agent_not_found);
    World* world = find_world(*agent, rc.second_id);
    if (world == nullptr) return render(call, Profile::eliza, Err::agent_not_found, {.message = "World not found"});
    // Only name and metadata are read (the api-client's {settings} changes nothing).
    const JsonValue* name = json_member(rc.body, "name");
    if (name != nullptr && name->IsNull()) {
      return render(call, Profile::eliza, Err::world_error,
                    {.message = "Error updating world",
                     .details = "null value in column \"name\" of relation \"worlds\" violates not-null constraint",
                     .status = 400});
    }
    if (name != nullptr) world->name = json_to_text(*name);
    if (const JsonValue* metadata = json_member(rc.body, "metadata")) {
      // world.metadata ? {...world.metadata, ...metadata} : metadata
      JsonDocument old;
      if (!world->metadata.empty() && !parse_json(world->metadata, old) && truthy(&old)) {
        JsonDocument merged;
        merged.SetObject();
        spread(merged, old, merged.GetAllocator());
        spread(merged, *metadata, merged.GetAllocator());
        world->metadata = json_text(merged);
      } else {
        world->metadata = metadata->IsNull() ? std::string() : json_text(*metadata);
      }
    }
    w.begin_object().field_bool("success", true).key("data").begin_object().key("world");
    write_world(w, *world, agent->id);
    w.end_object().end_object();
  }
  answer(call, 200, w);
}

void RestVendor::get_panels(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    const Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr || !agent->active) return render(call, Profile::eliza, Err::agent_not_found);
    w.begin_object().field_bool("success", true).key("data").begin_array();
    for (const Panel& panel : agent->extras().panels) {
      const std::string slash = panel.path.starts_with('/') ? "" : "/";
      w.begin_object().field("name", panel.name);
      w.field("path", "/api/agents/" + agent->id + "/plugins" + slash + panel.path + "?agentId=" + agent->id);
      w.end_object();
    }
    w.end_array().end_object();
  }
  answer(call, 200, w);
}

void RestVendor::get_logs(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    const Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr || !agent->active) return render(call, Profile::eliza, Err::agent_not_found);
    auto params = parse_query(call.request.query, PlusIs::space);
    if (!params) {
      return render(call, Profile::eliza, Err::invalid_request,
                    {.message = "The query string is not valid percent-encoding"});
    }
    const auto first = [&](std::string_view name) -> std::string_view {
      const QueryParam* p = find_param(*params, name);
      return p == nullptr ? std::string_view{} : std::string_view(p->value);
    };
    const std::string_view room = first("roomId");
    if (!room.empty() && !is_uuid(room)) {
      return render(call, Profile::eliza, Err::invalid_id, {.message = "Invalid room ID format"});
    }
    const std::string room_id = lowercase_id(room);
    const std::string_view type = first("type");
    std::int64_t limits[2] = {10, 0};  // count, offset: the store's defaults
    const std::string_view names[2] = {"count", "offset"};
    for (int i = 0; i < 2; ++i) {
      const std::string_view text = first(names[i]);
      if (text.empty()) continue;
      const auto value = sql_count(text);
      if (!value) {
        return render(call, Profile::eliza, Err::log_error,
                      {.details = std::string(names[i]) + " must be a whole number of rows, 0 or more", .status = 400});
      }
      limits[i] = *value;
    }
    std::vector<std::string_view> excluded;
    for (const QueryParam& p : *params) {
      if (p.name == "excludeTypes") excluded.push_back(p.value);
    }
    if (excluded.size() == 1 && excluded.front().empty()) excluded.clear();  // "" is falsy: no filter

    // Every agent's rows (the logs table has no agent column), newest first; then, as the route
    // does after the query, without the excluded types.
    std::vector<const LogEntry*> rows;
    for (const LogEntry& log : store_.logs()) {
      if ((room_id.empty() || log.room_id == room_id) && (type.empty() || log.type == type)) rows.push_back(&log);
    }
    std::sort(rows.begin(), rows.end(), [](const LogEntry* a, const LogEntry* b) {
      return a->created_ms != b->created_ms ? a->created_ms > b->created_ms : a->sequence > b->sequence;
    });
    const auto skip = std::min<std::int64_t>(limits[1], static_cast<std::int64_t>(rows.size()));
    const auto take = std::min<std::int64_t>(limits[0], static_cast<std::int64_t>(rows.size()) - skip);
    w.begin_object().field_bool("success", true).key("data").begin_array();
    for (std::int64_t i = skip; i < skip + take; ++i) {
      const LogEntry& log = *rows[static_cast<std::size_t>(i)];
      if (excluded_type(log, excluded)) continue;
      write_log(w, log);
    }
    w.end_array().end_object();
  }
  answer(call, 200, w);
}

void RestVendor::delete_log(Call& call, RestCall& rc) {
  {
    auto lock = store_.lock();
    const Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr || !agent->active) return render(call, Profile::eliza, Err::agent_not_found);
    // A DELETE that matches no row is no error.
    store_.erase_log(rc.second_id);
  }
  call.response.set(204, "", "");
}

void RestVendor::not_implemented(Call& call, const RestCall& rc) {
  const Route& route = *rc.route->route;
  const std::string_view operation = kOperationNames[static_cast<std::size_t>(rc.route->operation)];
  render(call, Profile::eliza, Err::not_implemented,
         {.message = "agentemu does not emulate " + std::string(operation) + " (" + std::string(route.method) + " " +
                     std::string(route.pattern) + ") of the elizaOS server"});
  if (!route.clients.empty()) call.response.diagnostic = "@elizaos/api-client calls it as " + std::string(route.clients);
}

}  // namespace agentemu::rest
