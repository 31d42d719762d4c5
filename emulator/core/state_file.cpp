#include "core/state_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "core/clock.hpp"
#include "core/document.hpp"
#include "core/fixtures.hpp"
#include "core/json.hpp"
#include "core/registry.hpp"
#include "core/vendor.hpp"

namespace agentemu {
namespace fs = std::filesystem;
namespace {

std::string folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::string errno_text() { return std::strerror(errno); }

// Every byte, through short writes and interrupted calls.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool fsync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string state_document(const VendorRegistry& vendors) {
  const StateOptions with_secrets{.secrets = true};  // a restart must be able to sign as before
  JsonWriter w;
  w.begin_object()
      .field_int("agentemuState", kStateVersion)
      .field("agentemuVersion", AGENTEMU_VERSION)
      .field("savedAt", format_rfc3339_millis(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now())));
  w.key("state").begin_object();
  for (const auto& vendor : vendors.vendors()) {
    w.key(vendor->name());
    vendor->write_state(w, with_secrets);
  }
  w.end_object().end_object();
  std::string text = w.take();
  text.push_back('\n');
  return text;
}

// What the wrapper says about itself, checked before its state is merged.
std::optional<std::string> check_wrapper(const JsonValue& doc) {
  const JsonValue* version = doc.IsObject() ? json_member(doc, "agentemuState") : nullptr;
  if (version == nullptr) {
    return "not an agentemu state file (no \"agentemuState\" version; a GET /_emulator/state document is loaded "
           "with --fixtures)";
  }
  if (!version->IsInt()) return "/agentemuState: must be a whole number";
  const int v = version->GetInt();
  if (v > kStateVersion) {
    return "state file version " + std::to_string(v) + " is newer than this agentemu reads (" +
           std::to_string(kStateVersion) + "); a newer agentemu wrote it";
  }
  if (v < kOldestStateVersion) {
    return "state file version " + std::to_string(v) + " is older than this agentemu reads (" +
           std::to_string(kOldestStateVersion) + " to " + std::to_string(kStateVersion) + ")";
  }
  for (const auto& m : doc.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key != "agentemuState" && key != "agentemuVersion" && key != "savedAt" && key != "state") {
      return json_pointer("", key) + ": unknown key (expected agentemuState, agentemuVersion, savedAt, state)";
    }
  }
  const JsonValue* state = json_member(doc, "state");
  if (state == nullptr || !state->IsObject()) return "/state: must be an object (a fixture document)";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> StateFile::check_folder() const {
  std::error_code ec;
  if (fs::is_directory(path_, ec)) return "--state-file " + path_ + ": is a folder, not a file";
  const std::string folder = folder_of(path_);
  if (!fs::is_directory(folder, ec)) return "--state-file " + path_ + ": " + folder + ": no such folder";
  return std::nullopt;
}

std::optional<std::string> StateFile::load(const VendorRegistry& vendors) const {
  std::error_code ec;
  const auto status = fs::status(path_, ec);
  if (!fs::exists(status)) return std::nullopt;  // the first run: saved at exit
  if (!fs::is_regular_file(status)) return path_ + ": not a regular file";
  std::string error;
  const auto text = read_document_file(path_, error);  // bounded, never a device or a FIFO
  if (!text) return error;
  if (text->empty()) return path_ + ": empty, not an agentemu state file";
  JsonDocument doc;
  if (auto issue = parse_document(*text, doc)) {
    return describe_issue(path_, *issue) + " (a truncated or damaged state file)";
  }
  if (auto problem = check_wrapper(doc)) return path_ + ": " + *problem;
  if (auto issue = Fixtures::merge(doc["state"], vendors)) {
    return path_ + ": " + json_pointer("", "state") + issue->pointer + ": " + issue->message;
  }
  return std::nullopt;
}

std::optional<std::string> StateFile::save(const VendorRegistry& vendors, StateSaved* saved) const {
  // One save at a time, the state read inside it: a later save always writes a later state.
  std::lock_guard lock(save_mutex_);
  const std::string text = state_document(vendors);
  const std::string folder = folder_of(path_);
  const std::string temporary =
      (fs::path(folder) / ("." + fs::path(path_).filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
  // 0600: the file holds every vendor's secrets.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return path_ + ": cannot write " + temporary + ": " + errno_text();
  bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  std::string why = ok ? "" : errno_text();
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = errno_text();
  }
  if (ok && ::rename(temporary.c_str(), path_.c_str()) != 0) {
    ok = false;
    why = errno_text();
  }
  if (!ok) {
    ::unlink(temporary.c_str());
    return path_ + ": not saved: " + why;
  }
  // The rename is durable once the folder's entry is on disk.
  if (!fsync_folder(folder)) return path_ + ": saved, but its folder could not be flushed: " + errno_text();
  if (saved != nullptr) saved->bytes = text.size();
  return std::nullopt;
}

}  // namespace agentemu
