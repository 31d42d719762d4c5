#include "scenarios/engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <algorithm>
#include <filesystem>

#include "core/call.hpp"
#include "core/document.hpp"
#include "core/log.hpp"
#include "core/registry.hpp"
#include "scenarios/near_miss.hpp"

namespace agentemu {
namespace fs = std::filesystem;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(500);

bool should_fire(Rule& rule, Scenario& scenario) {
  const std::uint64_t n = rule.matched;
  const RuleWhen& when = rule.when;
  if (!when.calls.empty()) {
    bool listed = false;
    for (const auto& [first, last] : when.calls) listed = listed || (n >= first && n <= last);
    if (!listed) return false;
  }
  if (when.after && n <= *when.after) return false;
  if (when.every && n % *when.every != 0) return false;
  if (when.times && rule.fired >= *when.times) return false;
  if (when.probability && scenario.uniform() >= *when.probability) return false;
  return true;
}

bool stat_file(const std::string& path, std::int64_t& mtime_ns, std::uintmax_t& size) {
  std::error_code ec;
  const auto time = fs::last_write_time(path, ec);
  if (ec) return false;
  size = fs::file_size(path, ec);
  if (ec) return false;
  mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  return true;
}

}  // namespace

// Polls rather than using inotify: a few stat() calls every half second, portable, and robust to
// editors that replace files instead of writing them in place.
// Its timer lives on a strand, and stop() runs there too, so stopping never races a re-arm.
struct ScenarioEngine::Watcher : std::enable_shared_from_this<ScenarioEngine::Watcher> {
  Watcher(boost::asio::io_context& io, ScenarioEngine& owner) : timer(boost::asio::make_strand(io)), engine(owner) {}

  void schedule() {
    timer.expires_after(kPollInterval);
    timer.async_wait([me = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || me->stopped) return;
      try {
        me->engine.reload_changed_files();
      } catch (const std::exception& e) {  // a bad pass must not end the watching
        me->engine.log_.warn("scenario reload failed; trying again", {{"error", e.what()}});
      }
      me->schedule();
    });
  }

  void stop() {
    boost::asio::post(timer.get_executor(), [me = shared_from_this()] {
      me->stopped = true;
      me->timer.cancel();
    });
  }

  boost::asio::steady_timer timer;
  ScenarioEngine& engine;
  std::atomic<bool> stopped{false};
};

ScenarioEngine::ScenarioEngine(const VendorRegistry& vendors, const Clock& clock, Logger& log)
    : vendors_(vendors), clock_(clock), log_(log) {}

ScenarioEngine::~ScenarioEngine() { stop_watching(); }

std::optional<std::string> ScenarioEngine::load_files(const std::vector<std::string>& paths) {
  std::lock_guard files_lock(files_mutex_);
  watched_paths_ = paths;
  std::string error;
  const auto files = expand_json_paths(paths, error);
  if (!files) return error;
  for (const std::string& file : *files) {
    if (auto problem = load_one_file(file, true)) return problem;
  }
  order_by_files(*files);
  return std::nullopt;
}

void ScenarioEngine::order_by_files(const std::vector<std::string>& files) {
  std::lock_guard lock(mutex_);
  const auto rank = [&files](const Scenario& s) {
    return static_cast<std::size_t>(std::find(files.begin(), files.end(), s.source) - files.begin());
  };
  std::stable_sort(scenarios_.begin(), scenarios_.end(),
                   [&rank](const auto& a, const auto& b) { return rank(*a) < rank(*b); });
  rebuild_index();
}

std::optional<std::string> ScenarioEngine::load_one_file(const std::string& path, bool at_start) {
  FileState state;
  state.path = path;
  std::string error;
  if (!stat_file(path, state.mtime_ns, state.size)) return path + ": cannot be read";
  const auto text = read_document_file(path, error);
  if (!text) return error;

  const auto previous = files_.find(path);
  const std::string previous_name = previous == files_.end() ? std::string() : previous->second.scenario;
  // Remember this version even when broken, so it is reported once; the file still owns the
  // scenario it last loaded, so deleting the file later still unloads it.
  state.scenario = previous_name;
  files_[path] = state;

  ScenarioError problem;
  // A file without a "name" is named after itself: scenarios/throttle.json -> "throttle".
  const std::string stem = fs::path(path).stem().string();
  auto scenario = parse_scenario(*text, vendors_, path, std::nullopt, problem, stem);
  if (!scenario) return describe_issue(path, problem);
  {
    std::lock_guard lock(mutex_);
    for (const auto& existing : scenarios_) {
      if (existing->name == scenario->name && existing->source != path && existing->name != previous_name) {
        return describe_issue(path, {"/name", "scenario " + excerpt(scenario->name) + " is already defined by " + existing->source});
      }
    }
    if (!previous_name.empty() && previous_name != scenario->name) {
      std::erase_if(scenarios_, [&](const auto& s) { return s->name == previous_name; });
    }
  }
  files_[path].scenario = scenario->name;
  const std::string name = scenario->name;
  const std::size_t rules = scenario->rules.size();
  install(std::move(scenario));
  if (!at_start) log_.info("scenario reloaded", {{"file", path}, {"name", name}, {"rules", static_cast<std::int64_t>(rules)}});
  return std::nullopt;
}

void ScenarioEngine::install(std::unique_ptr<Scenario> scenario) {
  std::lock_guard lock(mutex_);
  for (auto& existing : scenarios_) {
    if (existing->name == scenario->name) {
      existing = std::move(scenario);
      rebuild_index();
      return;
    }
  }
  scenarios_.push_back(std::move(scenario));
  rebuild_index();
}

void ScenarioEngine::rebuild_index() {
  const auto& vendors = vendors_.vendors();
  bool any = false;
  for (auto& phase : candidates_) phase.assign(vendors.size(), {});
  for (const auto& scenario : scenarios_) {
    for (Rule& rule : scenario->rules) {
      if (rule.match.callback) continue;  // acts on deliveries: fire_callback() walks it
      any = true;
      auto& phase = candidates_[rule.phase == Phase::before ? 0 : 1];
      for (std::size_t v = 0; v < vendors.size(); ++v) {
        if (rule.match.vendor == nullptr || rule.match.vendor == vendors[v].get()) {
          phase[v].push_back({scenario.get(), &rule});
        }
      }
    }
  }
  empty_.store(!any, std::memory_order_release);
}

void ScenarioEngine::watch(boost::asio::io_context& io) {
  if (watched_paths_.empty()) return;
  watcher_ = std::make_shared<Watcher>(io, *this);
  watcher_->schedule();
}

void ScenarioEngine::stop_watching() {
  if (!watcher_) return;
  watcher_->stop();
  watcher_.reset();
}

void ScenarioEngine::reload_changed_files() {
  std::lock_guard files_lock(files_mutex_);
  std::string error;
  const auto files = expand_json_paths(watched_paths_, error);
  if (!files) {
    log_.warn("scenario paths unreadable; keeping the loaded scenarios", {{"error", error}});
    return;
  }
  for (const std::string& file : *files) {
    FileState now;
    if (!stat_file(file, now.mtime_ns, now.size)) continue;
    const auto known = files_.find(file);
    if (known != files_.end() && known->second.mtime_ns == now.mtime_ns && known->second.size == now.size) continue;
    if (auto problem = load_one_file(file, false)) {
      log_.warn("scenario file rejected; keeping the last good version", {{"error", *problem}});
    }
  }
  for (auto it = files_.begin(); it != files_.end();) {
    if (std::find(files->begin(), files->end(), it->first) != files->end()) {
      ++it;
      continue;
    }
    const std::string name = it->second.scenario;
    if (!name.empty()) {
      std::lock_guard lock(mutex_);
      std::erase_if(scenarios_, [&](const auto& s) { return s->name == name && s->source == it->first; });
      rebuild_index();
    }
    log_.info("scenario file removed", {{"file", it->first}, {"name", name}});
    it = files_.erase(it);
  }
  order_by_files(*files);
}

ReloadOutcome ScenarioEngine::reload(std::string_view name) {
  std::lock_guard files_lock(files_mutex_);
  std::string source;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : scenarios_) {
      if (s->name == name) source = s->source;
    }
  }
  if (source.empty()) return {404, "no scenario named \"" + std::string(name) + "\""};
  if (files_.find(source) == files_.end()) {
    return {409, "scenario \"" + std::string(name) + "\" was loaded through the API: PUT it again to change it"};
  }
  if (auto problem = load_one_file(source, false)) return {400, *problem + " (the loaded version stays)"};
  std::string error;
  if (const auto files = expand_json_paths(watched_paths_, error)) order_by_files(*files);
  return {};
}

std::optional<FaultPlan> ScenarioEngine::fire(const Call& call, Phase phase) {
  if (empty_.load(std::memory_order_acquire) || call.vendor == nullptr) return std::nullopt;
  MatchCache cache;
  std::lock_guard lock(mutex_);
  const auto& by_vendor = candidates_[phase == Phase::before ? 0 : 1];
  if (call.vendor_index >= by_vendor.size()) return std::nullopt;
  for (const Candidate& candidate : by_vendor[call.vendor_index]) {
    Rule& rule = *candidate.rule;
    Scenario& scenario = *candidate.scenario;
    if (!rule.match.matches(call, cache)) continue;
    ++rule.matched;
    if (!should_fire(rule, scenario)) continue;
    ++rule.fired;
    const std::size_t step = rule.next_step < rule.steps.size() ? rule.next_step : rule.steps.size() - 1;
    if (rule.next_step < rule.steps.size()) ++rule.next_step;
    FaultPlan plan = rule.steps[step];
    plan.scenario = scenario.name;
    plan.rule = rule.label;
    std::int64_t delay = rule.delay_ms;
    if (rule.jitter_ms > 0) delay += static_cast<std::int64_t>(scenario.uniform() * static_cast<double>(rule.jitter_ms + 1));
    plan.delay = Millis(delay);
    return plan;
  }
  return std::nullopt;
}

// Callback deliveries are few next to requests: the rules are walked in load order, unindexed.
std::optional<CallbackFault> ScenarioEngine::fire_callback(const CallbackView& delivery) {
  MatchCache cache;
  std::lock_guard lock(mutex_);
  for (const auto& scenario : scenarios_) {
    for (Rule& rule : scenario->rules) {
      if (!rule.match.matches_callback(delivery, cache)) continue;
      ++rule.matched;
      if (!should_fire(rule, *scenario)) continue;
      ++rule.fired;
      const std::size_t step = std::min(rule.next_step, rule.callback_steps.size() - 1);
      if (rule.next_step < rule.callback_steps.size()) ++rule.next_step;
      CallbackFault fault = rule.callback_steps[step];
      fault.scenario = scenario->name;
      fault.rule = rule.label;
      std::int64_t delay = rule.delay_ms;
      if (rule.jitter_ms > 0) {
        delay += static_cast<std::int64_t>(scenario->uniform() * static_cast<double>(rule.jitter_ms + 1));
      }
      fault.delay = Millis(delay);
      return fault;
    }
  }
  return std::nullopt;
}

void ScenarioEngine::write_list(JsonWriter& out) const {
  std::lock_guard lock(mutex_);
  out.begin_object().key("scenarios").begin_array();
  for (const auto& scenario : scenarios_) {
    out.begin_object().field("name", scenario->name).field("source", scenario->source);
    out.field_int("seed", static_cast<std::int64_t>(scenario->seed));
    out.key("rules").begin_array();
    for (const Rule& rule : scenario->rules) {
      out.begin_object()
          .field("name", rule.label)
          .field("phase", rule.match.callback ? "callback" : rule.phase == Phase::before ? "before" : "after")
          .field_int("matched", static_cast<std::int64_t>(rule.matched))
          .field_int("hits", static_cast<std::int64_t>(rule.fired))
          .end_object();
    }
    out.end_array().end_object();
  }
  out.end_array().end_object();
}

std::optional<DocumentIssue> ScenarioEngine::put(std::string_view name, std::string_view body) {
  ScenarioError problem;
  auto scenario = parse_scenario(body, vendors_, "api", std::string(name), problem);
  if (!scenario) return problem;
  install(std::move(scenario));
  return std::nullopt;
}

bool ScenarioEngine::remove(std::string_view name) {
  std::lock_guard lock(mutex_);
  const auto removed = std::erase_if(scenarios_, [&](const auto& s) { return s->name == name; });
  rebuild_index();
  return removed > 0;
}

void ScenarioEngine::remove_all() {
  std::lock_guard lock(mutex_);
  scenarios_.clear();
  rebuild_index();
}

std::vector<RuleNearMiss> ScenarioEngine::near_misses(const Call& call, std::size_t limit) const {
  std::vector<RuleNearMiss> out;
  if (call.vendor == nullptr) return out;
  MatchCache cache;
  std::lock_guard lock(mutex_);
  for (const auto& phase : candidates_) {
    if (call.vendor_index >= phase.size()) continue;
    for (const Candidate& candidate : phase[call.vendor_index]) {
      const auto index = static_cast<std::size_t>(candidate.rule - candidate.scenario->rules.data());
      out.push_back(explain_rule(*candidate.scenario, index, call, cache));
    }
  }
  // Nearest first; equals keep load order (before-phase rules first), as the rules are tried.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.distance < b.distance; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

void ScenarioEngine::reset_counters() {
  std::lock_guard lock(mutex_);
  for (auto& scenario : scenarios_) scenario->reset_counters();
}

}  // namespace agentemu
