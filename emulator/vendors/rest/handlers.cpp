// One function per operation and profile. The documented profile (/agents) answers
// {"success":true,"message"?,"data":...}; the elizaOS profile (/api/agents) answers what
// packages/server's agents routers send.
#include <algorithm>
#include <cmath>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "vendors/rest/character.hpp"
#include "vendors/rest/ids.hpp"
#include "vendors/rest/rest_vendor.hpp"
#include "vendors/rest/values.hpp"

namespace agentemu::rest {
namespace {

enum class Empty { string, array, object };

void answer(Call& call, int status, JsonWriter& w) { call.response.set(status, kJsonUtf8, w.take()); }

std::int64_t now_ms(const VendorContext& context) { return epoch_millis(context.clock.now()); }

// A character member, or the empty value the server shows when it was never set.
void member_or(JsonWriter& w, const Agent& agent, std::string_view key, Empty empty) {
  w.key(key);
  if (const JsonValue* v = json_member(agent.character(), key); v != nullptr && !v->IsNull()) {
    w.value(*v);
    return;
  }
  switch (empty) {
    case Empty::string: w.string(""); break;
    case Empty::array: w.begin_array().end_array(); break;
    case Empty::object: w.begin_object().end_object(); break;
  }
}

// Replaces (or, for null, removes) `keys` of the agent's character with the body's members.
// The character is rebuilt so repeated updates do not grow its allocator.
void replace_members(Agent& agent, const JsonValue& body, std::span<const std::string_view> keys) {
  StoredJson merged;
  merged.CopyFrom(agent.character(), merged.GetAllocator());
  for (std::string_view key : keys) {
    const JsonValue* v = json_member(body, key);
    if (v == nullptr) continue;
    merged.RemoveMember(JsonValue(rapidjson::StringRef(key.data(), key.size())));
    if (v->IsNull()) continue;
    merged.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), merged.GetAllocator()),
                     JsonValue(*v, merged.GetAllocator()), merged.GetAllocator());
  }
  agent.set_character(merged);
}

// elizaOS updateAgent: settings merge deeply; a null value deletes the key.
void deep_merge(JsonValue& target, const JsonValue& patch, JsonDocument::AllocatorType& alloc) {
  for (const auto& member : patch.GetObject()) {
    const JsonValue name(rapidjson::StringRef(member.name.GetString(), member.name.GetStringLength()));
    auto existing = target.FindMember(name);
    if (member.value.IsNull()) {
      if (existing != target.MemberEnd()) target.EraseMember(existing);
    } else if (member.value.IsObject() && existing != target.MemberEnd() && existing->value.IsObject()) {
      deep_merge(existing->value, member.value, alloc);
    } else if (existing != target.MemberEnd()) {
      existing->value.CopyFrom(member.value, alloc);
    } else {
      target.AddMember(JsonValue(member.name, alloc), JsonValue(member.value, alloc), alloc);
    }
  }
}

constexpr std::string_view kDocsCreateKeys[] = {"bio",    "lore",       "messageExamples", "style",
                                                "topics", "adjectives", "settings",        "plugins"};

constexpr std::string_view kElizaColumns[] = {"username", "system",     "templates", "bio",     "messageExamples",
                                              "postExamples", "topics", "adjectives", "knowledge", "plugins",
                                              "secrets",  "style"};

// ---- documented profile views ----

void write_docs_summary(JsonWriter& w, const Agent& agent) {
  w.begin_object().field("agentId", agent.id).field("name", agent.name).field("status", agent.active ? "active" : "inactive");
  if (const JsonValue* bio = json_member(agent.character(), "bio"); bio != nullptr) w.field_value("bio", *bio);
  w.field_bool("enabled", agent.enabled).field_int("createdAt", agent.created_ms).field_int("updatedAt", agent.updated_ms);
  w.end_object();
}

void write_docs_detail(JsonWriter& w, const Agent& agent) {
  w.begin_object().field("agentId", agent.id).field("name", agent.name).field("status", agent.active ? "active" : "inactive");
  member_or(w, agent, "bio", Empty::string);
  member_or(w, agent, "lore", Empty::array);
  member_or(w, agent, "topics", Empty::array);
  member_or(w, agent, "adjectives", Empty::array);
  member_or(w, agent, "style", Empty::object);
  member_or(w, agent, "settings", Empty::object);
  member_or(w, agent, "plugins", Empty::array);
  w.field_bool("enabled", agent.enabled).field_int("createdAt", agent.created_ms).field_int("updatedAt", agent.updated_ms);
  w.end_object();
}

void write_stopped(Response& response, Profile profile, std::string_view agent_id, std::int64_t stopped_ms) {
  JsonWriter w;
  if (profile == Profile::docs) {
    w.begin_object().field_bool("success", true).field("message", "Agent stopped successfully").key("data").begin_object();
    w.field("agentId", agent_id).field("status", "inactive").field_int("stoppedAt", stopped_ms);
    w.end_object().end_object();
  } else {
    w.begin_object().field_bool("success", true).key("data").begin_object().field("message", "Agent stopped");
    w.end_object().end_object();
  }
  response.set(200, kJsonUtf8, w.take());
}

// ---- elizaOS profile views ----

// The agent row as plugin-sql's getAgent returns it, plus the computed status.
void write_eliza_row(JsonWriter& w, const Agent& agent) {
  w.begin_object().field("id", agent.id).field_bool("enabled", agent.enabled).field_null("server_id");
  w.field_int("createdAt", agent.created_ms).field_int("updatedAt", agent.updated_ms).field("name", agent.name);
  member_or(w, agent, "username", Empty::string);
  if (const JsonValue* system = json_member(agent.character(), "system");
      system != nullptr && system->IsString() && system->GetStringLength() > 0) {
    w.field_value("system", *system);
  }
  member_or(w, agent, "bio", Empty::string);
  member_or(w, agent, "messageExamples", Empty::array);
  member_or(w, agent, "postExamples", Empty::array);
  member_or(w, agent, "topics", Empty::array);
  member_or(w, agent, "adjectives", Empty::array);
  member_or(w, agent, "knowledge", Empty::array);
  member_or(w, agent, "plugins", Empty::array);
  member_or(w, agent, "settings", Empty::object);
  member_or(w, agent, "style", Empty::object);
  w.field("status", agent.active ? "active" : "inactive");
  w.end_object();
}

// The list's `agent.bio?.[0] ?? ''`: an array's first entry, and for a string its first
// character (the server indexes whatever bio holds).
std::string list_bio(const Agent& agent) {
  const JsonValue* bio = json_member(agent.character(), "bio");
  if (bio == nullptr) return {};
  if (bio->IsArray()) {
    return bio->Size() > 0 && (*bio)[0].IsString() ? std::string((*bio)[0].GetString(), (*bio)[0].GetStringLength())
                                                   : std::string();
  }
  if (bio->IsString() && bio->GetStringLength() > 0) {
    const std::string_view text(bio->GetString(), bio->GetStringLength());
    std::size_t length = 1;
    const auto lead = static_cast<unsigned char>(text[0]);
    if (lead >= 0xf0) length = 4;
    else if (lead >= 0xe0) length = 3;
    else if (lead >= 0xc0) length = 2;
    return std::string(text.substr(0, std::min(length, text.size())));
  }
  return {};
}

bool is_bio(const JsonValue& bio) {
  if (bio.IsString()) return true;
  if (!bio.IsArray()) return false;
  for (const auto& item : bio.GetArray()) {
    if (!item.IsString()) return false;
  }
  return true;
}

// The character a POST /api/agents body names (the server's create route, then jsonToCharacter).
// Answers the CREATE_ERROR message, or "" when the character is valid.
std::string find_character(const JsonValue& body, const JsonValue*& character) {
  const JsonValue* json = json_member(body, "characterJson");
  const JsonValue* path = json_member(body, "characterPath");
  const JsonValue* agent = json_member(body, "agent");
  if (truthy(json)) {
    character = json;
  } else if (truthy(path)) {
    // loadCharacterTryPath: agentemu has no character files and fetches nothing, so a path is
    // never found and a URL never answers, in the server's words for both.
    if (!path->IsString()) return "characterPath.startsWith is not a function";
    const std::string where(path->GetString(), path->GetStringLength());
    if (where.starts_with("http")) {
      return "Failed to fetch character from URL '" + where + "'. The URL may be incorrect or unavailable.";
    }
    return "Character '" + where + "' not found. Please check if the file exists and the path is correct.";
  } else if (truthy(agent)) {
    character = agent;
  } else {
    return "No character configuration provided";
  }
  const std::vector<zod::Issue> issues = zod::check(zod::character_schema(), *character);
  if (issues.empty()) return {};
  return "Character validation failed: " + zod::join_issues(issues);
}

}  // namespace

// ---- waiting stops end here -------------------------------------------------------------------

void RestVendor::finish(std::vector<StopOutcome>& outcomes) {
  for (StopOutcome& outcome : outcomes) {
    if (!outcome.deferred) continue;
    Call& call = outcome.deferred.call();
    call.response.clear();
    call.error_code.clear();
    switch (outcome.kind) {
      case StopOutcome::Kind::stopped:
        write_stopped(call.response, outcome.profile, outcome.agent_id, outcome.stopped_ms);
        break;
      case StopOutcome::Kind::timed_out: render(call, outcome.profile, Err::graceful_timeout); break;
      case StopOutcome::Kind::failed: render(call, outcome.profile, Err::stop_failed); break;
      case StopOutcome::Kind::gone: render(call, outcome.profile, Err::agent_not_found); break;
    }
    outcome.deferred.finish();
  }
  outcomes.clear();
}

// ---- the documented profile: /agents ----------------------------------------------------------

void RestVendor::list_agents(Call& call, RestCall& rc) {
  std::optional<bool> want_active;
  if (const QueryParam* status = find_param(rc.query, "status")) want_active = status->value == "active";
  std::int64_t offset = 0;
  std::int64_t limit = 50;
  if (const QueryParam* p = find_param(rc.query, "offset")) offset = parse_int64(p->value).value_or(0);
  if (const QueryParam* p = find_param(rc.query, "limit")) limit = parse_int64(p->value).value_or(50);

  JsonWriter w;
  w.begin_object().field_bool("success", true).key("data").begin_array();
  {
    auto lock = store_.lock();
    std::int64_t skipped = 0;
    std::int64_t written = 0;
    for (const Agent* agent : store_.ordered()) {
      if (want_active && agent->active != *want_active) continue;
      if (skipped < offset) {
        ++skipped;
        continue;
      }
      if (written == limit) break;
      write_docs_summary(w, *agent);
      ++written;
    }
  }
  w.end_array().end_object();
  answer(call, 200, w);
}

void RestVendor::create_agent(Call& call, RestCall& rc) {
  Agent agent;
  agent.id = uuid_v4();
  const JsonValue& name = rc.body["name"];
  agent.name.assign(name.GetString(), name.GetStringLength());
  replace_members(agent, rc.body, kDocsCreateKeys);
  agent.created_ms = agent.updated_ms = now_ms(context_);

  JsonWriter w;
  w.begin_object().field_bool("success", true).key("data").begin_object();
  w.field("agentId", agent.id).field("name", agent.name).field("status", "inactive").field_int("createdAt", agent.created_ms);
  w.end_object().end_object();
  {
    auto lock = store_.lock();
    store_.insert(std::move(agent));
  }
  answer(call, 201, w);
}

void RestVendor::get_agent(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    const Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr) return render(call, Profile::docs, Err::agent_not_found);
    w.begin_object().field_bool("success", true).key("data");
    write_docs_detail(w, *agent);
    w.end_object();
  }
  answer(call, 200, w);
}

void RestVendor::update_agent(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr) return render(call, Profile::docs, Err::agent_not_found);
    if (const JsonValue* name = json_member(rc.body, "name"); name != nullptr && name->IsString()) {
      agent->name.assign(name->GetString(), name->GetStringLength());
    }
    if (const JsonValue* enabled = json_member(rc.body, "enabled"); enabled != nullptr && enabled->IsBool()) {
      agent->enabled = enabled->GetBool();
    }
    replace_members(*agent, rc.body, kDocsCreateKeys);
    agent->updated_ms = now_ms(context_);
    w.begin_object().field_bool("success", true).key("data").begin_object();
    w.field("agentId", agent->id).field("name", agent->name).field_int("updatedAt", agent->updated_ms);
    w.end_object().end_object();
  }
  answer(call, 200, w);
}

void RestVendor::delete_agent(Call& call, RestCall& rc) {
  std::vector<StopOutcome> outcomes;
  const std::int64_t at = now_ms(context_);
  bool found = false;
  {
    auto lock = store_.lock();
    // Deleting stops the runtime first: graceful stops still waiting end as stopped.
    found = store_.erase(rc.agent_id, StopOutcome::Kind::stopped, at, outcomes);
  }
  finish(outcomes);
  if (!found) return render(call, Profile::docs, Err::agent_not_found);
  JsonWriter w;
  w.begin_object().field_bool("success", true).field("message", "Agent deleted successfully").key("data").begin_object();
  w.field("agentId", rc.agent_id).field_int("deletedAt", at).end_object().end_object();
  answer(call, 200, w);
}

void RestVendor::start_agent(Call& call, RestCall& rc) {
  const JsonValue* autonomy = json_member(rc.body, "enableAutonomy");
  JsonWriter w;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr) return render(call, Profile::docs, Err::agent_not_found);
    if (!agent->active) {
      // A fresh runtime: autonomy as asked (default false).
      store_.start(*agent, now_ms(context_));
      agent->enable_autonomy = autonomy != nullptr && autonomy->IsBool() && autonomy->GetBool();
    } else if (autonomy != nullptr && autonomy->IsBool()) {
      // Already running: starting again keeps the runtime and its startedAt.
      agent->enable_autonomy = autonomy->GetBool();
    }
    w.begin_object().field_bool("success", true).field("message", "Agent started successfully").key("data").begin_object();
    w.field("agentId", agent->id).field("status", "active").field_int("startedAt", agent->started_ms);
    w.field_bool("enableAutonomy", agent->enable_autonomy).end_object().end_object();
  }
  answer(call, 200, w);
}

void RestVendor::stop_agent(Call& call, RestCall& rc) {
  // Copied: once the call is deferred another thread may answer it at any moment.
  const std::string id = rc.agent_id;
  std::vector<StopOutcome> outcomes;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(id);
    if (agent == nullptr) return render(call, Profile::docs, Err::agent_not_found);
    if (!agent->active) return render(call, Profile::docs, Err::agent_not_running);
    const SystemTime now = context_.clock.now();
    if (!rc.graceful || !agent->busy(now)) {
      if (agent->stop_fails) {
        store_.log_event(*agent, "stop_failed", epoch_millis(now), entry(Err::stop_failed).id);
        return render(call, Profile::docs, Err::stop_failed);
      }
      const std::int64_t at = epoch_millis(now);
      // Also answers graceful stops still waiting on this agent: the runtime is gone.
      store_.stop_now(*agent, at, outcomes);
      write_stopped(call.response, Profile::docs, id, at);
    } else {
      const SystemTime deadline = now + std::chrono::duration_cast<SystemTime::duration>(
                                            std::chrono::duration<double, std::milli>(rc.timeout_ms));
      if (deadline <= now) {
        store_.log_event(*agent, "stop_timed_out", epoch_millis(now), entry(Err::graceful_timeout).id);
        return render(call, Profile::docs, Err::graceful_timeout);
      }
      AgentExtras& extras = agent->extras_to_change();
      if (extras.waiters.size() >= kMaxWaitingStops) {
        // Bounded: a client looping on graceful stops cannot pile up calls and timers.
        const auto wait = std::chrono::ceil<std::chrono::seconds>(agent->busy_until - now).count();
        return render(call, Profile::docs, Err::rate_limited,
                      {.retry_after_seconds = static_cast<int>(std::clamp<std::int64_t>(wait, 1, 3600))});
      }
      // Joins any stop already waiting: each answers when the work ends, or at its own timeout.
      // The wake-ups are armed under the store's lock so their ids are kept with what they wake.
      extras.waiters.push_back({store_.next_waiter_id(), deadline, call.defer(), Profile::docs});
      extras.waiters.back().timer = wake_at(deadline, id);
      if (extras.busy_timer != agent->busy_until) {
        extras.busy_timer = agent->busy_until;
        store_.set_busy_timer(*agent, wake_at(agent->busy_until, id));
      }
    }
  }
  finish(outcomes);
}

// ---- the elizaOS server profile: /api/agents --------------------------------------------------

bool RestVendor::validate_eliza_body(Call& call, RestCall& rc) {
  if (rc.op == Op::create) {
    const std::string problem = find_character(rc.body, rc.character);
    if (!problem.empty()) {
      render(call, Profile::eliza, Err::create_error, {.message = problem, .details = problem});
      return false;
    }
    return true;
  }
  if (rc.op == Op::update) {
    std::string problem;
    if (auto violation = validate_params(body_specs(rc.profile, rc.op), JsonObjectSource(&rc.body))) {
      problem = violation->message;
    } else if (const JsonValue* bio = json_member(rc.body, "bio"); bio != nullptr && !bio->IsNull() && !is_bio(*bio)) {
      problem = "bio must be a string or an array of strings";
    }
    if (!problem.empty()) {
      // The server would fail inside the database update (500 UPDATE_ERROR); bad input is a 400 here.
      render(call, Profile::eliza, Err::update_error, {.details = problem, .status = 400});
      return false;
    }
  }
  return true;
}

void RestVendor::eliza_list_agents(Call& call, RestCall&) {
  JsonWriter w;
  w.begin_object().field_bool("success", true).key("data").begin_object().key("agents").begin_array();
  {
    auto lock = store_.lock();
    std::vector<const Agent*> agents = store_.ordered();
    // Active first, then by name (localeCompare; approximated case-insensitively).
    std::stable_sort(agents.begin(), agents.end(), [](const Agent* a, const Agent* b) {
      if (a->active != b->active) return a->active;
      const std::string la = to_lower(a->name);
      const std::string lb = to_lower(b->name);
      return la != lb ? la < lb : a->name < b->name;
    });
    for (const Agent* agent : agents) {
      w.begin_object().field("id", agent->id).field("name", agent->name).field("characterName", agent->name);
      w.field("bio", list_bio(*agent)).field("status", agent->active ? "active" : "inactive").end_object();
    }
  }
  w.end_array().end_object().end_object();
  answer(call, 200, w);
}

void RestVendor::eliza_create_agent(Call& call, RestCall& rc) {
  // What zod's parse returns: the shape's keys in its order, unknown keys of nested objects gone.
  JsonDocument character;
  zod::parse(zod::character_schema(), *rc.character, character, character.GetAllocator());
  Agent agent;
  const JsonValue* given_id = json_member(character, "id");
  agent.name = std::string(text_of(character["name"]));
  agent.id = given_id != nullptr ? lowercase_id(text_of(*given_id)) : string_to_uuid(agent.name);
  StoredJson stored;
  stored.SetObject();
  for (const auto& member : character.GetObject()) {
    const std::string_view key = text_of(member.name);
    if (key == "id" || key == "name") continue;
    stored.AddMember(JsonValue(member.name, stored.GetAllocator()), JsonValue(member.value, stored.GetAllocator()),
                     stored.GetAllocator());
  }
  agent.set_character(stored);
  agent.created_ms = agent.updated_ms = now_ms(context_);

  // jsonToCharacter's character: a given id where the schema has it, a derived one appended.
  if (given_id == nullptr) {
    character.AddMember("id", JsonValue(agent.id.c_str(), static_cast<rapidjson::SizeType>(agent.id.size()),
                                        character.GetAllocator()),
                        character.GetAllocator());
  }
  JsonWriter w;
  w.begin_object().field_bool("success", true).key("data").begin_object().field("id", agent.id);
  w.field_value("character", character).end_object().end_object();
  {
    auto lock = store_.lock();
    // An agent with that id already exists: it is kept as it is, and the answer is still 201.
    if (store_.find(agent.id) == nullptr) store_.insert(std::move(agent));
  }
  answer(call, 201, w);
}

void RestVendor::eliza_get_agent(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    const Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr) return render(call, Profile::eliza, Err::agent_not_found);
    w.begin_object().field_bool("success", true).key("data");
    write_eliza_row(w, *agent);
    w.end_object();
  }
  answer(call, 200, w);
}

void RestVendor::eliza_update_agent(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr) {
      // The server updates no row, reads none back, and still answers 200 with a bare status.
      w.begin_object().field_bool("success", true).key("data").begin_object().field("status", "inactive");
      w.end_object().end_object();
    } else {
      bool changed = false;
      if (const JsonValue* name = json_member(rc.body, "name"); name != nullptr && name->IsString()) {
        agent->name.assign(name->GetString(), name->GetStringLength());
        changed = true;
      }
      if (const JsonValue* enabled = json_member(rc.body, "enabled"); enabled != nullptr && enabled->IsBool()) {
        agent->enabled = enabled->GetBool();
        changed = true;
      }
      for (std::string_view key : kElizaColumns) changed = changed || json_member(rc.body, key) != nullptr;
      const JsonValue* settings = json_member(rc.body, "settings");
      if (changed || settings != nullptr) {
        replace_members(*agent, rc.body, kElizaColumns);
        if (settings != nullptr && settings->IsObject()) {
          StoredJson& stored = agent->extras_to_change().character;
          auto& alloc = stored.GetAllocator();
          auto it = stored.FindMember("settings");
          if (it == stored.MemberEnd() || !it->value.IsObject()) {
            if (it != stored.MemberEnd()) stored.EraseMember(it);
            stored.AddMember("settings", JsonValue(rapidjson::kObjectType), alloc);
            it = stored.FindMember("settings");
          }
          deep_merge(it->value, *settings, alloc);
        }
        agent->updated_ms = now_ms(context_);
      }
      w.begin_object().field_bool("success", true).key("data");
      write_eliza_row(w, *agent);
      w.end_object();
    }
  }
  answer(call, 200, w);
}

void RestVendor::eliza_delete_agent(Call& call, RestCall& rc) {
  std::vector<StopOutcome> outcomes;
  bool found = false;
  {
    auto lock = store_.lock();
    found = store_.erase(rc.agent_id, StopOutcome::Kind::stopped, now_ms(context_), outcomes);
  }
  finish(outcomes);
  if (!found) return render(call, Profile::eliza, Err::agent_not_found);
  call.response.set(204, "", "");
}

void RestVendor::eliza_start_agent(Call& call, RestCall& rc) {
  JsonWriter w;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    if (agent == nullptr) return render(call, Profile::eliza, Err::agent_not_found);
    if (!agent->active) store_.start(*agent, now_ms(context_));  // already running: idempotent
    w.begin_object().field_bool("success", true).key("data").begin_object();
    w.field("id", agent->id).field("name", agent->name).field("status", "active").end_object().end_object();
  }
  answer(call, 200, w);
}

void RestVendor::eliza_stop_agent(Call& call, RestCall& rc) {
  std::vector<StopOutcome> outcomes;
  {
    auto lock = store_.lock();
    Agent* agent = store_.find(rc.agent_id);
    // The server asks its runtime registry only: unknown and stopped agents are both "not found".
    if (agent == nullptr || !agent->active) return render(call, Profile::eliza, Err::agent_not_found);
    // unregisterAgent: the runtime goes at once; errors stopping its services are only logged.
    store_.stop_now(*agent, now_ms(context_), outcomes);
  }
  finish(outcomes);
  write_stopped(call.response, Profile::eliza, rc.agent_id, 0);
}

}  // namespace agentemu::rest
