// Alibaba Cloud ICE (Intelligent Media Services, API 2020-11-09), its AI-agent actions: RPC
// requests at "/" with parameters in the query or a form body, signed with V2 (HMAC-SHA1) or V3
// (ACS3-HMAC-SHA256), answered in the POP gateway's envelope.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/vendor.hpp"
#include "core/callbacks/callbacks.hpp"
#include "vendors/ice/auth.hpp"
#include "vendors/ice/errors.hpp"
#include "vendors/ice/request.hpp"
#include "vendors/ice/state.hpp"

namespace agentemu::ice {

class IceVendor final : public Vendor {
 public:
  explicit IceVendor(const VendorContext& context) : context_(context) {}

  std::string_view name() const override { return "ice"; }
  VendorRoutes routes() const override { return {{}, {"*.aliyuncs.com"}}; }
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

  NonceCache& nonces() { return nonces_; }

 private:
  std::optional<FixtureIssue> check_redacted_tokens(const JsonValue& section, const std::string& at) const;
  // Writes the catalogue error `code` (its message when `message` is empty) and returns false;
  // `diagnostic` is agentemu's own explanation, sent beside the gateway's exact text.
  bool fail(Call& call, std::string_view code, std::string_view message, const AccessDenied* denied = nullptr,
            std::string_view diagnostic = {});
  bool authenticate_v2(Call& call, IceCall& ice);
  bool authenticate_v3(Call& call, IceCall& ice);
  // The signed time `text` names, when it is within 15 minutes of the emulator's now; else
  // InvalidTimeStamp.Format / .Expired and nullopt.
  std::optional<SystemTime> check_time(Call& call, std::string_view text);
  // The fixture key, or (lenient) a stand-in for an unknown one; nullptr after failing.
  std::shared_ptr<const AccessKey> find_key(Call& call, std::string_view id);
  bool check_nonce(Call& call, const AccessKey& key, std::string_view nonce, SystemTime signed_at);
  // An STS key needs its own SecurityToken, unexpired; a permanent key takes none.
  bool check_security_token(Call& call, const AccessKey& key, std::string_view token);
  bool check_policy(Call& call, IceCall& ice, const AccessKey& key);
  // Hands the callbacks an action made to the core (after the state's mutex is released).
  void send_callbacks(std::vector<CallbackRequest>& callbacks);
  void video_audit_finished(const std::string& account, std::uint64_t sequence);

  VendorContext context_;
  mutable State state_;
  NonceCache nonces_;
};

}  // namespace agentemu::ice
