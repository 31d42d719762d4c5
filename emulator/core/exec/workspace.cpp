#include "core/exec/workspace.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/crypto.hpp"

namespace agentemu {

namespace fs = std::filesystem;

namespace {

// Removes `path` and everything under it, even what code made read-only for itself (a folder
// without its write bit would keep its files).
void remove_tree(const std::string& path) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
  }
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path, ec);
}

}  // namespace

Workspace::Workspace(std::string parent) : parent_(std::move(parent)) {
  if (parent_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent_ = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
}

Workspace::~Workspace() { remove_all(); }

std::optional<std::string> Workspace::ensure_root(std::string& error) {
  if (!root_.empty()) return root_;
  const std::string candidate =
      (fs::path(parent_) / ("agentemu-" + std::to_string(getpid()) + "-" + random_hex(4))).string();
  if (::mkdir(candidate.c_str(), 0700) != 0) {
    error = "cannot create " + candidate + ": " + std::error_code(errno, std::generic_category()).message();
    return std::nullopt;
  }
  root_ = candidate;
  return root_;
}

std::optional<std::string> Workspace::make_dir(std::string_view name, std::string& error) {
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      error = "not a directory name: " + std::string(name);
      return std::nullopt;
    }
  }
  std::lock_guard lock(mutex_);
  const auto root = ensure_root(error);
  if (!root) return std::nullopt;
  const std::string path = (fs::path(*root) / std::string(name)).string();
  remove_tree(path);  // a name used before (a fixture session loaded twice) starts empty
  if (::mkdir(path.c_str(), 0700) != 0) {
    error = "cannot create " + path + ": " + std::error_code(errno, std::generic_category()).message();
    return std::nullopt;
  }
  return path;
}

void Workspace::remove_dir(const std::string& path) {
  std::lock_guard lock(mutex_);
  if (root_.empty() || !path.starts_with(root_ + "/")) return;
  remove_tree(path);
}

std::optional<std::string> Workspace::driver(Language language, std::string& error) {
  std::lock_guard lock(mutex_);
  const bool python = language == Language::python;
  std::string& cached = python ? python_driver_ : node_driver_;
  if (!cached.empty()) return cached;
  const auto root = ensure_root(error);
  if (!root) return std::nullopt;
  const fs::path dir = fs::path(*root) / ".drivers";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path file = dir / (python ? "python_driver.py" : "node_driver.js");
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  const std::string_view source = python ? python_driver_source() : node_driver_source();
  out.write(source.data(), static_cast<std::streamsize>(source.size()));
  out.close();
  if (!out) {
    error = "cannot write " + file.string();
    return std::nullopt;
  }
  cached = file.string();
  return cached;
}

void Workspace::remove_all() {
  std::string root;
  {
    std::lock_guard lock(mutex_);
    root.swap(root_);
    python_driver_.clear();
    node_driver_.clear();
  }
  if (!root.empty()) remove_tree(root);
}

}  // namespace agentemu
