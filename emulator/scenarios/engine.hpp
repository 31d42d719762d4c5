// Scripted faults (WireMock's split: what to match, when to fire, what to answer). Rules come
// from --scenarios files, reloaded when they change, and from PUT /_emulator/scenarios/{name}.
// The engine never builds a vendor envelope: a named error goes to the vendor's catalogue.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/faults.hpp"
#include "scenarios/scenario.hpp"

namespace boost::asio {
class io_context;
}

namespace agentemu {

class Clock;
class Logger;
class VendorRegistry;

// Also the rules for vendor callbacks (scenarios/callback_rules.hpp).
class ScenarioEngine final : public Scenarios, public CallbackRules {
 public:
  ScenarioEngine(const VendorRegistry& vendors, const Clock& clock, Logger& log);
  ~ScenarioEngine() override;

  // Loads every file the paths name; the first problem comes back as "file: /pointer: message".
  std::optional<std::string> load_files(const std::vector<std::string>& paths);
  // Polls the files for changes; a broken edit keeps the last good version and logs why.
  void watch(boost::asio::io_context& io);
  void stop_watching();
  // One polling pass (also what the watcher runs).
  void reload_changed_files();

  std::optional<FaultPlan> fire(const Call& call, Phase phase) override;
  void write_list(JsonWriter& out) const override;
  std::optional<DocumentIssue> put(std::string_view name, std::string_view body) override;
  bool remove(std::string_view name) override;
  void remove_all() override;
  void reset_counters() override;
  ReloadOutcome reload(std::string_view name) override;
  std::vector<RuleNearMiss> near_misses(const Call& call, std::size_t limit) const override;
  std::optional<CallbackFault> fire_callback(const CallbackView& delivery) override;

 private:
  struct FileState {
    std::string path;
    std::int64_t mtime_ns = 0;
    std::uintmax_t size = 0;
    std::string scenario;  // name of the scenario it defines, once loaded
  };
  struct Watcher;

  std::optional<std::string> load_one_file(const std::string& path, bool at_start);
  void install(std::unique_ptr<Scenario> scenario);
  // Scenarios from files in the order of their files, the way load_files found them; those PUT
  // through the API after them, in the order they came. So a file added to a watched folder
  // while running takes its place by name, as it would after a restart.
  void order_by_files(const std::vector<std::string>& files);
  void rebuild_index();  // after any change to scenarios_, under mutex_

  // The rules a call could meet, per phase and per vendor (rules without a vendor are in every
  // list), in load order: a call never looks at another vendor's rules or the other phase's.
  struct Candidate {
    Scenario* scenario;
    Rule* rule;
  };

  const VendorRegistry& vendors_;
  const Clock& clock_;
  Logger& log_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Scenario>> scenarios_;  // evaluated in load order
  std::vector<std::vector<Candidate>> candidates_[2];   // [phase][vendor index]
  std::atomic<bool> empty_{true};
  std::vector<std::string> watched_paths_;
  std::mutex files_mutex_;  // files_: the watcher and POST .../reload both load files; taken before mutex_
  std::map<std::string, FileState> files_;
  std::shared_ptr<Watcher> watcher_;
};

}  // namespace agentemu
