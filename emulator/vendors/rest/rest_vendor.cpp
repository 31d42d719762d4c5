#include "vendors/rest/rest_vendor.hpp"

#include <cmath>

#include "core/crypto.hpp"
#include "core/describe.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "vendors/rest/ids.hpp"

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
  const auto route = match_route(rc.profile, call.request.method, path);
  if (!route) {
    render(call, rc.profile, Err::route_not_found);
    return false;
  }
  rc.op = route->op;
  rc.raw_id = route->agent_id;
  call.operation = static_cast<int>(rc.op);
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
  const Request& request = call.request;

  // Content type, then the JSON body (both profiles check the type before anything else).
  if (has_body_method(request.method) && !request.body.empty()) {
    const std::string_view type = request.header("content-type");
    if (rc.profile == Profile::docs) {
      if (!iequals(media_type(type), "application/json")) {
        render(call, rc.profile, Err::content_type);
        return false;
      }
      rc.json_body = true;
    } else {
      // validateContentTypeMiddleware: any of three types passes; only JSON is parsed.
      rc.json_body = contains_ci(type, "application/json");
      if (!rc.json_body && !contains_ci(type, "multipart/form-data") &&
          !contains_ci(type, "application/x-www-form-urlencoded")) {
        render(call, rc.profile, Err::content_type);
        return false;
      }
    }
  }
  if (rc.json_body) {
    if (auto error = parse_json(request.body, rc.body)) {
      render(call, rc.profile, Err::invalid_request,
             {.message = "Request body is not valid JSON: " + error->message + " (line " + std::to_string(error->line) +
                         ", column " + std::to_string(error->column) + ")"});
      return false;
    }
    if (!rc.body.IsObject()) {
      render(call, rc.profile, Err::invalid_request, {.message = "Request body must be a JSON object"});
      return false;
    }
  } else {
    rc.body.SetObject();
  }

  if (!rc.raw_id.empty()) {
    std::optional<std::string> decoded;
    if (rc.raw_id.find('%') != std::string_view::npos) decoded = percent_decode(rc.raw_id);
    const std::string_view id = decoded ? std::string_view(*decoded) : rc.raw_id;
    if (validate_value(agent_id_spec(), ParamValue::of_text(id), "agentId")) {
      render(call, rc.profile, Err::invalid_id);
      return false;
    }
    rc.agent_id = lowercase_id(id);
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
  return rc.profile == Profile::docs ? validate_docs_body(call, rc) : validate_eliza_body(call, rc);
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
    }
  } else {
    switch (rc.op) {
      case Op::list: return eliza_list_agents(call, rc);
      case Op::create: return eliza_create_agent(call, rc);
      case Op::get: return eliza_get_agent(call, rc);
      case Op::update: return eliza_update_agent(call, rc);
      case Op::remove: return eliza_delete_agent(call, rc);
      case Op::start: return eliza_start_agent(call, rc);
      case Op::stop: return eliza_stop_agent(call, rc);
    }
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
  if (name == "agentId") {
    if (rc.agent_id.empty()) return std::nullopt;
    return rc.agent_id;
  }
  if (name == "profile") return std::string(rc.profile == Profile::docs ? "default" : "eliza");
  if (rc.op == Op::stop && rc.profile == Profile::docs) {
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

// agentId, profile, and every query and body member of both profiles' tables (the elizaOS
// create body: a character, or characterJson / characterPath / agent holding one).
bool RestVendor::knows_param(std::string_view name) const {
  static constexpr std::string_view kNamed[] = {"agentId", "profile", "characterJson", "characterPath", "agent"};
  for (std::string_view known : kNamed) {
    if (known == name) return true;
  }
  if (find_param(character_specs(), name) != nullptr) return true;
  for (const Profile profile : {Profile::docs, Profile::eliza}) {
    for (int op = 0; op < static_cast<int>(kOperationNames.size()); ++op) {
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
};

// Members stored in Agent::character (everything but the id, the name and the flags).
constexpr std::string_view kCharacterKeys[] = {"bio",      "lore",     "messageExamples", "postExamples",
                                               "topics",   "adjectives", "knowledge",     "plugins",
                                               "style",    "settings", "secrets",         "templates",
                                               "username", "system"};

}  // namespace

std::optional<FixtureIssue> RestVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const std::string at(pointer);
  DocumentReader reader;
  const std::span<const ParamSpec> section_specs(kFixtureSection), agent_specs(kFixtureAgent);
  if (!reader.object(section, at, section_specs) || !reader.params(section, at, section_specs)) {
    return reader.take_issue();
  }
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
          fresh.character.SetObject();
          fresh.created_ms = now_ms;
          fresh.updated_ms = now_ms;
          agent = &store_.insert(std::move(fresh));
        }
        JsonDocument merged;
        merged.CopyFrom(agent->character, merged.GetAllocator());
        for (std::string_view key : kCharacterKeys) {
          const JsonValue* v = json_member(item, key);
          if (v == nullptr) continue;
          merged.RemoveMember(JsonValue(rapidjson::StringRef(key.data(), key.size())));
          if (v->IsNull()) continue;
          merged.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), merged.GetAllocator()),
                           JsonValue(*v, merged.GetAllocator()), merged.GetAllocator());
        }
        agent->character.Swap(merged);
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
        if (const JsonValue* v = json_member(item, "busyMs"); v && v->IsInt64()) {
          agent->busy_until = now + Millis(v->GetInt64());
          if (!agent->waiters.empty() && agent->busy_timer != agent->busy_until) {
            agent->busy_timer = agent->busy_until;
            store_.set_busy_timer(*agent, wake_at(agent->busy_until, id));
          }
        }
        if (!agent->waiters.empty()) to_settle.push_back(id);
      }
    }
  }
  for (const std::string& id : to_settle) settle(id);
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
    for (const auto& member : agent->character.GetObject()) {
      out.field_value({member.name.GetString(), member.name.GetStringLength()}, member.value);
    }
    out.field_bool("enabled", agent->enabled).field_bool("enableAutonomy", agent->enable_autonomy);
    out.field_int("createdAt", agent->created_ms).field_int("updatedAt", agent->updated_ms);
    agent->started_ms >= 0 ? out.field_int("startedAt", agent->started_ms) : out.field_null("startedAt");
    agent->stopped_ms >= 0 ? out.field_int("stoppedAt", agent->stopped_ms) : out.field_null("stoppedAt");
    agent->busy(now) ? out.field_int("busyUntil", epoch_millis(agent->busy_until)) : out.field_null("busyUntil");
    out.field_bool("stopFails", agent->stop_fails);
    out.field_int("pendingStops", static_cast<std::int64_t>(agent->waiters.size()));
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

std::unique_ptr<Vendor> make_rest_vendor(const VendorContext& context) { return std::make_unique<RestVendor>(context); }

void RestVendor::describe_operations(JsonWriter& out) const {
  struct Row {
    Op op;
    std::string_view method;
    std::string_view route;  // after the profile's prefix
  };
  static constexpr Row kRows[] = {
      {Op::list, "GET", ""},          {Op::create, "POST", ""},           {Op::get, "GET", "/{agentId}"},
      {Op::update, "PATCH", "/{agentId}"}, {Op::remove, "DELETE", "/{agentId}"},
      {Op::start, "POST", "/{agentId}/start"}, {Op::stop, "POST", "/{agentId}/stop"},
  };
  for (const Profile profile : {Profile::docs, Profile::eliza}) {
    const std::string_view prefix = profile == Profile::docs ? kDocsPrefix : kElizaPrefix;
    for (const Row& row : kRows) {
      const std::string route = std::string(prefix) + std::string(row.route);
      begin_operation(out, name(), OperationInfo{.name = kOperationNames[static_cast<std::size_t>(row.op)],
                                                 .method = row.method,
                                                 .route = route,
                                                 .plane = profile == Profile::docs ? "docs" : "eliza"});
      if (!row.route.empty()) write_param(out, agent_id_spec(), "path");
      for (const ParamSpec& spec : query_specs(profile, row.op)) write_param(out, spec, "query");
      for (const ParamSpec& spec : body_specs(profile, row.op)) write_param(out, spec, "body");
      begin_errors(out);
      end_operation(out);
    }
  }
}

}  // namespace agentemu::rest
