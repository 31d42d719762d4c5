// A minimal vendor for testing the core: two operations routed by path, an error catalogue of
// two ids, a fixture section {"items": ["a", ...]}, and switches that make a step fail.
#pragma once

#include <array>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/describe.hpp"
#include "core/vendor.hpp"

namespace agentemu::testing {

class FakeVendor final : public Vendor {
 public:
  explicit FakeVendor(std::string name, std::vector<std::string_view> prefixes = {},
                      std::vector<std::string_view> hosts = {}, std::string claim_header = {})
      : name_(std::move(name)), prefixes_(std::move(prefixes)), hosts_(std::move(hosts)),
        claim_header_(std::move(claim_header)) {}

  std::string_view name() const override { return name_; }
  VendorRoutes routes() const override { return {prefixes_, hosts_}; }
  bool claims(const Request& r) const override { return !claim_header_.empty() && r.has_header(claim_header_); }
  std::span<const std::string_view> operation_names() const override { return kOperations; }

  bool decode(Call& call) override {
    steps.push_back("decode");
    call.operation = call.request.path.ends_with("/write") ? 1 : 0;
    return true;
  }
  bool authenticate(Call& call) override {
    steps.push_back("authenticate");
    if (fail_auth) render_error(call, {"Denied"});
    return !fail_auth;
  }
  bool validate(Call&) override {
    steps.push_back("validate");
    return true;
  }
  void execute(Call& call) override {
    steps.push_back("execute");
    ++executed;
    call.response.set(200, kJson, "{\"ok\":true}");
  }

  bool knows_error(std::string_view id) const override { return id == "Denied" || id == "Busy"; }
  void render_error(Call& call, const ErrorRequest& e) override {
    const int status = e.status != 0 ? e.status : (e.id == "Denied" ? 403 : 429);
    call.response.set(status, kJson, "{\"fake\":\"" + std::string(e.id) + "\"}");
    if (e.retry_after_seconds >= 0) call.response.add_header("Retry-After", std::to_string(e.retry_after_seconds));
    call.error_code = e.id;
  }
  std::optional<std::string> param(const Call& call, std::string_view name) const override {
    if (name == "path") return std::string(call.request.path);
    return std::nullopt;
  }
  bool knows_param(std::string_view name) const override { return param_names.contains(name); }

  std::optional<FixtureIssue> check_fixture(const JsonValue& section, std::string_view pointer) const override {
    if (!section.IsObject()) return FixtureIssue{std::string(pointer), "must be an object"};
    for (const auto& m : section.GetObject()) {
      if (std::string_view(m.name.GetString()) != "items") {
        return FixtureIssue{json_pointer(pointer, m.name.GetString()), "unknown key"};
      }
      if (!m.value.IsArray()) return FixtureIssue{json_pointer(pointer, "items"), "must be an array"};
      for (rapidjson::SizeType i = 0; i < m.value.Size(); ++i) {
        if (!m.value[i].IsString()) return FixtureIssue{json_pointer(json_pointer(pointer, "items"), i), "must be a string"};
      }
    }
    return std::nullopt;
  }
  void apply_fixture(const JsonValue& section) override {
    std::lock_guard lock(mutex_);
    if (const JsonValue* items = json_member(section, "items")) {
      for (const auto& item : items->GetArray()) this->items.insert(item.GetString());
    }
  }
  void clear_state() override {
    std::lock_guard lock(mutex_);
    items.clear();
  }
  void describe_operations(JsonWriter& out) const override {
    for (std::string_view op : kOperations) {
      begin_operation(out, name_, OperationInfo{.name = op, .method = "POST", .route = "/", .emulated = true});
      begin_errors(out);
      end_operation(out);
    }
  }
  void write_state(JsonWriter& out, const StateOptions& /*options*/) const override {
    std::lock_guard lock(mutex_);
    out.begin_object().key("items").begin_array();
    for (const auto& item : items) out.string(item);
    out.end_array().end_object();
  }

  static constexpr std::array<std::string_view, 2> kOperations = {"Read", "Write"};
  std::vector<std::string> steps;
  std::set<std::string> items;
  std::set<std::string, std::less<>> param_names{"path"};  // what knows_param admits
  int executed = 0;
  bool fail_auth = false;

 private:
  std::string name_;
  std::vector<std::string_view> prefixes_;
  std::vector<std::string_view> hosts_;
  std::string claim_header_;
  mutable std::mutex mutex_;
};

}  // namespace agentemu::testing
