#include "core/fixtures.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/registry.hpp"

namespace agentemu {
namespace fs = std::filesystem;

std::optional<std::vector<std::string>> expand_json_paths(const std::vector<std::string>& paths, std::string& error) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      error = path + ": no such file or folder";
      return std::nullopt;
    }
    if (fs::is_directory(status)) {
      // error_code overloads throughout: a dangling link or a loop is an error message, not an exception.
      std::vector<std::string> found;
      fs::directory_iterator it(path, ec);
      for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
        std::error_code file_ec;
        if (it->is_regular_file(file_ec) && it->path().extension() == ".json") found.push_back(it->path().string());
      }
      if (ec) {
        error = path + ": " + ec.message();
        return std::nullopt;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  return files;
}

std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot be read";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    error = path + ": read failed";
    return std::nullopt;
  }
  return text.str();
}

std::string describe_parse_error(std::string_view file, const JsonParseError& error) {
  return std::string(file) + ":" + std::to_string(error.line) + ":" + std::to_string(error.column) + ": " +
         error.message;
}

std::optional<FixtureIssue> Fixtures::merge(const JsonValue& document, const VendorRegistry& vendors) {
  if (!document.IsObject()) return FixtureIssue{"", "a fixture document must be a JSON object"};
  for (const auto& member : document.GetObject()) {
    const std::string_view key(member.name.GetString(), member.name.GetStringLength());
    const Vendor* vendor = vendors.find(key);
    if (vendor == nullptr) {
      std::string known;
      for (std::string_view name : vendors.names()) known += (known.empty() ? "" : ", ") + std::string(name);
      return FixtureIssue{json_pointer("", key), "unknown vendor \"" + std::string(key) + "\" (expected one of " + known + ")"};
    }
    if (auto issue = vendor->check_fixture(member.value, json_pointer("", key))) return issue;
  }
  for (const auto& member : document.GetObject()) {
    vendors.find({member.name.GetString(), member.name.GetStringLength()})->apply_fixture(member.value);
  }
  return std::nullopt;
}

std::optional<std::string> Fixtures::load(const std::vector<std::string>& paths, const VendorRegistry& vendors) {
  std::string error;
  const auto files = expand_json_paths(paths, error);
  if (!files) return error;
  for (const std::string& file : *files) {
    const auto text = read_text_file(file, error);
    if (!text) return error;
    auto document = std::make_unique<JsonDocument>();
    if (auto parse_error = parse_json(*text, *document, JsonDialect::relaxed)) {
      return describe_parse_error(file, *parse_error);
    }
    if (auto issue = merge(*document, vendors)) {
      return file + ": " + (issue->pointer.empty() ? "/" : issue->pointer) + ": " + issue->message;
    }
    documents_.push_back(std::move(document));
  }
  return std::nullopt;
}

void Fixtures::reset(const VendorRegistry& vendors) const {
  for (const auto& vendor : vendors.vendors()) vendor->clear_state();
  for (const auto& document : documents_) merge(*document, vendors);
}

}  // namespace agentemu
