#include "vendors/agentcore/identity_state.hpp"

#include "core/crypto.hpp"

namespace agentemu::agentcore {

IdentityStore::IdentityStore() : key_(random_hex(32)) {}

std::string IdentityStore::mint(const WorkloadClaims& c) const {
  JsonWriter w;
  w.begin_object();
  w.field("a", c.account).field("r", c.region).field("w", c.workload);
  if (!c.user.empty()) w.field("u", c.user).field("i", c.user_id);
  w.field_int("x", epoch_millis(c.expires));
  w.field("n", random_hex(8));  // two tokens minted in the same millisecond still differ
  w.end_object();
  const std::string payload = jwt::base64url_encode(w.text());
  const std::string signed_part = "wat1." + payload;
  return signed_part + "." + jwt::base64url_encode(as_bytes(hmac_sha256(key_, signed_part)));
}

std::optional<WorkloadClaims> IdentityStore::read(std::string_view token, SystemTime now, std::string& why) const {
  const auto dot = token.rfind('.');
  if (!token.starts_with("wat1.") || dot == std::string_view::npos || dot < 5) {
    why = "not a workload access token of this agentemu (they start with wat1.)";
    return std::nullopt;
  }
  const std::string_view signed_part = token.substr(0, dot);
  const std::string expected = jwt::base64url_encode(as_bytes(hmac_sha256(key_, signed_part)));
  if (!constant_time_equal(expected, token.substr(dot + 1))) {
    why = "its signature is not this agentemu's (tokens from another agentemu process, or altered, are refused)";
    return std::nullopt;
  }
  const auto json = jwt::base64url_decode(signed_part.substr(5));
  JsonDocument doc;
  if (!json || parse_json(*json, doc) || !doc.IsObject()) {
    why = "its claims do not parse";
    return std::nullopt;
  }
  const auto text = [&](const char* name) {
    const JsonValue* v = json_member(doc, name);
    return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
  };
  const JsonValue* expires = json_member(doc, "x");
  if (expires == nullptr || !expires->IsInt64()) {
    why = "its claims do not parse";
    return std::nullopt;
  }
  WorkloadClaims c{text("a"), text("r"), text("w"), text("u"), text("i"), from_epoch_millis(expires->GetInt64())};
  if (c.expires <= now) {
    why = "it expired at " + format_rfc3339_millis(c.expires) + " (emulator clock; tokens last " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kWorkloadTokenLifetime).count()) + " s)";
    return std::nullopt;
  }
  return c;
}

std::string IdentityStore::runtime_token(std::string_view account, std::string_view region, std::string_view runtime_id,
                                         std::string_view user_id, SystemTime now) const {
  WorkloadClaims c{std::string(account), std::string(region), std::string(runtime_id), {}, {}, now + kWorkloadTokenLifetime};
  if (!user_id.empty()) {
    c.user_id.assign(user_id);
    c.user = "id:" + c.user_id;
  }
  return mint(c);
}

std::string IdentityStore::minted_access_token(std::string_view input) const {
  return "agentemu_" + jwt::base64url_encode(as_bytes(hmac_sha256(key_, input)));
}

IdentityTenant& IdentityStore::tenant(std::string_view account, std::string_view region) {
  std::string key(account);
  key.push_back('/');
  key.append(region);
  auto it = tenants.find(key);
  if (it == tenants.end()) it = tenants.emplace(std::move(key), IdentityTenant{}).first;
  return it->second;
}

void IdentityStore::clear() {
  issuers.clear();
  issuer_sources.clear();
  tokens.clear();
  tenants.clear();
}

}  // namespace agentemu::agentcore
