#include "vendors/rest/rest_vendor.hpp"

#include <cmath>

#include "core/crypto.hpp"
#include "core/describe.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "vendors/rest/character.hpp"
#include "vendors/rest/ids.hpp"
#include "vendors/rest/values.hpp"

namespace agentemu::rest {
namespace {

bool has_body_method(std::string_view method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

// "application/json; charset=utf-8" -> "application/json"
std::string_view media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  return trim(content_type.substr(0, semicolon));
}

bool contains_ci(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (iequals(text.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// A path id as elizaOS's validateUuid takes it (percent-decoded, 8-4-4-4-12 hex), stored lowercase.
bool decode_id(std::string_view raw, std::string& out) {
  std::optional<std::string> decoded;
  if (raw.find('%') != std::string_view::npos) decoded = percent_decode(raw);
  const std::string_view id = decoded ? std::string_view(*decoded) : raw;
  if (!is_uuid(id)) return false;
  out = lowercase_id(id);
  return true;
}

// Values of the query string, by the table's names (the first of repeated names wins).
class QuerySource final : public ParamSource {
 public:
  explicit QuerySource(const std::vector<QueryParam>& params) : params_(params) {}
  ParamValue find(const ParamSpec& spec) const override {
    const QueryParam* p = find_param(params_, spec.name);
    return p == nullptr ? ParamValue::missing() : ParamValue::of_text(p->value);
  }

 private:
  const std::vector<QueryParam>& params_;
};



}  // namespace

RestVendor::RestVendor(const VendorContext& context) : context_(context), store_(context.scheduler) {}

RestVendor::~RestVendor() {
  // Calls still waiting on a graceful stop are let go with the process; their wake-ups (which
  // point at this vendor) are cancelled. The scheduler outlives the vendors.
  std::vector<StopOutcome> outcomes;
  {
    auto lock = store_.lock();
    store_.clear(0, outcomes);
  }
}

VendorRoutes RestVendor::routes() const { return VendorRoutes{{kDocsPrefix, kElizaPrefix}, {}}; }

// ---- the request path -------------------------------------------------------------------------

bool RestVendor::decode(Call& call) {
  auto state = std::make_unique<RestCall>();
  RestCall& rc = *state;
  call.state = std::move(state);
  const std::string_view path = call.request.path;
  rc.profile = path.starts_with(kElizaPrefix) ? Profile::eliza : Profile::docs;
  rc.route = match_route(rc.profile, call.request.method, path);
  if (!rc.route) {
    if (rc.profile == Profile::eliza) return true;  // the server checks the key first, then answers 404
    render(call, rc.profile, Err::route_not_found);
    return false;
  }
  call.operation = rc.route->operation;
  if (rc.route->emulated()) {
    rc.op = rc.route->op();
    rc.raw_id = rc.route->param("agentId");
  }
  return true;
}

bool RestVendor::authenticate(Call& call) {
  if (!has_keys_.load(std::memory_order_acquire)) return true;
  const RestCall& rc = call.state_as<RestCall>();
  std::string_view presented;
  if (rc.profile == Profile::docs) {
    const std::string_view header = call.request.header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (istarts_with(header, kBearer)) presented = trim(header.substr(kBearer.size()));
  } else {
    presented = call.request.header("x-api-key");
  }
  bool ok = false;
  if (!presented.empty()) {
    if (context_.auth == AuthMode::lenient) {
      ok = true;  // any key will do; one must still be sent
    } else {
      auto lock = store_.lock();
      for (const std::string& key : store_.api_keys()) ok = constant_time_equal(presented, key) || ok;
    }
  }
  if (!ok) render(call, rc.profile, Err::unauthorized);
  return ok;
}

bool RestVendor::validate(Call& call) {
  RestCall& rc = call.state_as<RestCall>();
  return rc.profile == Profile::docs ? validate_docs(call, rc) : validate_eliza(call, rc);
}

bool RestVendor::validate_docs(Call& call, RestCall& rc) {
  const Request& request = call.request;
  // Content type, then the JSON body.
  if (has_body_method(request.method) && !request.body.empty()) {
    if (!iequals(media_type(request.header("content-type")), "application/json")) {
      render(call, rc.profile, Err::content_type);
      return false;
    }
    rc.json_body = true;
  }
  if (!parse_body(call, rc)) return false;

  if (!rc.raw_id.empty()) {
    if (!decode_id(rc.raw_id, rc.agent_id)) {
      render(call, rc.profile, Err::invalid_id);
      return false;
    }
  }

  if (const auto specs = query_specs(rc.profile, rc.op); !specs.empty()) {
    auto params = parse_query(request.query, PlusIs::space);
    if (!params) {
      render(call, rc.profile, Err::invalid_request, {.message = "The query string is not valid percent-encoding"});
      return false;
    }
    rc.query = std::move(*params);
    if (auto violation = validate_params(specs, QuerySource(rc.query))) {
      render(call, rc.profile, Err::invalid_request, {.message = violation->message});
      return false;
    }
  }
  return validate_docs_body(call, rc);
}

// In the server's order: express.json parses first, then the key is checked (authenticate), then
// the plugin route handler looks at ?agentId=, then the API router checks the content type, and
// only then does a route (or the 404 handler) answer.
bool RestVendor::validate_eliza(Call& call, RestCall& rc) {
  const Request& request = call.request;
  const bool has_body = has_body_method(request.method) && !request.body.empty();
  const std::string_view type = request.header("content-type");
  rc.json_body = has_body && contains_ci(type, "application/json");
  if (!parse_body(call, rc)) return false;
  if (!check_agent_query(call, rc)) return false;
  // validateContentTypeMiddleware: any of three types passes; only JSON is parsed. The media
  // router is mounted before it.
  const bool media = rc.route && rc.route->route->pattern.starts_with("/api/media/");
  if (has_body && !media && !rc.json_body && !contains_ci(type, "multipart/form-data") &&
      !contains_ci(type, "application/x-www-form-urlencoded")) {
    render(call, rc.profile, Err::content_type);
    return false;
  }
  if (!rc.route) {
    render(call, rc.profile, Err::route_not_found);
    return false;
  }
  if (!rc.route->emulated()) return true;  // execute answers 501; scenario rules may answer first
  if (!rc.body.IsObject()) {
    render(call, rc.profile, Err::invalid_request, {.message = "Request body must be a JSON object"});
    return false;
  }
  return validate_eliza_ids(call, rc) && validate_eliza_body(call, rc);
}

bool RestVendor::parse_body(Call& call, RestCall& rc) {
  if (!rc.json_body) {
    rc.body.SetObject();
    return true;
  }
  if (auto error = parse_json(call.request.body, rc.body)) {
    render(call, rc.profile, Err::invalid_request,
           {.message = "Request body is not valid JSON: " + error->message + " (line " + std::to_string(error->line) +
                       ", column " + std::to_string(error->column) + ")"});
    return false;
  }
  // The eliza profile's routes that agentemu does not emulate take any JSON (express.json
  // accepts arrays too); the emulated ones want an object, checked once the route is known.
  if (rc.profile == Profile::docs && !rc.body.IsObject()) {
    render(call, rc.profile, Err::invalid_request, {.message = "Request body must be a JSON object"});
    return false;
  }
  return true;
}

// createPluginRouteHandler, mounted before the API router: once any agent runs, a request whose
// query names an agentId must name a running one, whatever the path.
bool RestVendor::check_agent_query(Call& call, RestCall& rc) {
  const std::string_view query = call.request.query;
  if (query.find("agentId") == std::string_view::npos) return true;
  const auto params = parse_query(query, PlusIs::space);
  if (!params) return true;
  std::size_t count = 0;
  std::string_view value;
  for (const QueryParam& p : *params) {
    if (p.name != "agentId") continue;
    if (count++ == 0) value = p.value;
  }
  if (count == 0 || (count == 1 && value.empty())) return true;  // an empty agentId is falsy
  bool any_running = false;
  bool named_running = false;
  {
    auto lock = store_.lock();
    any_running = store_.any_active();
    if (count == 1 && is_uuid(value)) {
      const Agent* named = store_.find(lowercase_id(value));
      named_running = named != nullptr && named->active;
    }
  }
  if (!any_running || named_running) return true;
  // Repeated, the parameter is an array, which is no UUID either.
  render(call, rc.profile, count == 1 && is_uuid(value) ? Err::runtime_not_found : Err::invalid_agent_query);
  return false;
}

// The path ids of the emulated routes, with each route's own words for a bad one.
bool RestVendor::validate_eliza_ids(Call& call, RestCall& rc) {
  struct SecondId {
    Op op;
    std::string_view param;
    std::string_view message;
  };
  static constexpr SecondId kSecondIds[] = {
      {Op::update_world, "worldId", "Invalid agent ID or world ID format"},
      {Op::delete_log, "logId", "Invalid agent or log ID format"},
  };
  if (rc.raw_id.empty()) return true;
  std::string_view message;
  bool ok = decode_id(rc.raw_id, rc.agent_id);
  for (const SecondId& second : kSecondIds) {
    if (second.op != rc.op) continue;
    message = second.message;
    ok = decode_id(rc.route->param(second.param), rc.second_id) && ok;
  }
  if (ok) return true;
  render(call, rc.profile, Err::invalid_id, {.message = message});
  return false;
}

bool RestVendor::validate_docs_body(Call& call, RestCall& rc) {
  if (auto violation = validate_params(body_specs(rc.profile, rc.op), JsonObjectSource(&rc.body))) {
    render(call, rc.profile, Err::invalid_request, {.message = violation->message});
    return false;
  }
  if (rc.op == Op::stop) {
    if (const JsonValue* g = json_member(rc.body, "graceful"); g != nullptr && g->IsBool()) rc.graceful = g->GetBool();
    if (const JsonValue* t = json_member(rc.body, "timeout"); t != nullptr && t->IsNumber()) rc.timeout_ms = t->GetDouble();
  }
  return true;
}

void RestVendor::execute(Call& call) {
  RestCall& rc = call.state_as<RestCall>();
  if (rc.profile == Profile::docs) {
    switch (rc.op) {
      case Op::list: return list_agents(call, rc);
      case Op::create: return create_agent(call, rc);
      case Op::get: return get_agent(call, rc);
      case Op::update: return update_agent(call, rc);
      case Op::remove: return delete_agent(call, rc);
      case Op::start: return start_agent(call, rc);
      case Op::stop: return stop_agent(call, rc);
      default: return;  // the documented profile routes the seven above only
    }
  }
  if (!rc.route->emulated()) return not_implemented(call, rc);
  switch (rc.op) {
    case Op::list: return eliza_list_agents(call, rc);
    case Op::create: return eliza_create_agent(call, rc);
    case Op::get: return eliza_get_agent(call, rc);
    case Op::update: return eliza_update_agent(call, rc);
    case Op::remove: return eliza_delete_agent(call, rc);
    case Op::start: return eliza_start_agent(call, rc);
    case Op::stop: return eliza_stop_agent(call, rc);
    case Op::add_world: return add_world(call, rc);
    case Op::update_world: return update_world(call, rc);
    case Op::panels: return get_panels(call, rc);
    case Op::logs: return get_logs(call, rc);
    case Op::delete_log: return delete_log(call, rc);
  }
}

// ---- errors and parameters, as scenario rules see them ----------------------------------------

bool RestVendor::knows_error(std::string_view id) const { return find_error(id).has_value(); }

void RestVendor::render_error(Call& call, const ErrorRequest& error) {
  const auto err = find_error(error.id);
  if (!err) return;  // scenarios are checked against knows_error when they load
  Profile profile = Profile::docs;
  if (call.state) {
    profile = call.state_as<RestCall>().profile;
  } else if (call.request.path.starts_with(kElizaPrefix)) {
    profile = Profile::eliza;
  }
  render(call, profile, *err,
         {.message = error.message, .status = error.status, .retry_after_seconds = error.retry_after_seconds});
}

std::optional<std::string> RestVendor::param(const Call& call, std::string_view name) const {
  if (!call.state) return std::nullopt;
  const RestCall& rc = call.state_as<RestCall>();
  // The id as the operation sees it (decoded, lowercase), once validated.
  if (name == "agentId" && !rc.agent_id.empty()) return rc.agent_id;
  if (name == "profile") return std::string(rc.profile == Profile::docs ? "default" : "eliza");
  if (rc.route) {
    // Any other path parameter of the route (worldId, logId, channelId...), decoded.
    if (const std::string_view raw = rc.route->param(name); !raw.empty()) {
      if (auto decoded = percent_decode(raw)) return decoded;
      return std::string(raw);
    }
  }
  if (rc.route && rc.route->emulated() && rc.op == Op::stop && rc.profile == Profile::docs) {
    // Stop's options as the operation sees them, defaults included.
    if (name == "graceful") return std::string(rc.graceful ? "true" : "false");
    if (name == "timeout") {
      JsonWriter w;
      w.number(rc.timeout_ms);
      return w.take();
    }
  }
  if (const QueryParam* p = find_param(rc.query, name)) return p->value;
  if (const JsonValue* member = json_member(rc.body, name); member != nullptr) return json_to_text(*member);
  return std::nullopt;
}

// agentId, profile, every path parameter of both profiles' routes, and every query and body
// member of their tables (the elizaOS create body: a character, or characterJson / characterPath
// / agent holding one).
bool RestVendor::knows_param(std::string_view name) const {
  static constexpr std::string_view kNamed[] = {"agentId", "profile", "characterJson", "characterPath", "agent"};
  for (std::string_view known : kNamed) {
    if (known == name) return true;
  }
  for (const zod::Field& field : zod::character_schema().fields) {
    if (field.key == name) return true;
  }
  for (const Profile profile : {Profile::docs, Profile::eliza}) {
    for (const Route& route : routes_of(profile)) {
      for (std::string_view param : pattern_params(route.pattern)) {
        if (!param.empty() && param == name) return true;
      }
    }
    for (int op = 0; op < kEmulatedCount; ++op) {
      if (find_param(query_specs(profile, static_cast<Op>(op)), name) != nullptr ||
          find_param(body_specs(profile, static_cast<Op>(op)), name) != nullptr) {
        return true;
      }
    }
  }
  return false;
}

// ---- graceful stops ---------------------------------------------------------------------------

Scheduler::TimerId RestVendor::wake_at(SystemTime when, const std::string& agent_id) {
  return context_.scheduler.at(when, [this, agent_id] { settle(agent_id); });
}

void RestVendor::settle(const std::string& agent_id) {
  std::vector<StopOutcome> outcomes;
  {
    auto lock = store_.lock();
    if (Agent* agent = store_.find(agent_id)) store_.settle(*agent, context_.clock.now(), outcomes);
  }
  finish(outcomes);
}

// ---- fixtures and state -----------------------------------------------------------------------

namespace {

using T = ParamType;

const ParamSpec kFixtureString{.name = "item", .type = T::string};
const ParamSpec kFixtureKey{.name = "item", .type = T::string, .min_length = 1};
constexpr std::array<std::string_view, 2> kFixtureStatuses{"active", "inactive"};

const ParamSpec kFixtureSection[] = {
    {.name = "apiKeys", .type = T::array, .items = &kFixtureKey},
    {.name = "agents", .type = T::array},
    {.name = "logs", .type = T::array},
};

// A world of an agent, a panel one of its plugins shows, a row of the logs table (createdAt:
// milliseconds since the epoch, within the clock's range, core/clock.hpp).
const ParamSpec kFixtureWorld[] = {
    {.name = "id", .type = T::string, .required = true, .pattern = &kUuidPattern},
    {.name = "name", .type = T::string, .required = true},
    {.name = "metadata", .type = T::any},
    {.name = "messageServerId", .type = T::string, .pattern = &kUuidPattern},
    {.name = "createdAt", .type = T::integer, .min = 0, .max = static_cast<double>(kLatestEpochMillis)},
};
const ParamSpec kFixturePanel[] = {
    {.name = "name", .type = T::string, .required = true, .min_length = 1},
    {.name = "path", .type = T::string, .required = true},
};
const ParamSpec kFixtureLog[] = {
    {.name = "id", .type = T::string, .required = true, .pattern = &kUuidPattern},
    {.name = "entityId", .type = T::string, .required = true, .pattern = &kUuidPattern},
    {.name = "roomId", .type = T::string, .required = true, .pattern = &kUuidPattern},
    {.name = "type", .type = T::string, .required = true, .min_length = 1},
    {.name = "body", .type = T::object, .required = true},
    {.name = "createdAt", .type = T::integer, .min = 0, .max = static_cast<double>(kLatestEpochMillis)},
};

// A fixture agent: the documented fields, the elizaOS character's, and the emulation controls.
const ParamSpec kFixtureAgent[] = {
    {.name = "agentId", .type = T::string, .required = true, .pattern = &kUuidPattern},
    {.name = "name", .type = T::string, .min_length = 1},
    {.name = "status", .type = T::string, .one_of = kFixtureStatuses},
    {.name = "bio", .type = T::any},
    {.name = "lore", .type = T::array, .items = &kFixtureString},
    {.name = "messageExamples", .type = T::array},
    {.name = "postExamples", .type = T::array},
    {.name = "topics", .type = T::array, .items = &kFixtureString},
    {.name = "adjectives", .type = T::array, .items = &kFixtureString},
    {.name = "knowledge", .type = T::array},
    {.name = "plugins", .type = T::array, .items = &kFixtureString},
    {.name = "style", .type = T::object},
    {.name = "settings", .type = T::object},
    {.name = "secrets", .type = T::object},
    {.name = "templates", .type = T::object},
    {.name = "username", .type = T::string},
    {.name = "system", .type = T::string},
    {.name = "enabled", .type = T::boolean},
    {.name = "enableAutonomy", .type = T::boolean},
    // Milliseconds since the epoch, within the clock's range (core/clock.hpp).
    {.name = "createdAt", .type = T::integer, .min = 0, .max = static_cast<double>(kLatestEpochMillis)},
    {.name = "updatedAt", .type = T::integer, .min = 0, .max = static_cast<double>(kLatestEpochMillis)},
    {.name = "busyMs", .type = T::integer, .min = 0, .max = 30.0 * 24 * 3600 * 1000},
    {.name = "stopFails", .type = T::boolean},
    {.name = "worlds", .type = T::array},
    {.name = "panels", .type = T::array},
    // What the dump adds, so that it loads back: the life cycle's times (epoch ms or null) and
    // the StopAgent calls that were waiting (informational: they were the old process's).
    {.name = "startedAt", .type = T::integer, .min = 0},
    {.name = "stoppedAt", .type = T::integer, .min = 0},
    {.name = "busyUntil", .type = T::integer, .min = 0, .max = 7258118399999.0},  // before 2200: a SystemTime
    {.name = "pendingStops", .type = T::integer, .min = 0},
};

// Members stored in Agent::character (everything but the id, the name and the flags).
constexpr std::string_view kCharacterKeys[] = {"bio",      "lore",     "messageExamples", "postExamples",
                                               "topics",   "adjectives", "knowledge",     "plugins",
                                               "style",    "settings", "secrets",         "templates",
                                               "username", "system"};

// Every entry of `list` (an array, when present) is an object with these members and no others.
bool check_entries(DocumentReader& reader, const JsonValue& owner, std::string_view key,
                   std::span<const ParamSpec> specs, const std::string& at) {
  const JsonValue* list = json_member(owner, key);
  if (list == nullptr || list->IsNull()) return reader.ok();
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const JsonValue& entry = (*list)[i];
    const std::string here = json_pointer(json_pointer(at, key), i);
    if (!reader.object(entry, here, specs) || !reader.params(entry, here, specs)) return false;
  }
  return true;
}

std::optional<std::string> uuid_member(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return lowercase_id(text_of(*v));
}

// An agent's worlds and panels, written only when it has some (most agents have none).
void write_runtime_state(JsonWriter& out, const Agent& agent) {
  const AgentExtras& extras = agent.extras();
  if (!extras.worlds.empty()) {
    out.key("worlds").begin_array();
    for (const World& world : extras.worlds) {
      out.begin_object().field("id", world.id).field("name", world.name);
      if (!world.metadata.empty()) write_json_text(out.key("metadata"), world.metadata);
      if (!world.message_server_id.empty()) out.field("messageServerId", world.message_server_id);
      out.field_int("createdAt", world.created_ms).end_object();
    }
    out.end_array();
  }
  if (!extras.panels.empty()) {
    out.key("panels").begin_array();
    for (const Panel& panel : extras.panels) out.begin_object().field("name", panel.name).field("path", panel.path).end_object();
    out.end_array();
  }
}

void write_logs_state(JsonWriter& out, const std::deque<LogEntry>& logs) {
  out.key("logs").begin_array();
  for (const LogEntry& log : logs) {
    out.begin_object().field("id", log.id).field("entityId", log.entity_id).field("roomId", log.room_id);
    out.field("type", log.type);
    write_json_text(out.key("body"), log.body);
    out.field_int("createdAt", log.created_ms).end_object();
  }
  out.end_array();
}

// Where an elizaOS character keeps its secrets (the plugins' API keys): the string values of
// `secrets` and of `settings.secrets`. The dump redacts them unless secrets are asked for.
struct SecretMap {
  std::string_view owner, inner;  // inner empty: the owner member is the map itself
};
constexpr SecretMap kSecretMaps[] = {{"secrets", ""}, {"settings", "secrets"}};

const JsonValue* secret_map(const JsonValue& character, const SecretMap& where) {
  const JsonValue* v = json_member(character, where.owner);
  if (v != nullptr && !where.inner.empty()) v = v->IsObject() ? json_member(*v, where.inner) : nullptr;
  return v != nullptr && v->IsObject() ? v : nullptr;
}

std::string secret_pointer(const std::string& at, const SecretMap& where, std::string_view key) {
  const std::string owner = json_pointer(at, where.owner);
  return json_pointer(where.inner.empty() ? owner : json_pointer(owner, where.inner), key);
}

void write_secret_map(JsonWriter& out, const JsonValue& map, const StateOptions& options) {
  out.begin_object();
  for (const auto& m : map.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (m.value.IsString()) {
      out.field(name, shown_secret(text_of(m.value), options));
    } else {
      out.field_value(name, m.value);
    }
  }
  out.end_object();
}

// A member of a stored character as the dump writes it: `secrets` and `settings.secrets` redacted.
void write_character_member(JsonWriter& out, std::string_view name, const JsonValue& value, const StateOptions& options) {
  if (name == "secrets" && value.IsObject()) {
    out.key(name);
    return write_secret_map(out, value, options);
  }
  if (name == "settings" && value.IsObject()) {
    out.key(name).begin_object();
    for (const auto& m : value.GetObject()) {
      const std::string_view inner(m.name.GetString(), m.name.GetStringLength());
      if (inner == "secrets" && m.value.IsObject()) {
        out.key(inner);
        write_secret_map(out, m.value, options);
      } else {
        out.field_value(inner, m.value);
      }
    }
    out.end_object();
    return;
  }
  out.field_value(name, value);
}

// Loading a dump back: each redacted secret of `character` becomes the one `held` (the stored
// character) has under the same key (check_fixture made sure it has one).
void keep_held_secrets(JsonDocument& character, const JsonValue& held) {
  for (const SecretMap& where : kSecretMaps) {
    JsonValue* map = const_cast<JsonValue*>(secret_map(character, where));
    if (map == nullptr) continue;
    const JsonValue* held_map = secret_map(held, where);
    for (auto& m : map->GetObject()) {
      if (!is_redacted(m.value)) continue;
      const JsonValue* kept = held_map != nullptr ? json_member(*held_map, text_of(m.name)) : nullptr;
      if (kept != nullptr) m.value.CopyFrom(*kept, character.GetAllocator());
    }
  }
}

}  // namespace

std::optional<FixtureIssue> RestVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const std::string at(pointer);
  DocumentReader reader;
  const std::span<const ParamSpec> section_specs(kFixtureSection), agent_specs(kFixtureAgent);
  if (!reader.object(section, at, section_specs) || !reader.params(section, at, section_specs)) {
    return reader.take_issue();
  }
  if (!check_entries(reader, section, "logs", kFixtureLog, at)) return reader.take_issue();
  // A redacted dump's keys stand for the keys already configured (an API key has no owner to
  // match it by), so they need one to stand for.
  if (const JsonValue* keys = json_member(section, "apiKeys"); keys != nullptr && keys->IsArray()) {
    for (rapidjson::SizeType i = 0; i < keys->Size(); ++i) {
      if (!is_redacted((*keys)[i])) continue;
      auto lock = store_.lock();
      if (store_.api_keys().empty()) {
        return FixtureIssue{json_pointer(json_pointer(at, "apiKeys"), i), std::string(kRedactedUnknown)};
      }
      break;
    }
  }
  const JsonValue* agents = json_member(section, "agents");
  if (agents == nullptr || agents->IsNull()) return std::nullopt;
  for (rapidjson::SizeType i = 0; i < agents->Size(); ++i) {
    const JsonValue& agent = (*agents)[i];
    const std::string here = json_pointer(json_pointer(at, "agents"), i);
    if (!reader.object(agent, here, agent_specs) || !reader.params(agent, here, agent_specs)) {
      return reader.take_issue();
    }
    if (!check_entries(reader, agent, "worlds", kFixtureWorld, here) ||
        !check_entries(reader, agent, "panels", kFixturePanel, here)) {
      return reader.take_issue();
    }
    if (auto issue = check_redacted_secrets(agent, here)) return issue;
    if (const JsonValue* bio = json_member(agent, "bio"); bio != nullptr && !bio->IsString() && !bio->IsNull()) {
      bool strings = bio->IsArray();
      if (strings) {
        for (const auto& item : bio->GetArray()) strings = strings && item.IsString();
      }
      if (!strings) return FixtureIssue{json_pointer(here, "bio"), "bio must be a string or an array of strings"};
    }
    if (json_member(agent, "name") == nullptr) {
      // A new agent needs a name; a known one may be merged without.
      const JsonValue& id = agent["agentId"];
      auto lock = store_.lock();
      if (store_.find(lowercase_id({id.GetString(), id.GetStringLength()})) == nullptr) {
        return FixtureIssue{json_pointer(here, "name"), "name is required for a new agent"};
      }
    }
  }
  return std::nullopt;
}

// A redacted secret of a fixture agent's character stands for the one the stored agent with that
// agentId holds under the same key (a dump names each agent once).
std::optional<FixtureIssue> RestVendor::check_redacted_secrets(const JsonValue& agent, const std::string& at) const {
  for (const SecretMap& where : kSecretMaps) {
    const JsonValue* map = secret_map(agent, where);
    if (map == nullptr) continue;
    for (const auto& m : map->GetObject()) {
      if (!is_redacted(m.value)) continue;
      auto lock = store_.lock();
      const Agent* held = store_.find(lowercase_id(text_of(agent["agentId"])));
      const JsonValue* held_map = held != nullptr ? secret_map(held->character(), where) : nullptr;
      const JsonValue* kept = held_map != nullptr ? json_member(*held_map, text_of(m.name)) : nullptr;
      if (kept == nullptr || is_redacted(*kept)) {
        return FixtureIssue{secret_pointer(at, where, text_of(m.name)), std::string(kRedactedUnknown)};
      }
    }
  }
  return std::nullopt;
}

void RestVendor::apply_fixture(const JsonValue& section) {
  const SystemTime now = context_.clock.now();
  const std::int64_t now_ms = epoch_millis(now);
  std::vector<std::string> to_settle;
  {
    auto lock = store_.lock();
    if (const JsonValue* keys = json_member(section, "apiKeys"); keys != nullptr && keys->IsArray()) {
      for (const auto& key : keys->GetArray()) {
        if (!is_redacted(key)) store_.add_api_key(std::string(key.GetString(), key.GetStringLength()));
      }
    }
    has_keys_.store(!store_.api_keys().empty(), std::memory_order_release);
    const JsonValue* agents = json_member(section, "agents");
    if (agents != nullptr && agents->IsArray()) {
      for (const auto& item : agents->GetArray()) {
        const JsonValue& id_value = item["agentId"];
        const std::string id = lowercase_id({id_value.GetString(), id_value.GetStringLength()});
        Agent* agent = store_.find(id);
        if (agent == nullptr) {
          Agent fresh;
          fresh.id = id;
          fresh.created_ms = now_ms;
          fresh.updated_ms = now_ms;
          agent = &store_.insert(std::move(fresh));
        }
        StoredJson merged;
        merged.CopyFrom(agent->character(), merged.GetAllocator());
        for (std::string_view key : kCharacterKeys) {
          const JsonValue* v = json_member(item, key);
          if (v == nullptr) continue;
          merged.RemoveMember(JsonValue(rapidjson::StringRef(key.data(), key.size())));
          if (v->IsNull()) continue;
          merged.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), merged.GetAllocator()),
                           JsonValue(*v, merged.GetAllocator()), merged.GetAllocator());
        }
        keep_held_secrets(merged, agent->character());
        agent->set_character(merged);
        if (const JsonValue* v = json_member(item, "name"); v && v->IsString()) agent->name.assign(v->GetString(), v->GetStringLength());
        if (const JsonValue* v = json_member(item, "enabled"); v && v->IsBool()) agent->enabled = v->GetBool();
        if (const JsonValue* v = json_member(item, "enableAutonomy"); v && v->IsBool()) agent->enable_autonomy = v->GetBool();
        if (const JsonValue* v = json_member(item, "createdAt"); v && v->IsInt64()) agent->created_ms = v->GetInt64();
        if (const JsonValue* v = json_member(item, "updatedAt"); v && v->IsInt64()) agent->updated_ms = v->GetInt64();
        if (const JsonValue* v = json_member(item, "stopFails"); v && v->IsBool()) agent->stop_fails = v->GetBool();
        if (const JsonValue* v = json_member(item, "status"); v && v->IsString()) {
          const bool active = std::string_view(v->GetString(), v->GetStringLength()) == "active";
          if (active && !agent->active) agent->started_ms = now_ms;
          if (!active && agent->active) agent->stopped_ms = now_ms;
          agent->active = active;
        }
        // A dump's times, after the status (which would stamp them now).
        const auto epoch_or_unset = [&](std::string_view key, std::int64_t& out) {
          if (const JsonValue* v = json_member(item, key)) out = v->IsInt64() ? v->GetInt64() : -1;
        };
        epoch_or_unset("startedAt", agent->started_ms);
        epoch_or_unset("stoppedAt", agent->stopped_ms);
        const JsonValue* busy_ms = json_member(item, "busyMs");
        const JsonValue* busy_until = json_member(item, "busyUntil");
        if ((busy_ms && busy_ms->IsInt64()) || (busy_until && busy_until->IsInt64())) {
          agent->busy_until = busy_ms && busy_ms->IsInt64() ? now + Millis(busy_ms->GetInt64())
                                                           : SystemTime(Millis(busy_until->GetInt64()));
          if (agent->has_waiters() && agent->extras().busy_timer != agent->busy_until) {
            agent->extras_to_change().busy_timer = agent->busy_until;
            store_.set_busy_timer(*agent, wake_at(agent->busy_until, id));
          }
        }
        apply_runtime_fixture(*agent, item, now_ms);
        if (agent->has_waiters()) to_settle.push_back(id);
      }
    }
    if (const JsonValue* logs = json_member(section, "logs"); logs != nullptr && logs->IsArray()) {
      for (const auto& item : logs->GetArray()) {
        LogEntry row;
        row.id = *uuid_member(item, "id");
        row.entity_id = *uuid_member(item, "entityId");
        row.room_id = *uuid_member(item, "roomId");
        row.type = text_of(item["type"]);
        row.body = json_text(item["body"]);
        if (const JsonValue* model = json_member(item["body"], "modelType"); model && model->IsString()) {
          row.model_type = text_of(*model);
        }
        const JsonValue* at = json_member(item, "createdAt");
        row.created_ms = at != nullptr && at->IsInt64() ? at->GetInt64() : now_ms;
        store_.add_log(std::move(row));
      }
    }
  }
  for (const std::string& id : to_settle) settle(id);
}

// An agent's worlds (merged by id) and panels (replaced whole), from a fixture agent.
void RestVendor::apply_runtime_fixture(Agent& agent, const JsonValue& item, std::int64_t now_ms) {
  const JsonValue* worlds = json_member(item, "worlds");
  const JsonValue* panels = json_member(item, "panels");
  if (worlds == nullptr && panels == nullptr) return;
  AgentExtras& extras = agent.extras_to_change();
  if (worlds != nullptr && worlds->IsArray()) {
    for (const auto& entry : worlds->GetArray()) {
      World world;
      world.id = *uuid_member(entry, "id");
      world.name = text_of(entry["name"]);
      if (const JsonValue* metadata = json_member(entry, "metadata"); metadata && !metadata->IsNull()) {
        world.metadata = json_text(*metadata);
      }
      world.message_server_id = uuid_member(entry, "messageServerId").value_or("");
      const JsonValue* at = json_member(entry, "createdAt");
      world.created_ms = at != nullptr && at->IsInt64() ? at->GetInt64() : now_ms;
      std::erase_if(extras.worlds, [&](const World& w) { return w.id == world.id; });
      extras.worlds.push_back(std::move(world));
    }
  }
  if (panels != nullptr && panels->IsArray()) {
    extras.panels.clear();
    for (const auto& entry : panels->GetArray()) {
      extras.panels.push_back({std::string(text_of(entry["name"])), std::string(text_of(entry["path"]))});
    }
  }
}

void RestVendor::clear_state() {
  std::vector<StopOutcome> outcomes;
  {
    auto lock = store_.lock();
    store_.clear(epoch_millis(context_.clock.now()), outcomes);
    has_keys_.store(false, std::memory_order_release);
  }
  finish(outcomes);
}

void RestVendor::write_state(JsonWriter& out, const StateOptions& options) const {
  auto lock = store_.lock();
  const SystemTime now = context_.clock.now();
  out.begin_object();
  out.key("apiKeys").begin_array();
  for (const std::string& key : store_.api_keys()) out.string(shown_secret(key, options));
  out.end_array();
  out.key("agents").begin_array();
  for (const Agent* agent : store_.ordered()) {
    out.begin_object();
    out.field("agentId", agent->id).field("name", agent->name).field("status", agent->active ? "active" : "inactive");
    for (const auto& member : agent->character().GetObject()) {
      write_character_member(out, {member.name.GetString(), member.name.GetStringLength()}, member.value, options);
    }
    out.field_bool("enabled", agent->enabled).field_bool("enableAutonomy", agent->enable_autonomy);
    out.field_int("createdAt", agent->created_ms).field_int("updatedAt", agent->updated_ms);
    agent->started_ms >= 0 ? out.field_int("startedAt", agent->started_ms) : out.field_null("startedAt");
    agent->stopped_ms >= 0 ? out.field_int("stoppedAt", agent->stopped_ms) : out.field_null("stoppedAt");
    agent->busy(now) ? out.field_int("busyUntil", epoch_millis(agent->busy_until)) : out.field_null("busyUntil");
    out.field_bool("stopFails", agent->stop_fails);
    out.field_int("pendingStops", static_cast<std::int64_t>(agent->extras().waiters.size()));
    write_runtime_state(out, *agent);
    out.end_object();
  }
  out.end_array();
  write_logs_state(out, store_.logs());
  out.end_object();
}

std::unique_ptr<Vendor> make_rest_vendor(const VendorContext& context) { return std::make_unique<RestVendor>(context); }

// Both profiles' routes, each with its parameters; the elizaOS routes agentemu does not emulate
// are listed with their path parameters and emulated: false.
void RestVendor::describe_operations(JsonWriter& out) const {
  for (const Profile profile : {Profile::docs, Profile::eliza}) {
    for (const Route& route : routes_of(profile)) {
      const int index = operation_index(route.operation);
      const bool emulated = index < kEmulatedCount;
      begin_operation(out, name(), OperationInfo{.name = kOperationNames[index],
                                                 .method = route.method,
                                                 .route = route.pattern,
                                                 .emulated = emulated,
                                                 .plane = profile == Profile::docs ? "docs" : "eliza"});
      for (std::string_view param : pattern_params(route.pattern)) {
        if (param.empty()) continue;
        // Emulated routes check their ids as UUIDs; the others take any segment until emulated.
        const ParamSpec spec{.name = param, .where = in_path, .type = ParamType::string, .required = true,
                             .pattern = emulated ? &kUuidPattern : nullptr};
        write_param(out, spec, "path");
      }
      if (emulated) {
        const Op op = static_cast<Op>(index);
        for (const ParamSpec& spec : query_specs(profile, op)) write_param(out, spec, "query");
        for (const ParamSpec& spec : body_specs(profile, op)) write_param(out, spec, "body");
      }
      begin_errors(out);
      if (!emulated) out.string(entry(Err::not_implemented).id);
      end_operation(out);
    }
  }
}

}  // namespace agentemu::rest
