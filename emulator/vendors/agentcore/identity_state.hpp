// AgentCore Identity's data plane state: the JWT issuers agentemu trusts (fixtures), the key that
// signs workload access tokens, the OAuth2 tokens the fixtures define, the user-federation
// sessions in progress and the token vault (tokens users consented to). The workload identities
// and credential providers themselves are control-plane resources (control.hpp). Under State's
// one mutex; bounded (the limits below).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/vendor.hpp"  // kRedacted
#include "vendors/agentcore/jwt.hpp"

namespace agentemu::agentcore {

inline constexpr auto kWorkloadTokenLifetime = std::chrono::hours(1);
inline constexpr auto kAuthSessionLifetime = std::chrono::minutes(10);
// A local token endpoint that does not answer by then fails the GetResourceOauth2Token.
inline constexpr auto kTokenEndpointTimeout = std::chrono::seconds(10);
inline constexpr std::size_t kMaxAuthSessions = 1000;  // per tenant, oldest forgotten first
inline constexpr std::size_t kMaxVaultTokens = 10000;  // per tenant, oldest forgotten first
// The tag that gives an OAuth2 credential provider created by the control plane its access token.
inline constexpr std::string_view kAccessTokenTag = "agentemu:accessToken";

// What a workload access token binds: the tenant, the workload identity, the user (none for
// GetWorkloadAccessToken), and when it expires.
struct WorkloadClaims {
  std::string account, region, workload;
  std::string user;  // "" | "id:<userId>" | "jwt:<iss> <sub>"
  std::string user_id;  // the userId, or the JWT's sub: what oauth2Tokens[].userId matches
  SystemTime expires{};
};

// An OAuth2 token the fixtures define (`oauth2Tokens`), or one the vault holds after a user's
// consent. An entry answers a GetResourceOauth2Token when every member it names matches.
struct OauthToken {
  std::string provider;     // providerName
  std::string access_token;
  std::string flow;         // "" (any) | M2M | USER_FEDERATION | ON_BEHALF_OF_TOKEN_EXCHANGE
  std::string user_id;      // "" (any)
  std::string workload;     // "" (any)
  std::string account, region;  // "" (any)
  std::string user;         // the vault: exactly this user ("id:..." / "jwt:..."), not only its id
};

// A user-federation (three-legged) authorization in progress: GetResourceOauth2Token started it,
// CompleteResourceTokenAuth completes it for the same user.
struct AuthSession {
  std::string uri;  // urn:ietf:params:oauth:request_uri:<id>
  std::string workload, user, user_id, provider;
  std::vector<std::string> scopes;
  SystemTime created{}, expires{};
  bool completed = false;
};

struct IdentityTenant {
  std::map<std::string, AuthSession, std::less<>> sessions;  // by uri
  std::vector<OauthToken> vault;                              // oldest first
};

class IdentityStore {
 public:
  IdentityStore();

  // Workload access tokens: "wat1.<base64url claims>.<base64url HMAC-SHA256>", keyed by a secret
  // of this process, so only this agentemu can make or read them.
  std::string mint(const WorkloadClaims& claims) const;
  // The token AgentCore hands a runtime's agent with each invocation (the WorkloadAccessToken
  // header): the runtime's own workload, for the caller's runtime user id when it names one.
  std::string runtime_token(std::string_view account, std::string_view region, std::string_view runtime_id,
                            std::string_view user_id, SystemTime now) const;
  // nullopt with `why` for a token that is malformed, not signed by this process or expired.
  std::optional<WorkloadClaims> read(std::string_view token, SystemTime now, std::string& why) const;
  // A stable stand-in token when nothing defines one: opaque, the same for the same inputs.
  std::string minted_access_token(std::string_view input) const;

  IdentityTenant& tenant(std::string_view account, std::string_view region);
  void clear();  // everything but the signing key

  std::vector<jwt::Issuer> issuers;
  std::vector<std::string> issuer_sources;  // per issuer, its fixture entry as JSON, for the state dump
  std::vector<OauthToken> tokens;           // from the fixtures
  std::map<std::string, IdentityTenant, std::less<>> tenants;  // by account/region

 private:
  std::string key_;
};

}  // namespace agentemu::agentcore
