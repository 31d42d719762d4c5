#include "core/fixtures.hpp"

#include <algorithm>

#include "core/registry.hpp"

namespace agentemu {

std::optional<FixtureIssue> Fixtures::merge(const JsonValue& document, const VendorRegistry& vendors) {
  DocumentReader reader;
  const std::vector<std::string_view> names = vendors.names();
  if (!reader.object(document, "", KeyList(std::span<const std::string_view>(names)))) return reader.take_issue();
  for (const auto& member : document.GetObject()) {
    const std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (auto issue = vendors.find(key)->check_fixture(member.value, json_pointer("", key))) return issue;
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
    const auto text = read_document_file(file, error);
    if (!text) return error;
    auto document = std::make_unique<JsonDocument>();
    auto issue = parse_document(*text, *document);
    if (!issue) issue = merge(*document, vendors);
    if (issue) return describe_issue(file, *issue);
    documents_.push_back(std::move(document));
  }
  return std::nullopt;
}

void Fixtures::reset(const VendorRegistry& vendors) const {
  const std::vector<std::string_view> names = vendors.names();
  reset(vendors, names);
}

void Fixtures::reset(const VendorRegistry& vendors, std::span<const std::string_view> only) const {
  const auto chosen = [&](std::string_view name) { return std::find(only.begin(), only.end(), name) != only.end(); };
  for (const auto& vendor : vendors.vendors()) {
    if (chosen(vendor->name())) vendor->clear_state();
  }
  for (const auto& document : documents_) {
    for (const auto& member : document->GetObject()) {
      const std::string_view name(member.name.GetString(), member.name.GetStringLength());
      if (chosen(name)) vendors.find(name)->apply_fixture(member.value);
    }
  }
}

}  // namespace agentemu
