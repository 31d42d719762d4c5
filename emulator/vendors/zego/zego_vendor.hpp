// ZEGOCLOUD AI Agent server API: POST (or GET) "/?Action=...&AppId=...&SignatureNonce=...&
// Timestamp=...&Signature=...&SignatureVersion=2.0" with a JSON body, answered with
// {"Code","Message","RequestId","Data"}.
#pragma once

#include <memory>
#include <mutex>

#include "core/vendor.hpp"
#include "vendors/zego/state.hpp"

namespace agentemu::zego {

class ZegoVendor final : public Vendor {
 public:
  explicit ZegoVendor(const VendorContext& context) : ctx_(context) {}

  std::string_view name() const override { return "zego"; }
  VendorRoutes routes() const override;
  bool claims(const Request& request) const override;
  std::span<const std::string_view> operation_names() const override;

  bool decode(Call& call) override;
  bool authenticate(Call& call) override;
  bool validate(Call& call) override;
  void execute(Call& call) override;

  bool knows_error(std::string_view id) const override;
  void render_error(Call& call, const ErrorRequest& error) override;
  std::optional<std::string> param(const Call& call, std::string_view name) const override;
  bool knows_param(std::string_view name) const override;

  std::optional<FixtureIssue> check_fixture(const JsonValue& section, std::string_view pointer) const override;
  void apply_fixture(const JsonValue& section) override;
  void clear_state() override;
  void write_state(JsonWriter& out, const StateOptions& options) const override;
  void describe_operations(JsonWriter& out) const override;

 private:
  // Request-time guards of an authenticated call; false after writing the error.
  bool admit(Call& call, std::uint32_t app_id, std::string_view nonce);
  void run(Effects& effects);   // after unlocking: finish answers, arm wake-ups
  void wake(const std::string& instance_id, std::uint64_t generation);
  void timeline_wake(const std::string& instance_id, std::uint64_t generation);
  std::shared_ptr<const AppConfig> find_app(std::uint32_t app_id, bool provision);

  VendorContext ctx_;
  mutable std::mutex mutex_;
  State state_;
};

}  // namespace agentemu::zego
