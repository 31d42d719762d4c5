// --state-file: the live state kept across restarts. The file is a fixture document (what GET
// /_emulator/state?secrets=true answers) inside a small versioned wrapper:
//
//   {"agentemuState": 1, "agentemuVersion": "0.1.0", "savedAt": "2026-12-01T12:00:00.000Z",
//    "state": {"ice": {...}, "zego": {...}, "rest": {...}, "agentcore": {...}}}
//
// It is read once at start, after the fixtures, and written whole on SIGTERM/SIGINT and on
// POST /_emulator/state/save: to a temporary file in the same folder, flushed to disk, renamed
// over the old one and the folder flushed, so a crash leaves the old file or the new one, never
// half of either.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

namespace agentemu {

class VendorRegistry;

// The wrapper's version this agentemu writes; it reads every version from kOldestStateVersion.
inline constexpr int kStateVersion = 1;
inline constexpr int kOldestStateVersion = 1;

struct StateSaved {
  std::size_t bytes = 0;
};

class StateFile {
 public:
  explicit StateFile(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // The folder must exist (checked at start, so a typo fails before serving, not at exit).
  std::optional<std::string> check_folder() const;
  // Merges the file into the live state when it exists; a file that is not a state document
  // this agentemu reads is one line: "PATH: what is wrong" (or "PATH:line:column: ...").
  std::optional<std::string> load(const VendorRegistry& vendors) const;
  // Writes the whole state, secrets included; on failure, the reason (the old file is untouched).
  std::optional<std::string> save(const VendorRegistry& vendors, StateSaved* saved = nullptr) const;

 private:
  std::string path_;
  mutable std::mutex save_mutex_;  // one writer of the temporary file at a time
};

}  // namespace agentemu
