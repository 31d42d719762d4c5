// Fixture documents: read at start from files and folders, re-applied on reset, merged live by
// POST /_emulator/state. Also the file helpers the scenario loader shares.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "core/vendor.hpp"

namespace agentemu {

class VendorRegistry;

// Every *.json file a path names: the file itself, or a folder's files sorted by name.
// On failure, `error` says which path and why.
std::optional<std::vector<std::string>> expand_json_paths(const std::vector<std::string>& paths, std::string& error);
std::optional<std::string> read_text_file(const std::string& path, std::string& error);

// "file:line:column: message" for a document that does not parse.
std::string describe_parse_error(std::string_view file, const JsonParseError& error);

class Fixtures {
 public:
  // Loads every document and applies it; on the first problem answers "file: /pointer: message".
  std::optional<std::string> load(const std::vector<std::string>& paths, const VendorRegistry& vendors);
  // Every vendor back to exactly what the fixture files describe.
  void reset(const VendorRegistry& vendors) const;
  // Checks the whole document, then applies it to the live state (not to the fixtures).
  static std::optional<FixtureIssue> merge(const JsonValue& document, const VendorRegistry& vendors);

 private:
  std::vector<std::unique_ptr<JsonDocument>> documents_;
};

}  // namespace agentemu
