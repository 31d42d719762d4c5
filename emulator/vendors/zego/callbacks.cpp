#include "vendors/zego/callbacks.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace agentemu::zego {
namespace {

using namespace std::chrono_literals;

// "a maximum of 5 retries ... 2s, 4s, 8s, 16s, and 32s" after the previous request.
constexpr Millis kRetries[] = {2000ms, 4000ms, 8000ms, 16000ms, 32000ms};
// exception-codes.mdx: "LLM General Error"; receiving-callback.mdx: AgentInstanceDeleted Code
// 1202, the user away for longer than MaxIdleTime.
constexpr std::int64_t kLlmGeneralError = 2201;
constexpr std::int64_t kDeletedIdle = 1202;
// UserAudioData: "If the user's speech audio duration is less than 1s, no callback"; it carries
// "the first 1-1.5s of each dialogue round" of 16 kHz PCM.
constexpr Millis kMinAudio = 1000ms;
constexpr Millis kMaxAudio = 1500ms;
constexpr int kSampleRate = 16000;

// The events CallbackConfig turns on with 1; the others are always sent.
bool enabled(const Instance& instance, std::string_view event) {
  static constexpr std::string_view kGated[] = {"ASRResult",       "LLMResult",           "Interrupted",
                                                "UserSpeakAction", "AgentInstanceStatus", "UserAudioData"};
  if (std::find(std::begin(kGated), std::end(kGated), event) == std::end(kGated)) return true;
  const Block& callback = instance.config().callback;
  const JsonValue* flag = callback ? json_member(*callback, event) : nullptr;
  return flag != nullptr && flag->IsInt64() && flag->GetInt64() == 1;
}

std::string_view block_text(const Block& block, std::string_view name) {
  const JsonValue* v = block ? json_member(*block, name) : nullptr;
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

// The URL whose tag the instance's HostTag names, else the untagged one, else the first.
const std::string* pick_url(const AppConfig& app, std::string_view tag) {
  if (app.callback_urls.empty()) return nullptr;
  const CallbackUrl* untagged = nullptr;
  for (const CallbackUrl& u : app.callback_urls) {
    if (!tag.empty() && u.host_tag == tag) return &u.url;
    if (u.host_tag.empty() && untagged == nullptr) untagged = &u;
  }
  return untagged != nullptr ? &untagged->url : &app.callback_urls.front().url;
}

// One callback with the fields every event has; `data` writes the members of Data.
template <class WriteData>
void notify(State& state, Instance& instance, std::string_view event, SystemTime now, Effects& effects,
            WriteData&& data) {
  if (!enabled(instance, event)) return;
  const AppState* app = state.app(instance.app_id);
  if (app == nullptr || !app->config) return;
  const std::string* url = pick_url(*app->config, block_text(instance.config().callback, "HostTag"));
  if (url == nullptr) return;
  const std::int64_t timestamp = epoch_millis(now);
  // A 19-digit decimal number, the shape of the documents' "7450395512627324902".
  const std::string nonce = std::to_string(1'000'000'000'000'000'000ULL + random_u64() % 8'000'000'000'000'000'000ULL);
  JsonWriter w;
  w.begin_object().field_int("AppId", instance.app_id).field("Event", event).field("Nonce", nonce);
  w.field_int("Timestamp", timestamp);
  w.field("Signature", callback_signature(app->config->callback_secret, std::to_string(timestamp), nonce));
  w.field("AgentInstanceId", instance.id());
  const bool has_rtc = instance.user_and_rtc.has_rtc();
  const auto [agent_user_id, room_id] = instance.user_and_rtc.rtc_texts("AgentUserId", "RoomId");
  if (has_rtc) w.field("AgentUserId", agent_user_id);
  w.field("AgentId", instance.agent_id()).field("Name", instance.agent_name());
  if (has_rtc) w.field("RoomId", room_id);
  w.field_int("Sequence", ++instance.sequence);
  w.key("Data").begin_object();
  data(w);
  w.end_object().end_object();
  effects.callbacks.push_back(
      CallbackRequest{"zego", std::string(event), *url, {{"Content-Type", "application/json"}}, w.take(), kRetries});
}

Task* task_of(Instance& instance, std::int64_t round) {
  if (!instance.has_life()) return nullptr;
  std::map<std::int64_t, Task>& tasks = instance.mutable_life().tasks;
  const auto it = tasks.find(round);
  return it == tasks.end() ? nullptr : &it->second;
}

// LLMResult with the answer, or the Exception of an LLM that cannot be called.
void answer(State& state, Instance& instance, std::int64_t round, Task& task, SystemTime now, Effects& effects) {
  task.answered = true;
  if (task.llm_fails) {
    notify(state, instance, "Exception", now, effects, [&](JsonWriter& w) {
      w.field_int("Code", kLlmGeneralError)
          .field("Message", "LLM General Error: LLM.Url \"" + std::string(block_text(instance.llm(), "Url")) +
                                "\" is not an http(s) URL")
          .field_int("Round", round);
    });
    return;
  }
  notify(state, instance, "LLMResult", now, effects,
         [&](JsonWriter& w) { w.field_int("Round", round).field("Text", task.text); });
}

// One step of the timeline: what the agent finished, and what it does next.
void transition(State& state, Instance& instance, Activity next, SystemTime now, Effects& effects) {
  const Activity previous{instance.life().reported_status, instance.life().reported_round};
  if (next == previous) return;
  if (previous.status == Status::thinking) {
    if (Task* done = task_of(instance, previous.round); done != nullptr && !done->answered && done->kind != Task::Kind::tts) {
      answer(state, instance, previous.round, *done, now, effects);
    }
  }
  Task* task = task_of(instance, next.round);
  if (next.status == Status::speaking && task != nullptr && !task->answered && task->kind != Task::Kind::tts) {
    answer(state, instance, next.round, *task, now, effects);  // no THINKING phase (ThinkSeconds 0)
  }
  notify(state, instance, "AgentInstanceStatus", now, effects,
         [&](JsonWriter& w) { w.field("Status", status_name(next.status)).field_int("Round", next.round); });
  if (next.status == Status::speaking && task != nullptr && !task->meta.empty() && !task->meta_sent) {
    task->meta_sent = true;
    JsonDocument meta;
    if (!parse_json(task->meta, meta)) {
      notify(state, instance, "AgentInstanceMetaInfo", now, effects,
             [&](JsonWriter& w) { w.field_int("Round", next.round).field_value("MetaInfo", meta); });
    }
  }
  InstanceLife& life = instance.mutable_life();
  life.reported_status = next.status;
  life.reported_round = next.round;
}

// Tasks live as long as a phase of theirs is on the timeline, or their round is the one reported.
void forget_finished_tasks(InstanceLife& life) {
  std::erase_if(life.tasks, [&](const auto& entry) {
    if (entry.first == life.reported_round) return false;
    return std::none_of(life.phases.begin(), life.phases.end(),
                        [&](const Phase& p) { return p.round == entry.first; });
  });
}

// The first `fraction` of `text`, cut between UTF-8 characters.
std::string utf8_prefix(std::string_view text, double fraction) {
  std::size_t characters = 0;
  for (unsigned char c : text) characters += (c & 0xC0) != 0x80 ? 1 : 0;
  const auto wanted = static_cast<std::size_t>(static_cast<double>(characters) * std::clamp(fraction, 0.0, 1.0));
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == wanted) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

std::string played_text(const Task& task, SystemTime now) {
  if (now <= task.speak_from || task.speak_until <= task.speak_from) return {};
  const double spoken = std::chrono::duration<double>(now - task.speak_from).count();
  const double whole = std::chrono::duration<double>(task.speak_until - task.speak_from).count();
  return utf8_prefix(task.text, spoken / whole);
}

}  // namespace

std::string callback_signature(std::string_view secret, std::string_view timestamp, std::string_view nonce) {
  std::array<std::string_view, 3> parts = {secret, timestamp, nonce};
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (std::string_view part : parts) joined += part;
  return hex_lower(sha1(joined));
}

Activity activity_at(const Instance& instance, SystemTime t) {
  const InstanceLife& life = instance.life();
  for (const Phase& p : life.phases) {
    if (p.until > t) return {p.status, p.round};
  }
  if (life.listening) return {Status::listening, life.listening_round};
  return {Status::idle, life.phases.empty() ? life.reported_round : life.phases.back().round};
}

void report_until(State& state, Instance& instance, SystemTime now, Effects& effects) {
  // Without a life there is no timeline: IDLE in round 0 from creation on, as reported.
  if (!instance.has_life()) return;
  InstanceLife& life = instance.mutable_life();
  for (const Phase& p : life.phases) {
    if (p.until > now) break;
    if (p.until <= life.reported_at) continue;
    transition(state, instance, activity_at(instance, p.until), p.until, effects);
    life.reported_at = p.until;
  }
  transition(state, instance, activity_at(instance, now), now, effects);
  life.reported_at = std::max(life.reported_at, now);
}

void timeline_changed(State& state, Instance& instance, SystemTime now, Effects& effects) {
  InstanceLife& life = instance.mutable_life();
  // Where each task speaks, for the PlayedText of an interruption.
  SystemTime start = now;
  for (const Phase& p : life.phases) {
    if (p.status == Status::speaking) {
      if (Task* task = task_of(instance, p.round)) {
        task->speak_from = start;
        task->speak_until = p.until;
      }
    }
    start = p.until;
  }
  transition(state, instance, activity_at(instance, now), now, effects);
  life.reported_at = std::max(life.reported_at, now);
  forget_finished_tasks(life);
  arm_timeline(state, instance, now, effects);
}

void sync_reported(State& state, Instance& instance, SystemTime now, Effects& effects) {
  const Activity current = activity_at(instance, now);
  InstanceLife& life = instance.mutable_life();
  life.reported_status = current.status;
  life.reported_round = current.round;
  life.reported_at = now;
  arm_timeline(state, instance, now, effects);
}

void arm_timeline(State& state, Instance& instance, SystemTime now, Effects& effects) {
  SystemTime wake = SystemTime::max();
  for (const Phase& p : instance.life().phases) {
    if (p.until > now) {
      wake = p.until;
      break;
    }
  }
  if (instance.kind == Kind::live_digital_human) {
    wake = std::min(wake, instance.last_driven() + std::chrono::seconds(instance.config().max_idle_seconds));
  }
  if (wake == SystemTime::max() || wake == instance.life().timeline_wake) return;
  InstanceLife& life = instance.mutable_life();
  life.timeline_wake = wake;
  life.timeline_timer = ++state.generation;
  effects.timeline.push_back(Wake{wake, std::string(instance.id()), life.timeline_timer});
}

void report_interrupt(State& state, Instance& instance, InterruptReason reason, SystemTime now, Effects& effects) {
  report_until(state, instance, now, effects);
  const Activity current{instance.life().reported_status, instance.life().reported_round};
  if (current.status != Status::thinking && current.status != Status::speaking) return;
  std::string played;
  if (const Task* task = task_of(instance, current.round); task != nullptr && current.status == Status::speaking) {
    played = played_text(*task, now);
  }
  notify(state, instance, "Interrupted", now, effects, [&](JsonWriter& w) {
    w.field_int("Round", current.round).field_int("Reason", static_cast<int>(reason)).field("PlayedText", played);
  });
  instance.mutable_life().tasks.erase(current.round);  // "the server stops generation and will not callback LLMResult"
  transition(state, instance, Activity{Status::idle, current.round}, now, effects);
}

void report_created(State& state, Instance& instance, SystemTime now, Effects& effects) {
  // A new instance's life, when it gets one, starts reported up to its creation (mutable_life).
  notify(state, instance, "AgentInstanceCreated", now, effects,
         [&](JsonWriter& w) { w.field_int("CreatedTimestamp", epoch_millis(instance.created)); });
  arm_timeline(state, instance, now, effects);
}

void report_deleted(State& state, Instance& instance, std::string_view reason, SystemTime now, Effects& effects) {
  const AppState* app = state.app(instance.app_id);
  // agentemu's latency is its ThinkSeconds: the time its simulated LLM takes to answer.
  const std::int64_t think_ms = app != nullptr && app->config ? app->config->think.count() : 0;
  notify(state, instance, "AgentInstanceDeleted", now, effects, [&](JsonWriter& w) {
    w.field_int("Code", reason == "max_idle_time" ? kDeletedIdle : 0).field_int("DeletedTimestamp", epoch_millis(now));
    w.key("LatencyData").begin_object();
    w.field_int("LLMTTFT", think_ms).field_number("LLMTPS", 0).field_int("TTSAudioFirstFrameTime", 0);
    w.field_int("TotalCost", think_ms).end_object();
  });
}

void report_speak_begin(State& state, Instance& instance, SystemTime now, Effects& effects) {
  notify(state, instance, "UserSpeakAction", now, effects, [&](JsonWriter& w) {
    w.field("UserId", instance.life().listening_user)
        .field("Action", "SPEAK_BEGIN")
        .field_int("Round", instance.life().listening_round);
  });
}

void report_speak_end(State& state, Instance& instance, std::string_view recognized, SystemTime now, Effects& effects) {
  const InstanceLife& life = instance.life();
  const std::int64_t round = life.listening_round;
  notify(state, instance, "UserSpeakAction", now, effects, [&](JsonWriter& w) {
    w.field("UserId", life.listening_user).field("Action", "SPEAK_END").field_int("Round", round);
  });
  const Millis spoke = std::chrono::duration_cast<Millis>(now - life.listening_since);
  if (spoke >= kMinAudio) {
    // Silence: agentemu hears no microphone. 16-bit mono PCM of the first 1 to 1.5 s.
    const auto ms = std::min(spoke, kMaxAudio).count();
    const std::string pcm(static_cast<std::size_t>(ms * kSampleRate / 1000 * 2), '\0');
    notify(state, instance, "UserAudioData", now, effects, [&](JsonWriter& w) {
      w.field("UserId", life.listening_user).field_int("Round", round).field_int("SampleRate", kSampleRate);
      w.field("Format", "pcm").field("Audio", base64_encode(pcm));
    });
  }
  notify(state, instance, "ASRResult", now, effects, [&](JsonWriter& w) {
    w.field("UserId", life.listening_user).field_int("Round", round).field("Text", recognized);
  });
}

std::string meta_info(const Instance& instance, std::string_view text) {
  const Block& advanced = instance.config().advanced;
  const JsonValue* config = advanced ? json_member(*advanced, "LLMMetaInfo") : nullptr;
  if (config == nullptr || !config->IsObject()) return {};
  const JsonValue* begin = json_member(*config, "BeginCharacters");
  const JsonValue* end = json_member(*config, "EndCharacters");
  if (begin == nullptr || end == nullptr || !begin->IsString() || !end->IsString()) return {};
  const std::string_view open(begin->GetString(), begin->GetStringLength());
  const std::string_view close(end->GetString(), end->GetStringLength());
  const auto from = text.find(open);
  if (open.empty() || close.empty() || from == std::string_view::npos) return {};
  const auto to = text.find(close, from + open.size());
  if (to == std::string_view::npos) return {};
  JsonDocument meta;
  if (parse_json(text.substr(from + open.size(), to - from - open.size()), meta) || !meta.IsObject()) return {};
  const JsonValue* keys = json_member(*config, "SendMetaKeys");
  JsonWriter w;
  w.begin_object();
  for (const auto& m : meta.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    bool wanted = keys == nullptr || !keys->IsArray();
    for (rapidjson::SizeType i = 0; !wanted && i < keys->Size(); ++i) {
      wanted = (*keys)[i].IsString() && std::string_view((*keys)[i].GetString(), (*keys)[i].GetStringLength()) == name;
    }
    if (wanted) w.field_value(name, m.value);
  }
  w.end_object();
  std::string out = w.take();
  return out == "{}" ? std::string() : out;
}

}  // namespace agentemu::zego
