// One function per ICE action. Each runs with State::mutex held (see IceVendor::execute), reads
// parameters that validation already checked, and writes its fields after RequestId.
#include <algorithm>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "vendors/ice/operations.hpp"

namespace agentemu::ice {
namespace {

// A session keeps at most this many dialogue entries; the oldest go first.
constexpr std::size_t kMaxDialogueEntries = 10000;

std::string new_id() { return random_hex(16); }  // 32 lowercase hex, like ICE's ids

std::int64_t int_param(const IceCall& ice, std::string_view name, std::int64_t fallback) {
  const std::string* text = ice.find(name);
  if (text == nullptr || text->empty()) return fallback;
  return parse_int64(*text).value_or(fallback);
}

// Parses a JSON-string parameter validation already accepted; absent leaves the document null.
void load_json(JsonDocument& doc, const IceCall& ice, std::string_view name) {
  const std::string* text = ice.find(name);
  if (text == nullptr || text->empty()) return;
  parse_json(*text, doc);
}

// Keeps a JSON-string parameter (an object, once validation accepted it) as text; absent leaves
// `kept` absent. Answers the parsed value, for the reader that wants a member at once.
const JsonValue& load_json(JsonText& kept, JsonDocument& parsed, const IceCall& ice, std::string_view name) {
  load_json(parsed, ice, name);
  kept.assign(parsed);
  return parsed;
}

void load_json(JsonText& kept, const IceCall& ice, std::string_view name) {
  StoredJson parsed;
  load_json(kept, parsed, ice, name);
}

// AgentConfig, TemplateConfig and ChatSyncConfig, kept in the instance's extras when given;
// AgentConfig parsed into `agent_config` too, for the greeting and the voiceprint.
void load_extra_configs(Instance& instance, JsonDocument& agent_config, const IceCall& ice) {
  const auto given = [&](std::string_view name) { return !ice.get(name).empty(); };
  if (!given("AgentConfig") && !given("TemplateConfig") && !given("ChatSyncConfig")) return;
  InstanceExtras& extras = instance.make_extras();
  load_json(extras.agent_config, agent_config, ice, "AgentConfig");
  load_json(extras.template_config, ice, "TemplateConfig");
  load_json(extras.chat_sync_config, ice, "ChatSyncConfig");
}

// The object, or {} while absent.
void write_object(JsonWriter& out, std::string_view name, const JsonText& object) {
  out.key(name);
  if (object.is_object()) {
    out.raw(object.text());
  } else {
    out.begin_object().end_object();
  }
}

// Deep merge: objects merge member by member, anything else replaces.
void merge_into(JsonValue& target, const JsonValue& patch, JsonDocument::AllocatorType& allocator) {
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    const auto it = target.FindMember(m.name);
    if (it == target.MemberEnd()) {
      JsonValue name(m.name, allocator);
      JsonValue value(m.value, allocator);
      target.AddMember(name, value, allocator);
    } else if (it->value.IsObject() && m.value.IsObject()) {
      merge_into(it->value, m.value, allocator);
    } else {
      it->value.CopyFrom(m.value, allocator);
    }
  }
}

void merge_param(JsonText& kept, const IceCall& ice, std::string_view name) {
  StoredJson patch;
  load_json(patch, ice, name);
  if (!patch.IsObject()) return;
  StoredJson target;
  kept.parse(target);
  merge_into(target, patch, target.GetAllocator());
  kept.assign(target);
}

const Agent* known_agent(HandlerContext& ctx) {
  const std::string_view agent_id = ctx.ice.get("AIAgentId");
  const Agent* agent = ctx.state.find_agent(ctx.ice.account, agent_id);
  if (agent == nullptr) {
    ctx.fail("ResourceNotFound", "Resource not found: the specified AIAgentId \"" + std::string(agent_id) +
                                     "\" does not exist.");
  }
  return agent;
}

// The instance named by InstanceId, or nullptr after failing with ResourceNotFound (404); when
// `running`, a Finished instance fails with IncorrectInstanceStatus (403).
Instance* known_instance(HandlerContext& ctx, bool running) {
  const std::string_view id = ctx.ice.get("InstanceId");
  Instance* instance = ctx.state.find_instance(ctx.ice.account, id);
  if (instance == nullptr) {
    ctx.fail("ResourceNotFound",
             "Resource not found: the specified InstanceId \"" + std::string(id) + "\" does not exist.");
    return nullptr;
  }
  if (running && instance->status != InstanceStatus::executing) {
    ctx.fail("IncorrectInstanceStatus",
             "The current status of the resource does not support this operation: instance \"" + std::string(id) +
                 "\" is Finished.");
    return nullptr;
  }
  return instance;
}

// A notice to the agent's notify config (vendors/ice/callbacks.hpp), when it asks for the event.
void notify(HandlerContext& ctx, const Instance& instance, std::string_view event, std::string message,
            std::string data = {}, std::string extend_data = {}) {
  notify_agent(ctx.state.account(ctx.ice.account), instance,
               Notice{event, std::move(message), std::move(data), std::move(extend_data)}, ctx.now, ctx.callbacks);
}

// Each dialogue entry is also a real-time chat record.
const DialogueEntry& append_dialogue(HandlerContext& ctx, const Instance& instance, std::string_view producer,
                                     std::string_view type, std::string_view text) {
  auto& entries = ctx.state.account(ctx.ice.account).dialogues[std::string(instance.dialogue_key())];
  if (entries.size() >= kMaxDialogueEntries) entries.erase(entries.begin());
  DialogueEntry entry;
  entry.dialogue_id = new_id();
  entry.sequence = ctx.state.next_sequence++;
  entry.round_id = std::to_string(entry.sequence);
  entry.producer = producer;
  entry.source = "call";
  entry.type = type;
  entry.text = text;
  entry.time_ms = epoch_millis(ctx.now);
  entries.push_back(std::move(entry));
  notify(ctx, instance, "chat_record", "real-time chat record", chat_record_data(entries.back()));
  return entries.back();
}

// The agent speaks: TTS answers with its first data.
void agent_speaks(HandlerContext& ctx, const Instance& instance, std::string_view type, std::string_view text) {
  const DialogueEntry& entry = append_dialogue(ctx, instance, "agent", type, text);
  notify(ctx, instance, "tts_data_received", "TTS data received", {}, workflow_extend_data(instance, entry, ctx.now));
}

Instance& add_instance(HandlerContext& ctx, InstanceKind kind) {
  auto instance = std::make_unique<Instance>();
  instance->set_id(new_id());
  instance->kind = kind;
  std::string session_id(ctx.ice.get("SessionId"));
  // GenerateAIAgentCall starts "a new session if absent": the dialogue is kept under it.
  if (kind == InstanceKind::generated && session_id.empty()) session_id = new_id();
  if (!session_id.empty()) instance->make_extras().session_id = std::move(session_id);
  if (const std::string_view user_data = ctx.ice.get("UserData"); !user_data.empty()) {
    instance->make_extras().user_data = user_data;
  }
  instance->created = ctx.now;
  instance->modified = ctx.now;
  instance->sequence = ctx.state.next_sequence++;
  return ctx.state.account(ctx.ice.account).add(std::move(instance), ctx.ice.get("AIAgentId"));
}

// An agent with a Greeting says it first: the dialogue starts with it.
void greet(HandlerContext& ctx, const Instance& instance, const JsonValue& agent_config) {
  if (!agent_config.IsObject()) return;
  const JsonValue* greeting = json_member(agent_config, "Greeting");
  if (greeting != nullptr && greeting->IsString() && greeting->GetStringLength() > 0) {
    agent_speaks(ctx, instance, "greeting", {greeting->GetString(), greeting->GetStringLength()});
  }
}

void upsert_voiceprint(HandlerContext& ctx, std::string_view mode, std::string_view id, Voiceprint fields) {
  auto& all = ctx.state.account(ctx.ice.account).voiceprints;
  auto [it, inserted] = all.try_emplace({std::string(mode), std::string(id)});
  Voiceprint& v = it->second;
  const SystemTime created = inserted ? ctx.now : v.created;
  const std::uint64_t sequence = inserted ? ctx.state.next_sequence++ : v.sequence;
  v = std::move(fields);
  v.id = id;
  v.mode = mode;
  v.created = created;
  v.modified = ctx.now;
  v.sequence = sequence;
}

// An agent whose VoiceprintConfig asks for Implicit registration registers the speaker's voice
// under its VoiceprintId as the session runs (ListAIAgentVoiceprints RegistrationMode=Implicit).
void register_implicit_voiceprint(HandlerContext& ctx, const JsonValue& agent_config) {
  if (!agent_config.IsObject()) return;
  const JsonValue* config = json_member(agent_config, "VoiceprintConfig");
  if (config == nullptr || !config->IsObject()) return;
  const JsonValue* mode = json_member(*config, "RegistrationMode");
  const JsonValue* id = json_member(*config, "VoiceprintId");
  if (mode == nullptr || !mode->IsString() || std::string_view(mode->GetString()) != "Implicit") return;
  if (id == nullptr || !id->IsString() || id->GetStringLength() == 0) return;
  auto& all = ctx.state.account(ctx.ice.account).voiceprints;
  const std::string_view vid(id->GetString(), id->GetStringLength());
  if (all.size() >= kVoiceprintsKept && !all.contains({"Implicit", std::string(vid)})) return;
  upsert_voiceprint(ctx, "Implicit", vid, Voiceprint{});
}

// The call instance InstanceId names, Executing, or nullptr after failing.
Instance* running_call(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance != nullptr && instance->kind != InstanceKind::outbound) {
    ctx.fail("InvalidParameter", "The specified parameter \"InstanceId\" is not valid: instance \"" +
                                     std::string(instance->id()) + "\" is not a phone call.");
    return nullptr;
  }
  return instance;
}

// [first, last) of page `number` (from 1) of `size` items over `total`; empty when out of range.
std::pair<std::size_t, std::size_t> page_range(std::size_t total, std::int64_t number, std::int64_t size) {
  if (number < 1 || size < 1) return {0, 0};
  const auto skipped_pages = static_cast<std::uint64_t>(number - 1);
  const auto per_page = static_cast<std::uint64_t>(size);
  if (skipped_pages > total / per_page) return {total, total};
  const std::size_t first = std::min<std::size_t>(total, skipped_pages * per_page);
  return {first, std::min<std::size_t>(total, first + per_page)};
}

// Status "2" while the call is up and "4" once it ended (ICE documents only the 4 of an ended
// call; README, fidelity notes).
void write_call_info(JsonWriter& out, const Instance& instance) {
  const bool ended = instance.status == InstanceStatus::finished;
  const InstanceExtras& call = instance.extras();
  out.key("CallInfo").begin_object();
  out.field("CallerNumber", call.caller_number).field("CalleeNumber", call.called_number);
  out.field("CallStartTime", format_gmt(instance.created));
  out.field("Status", ended ? "4" : "2");
  if (ended) {
    out.field("CallEndTime", format_gmt(call.finished));
    out.field_int("CallDuration",
                  std::chrono::duration_cast<std::chrono::seconds>(call.finished - instance.created).count());
    out.field_int("HangupRole", call.hangup_role);
  }
  out.end_object();
}

// The fields Describe and List share.
void write_instance_fields(JsonWriter& out, const Instance& instance) {
  const InstanceExtras& extras = instance.extras();
  write_object(out, "AgentConfig", extras.agent_config);
  if (instance.kind == InstanceKind::outbound) write_call_info(out, instance);
  out.field("CallLogUrl", extras.call_log_url);
  out.field("GmtCreate", format_gmt(instance.created));
  out.field("GmtModified", format_gmt(instance.modified));
  write_object(out, "RuntimeConfig", instance.runtime_config);
  out.field("SessionId", extras.session_id);
  out.field("Status", status_name(instance.status));
  write_object(out, "TemplateConfig", extras.template_config);
  out.field("UserData", extras.user_data);
}

void write_dialogue(JsonWriter& out, const DialogueEntry& entry) {
  out.begin_object()
      .field("DialogueId", entry.dialogue_id)
      .field("RoundId", entry.round_id)
      .field("NodeId", entry.node_id)
      .field("Producer", entry.producer)
      .field("Source", entry.source)
      .field("Text", entry.text)
      .field("ReasoningText", "")
      .field_int("Time", entry.time_ms)
      .field("Type", entry.type)
      .field("Extend", "");
  out.key("AttachedFileList").begin_array().end_array();
  out.end_object();
}

}  // namespace

void start_instance(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  Instance& instance = add_instance(ctx, InstanceKind::started);
  load_json(instance.runtime_config, ctx.ice, "RuntimeConfig");
  StoredJson agent_config;
  load_extra_configs(instance, agent_config, ctx.ice);
  // The agent joins the channel RuntimeConfig names: the task and the session start at once.
  notify(ctx, instance, "agent_start", "the agent task started");
  notify(ctx, instance, "session_start", "the call session is established");
  greet(ctx, instance, agent_config);
  register_implicit_voiceprint(ctx, agent_config);
  ctx.out.field("InstanceId", instance.id());
}

void generate_call(HandlerContext& ctx) {
  const Agent* agent = known_agent(ctx);
  if (agent == nullptr) return;
  Instance& instance = add_instance(ctx, InstanceKind::generated);
  StoredJson agent_config;
  load_extra_configs(instance, agent_config, ctx.ice);
  InstanceExtras& call = instance.make_extras();
  call.user_id = ctx.ice.get("UserId");
  if (call.user_id.empty()) call.user_id = "user_" + random_hex(6);
  call.channel_id = new_id();
  call.expire_seconds = int_param(ctx.ice, "Expire", 3600);
  const std::string agent_user_id = "agent_" + random_hex(6);
  StoredJson runtime_config;
  auto& alloc = runtime_config.GetAllocator();
  runtime_config.SetObject();
  runtime_config.AddMember("AgentUserId", JsonValue(agent_user_id.c_str(), alloc), alloc);
  runtime_config.AddMember("ChannelId", JsonValue(call.channel_id.c_str(), alloc), alloc);
  instance.runtime_config.assign(runtime_config);
  // The session starts once the user's client joins, which agentemu never sees.
  notify(ctx, instance, "agent_start", "the agent task started");
  greet(ctx, instance, agent_config);
  register_implicit_voiceprint(ctx, agent_config);

  ctx.out.field("AIAgentUserId", agent_user_id)
      .field("AvatarUserId", agent->type == "avatar" ? "avatar_" + std::string(instance.id().substr(0, 12)) : "")
      .field("ChannelId", call.channel_id)
      .field("InstanceId", instance.id())
      .field("Token", base64_encode(random_hex(48)))
      .field("UserId", call.user_id);
}

void start_outbound_call(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  Instance& instance = add_instance(ctx, InstanceKind::outbound);
  InstanceExtras& call = instance.make_extras();
  call.caller_number = ctx.ice.get("CallerNumber");
  call.called_number = ctx.ice.get("CalledNumber");
  StoredJson agent_config;
  load_json(call.agent_config, agent_config, ctx.ice, "Config");
  // agentemu's calls connect at once (CallInfo Status 2).
  notify(ctx, instance, "agent_start", "the agent task started");
  notify(ctx, instance, "session_start", "the call session is established");
  greet(ctx, instance, agent_config);
  ctx.out.field("InstanceId", instance.id());
}

void stop_instance(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance == nullptr) return;
  ctx.state.account(ctx.ice.account).finish(*instance, ctx.now);
  notify(ctx, *instance, "agent_stop", "the agent task stopped: StopAIAgentInstance");
}

void update_instance(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance == nullptr) return;
  if (ctx.ice.find("AgentConfig") != nullptr) merge_param(instance->make_extras().agent_config, ctx.ice, "AgentConfig");
  if (ctx.ice.find("TemplateConfig") != nullptr) {
    merge_param(instance->make_extras().template_config, ctx.ice, "TemplateConfig");
  }
  if (const std::string* user_data = ctx.ice.find("UserData"); user_data != nullptr && !user_data->empty()) {
    instance->make_extras().user_data = *user_data;
  }
  instance->modified = ctx.now;
}

void describe_instance(HandlerContext& ctx) {
  const Instance* instance = known_instance(ctx, false);
  if (instance == nullptr) return;
  ctx.out.key("Instance").begin_object();
  write_instance_fields(ctx.out, *instance);
  ctx.out.end_object();
}

void list_instances(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  const std::string_view agent_id = ctx.ice.get("AIAgentId");
  std::optional<SystemTime> from, to;
  if (const std::string* t = ctx.ice.find("StartTime"); t != nullptr && !t->empty()) from = parse_gmt(*t);
  if (const std::string* t = ctx.ice.find("EndTime"); t != nullptr && !t->empty()) to = parse_gmt(*t);
  std::int64_t page_size = int_param(ctx.ice, "PageSize", 10);
  if (page_size == 0) page_size = 10;
  const std::int64_t page_number = int_param(ctx.ice, "PageNumber", 1);

  // Newest first (GmtCreate, then creation order), within [StartTime, EndTime]: the agent's
  // index is in that order already, so only the range is walked.
  std::vector<const Instance*> matches;
  if (const AgentInstances* agent = ctx.state.account(ctx.ice.account).agent(agent_id)) {
    const auto& index = agent->by_created;
    const auto first = from ? index.lower_bound(ByCreated::Key{*from, 0}) : index.begin();
    const auto last = to ? index.upper_bound(ByCreated::Key{*to, UINT64_MAX}) : index.end();
    if (!from || !to || *from <= *to) {
      matches.assign(first, last);
    }
    std::reverse(matches.begin(), matches.end());
  }
  const auto [first, last] = page_range(matches.size(), page_number, page_size);
  ctx.out.key("Instances").begin_array();
  for (std::size_t i = first; i < last; ++i) {
    ctx.out.begin_object().field("InstanceId", matches[i]->id());
    write_instance_fields(ctx.out, *matches[i]);
    ctx.out.end_object();
  }
  ctx.out.end_array();
}

void send_speech(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance == nullptr) return;
  agent_speaks(ctx, *instance, "speech", ctx.ice.get("Text"));
  instance->modified = ctx.now;
}

void send_text(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance == nullptr) return;
  // A text is the user's whole intent at once.
  const DialogueEntry& entry = append_dialogue(ctx, *instance, "user", "normal", ctx.ice.get("Text"));
  notify(ctx, *instance, "intent_recognized", "a complete user intent is recognized", {},
         workflow_extend_data(*instance, entry, ctx.now));
  instance->modified = ctx.now;
}

void send_data_channel_message(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance == nullptr) return;
  append_dialogue(ctx, *instance, "user", "custom", ctx.ice.get("Message"));
  instance->modified = ctx.now;
}

void get_concurrency(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  const std::string_view agent_id = ctx.ice.get("AIAgentId");
  const AgentInstances* agent = ctx.state.account(ctx.ice.account).agent(agent_id);
  ctx.out.field_int("ActiveCount", agent == nullptr ? 0 : agent->executing);
}

void list_dialogues(HandlerContext& ctx) {
  const std::int64_t from = int_param(ctx.ice, "StartTime", 0);
  const std::int64_t to = int_param(ctx.ice, "EndTime", 0);
  const bool ascending = ctx.ice.get("Order") == "ASC";
  const std::int64_t round_limit = int_param(ctx.ice, "RoundLimit", 0);
  const std::int64_t page_size = int_param(ctx.ice, "PageSize", 20);
  const std::int64_t page_number = int_param(ctx.ice, "PageNumber", 1);

  std::vector<const DialogueEntry*> matches;
  Account& account = ctx.state.account(ctx.ice.account);
  if (const auto it = account.dialogues.find(std::string(ctx.ice.get("SessionId"))); it != account.dialogues.end()) {
    for (const DialogueEntry& entry : it->second) {
      if (entry.time_ms >= from && entry.time_ms <= to) matches.push_back(&entry);
    }
  }
  // Oldest first, then: the latest N rounds (RoundLimit overrides paging), or one page.
  std::sort(matches.begin(), matches.end(), [](const DialogueEntry* a, const DialogueEntry* b) {
    return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->sequence < b->sequence;
  });
  if (round_limit > 0) {
    const std::size_t keep = std::min(matches.size(), static_cast<std::size_t>(round_limit));
    matches.erase(matches.begin(), matches.end() - static_cast<std::ptrdiff_t>(keep));
  }
  if (!ascending) std::reverse(matches.begin(), matches.end());
  const auto range = round_limit > 0 ? std::pair<std::size_t, std::size_t>{0, matches.size()}
                                     : page_range(matches.size(), page_number, page_size);
  ctx.out.key("Dialogues").begin_array();
  for (std::size_t i = range.first; i < range.second; ++i) write_dialogue(ctx.out, *matches[i]);
  ctx.out.end_array();
}

void delete_dialogue(HandlerContext& ctx) {
  const std::string_view dialogue_id = ctx.ice.get("DialogueId");
  const std::string_view node_id = ctx.ice.get("NodeId");
  Account& account = ctx.state.account(ctx.ice.account);
  if (const auto it = account.dialogues.find(std::string(ctx.ice.get("SessionId"))); it != account.dialogues.end()) {
    auto& entries = it->second;
    const auto found = std::find_if(entries.begin(), entries.end(), [&](const DialogueEntry& e) {
      return e.dialogue_id == dialogue_id && (node_id.empty() || e.node_id == node_id);
    });
    if (found != entries.end()) {
      entries.erase(found);
      return;
    }
  }
  ctx.fail("ResourceNotFound", "Resource not found: the specified DialogueId \"" + std::string(dialogue_id) +
                                   "\" does not exist in this session.");
}

void list_phone_numbers(HandlerContext& ctx) {
  const std::string_view number = ctx.ice.get("Number");
  const std::int64_t status = int_param(ctx.ice, "Status", 0);
  const std::int64_t page_size = int_param(ctx.ice, "PageSize", 50);
  const std::int64_t page_number = int_param(ctx.ice, "PageNumber", 1);
  std::vector<const PhoneNumber*> matches;
  for (const PhoneNumber& p : ctx.state.account(ctx.ice.account).phone_numbers) {
    if (!number.empty() && p.number != number) continue;
    if (status != 0 && p.status != status) continue;
    matches.push_back(&p);
  }
  const auto [first, last] = page_range(matches.size(), page_number, page_size);
  ctx.out.key("Data").begin_array();
  for (std::size_t i = first; i < last; ++i) {
    ctx.out.begin_object().field("PhoneNumber", matches[i]->number).field_int("Status", matches[i]->status).end_object();
  }
  ctx.out.end_array();
  ctx.out.field_int("PageNumber", page_number).field_int("PageSize", page_size).field_int(
      "TotalNumber", static_cast<std::int64_t>(matches.size()));
}

// ---- Outbound calls: forward to a number, hand over to a human -------------------------------

// The AI agent leaves the call to CalledNumber: the instance ends, HangupRole 2 (transferred).
void forward_call(HandlerContext& ctx) {
  Instance* instance = running_call(ctx);
  if (instance == nullptr) return;
  InstanceExtras& call = instance->make_extras();
  call.forwarded_to = ctx.ice.get("CalledNumber");
  call.hangup_role = 2;
  ctx.state.account(ctx.ice.account).finish(*instance, ctx.now);
  notify(ctx, *instance, "agent_stop", "the agent task stopped: the call was forwarded to " + call.forwarded_to);
}

// A human agent joins the call's ARTC channel; the instance keeps running.
void takeover_call(HandlerContext& ctx) {
  Instance* instance = known_instance(ctx, true);
  if (instance == nullptr) return;
  std::string human = std::string(ctx.ice.get("HumanAgentUserId"));
  if (human.empty()) human = "human_" + random_hex(6);
  InstanceExtras& call = instance->make_extras();
  call.human_agent_user_id = human;
  if (call.channel_id.empty()) call.channel_id = instance->runtime_config.string_member("ChannelId").value_or(new_id());
  instance->modified = ctx.now;
  ctx.out.field("ChannelId", call.channel_id).field("HumanAgentUserId", human);
  if (iequals(ctx.ice.get("RequireToken"), "true")) ctx.out.field("Token", base64_encode(random_hex(48)));
}

// ---- Voiceprints ------------------------------------------------------------------------------

void set_voiceprint(HandlerContext& ctx) {
  JsonDocument input;
  load_json(input, ctx.ice, "Input");
  std::string id(ctx.ice.get("VoiceprintId"));
  if (id.empty()) id = "vp_" + random_hex(8);  // the answer names the id it registered
  auto& all = ctx.state.account(ctx.ice.account).voiceprints;
  if (all.size() >= kVoiceprintsKept && !all.contains({"Explicit", id})) {
    ctx.fail("QuotaExceeded", "The quota of this resource is exceeded: an account holds at most " +
                                  std::to_string(kVoiceprintsKept) + " voiceprints.");
    return;
  }
  const auto member = [&](const char* name, std::string fallback) {
    const JsonValue* v = json_member(input, name);
    return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : fallback;
  };
  upsert_voiceprint(ctx, "Explicit", id, Voiceprint{.input_type = member("Type", "url"),
                                                     .input_format = member("Format", "wav"),
                                                     .input_data = member("Data", "")});
  ctx.out.field("VoiceprintId", id);
}

std::string registration_mode(const IceCall& ice) {
  const std::string_view mode = ice.get("RegistrationMode");
  return mode.empty() ? "Explicit" : std::string(mode);
}

// One voiceprint by id, or (no VoiceprintId) every voiceprint of the mode.
void clear_voiceprint(HandlerContext& ctx) {
  const std::string mode = registration_mode(ctx.ice);
  const std::string_view id = ctx.ice.get("VoiceprintId");
  auto& all = ctx.state.account(ctx.ice.account).voiceprints;
  if (id.empty()) {
    std::erase_if(all, [&](const auto& entry) { return entry.first.first == mode; });
    return;
  }
  if (all.erase({mode, std::string(id)}) == 0) {
    ctx.fail("ResourceNotFound", "Resource not found: the specified VoiceprintId \"" + std::string(id) +
                                     "\" does not exist (RegistrationMode " + mode + ").");
  }
}

void list_voiceprints(HandlerContext& ctx) {
  const std::string mode = registration_mode(ctx.ice);
  const std::string_view id = ctx.ice.get("VoiceprintId");
  std::vector<const Voiceprint*> matches;
  for (const auto& [key, v] : ctx.state.account(ctx.ice.account).voiceprints) {
    if (key.first == mode && (id.empty() || key.second == id)) matches.push_back(&v);
  }
  std::sort(matches.begin(), matches.end(), [](const Voiceprint* a, const Voiceprint* b) { return a->sequence < b->sequence; });
  const auto [first, last] = page_range(matches.size(), int_param(ctx.ice, "PageNumber", 1), int_param(ctx.ice, "PageSize", 10));
  ctx.out.field_int("TotalCount", static_cast<std::int64_t>(matches.size()));
  ctx.out.key("Voiceprints").begin_array();
  for (std::size_t i = first; i < last; ++i) {
    ctx.out.begin_object()
        .field("GmtCreate", format_gmt(matches[i]->created))
        .field("GmtModified", format_gmt(matches[i]->modified))
        .field("VoiceprintId", matches[i]->id)
        .end_object();
  }
  ctx.out.end_array();
}

// ---- Video audit tasks ------------------------------------------------------------------------

void submit_video_audit_task(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  VideoAuditTask task;
  task.job_id = new_id();
  task.agent_id = ctx.ice.get("AIAgentId");
  task.user_data = ctx.ice.get("UserData");
  task.audit_interval_ms = int_param(ctx.ice, "AuditInterval", 3000);
  JsonDocument input, callback;
  load_json(input, ctx.ice, "Input");
  load_json(callback, ctx.ice, "CallbackConfig");
  const auto member = [](const JsonDocument& doc, const char* name) {
    const JsonValue* v = doc.IsObject() ? json_member(doc, name) : nullptr;
    return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
  };
  task.media = member(input, "Media");
  task.input_type = member(input, "Type");
  if (task.input_type.empty()) task.input_type = "OSS";
  task.callback_url = member(callback, "Url");
  task.callback_token = member(callback, "Token");
  load_json(task.capture_policies, ctx.ice, "CapturePolicies");
  // Done once the last capture window [StartTime, StartTime + Duration] has passed, at least a
  // second after submission.
  std::int64_t seconds = 1;
  for (const JsonValue& policy : task.capture_policies.GetArray()) {
    const JsonValue* start = json_member(policy, "StartTime");
    const JsonValue* duration = json_member(policy, "Duration");
    const std::int64_t end = (start != nullptr && start->IsInt64() ? start->GetInt64() : 0) +
                             (duration != nullptr && duration->IsInt64() ? duration->GetInt64() : 0);
    seconds = std::max(seconds, end);
  }
  task.created = ctx.now;
  task.finishes = ctx.now + std::chrono::seconds(seconds);
  task.sequence = ctx.state.next_sequence++;
  auto& tasks = ctx.state.account(ctx.ice.account).video_audit_tasks;
  while (tasks.size() >= kVideoAuditTasksKept) tasks.erase(tasks.begin());
  ctx.out.field("JobId", task.job_id);
  if (!task.callback_url.empty()) ctx.audit_wakes.push_back(AuditWake{task.finishes, ctx.ice.account, task.sequence});
  tasks.emplace(task.sequence, std::move(task));
}

// ---- Agent callbacks: where ICE notifies the customer's server --------------------------------

// Set replaces the parameters given and keeps the others (README, fidelity notes).
void set_notify_config(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  NotifyConfig& config = ctx.state.account(ctx.ice.account).notify_configs[std::string(ctx.ice.get("AIAgentId"))];
  const auto set_text = [&](std::string& field, std::string_view name) {
    if (const std::string* v = ctx.ice.find(name); v != nullptr && !v->empty()) field = *v;
  };
  config.enable_notify = iequals(ctx.ice.get("EnableNotify"), "true");
  set_text(config.callback_url, "CallbackUrl");
  set_text(config.event_types, "EventTypes");
  set_text(config.token, "Token");
  set_text(config.audio_oss_path, "AudioOssPath");
  if (const std::string* v = ctx.ice.find("EnableAudioRecording"); v != nullptr && !v->empty()) {
    config.enable_audio_recording = iequals(*v, "true");
  }
}

// An agent that was never configured answers the defaults: notifications off, nothing set.
void describe_notify_config(HandlerContext& ctx) {
  if (known_agent(ctx) == nullptr) return;
  const auto& configs = ctx.state.account(ctx.ice.account).notify_configs;
  const auto it = configs.find(std::string(ctx.ice.get("AIAgentId")));
  const NotifyConfig config = it == configs.end() ? NotifyConfig{} : it->second;
  ctx.out.field("AudioOssPath", config.audio_oss_path)
      .field("CallbackUrl", config.callback_url)
      .field_bool("EnableAudioRecording", config.enable_audio_recording)
      .field_bool("EnableNotify", config.enable_notify)
      .field("EventTypes", config.event_types)
      .field("Token", config.token);
}

}  // namespace agentemu::ice
