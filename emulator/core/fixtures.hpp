// Fixture documents: read at start from files and folders (core/document.hpp), re-applied on
// reset, merged live by POST /_emulator/state.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/document.hpp"
#include "core/json.hpp"
#include "core/vendor.hpp"

namespace agentemu {

class VendorRegistry;

class Fixtures {
 public:
  // Loads every document and applies it; on the first problem answers "file: /pointer: message".
  std::optional<std::string> load(const std::vector<std::string>& paths, const VendorRegistry& vendors);
  // Every vendor back to exactly what the fixture files describe. The documents were checked when
  // they loaded, so a reset applies them without checking them again.
  void reset(const VendorRegistry& vendors) const;
  // The same for the vendors named in `only`; the others keep their state.
  void reset(const VendorRegistry& vendors, std::span<const std::string_view> only) const;
  // Checks the whole document, then applies it to the live state (not to the fixtures).
  static std::optional<FixtureIssue> merge(const JsonValue& document, const VendorRegistry& vendors);

 private:
  std::vector<std::unique_ptr<JsonDocument>> documents_;
};

}  // namespace agentemu
