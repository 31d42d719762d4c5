#include "vendors/zego/handlers.hpp"

#include <algorithm>
#include <chrono>

#include "core/crypto.hpp"
#include "vendors/zego/callbacks.hpp"
#include "vendors/zego/errors.hpp"

namespace agentemu::zego {
namespace {

using InstanceIt = std::map<std::string, Instance, std::less<>>::iterator;

constexpr std::size_t kDefaultPageSize = 5;
constexpr std::size_t kMaxQueuedTasks = 5;  // SamePriorityOption=Enqueue: "the maximum number of queues is 5"
constexpr std::int64_t kDefaultGracefulTimeout = 30;

// ---- reading the validated body ----------------------------------------------------------

const JsonValue* member(const JsonValue& body, std::string_view name) {
  const JsonValue* v = json_member(body, name);
  return v == nullptr || v->IsNull() ? nullptr : v;
}

std::string_view text(const JsonValue& body, std::string_view name, std::string_view fallback = {}) {
  const JsonValue* v = member(body, name);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : fallback;
}

bool flag(const JsonValue& body, std::string_view name, bool fallback) {
  const JsonValue* v = member(body, name);
  return v != nullptr && v->IsBool() ? v->GetBool() : fallback;
}

std::optional<std::int64_t> integer(const JsonValue& body, std::string_view name) {
  const JsonValue* v = member(body, name);
  if (v == nullptr || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

const JsonValue* object(const JsonValue& body, std::string_view name) {
  const JsonValue* v = member(body, name);
  return v != nullptr && v->IsObject() ? v : nullptr;
}

// ---- answering -----------------------------------------------------------------------------

void fail(Exchange& x, std::int64_t code, std::string_view message = {}) { render_code(x.call, code, message); }

void invalid(Exchange& x, std::string_view what) {
  fail(x, code::kInvalidParameter, "Invalid parameter: " + std::string(what));
}

template <class WriteData>
void ok(Exchange& x, WriteData&& write_data) {
  JsonWriter w;
  begin_envelope(w, code::kOk, "Success");
  w.key("Data").begin_object();
  write_data(w);
  w.end_object();
  finish_envelope(x.call, w);
}

void write_block(JsonWriter& w, std::string_view name, const Block& block) {
  w.key(name);
  if (block) {
    w.value(*block);
  } else {
    w.begin_object().end_object();  // ListAgents shows an unset block as {}
  }
}

void write_agent(JsonWriter& w, const Agent& agent) {
  w.begin_object().field("AgentId", agent.id).field("Name", agent.name);
  write_block(w, "LLM", agent.llm);
  write_block(w, "TTS", agent.tts);
  write_block(w, "ASR", agent.asr);
  w.end_object();
}

// ---- instances -----------------------------------------------------------------------------

// Live digital humans are driven by SendAgentInstanceTTS and stopped by DeleteAgentInstance;
// every other control is refused with 410001049 (README: the docs do not list them).
bool live_allowed(Op op) {
  return op == Op::SendAgentInstanceTTS || op == Op::QueryAgentInstanceStatus || op == Op::DeleteAgentInstance;
}

// The instance the body names, ready for `op`; on any refusal the error is already written.
std::optional<InstanceIt> find_instance(Exchange& x, Op op) {
  const std::string_view id = text(x.body, "AgentInstanceId");
  auto it = x.state.instances.find(id);
  if (it == x.state.instances.end() || it->second.app_id != x.app.app_id) {
    fail(x, code::kInstanceNotFound);
    return std::nullopt;
  }
  // What the timeline did since it was last looked at is told before this call changes it.
  report_until(x.state, it->second, x.now, x.effects);
  if (it->second.expired(x.now)) {
    x.state.remove(it, "max_idle_time", x.now, x.effects);
    fail(x, code::kInstanceNotFound);
    return std::nullopt;
  }
  if (it->second.life().shutdown) {
    if (x.state.settle(it, x.now, false, x.effects)) {
      fail(x, code::kInstanceNotFound);
    } else {
      fail(x, code::kShuttingDown);
    }
    return std::nullopt;
  }
  if (it->second.kind == Kind::live_digital_human && !live_allowed(op)) {
    fail(x, code::kLiveDigitalHuman);
    return std::nullopt;
  }
  it->second.prune(x.now);
  return it;
}

int priority_of(std::string_view name) {
  if (name == "Low") return 0;
  if (name == "High") return 2;
  return 1;
}

SystemTime plus(SystemTime t, Millis d) { return t == SystemTime::max() ? t : t + d; }

bool busy(const Instance& instance, SystemTime now) {
  return !instance.life().phases.empty() && instance.status_at(now) != Status::idle;
}

// A task of higher priority than the one in progress interrupts it; a lower one waits; an equal
// one follows SamePriorityOption.
bool enqueues(const Instance& instance, SystemTime now, int priority, bool enqueue_same) {
  if (!busy(instance, now)) return false;
  const int current = instance.life().phases.front().priority;
  return priority < current || (priority == current && enqueue_same);
}

// Puts one task (a round of THINKING and/or SPEAKING; THINKING alone when it does not get to
// speak) on the agent's timeline, after the queue or in place of what runs (enqueues()).
// Answers false when the queue is full.
bool schedule_task(Instance& instance, SystemTime now, int priority, bool enqueue_same, std::int64_t round,
                   Millis think, Millis speak, bool speaks = true) {
  SystemTime start = now;
  const bool enqueue = enqueues(instance, now, priority, enqueue_same);
  if (enqueue && instance.queued_tasks(now) >= kMaxQueuedTasks) return false;
  std::vector<Phase>& phases = instance.mutable_life().phases;
  if (enqueue) {
    start = phases.back().until;
  } else {
    phases.clear();
  }
  if (think.count() > 0) {
    start = plus(start, think);
    phases.push_back(Phase{Status::thinking, start, priority, round});
  }
  if (speaks) phases.push_back(Phase{Status::speaking, plus(start, speak), priority, round});
  return true;
}

// An LLM agentemu could not call if it called one: its Url is not an http(s) URL.
bool llm_unreachable(const Instance& instance) {
  const Block& llm = instance.llm();
  const std::string_view url = llm ? text(*llm, "Url") : std::string_view{};
  return !(url.starts_with("http://") || url.starts_with("https://"));
}

std::string simulated_answer(std::string_view question) { return "agentemu simulated answer to: " + std::string(question); }

// What a walkie-talkie user said: agentemu hears no audio.
constexpr std::string_view kSimulatedSpeech = "agentemu simulated speech";

// UpdateAgentInstance may not change TTS.Vendor, TTS.FilterText or TTS.TerminatorText.
std::optional<std::string> tts_update_violation(const Block& old_tts, const JsonValue& new_tts) {
  if (!old_tts) return std::nullopt;
  for (std::string_view name : {std::string_view("Vendor"), std::string_view("FilterText"),
                                std::string_view("TerminatorText")}) {
    const JsonValue* before = json_member(*old_tts, name);
    const JsonValue* after = json_member(new_tts, name);
    if (after == nullptr || after->IsNull()) continue;  // left out: the stored value stays
    if (before == nullptr || *before != *after) return "TTS." + std::string(name) + " cannot be updated";
  }
  return std::nullopt;
}

// The new TTS block, keeping the stored FilterText/TerminatorText when it leaves them out.
Block merged_tts(const Block& old_tts, const JsonValue& new_tts) {
  auto doc = std::make_shared<StoredJson>();
  doc->CopyFrom(new_tts, doc->GetAllocator());
  if (old_tts) {
    for (const char* name : {"FilterText", "TerminatorText"}) {
      const JsonValue* before = json_member(*old_tts, name);
      const JsonValue* after = json_member(*doc, name);
      if (before != nullptr && (after == nullptr || after->IsNull())) {
        doc->RemoveMember(name);
        JsonValue copy(*before, doc->GetAllocator());
        doc->AddMember(JsonValue(name, doc->GetAllocator()), copy, doc->GetAllocator());
      }
    }
  }
  return doc;
}

// ---- agents ----------------------------------------------------------------------------------

void register_agent(Exchange& x) {
  AppState& app = *x.state.app(x.app.app_id);
  const std::string_view id = text(x.body, "AgentId");
  if (app.agents.contains(id)) return fail(x, code::kAgentExists);
  if (!zego_test_llm_ok(object(x.body, "LLM"))) return fail(x, code::kZegoTestUrl);
  auto agent = std::make_shared<Agent>();
  agent->id = id;
  agent->name = text(x.body, "Name");
  agent->llm = copy_block(member(x.body, "LLM"));
  agent->tts = copy_block(member(x.body, "TTS"));
  agent->asr = copy_block(member(x.body, "ASR"));
  app.agents.emplace(agent->id, std::move(agent));
  render_ok(x.call);
}

void unregister_agent(Exchange& x) {
  AppState& app = *x.state.app(x.app.app_id);
  const auto it = app.agents.find(text(x.body, "AgentId"));
  if (it == app.agents.end()) return fail(x, code::kAgentNotFound);
  app.agents.erase(it);
  render_ok(x.call);
}

void update_agent(Exchange& x) {
  AppState& app = *x.state.app(x.app.app_id);
  const auto it = app.agents.find(text(x.body, "AgentId"));
  if (it == app.agents.end()) return fail(x, code::kAgentNotFound);
  if (!zego_test_llm_ok(object(x.body, "LLM"))) return fail(x, code::kZegoTestUrl);
  // A new Agent: the instances made from the old one keep it as it was.
  auto agent = std::make_shared<Agent>(*it->second);
  if (const JsonValue* name = member(x.body, "Name")) agent->name.assign(name->GetString(), name->GetStringLength());
  // "updated in a cover-up manner": a block that is sent replaces the stored one whole.
  if (const JsonValue* llm = member(x.body, "LLM")) agent->llm = copy_block(llm);
  if (const JsonValue* tts = member(x.body, "TTS")) agent->tts = copy_block(tts);
  if (const JsonValue* asr = member(x.body, "ASR")) agent->asr = copy_block(asr);
  it->second = std::move(agent);
  render_ok(x.call);
}

void list_agents(Exchange& x) {
  AppState& app = *x.state.app(x.app.app_id);
  std::size_t limit = static_cast<std::size_t>(integer(x.body, "Limit").value_or(0));
  if (limit == 0) limit = kDefaultPageSize;  // "If not filled or the value is 0, it defaults to 5"
  // The Cursor is opaque to clients: here, base64 of the last AgentId of the previous page.
  auto it = app.agents.begin();
  if (const std::string_view cursor = text(x.body, "Cursor"); !cursor.empty()) {
    const auto after = base64_decode(cursor);
    if (!after) return invalid(x, "Cursor is not a Cursor returned by ListAgents");
    it = app.agents.upper_bound(*after);
  }
  std::string next;
  ok(x, [&](JsonWriter& w) {
    w.field_int("Total", static_cast<std::int64_t>(app.agents.size()));
    w.key("Agents").begin_array();
    std::size_t n = 0;
    for (; it != app.agents.end() && n < limit; ++it, ++n) write_agent(w, *it->second);
    w.end_array();
    if (it != app.agents.end() && n > 0) next = base64_encode(std::prev(it)->first);
    w.field("Cursor", next);
  });
}

void query_agents(Exchange& x) {
  AppState& app = *x.state.app(x.app.app_id);
  const JsonValue& ids = x.body["AgentIds"];
  ok(x, [&](JsonWriter& w) {
    w.key("Agents").begin_array();
    std::vector<std::string_view> seen;
    for (const JsonValue& id : ids.GetArray()) {
      const std::string_view name(id.GetString(), id.GetStringLength());
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      // Unknown ids are left out (ZEGO's sample server registers an agent it does not find).
      if (const auto it = app.agents.find(name); it != app.agents.end()) write_agent(w, *it->second);
    }
    w.end_array();
  });
}

// ---- instance management -------------------------------------------------------------------

// What CreateAgentInstance's body sets beyond UserId and RTC. An instance that sets none of it
// (the agent's LLM, TTS and ASR, no other block) gets no InstanceConfig at all.
void configure(Instance& instance, const JsonValue& body, Kind kind) {
  const auto own = [&](std::optional<Block> InstanceConfig::*block, std::string_view name) {
    if (const JsonValue* given = member(body, name)) instance.mutable_config().*block = copy_block(given);
  };
  const auto keep = [&](Block InstanceConfig::*block, std::string_view name) {
    if (const JsonValue* given = member(body, name)) instance.mutable_config().*block = copy_block(given);
  };
  own(&InstanceConfig::llm, "LLM");
  own(&InstanceConfig::tts, "TTS");
  own(&InstanceConfig::asr, "ASR");
  if (kind == Kind::live_digital_human) {  // a live digital human only speaks
    InstanceConfig& config = instance.mutable_config();
    config.llm = config.asr = Block{};
  }
  keep(&InstanceConfig::vad, "VAD");
  keep(&InstanceConfig::message_history, "MessageHistory");
  keep(&InstanceConfig::callback, "CallbackConfig");
  keep(&InstanceConfig::digital_human, "DigitalHuman");
  keep(&InstanceConfig::cdn, "CDN");
  if (const JsonValue* advanced = object(body, "AdvancedConfig")) {
    InstanceConfig& config = instance.mutable_config();
    config.advanced = copy_block(advanced);
    config.disable_tts = flag(*advanced, "DisableTTS", false);
    config.communication_mode = static_cast<int>(integer(*advanced, "CommunicationMode").value_or(0));
    if (kind == Kind::live_digital_human) config.max_idle_seconds = integer(*advanced, "MaxIdleTime").value_or(900);
  }
  if (const JsonValue* history = object(body, "MessageHistory")) {
    instance.mutable_config().window_size = static_cast<std::size_t>(integer(*history, "WindowSize").value_or(20));
  }
}

void create_instance(Exchange& x, Kind kind) {
  // Expired live digital humans go first: they count for nothing, and nobody may ask again.
  x.state.sweep_expired(x.now, x.effects);
  AppState& app = *x.state.app(x.app.app_id);
  const auto agent_it = app.agents.find(text(x.body, "AgentId"));
  if (agent_it == app.agents.end()) return fail(x, code::kAgentNotFound);
  const AgentRef& agent = agent_it->second;

  const bool digital = kind != Kind::standard;
  const JsonValue* advanced = object(x.body, "AdvancedConfig");
  const bool disable_tts = advanced != nullptr && flag(*advanced, "DisableTTS", false);
  if (kind == Kind::digital_human && disable_tts) {
    return invalid(x, "AdvancedConfig.DisableTTS cannot be true for a digital human agent instance");
  }
  if (x.state.live_instances(x.app.app_id, false, x.now) >= static_cast<std::size_t>(x.app.instance_limit)) {
    return fail(x, code::kInstanceLimit);
  }
  if (digital &&
      x.state.live_instances(x.app.app_id, true, x.now) >= static_cast<std::size_t>(x.app.digital_human_limit)) {
    return fail(x, code::kDigitalHumanLimit);
  }
  const JsonValue* rtc = object(x.body, "RTC");
  if (digital && rtc != nullptr) {
    const std::string_view stream = text(*rtc, "AgentStreamId");
    for (const Instance* other : x.state.live_digital_humans(x.app.app_id, x.now)) {
      const UserAndRtc& theirs = other->user_and_rtc;
      if (theirs.has_rtc() && theirs.rtc_text("AgentStreamId") == stream) return fail(x, code::kDigitalHumanStreamDuplicate);
    }
  }

  Instance instance;
  instance.kind = kind;
  instance.app_id = x.app.app_id;
  // The registered agent is the template: blocks the instance leaves out come from it.
  instance.agent = agent;
  instance.user_and_rtc = UserAndRtc(text(x.body, "UserId"), rtc);
  instance.created = x.now;
  configure(instance, x.body, kind);
  if (!zego_test_llm_ok(instance.llm() ? &*instance.llm() : nullptr)) return fail(x, code::kZegoTestUrl);
  if (const JsonValue* history = object(x.body, "MessageHistory")) {
    // SyncMode 1 seeds the context from Messages; 0 (default) would load it from ZIM.
    if (integer(*history, "SyncMode").value_or(0) == 1) {
      if (const JsonValue* messages = member(*history, "Messages")) {
        for (const JsonValue& m : messages->GetArray()) {
          instance.remember(std::string(text(m, "Role")), std::string(text(m, "Content")));
        }
      }
    }
  }
  Instance& created = x.state.add_instance(x.state.new_instance_id(x.now), std::move(instance));
  report_created(x.state, created, x.now, x.effects);
  ok(x, [&](JsonWriter& w) {
    w.field("AgentInstanceId", created.id());
    if (digital) w.field("DigitalHumanConfig", digital_human_config(created));
  });
}

void update_instance(Exchange& x) {
  const auto found = find_instance(x, Op::UpdateAgentInstance);
  if (!found) return;
  Instance& instance = (*found)->second;
  if (!zego_test_llm_ok(object(x.body, "LLM"))) return fail(x, code::kZegoTestUrl);
  const JsonValue* tts = object(x.body, "TTS");
  if (tts != nullptr) {
    if (auto violation = tts_update_violation(instance.tts(), *tts)) return invalid(x, *violation);
  }
  if (const JsonValue* llm = member(x.body, "LLM")) instance.mutable_config().llm = copy_block(llm);
  if (tts != nullptr) instance.mutable_config().tts = merged_tts(instance.tts(), *tts);
  if (const JsonValue* asr = member(x.body, "ASR")) instance.mutable_config().asr = copy_block(asr);
  if (const JsonValue* rtc = object(x.body, "RTC"); rtc != nullptr && member(*rtc, "UserStreamId") != nullptr) {
    StoredJson doc = instance.user_and_rtc.rtc();
    if (!doc.IsObject()) doc.SetObject();
    doc.RemoveMember("UserStreamId");
    JsonValue stream((*rtc)["UserStreamId"], doc.GetAllocator());
    doc.AddMember("UserStreamId", stream, doc.GetAllocator());
    instance.user_and_rtc.set_rtc(&doc);
  }
  render_ok(x.call);
}

void delete_instance(Exchange& x) {
  const auto found = find_instance(x, Op::DeleteAgentInstance);
  if (!found) return;
  const InstanceIt it = *found;
  Instance& instance = it->second;
  if (!flag(x.body, "GracefulShutdown", false)) {
    x.state.remove(it, "deleted", x.now, x.effects);
    return render_ok(x.call);
  }
  if (instance.status_at(x.now) == Status::idle) {
    x.state.remove(it, "graceful_idle", x.now, x.effects);
    return render_ok(x.call);
  }
  // The instance lives on until it is IDLE or the timeout passes; meanwhile it answers
  // 410001041. The call answers at once unless the app asks to wait (README).
  const auto timeout = std::chrono::seconds(integer(x.body, "GracefulShutdownTimeout").value_or(kDefaultGracefulTimeout));
  std::optional<Shutdown>& shutdown = instance.mutable_life().shutdown;
  shutdown = Shutdown{x.now, x.now + timeout, 0, {}};
  if (x.app.graceful_delete_waits) shutdown->waiting.push_back(x.call.defer());
  x.state.settle(it, x.now, true, x.effects);
  if (!x.app.graceful_delete_waits) render_ok(x.call);
}

// ---- instance control ----------------------------------------------------------------------

void send_llm(Exchange& x) {
  const auto found = find_instance(x, Op::SendAgentInstanceLLM);
  if (!found) return;
  Instance& instance = (*found)->second;
  if (instance.status_at(x.now) == Status::listening) return fail(x, code::kAgentListening);
  const std::int64_t round = x.state.next_round();
  const bool enqueue = text(x.body, "SamePriorityOption") == "Enqueue";
  const int priority = priority_of(text(x.body, "Priority", "Medium"));
  const bool fails = llm_unreachable(instance);
  const bool cuts_in = busy(instance, x.now) && !enqueues(instance, x.now, priority, enqueue);
  if (cuts_in) report_interrupt(x.state, instance, InterruptReason::llm, x.now, x.effects);
  if (!schedule_task(instance, x.now, priority, enqueue, round, x.app.think, x.app.speak, !fails)) {
    return fail(x, code::kActiveLlmFailed, "Active LLM call failed: 5 tasks are already queued.");
  }
  InstanceLife& life = instance.mutable_life();
  life.last_round = round;
  const std::string_view question = text(x.body, "Text");
  life.tasks[round] = Task{.kind = Task::Kind::llm, .text = simulated_answer(question), .llm_fails = fails};
  if (flag(x.body, "AddQuestionToHistory", false)) instance.remember("user", std::string(question));
  if (flag(x.body, "AddAnswerToHistory", true) && !fails) instance.remember("assistant", simulated_answer(question));
  timeline_changed(x.state, instance, x.now, x.effects);
  ok(x, [&](JsonWriter& w) { w.field_int("Round", round); });
}

void send_tts(Exchange& x) {
  const auto found = find_instance(x, Op::SendAgentInstanceTTS);
  if (!found) return;
  Instance& instance = (*found)->second;
  if (instance.status_at(x.now) == Status::listening) return fail(x, code::kAgentListening);
  if (instance.config().disable_tts) return fail(x, code::kActiveTtsFailed, "Active TTS call failed: AdvancedConfig.DisableTTS is true.");
  // The deprecated InterruptMode 1 means Priority=High (with ClearAndInterrupt).
  std::string_view priority = text(x.body, "Priority");
  if (priority.empty()) priority = integer(x.body, "InterruptMode").value_or(0) == 1 ? "High" : "Medium";
  const std::int64_t round = x.state.next_round();
  const bool enqueue = text(x.body, "SamePriorityOption") == "Enqueue";
  if (busy(instance, x.now) && !enqueues(instance, x.now, priority_of(priority), enqueue)) {
    report_interrupt(x.state, instance, InterruptReason::tts, x.now, x.effects);
  }
  if (!schedule_task(instance, x.now, priority_of(priority), enqueue, round, Millis(0), x.app.speak)) {
    return fail(x, code::kActiveTtsFailed, "Active TTS call failed: 5 tasks are already queued.");
  }
  InstanceLife& life = instance.mutable_life();
  life.last_round = round;
  life.last_driven = x.now;
  const std::string_view spoken = text(x.body, "Text");
  life.tasks[round] = Task{.kind = Task::Kind::tts, .text = std::string(spoken), .meta = meta_info(instance, spoken)};
  if (flag(x.body, "AddHistory", true)) instance.remember("assistant", std::string(spoken));
  timeline_changed(x.state, instance, x.now, x.effects);
  ok(x, [&](JsonWriter& w) { w.field_int("Round", round); });
}

void query_status(Exchange& x) {
  const auto found = find_instance(x, Op::QueryAgentInstanceStatus);
  if (!found) return;
  const Status status = (*found)->second.status_at(x.now);
  ok(x, [&](JsonWriter& w) { w.field("Status", status_name(status)); });
}

void interrupt(Exchange& x) {
  const auto found = find_instance(x, Op::InterruptAgentInstance);
  if (!found) return;
  Instance& instance = (*found)->second;
  report_interrupt(x.state, instance, InterruptReason::api, x.now, x.effects);
  if (instance.has_life()) instance.mutable_life().phases.clear();  // the task in progress and all queued
  timeline_changed(x.state, instance, x.now, x.effects);
  ok(x, [&](JsonWriter& w) { w.field_int("Round", instance.life().last_round); });
}

void get_messages(Exchange& x) {
  const auto found = find_instance(x, Op::GetAgentInstanceMsgList);
  if (!found) return;
  const std::vector<ChatMessage>& history = (*found)->second.life().history;
  ok(x, [&](JsonWriter& w) {
    w.field_int("Total", static_cast<std::int64_t>(history.size()));
    w.key("MessageList").begin_array();
    for (const ChatMessage& m : history) {
      w.begin_object().field("Role", m.role).field("Content", m.content).end_object();
    }
    w.end_array();
  });
}

void reset_messages(Exchange& x) {
  const auto found = find_instance(x, Op::ResetAgentInstanceMsgList);
  if (!found) return;
  if (Instance& instance = (*found)->second; instance.has_life()) instance.mutable_life().history.clear();
  render_ok(x.call);
}

void add_messages(Exchange& x) {
  const auto found = find_instance(x, Op::AddAgentInstanceMsg);
  if (!found) return;
  Instance& instance = (*found)->second;
  if (const JsonValue* messages = member(x.body, "Messages")) {
    for (const JsonValue& m : messages->GetArray()) {
      instance.remember(std::string(text(m, "Role")), std::string(text(m, "Content")));
    }
  }
  render_ok(x.call);
}

// Walkie-talkie: one Sequence counter per user spans StartListening and StopListening; a
// Sequence not newer than the last accepted one is stale (410001043). No Sequence: accepted,
// and the counter does not move.
bool accept_sequence(Exchange& x, Instance& instance) {
  if (instance.config().communication_mode != 2) {
    fail(x, code::kNotWalkieTalkie);
    return false;
  }
  const auto sequence = integer(x.body, "Sequence");
  if (!sequence) return true;
  const std::string_view user = text(x.body, "UserId", instance.user_id());
  auto& sequences = instance.mutable_life().sequences;
  const auto it = sequences.find(user);
  if (it != sequences.end() && *sequence <= it->second) {
    fail(x, code::kStaleSequence);
    return false;
  }
  sequences[std::string(user)] = *sequence;
  return true;
}

void start_listening(Exchange& x) {
  const auto found = find_instance(x, Op::StartListening);
  if (!found) return;
  Instance& instance = (*found)->second;
  if (!accept_sequence(x, instance)) return;
  const std::int64_t round = x.state.next_round();
  InstanceLife& life = instance.mutable_life();
  life.listening_round = life.last_round = round;
  if (!life.listening) {  // a second StartListening keeps the turn the user already has
    life.listening_user = text(x.body, "UserId", instance.user_id());
    life.listening_since = x.now;
    report_speak_begin(x.state, instance, x.now, x.effects);
  }
  report_interrupt(x.state, instance, InterruptReason::user_speaking, x.now, x.effects);
  life.phases.clear();  // the user takes the floor: the agent stops speaking
  life.listening = true;
  timeline_changed(x.state, instance, x.now, x.effects);
  ok(x, [&](JsonWriter& w) { w.field_int("Round", life.listening_round); });
}

void stop_listening(Exchange& x) {
  const auto found = find_instance(x, Op::StopListening);
  if (!found) return;
  Instance& instance = (*found)->second;
  if (!accept_sequence(x, instance)) return;
  if (!instance.life().listening) {
    return ok(x, [&](JsonWriter& w) { w.field_int("Round", instance.life().last_round); });
  }
  // "the AI will reply based on what the user said": the reply belongs to the user's round.
  report_speak_end(x.state, instance, kSimulatedSpeech, x.now, x.effects);
  InstanceLife& life = instance.mutable_life();
  life.listening = false;
  const std::int64_t round = life.listening_round;
  const bool fails = llm_unreachable(instance);
  schedule_task(instance, x.now, 1, false, round, x.app.think, x.app.speak, !fails);
  life.tasks[round] = Task{.kind = Task::Kind::reply, .text = simulated_answer(kSimulatedSpeech), .llm_fails = fails};
  timeline_changed(x.state, instance, x.now, x.effects);
  ok(x, [&](JsonWriter& w) { w.field_int("Round", round); });
}

}  // namespace

bool zego_test_llm_ok(const JsonValue* llm) {
  if (llm == nullptr || !llm->IsObject()) return true;
  if (text(*llm, "ApiKey") != "zego_test") return true;
  static constexpr std::string_view kTestUrls[] = {
      "https://api.minimax.chat/v1/text/chatcompletion_v2",
      "https://ark.cn-beijing.volces.com/api/v3/chat/completions",
      "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
      "https://api.stepfun.com/v1/chat/completions",
  };
  const std::string_view url = text(*llm, "Url");
  return std::find(std::begin(kTestUrls), std::end(kTestUrls), url) != std::end(kTestUrls);
}

std::string digital_human_config(const Instance& instance) {
  JsonWriter w;
  w.begin_object();
  const Block& digital_human = instance.config().digital_human;
  w.field("DigitalHumanId", digital_human ? text(*digital_human, "DigitalHumanId") : "");
  w.key("Streams").begin_array();
  if (instance.user_and_rtc.has_rtc() && !instance.config().cdn) {
    const std::string_view config = digital_human ? text(*digital_human, "ConfigId", "web") : "web";
    const std::string_view encode = digital_human ? text(*digital_human, "EncodeCode", "H264") : "H264";
    const auto [room_id, stream_id] = instance.user_and_rtc.rtc_texts("RoomId", "AgentStreamId");
    w.begin_object()
        .field("RoomId", room_id)
        .field("StreamId", stream_id)
        .field("EncodeCode", encode)
        .field("ConfigId", config)
        .end_object();
  }
  w.end_array().end_object();
  return base64_encode(w.text());
}

void handle(Op op, Exchange& x) {
  switch (op) {
    case Op::RegisterAgent: return register_agent(x);
    case Op::UnregisterAgent: return unregister_agent(x);
    case Op::UpdateAgent: return update_agent(x);
    case Op::ListAgents: return list_agents(x);
    case Op::QueryAgents: return query_agents(x);
    case Op::CreateAgentInstance: return create_instance(x, Kind::standard);
    case Op::CreateDigitalHumanAgentInstance: return create_instance(x, Kind::digital_human);
    case Op::CreateLiveDigitalHumanAgentInstance: return create_instance(x, Kind::live_digital_human);
    case Op::UpdateAgentInstance: return update_instance(x);
    case Op::DeleteAgentInstance: return delete_instance(x);
    case Op::SendAgentInstanceLLM: return send_llm(x);
    case Op::SendAgentInstanceTTS: return send_tts(x);
    case Op::QueryAgentInstanceStatus: return query_status(x);
    case Op::InterruptAgentInstance: return interrupt(x);
    case Op::GetAgentInstanceMsgList: return get_messages(x);
    case Op::ResetAgentInstanceMsgList: return reset_messages(x);
    case Op::AddAgentInstanceMsg: return add_messages(x);
    case Op::StartListening: return start_listening(x);
    case Op::StopListening: return stop_listening(x);
  }
  render_code(x.call, code::kSystemError);
}

}  // namespace agentemu::zego
