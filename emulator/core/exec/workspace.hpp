// agentemu's own scratch directory for what it runs: $TMPDIR/agentemu-<pid>-<random>, mode 0700,
// made at first use and removed at exit. Sessions get working directories under it; the
// interpreter drivers embedded in the binary are written there once.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace agentemu {

enum class Language { python, javascript, typescript };

class Workspace {
 public:
  explicit Workspace(std::string parent = {});  // empty: $TMPDIR, else /tmp
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // A fresh directory for `name` (letters, digits, '-', '_'); an error when it cannot be made.
  std::optional<std::string> make_dir(std::string_view name, std::string& error);
  // Removes a directory made by make_dir, with everything in it.
  void remove_dir(const std::string& path);
  // The driver program for `language`, written under the root at first use.
  std::optional<std::string> driver(Language language, std::string& error);
  // Removes the root and everything under it.
  void remove_all();

 private:
  std::optional<std::string> ensure_root(std::string& error);  // with mutex_ held

  std::string parent_;
  std::mutex mutex_;
  std::string root_;
  std::string python_driver_, node_driver_;
};

// The drivers' sources, embedded at build time from core/exec/drivers/.
std::string_view python_driver_source();
std::string_view node_driver_source();

}  // namespace agentemu
