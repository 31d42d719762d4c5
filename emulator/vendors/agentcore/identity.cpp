// AgentCore Identity's data plane: workload access tokens for the control plane's workload
// identities (as the workload alone, for a user id, or for a user's JWT checked against the
// fixtures' issuers), and the credentials a workload fetches with one: an API key credential
// provider's key, an OAuth2 provider's token (machine to machine, on behalf of a user, or through
// the user-federation flow that CompleteResourceTokenAuth completes). README, "Identity".
#include <algorithm>

#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/local.hpp"
#include "core/net/http_client.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/identity_state.hpp"

namespace agentemu::agentcore {
namespace {

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

void answer(HandlerContext& h, std::string body) {
  h.call.response.set(h.in.op->status, kJson, std::move(body));
  h.call.response.add_header("x-amzn-RequestId", h.in.request_id);
}

Resource* resource(HandlerContext& h, KindId kind, std::string_view account, std::string_view region,
                   std::string_view key) {
  auto& all = h.state.tenant(account, region).resources[static_cast<std::size_t>(kind)];
  const auto it = all.find(key);
  if (it == all.end() || it->second.gone(h.call.now) || it->second.transition == "DELETING") return nullptr;
  return &it->second;
}

void not_found(HandlerContext& h, const Kind& k, std::string_view name) {
  answer_error(h.call, h.in, "ResourceNotFoundException",
               std::string(k.noun) + " '" + std::string(name) + "' not found in account " + h.in.account + ", region " +
                   h.in.region);
}

// The workload identity a token may be issued for: one the control plane (or the fixtures)
// created, or the one every agent runtime has, named by its runtime id.
const JsonValue* workload(HandlerContext& h, std::string_view name) {
  if (const Resource* r = resource(h, KindId::workload_identity, h.in.account, h.in.region, name)) return r->record.get();
  if (const Resource* r = resource(h, KindId::runtime, h.in.account, h.in.region, name)) return r->record.get();
  return nullptr;
}

// ---- Workload access tokens --------------------------------------------------------------------

void issue(HandlerContext& h, WorkloadClaims claims) {
  const std::string name(h.in.body_string("workloadName").value_or(""));
  if (workload(h, name) == nullptr) return not_found(h, kind(KindId::workload_identity), name);
  claims.account = h.in.account;
  claims.region = h.in.region;
  claims.workload = name;
  const SystemTime lifetime_end = h.call.now + kWorkloadTokenLifetime;
  claims.expires = claims.expires == SystemTime{} ? lifetime_end : std::min(claims.expires, lifetime_end);
  JsonWriter w;
  w.begin_object().field("workloadAccessToken", h.state.identity.mint(claims)).end_object();
  answer(h, w.take());
}

void get_workload_access_token(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  issue(h, {});
}

void get_workload_access_token_for_user_id(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  WorkloadClaims c;
  c.user_id.assign(h.in.body_string("userId").value_or(""));
  c.user = "id:" + c.user_id;
  issue(h, std::move(c));
}

std::string_view jwt_message(jwt::Problem p) {
  switch (p) {
    case jwt::Problem::malformed: return "The user token is not a valid JWT";
    case jwt::Problem::unsupported: return "The user token is signed with an unsupported algorithm";
    case jwt::Problem::untrusted_issuer: return "The user token's issuer is not trusted";
    case jwt::Problem::unknown_key:
    case jwt::Problem::bad_signature: return "The user token's signature could not be verified";
    case jwt::Problem::expired: return "The user token has expired";
    case jwt::Problem::not_yet_valid: return "The user token is not valid yet";
    case jwt::Problem::wrong_audience: return "The user token's audience is not allowed";
    case jwt::Problem::wrong_client: return "The user token's client is not allowed";
    case jwt::Problem::no_subject: return "The user token has no subject";
  }
  return "The user token is invalid";
}

// The user a JWT names ("jwt:<iss> <sub>"), or UnauthorizedException (AWS's error for a bearer
// token that is invalid) with agentemu's reason in the diagnostic.
std::optional<jwt::Result> verified_user(HandlerContext& h, std::string_view token) {
  jwt::Result r = jwt::verify(token, h.state.identity.issuers, h.call.now);
  if (r.ok) return r;
  answer_error(h.call, h.in, "UnauthorizedException", std::string(jwt_message(r.problem)));
  h.call.response.diagnostic = "the user token was refused: " + r.detail;
  return std::nullopt;
}

void get_workload_access_token_for_jwt(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  const auto user = verified_user(h, h.in.body_string("userToken").value_or(""));
  if (!user) return;
  WorkloadClaims c;
  c.user = "jwt:" + user->issuer + " " + user->subject;
  c.user_id = user->subject;
  c.expires = user->expires;  // the token lasts no longer than the user's JWT
  issue(h, std::move(c));
}

// The workload a request's workloadIdentityToken names; AccessDeniedException when the token is
// not one this agentemu issued to this tenant, or is expired.
std::optional<WorkloadClaims> caller_workload(HandlerContext& h) {
  std::string why;
  auto claims = h.state.identity.read(h.in.body_string("workloadIdentityToken").value_or(""), h.call.now, why);
  if (claims && (claims->account != h.in.account || claims->region != h.in.region)) {
    why = "it was issued in account " + claims->account + ", region " + claims->region;
    claims.reset();
  }
  if (!claims) {
    answer_error(h.call, h.in, "AccessDeniedException", "The workload access token is invalid or has expired");
    h.call.response.diagnostic = "the workloadIdentityToken was refused: " + why;
    return std::nullopt;
  }
  if (workload(h, claims->workload) == nullptr) {
    not_found(h, kind(KindId::workload_identity), claims->workload);
    return std::nullopt;
  }
  return claims;
}

// ---- Credentials -------------------------------------------------------------------------------

void get_resource_api_key(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  if (!caller_workload(h)) return;
  const std::string name(h.in.body_string("resourceCredentialProviderName").value_or(""));
  const Resource* provider = resource(h, KindId::api_key_provider, h.in.account, h.in.region, name);
  if (provider == nullptr) return not_found(h, kind(KindId::api_key_provider), name);
  const std::string_view key = text_of(*provider->record, "apiKey");
  if (key.empty()) {
    answer_error(h.call, h.in, "ResourceNotFoundException",
                 "API key credential provider '" + name + "' holds no API key");
    return;
  }
  JsonWriter w;
  w.begin_object().field("apiKey", key).end_object();
  answer(h, w.take());
}

bool token_matches(const OauthToken& t, std::string_view provider, std::string_view flow, const WorkloadClaims& c) {
  const bool user = !t.user.empty() ? t.user == c.user : (t.user_id.empty() || t.user_id == c.user_id);
  return t.provider == provider && (t.flow.empty() || t.flow == flow) && user &&
         (t.workload.empty() || t.workload == c.workload) && (t.account.empty() || t.account == c.account) &&
         (t.region.empty() || t.region == c.region);
}

std::vector<std::string> scopes_of(HandlerContext& h) {
  std::vector<std::string> out;
  if (const JsonValue* list = h.in.body_member("scopes"); list != nullptr && list->IsArray()) {
    for (const JsonValue& s : list->GetArray()) {
      if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The access token the fixtures' oauth2Tokens or the provider's agentemu:accessToken tag define.
std::optional<std::string> defined_token(HandlerContext& h, const Resource& provider, std::string_view name,
                                         std::string_view flow, const WorkloadClaims& c) {
  for (const OauthToken& t : h.state.identity.tokens) {
    if (token_matches(t, name, flow, c)) return t.access_token;
  }
  if (const JsonValue* tags = json_member(*provider.record, "tags"); tags != nullptr) {
    if (const std::string_view tagged = text_of(*tags, kAccessTokenTag); !tagged.empty()) return std::string(tagged);
  }
  return std::nullopt;
}

// The access token for a provider, flow and user: a defined one, else a stable token agentemu
// makes up (README, "Identity").
std::string access_token(HandlerContext& h, const Resource& provider, std::string_view name, std::string_view flow,
                         const WorkloadClaims& c, const std::vector<std::string>& scopes) {
  if (auto defined = defined_token(h, provider, name, flow, c)) return std::move(*defined);
  std::string input = c.account + "\n" + c.region + "\n" + std::string(name) + "\n" + std::string(flow) + "\n" + c.user;
  for (const std::string& s : scopes) input += "\n" + s;
  return h.state.identity.minted_access_token(input);
}

void answer_token(HandlerContext& h, std::string_view token) {
  JsonWriter w;
  w.begin_object().field("accessToken", token).end_object();
  answer(h, w.take());
}

void answer_session(HandlerContext& h, const AuthSession& s, bool failed) {
  JsonWriter w;
  w.begin_object();
  if (!failed) {
    w.field("authorizationUrl", "https://bedrock-agentcore." + h.in.region +
                                    ".amazonaws.com/identities/oauth2/authorize?request_uri=" + percent_encode(s.uri));
  }
  w.field("sessionUri", s.uri).field("sessionStatus", failed ? "FAILED" : "IN_PROGRESS").end_object();
  answer(h, w.take());
}

// resourceOauth2ReturnUrl "must be one of the provided URLs configured for the workload identity".
bool return_url_allowed(HandlerContext& h, const WorkloadClaims& c) {
  const auto url = h.in.body_string("resourceOauth2ReturnUrl");
  if (!url) return true;
  const JsonValue* record = workload(h, c.workload);
  const JsonValue* allowed = record != nullptr ? json_member(*record, "allowedResourceOauth2ReturnUrls") : nullptr;
  if (allowed != nullptr && allowed->IsArray()) {
    for (const JsonValue& a : allowed->GetArray()) {
      if (a.IsString() && std::string_view(a.GetString(), a.GetStringLength()) == *url) return true;
    }
  }
  ValidationDetail detail;
  detail.fields.push_back({"resourceOauth2ReturnUrl",
                           "Member must be one of the workload identity's allowedResourceOauth2ReturnUrls"});
  answer_error(h.call, h.in, "ValidationException",
               "The resourceOauth2ReturnUrl is not one of the allowedResourceOauth2ReturnUrls of workload identity '" +
                   c.workload + "'",
               detail);
  return false;
}

void user_federation(HandlerContext& h, const Resource& provider, const std::string& name, const WorkloadClaims& c,
                     const std::vector<std::string>& scopes) {
  IdentityTenant& tenant = h.state.identity.tenant(h.in.account, h.in.region);
  const auto forget_old = [&] {
    for (auto it = tenant.sessions.begin(); it != tenant.sessions.end();) {
      it = it->second.expires + kAuthSessionLifetime <= h.call.now ? tenant.sessions.erase(it) : std::next(it);
    }
  };
  forget_old();
  if (const auto uri = h.in.body_string("sessionUri")) {
    const auto it = tenant.sessions.find(*uri);
    if (it == tenant.sessions.end()) {
      answer_error(h.call, h.in, "ResourceNotFoundException", "Authorization session " + std::string(*uri) + " not found");
      return;
    }
    AuthSession& s = it->second;
    if (s.workload != c.workload || s.user != c.user || s.provider != name) {
      answer_error(h.call, h.in, "AccessDeniedException",
                   "Authorization session " + s.uri + " belongs to another workload, user or credential provider");
      return;
    }
    if (!s.completed) return answer_session(h, s, s.expires <= h.call.now);
    // The user consented: the token goes to the vault, so later requests get it at once.
    const std::string token = access_token(h, provider, name, "USER_FEDERATION", c, s.scopes);
    if (tenant.vault.size() >= kMaxVaultTokens) tenant.vault.erase(tenant.vault.begin());
    tenant.vault.push_back({name, token, "USER_FEDERATION", c.user_id, c.workload, c.account, c.region, c.user});
    tenant.sessions.erase(it);
    return answer_token(h, token);
  }
  const JsonValue* force = h.in.body_member("forceAuthentication");
  if (force == nullptr || !force->IsBool() || !force->GetBool()) {
    for (auto it = tenant.vault.rbegin(); it != tenant.vault.rend(); ++it) {
      if (token_matches(*it, name, "USER_FEDERATION", c)) return answer_token(h, it->access_token);
    }
    for (const OauthToken& t : h.state.identity.tokens) {
      if (token_matches(t, name, "USER_FEDERATION", c)) return answer_token(h, t.access_token);
    }
  }
  while (tenant.sessions.size() >= kMaxAuthSessions) {
    tenant.sessions.erase(std::min_element(tenant.sessions.begin(), tenant.sessions.end(), [](const auto& a, const auto& b) {
      return a.second.created < b.second.created;
    }));
  }
  AuthSession s;
  s.uri = "urn:ietf:params:oauth:request_uri:" + uuid_v4();
  s.workload = c.workload;
  s.user = c.user;
  s.user_id = c.user_id;
  s.provider = name;
  s.scopes = scopes;
  s.created = h.call.now;
  s.expires = h.call.now + kAuthSessionLifetime;
  const AuthSession& stored = tenant.sessions.emplace(s.uri, std::move(s)).first->second;
  answer_session(h, stored, false);
}

// ---- Client credentials from a local token endpoint ----------------------------------------------

// A custom provider whose token endpoint is on this machine: M2M asks it for the token (RFC 6749
// 4.4, client_secret_basic), so a local identity provider's real tokens reach the agent.
struct TokenRequest {
  std::string url, client_id, client_secret;
};

std::optional<TokenRequest> local_token_endpoint(const Resource& provider) {
  const JsonValue* input = json_member(*provider.record, "oauth2ProviderConfigInput");
  const JsonValue* custom = input != nullptr ? json_member(*input, "customOauth2ProviderConfig") : nullptr;
  const JsonValue* discovery = custom != nullptr ? json_member(*custom, "oauthDiscovery") : nullptr;
  const JsonValue* metadata = discovery != nullptr ? json_member(*discovery, "authorizationServerMetadata") : nullptr;
  if (metadata == nullptr) return std::nullopt;
  TokenRequest r{std::string(text_of(*metadata, "tokenEndpoint")), std::string(text_of(*custom, "clientId")),
                 std::string(text_of(*custom, "clientSecret"))};
  std::string error;
  const auto url = parse_http_url(r.url, error);
  if (!url || !is_loopback_host(url->host)) return std::nullopt;
  return r;
}

void token_endpoint_failed(Call& call, const std::string& url, const std::string& why) {
  const AgentcoreCall& in = call.state_as<AgentcoreCall>();
  answer_error(call, in, "ValidationException", "Failed to get the access token from the credential provider's token endpoint");
  call.response.diagnostic = "agentemu asked " + url + " for a client-credentials token: " + why;
}

// The token endpoint's answer: {"access_token": ...} with a 2xx status.
void answer_fetched_token(Call& call, const std::string& url, const HttpError& error, const HttpResponse& response) {
  if (error) return token_endpoint_failed(call, url, error.message);
  JsonDocument doc;
  const JsonValue* token = nullptr;
  if (response.status / 100 == 2 && !parse_json(response.body, doc, JsonDialect::strict) && doc.IsObject()) {
    token = json_member(doc, "access_token");
  }
  if (token == nullptr || !token->IsString() || token->GetStringLength() == 0) {
    return token_endpoint_failed(call, url, "it answered " + std::to_string(response.status) + " without an access_token: " +
                                                response.body.substr(0, 200));
  }
  const AgentcoreCall& in = call.state_as<AgentcoreCall>();
  JsonWriter w;
  w.begin_object().field("accessToken", std::string_view(token->GetString(), token->GetStringLength())).end_object();
  call.response.set(in.op->status, kJson, w.take());
  call.response.add_header("x-amzn-RequestId", in.request_id);
}

void fetch_client_credentials(HandlerContext& h, const TokenRequest& r, const std::vector<std::string>& scopes) {
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.url = r.url;
  spec.body = "grant_type=client_credentials";
  if (!scopes.empty()) {
    std::string joined;
    for (const std::string& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    spec.body += "&scope=" + percent_encode(joined);
  }
  spec.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                  {"Accept", "application/json"},
                  {"Authorization", "Basic " + base64_encode(percent_encode(r.client_id) + ":" + percent_encode(r.client_secret))}};
  spec.timeout = kTokenEndpointTimeout;
  h.vendor.local->http().fetch(std::move(spec), [deferred = h.call.defer(), url = r.url](const HttpError& error,
                                                                                        HttpResponse& response) mutable {
    answer_fetched_token(deferred.call(), url, error, response);
    deferred.finish();
  });
}

void get_resource_oauth2_token(HandlerContext& h) {
  std::unique_lock lock(h.state.mutex);
  const auto claims = caller_workload(h);
  if (!claims) return;
  const std::string name(h.in.body_string("resourceCredentialProviderName").value_or(""));
  const Resource* provider = resource(h, KindId::oauth2_provider, h.in.account, h.in.region, name);
  if (provider == nullptr) return not_found(h, kind(KindId::oauth2_provider), name);
  if (!return_url_allowed(h, *claims)) return;
  const std::string flow(h.in.body_string("oauth2Flow").value_or(""));
  const std::vector<std::string> scopes = scopes_of(h);
  if (flow != "M2M" && claims->user.empty()) {
    ValidationDetail detail;
    detail.fields.push_back({"workloadIdentityToken", "Member must be a workload access token issued for a user"});
    answer_error(h.call, h.in, "ValidationException",
                 "The " + flow +
                     " flow acts for a user: get the workloadIdentityToken with GetWorkloadAccessTokenForJWT or "
                     "GetWorkloadAccessTokenForUserId",
                 detail);
    return;
  }
  if (flow == "USER_FEDERATION") return user_federation(h, *provider, name, *claims, scopes);
  if (flow == "M2M" && h.vendor.local != nullptr && !defined_token(h, *provider, name, flow, *claims)) {
    if (const auto endpoint = local_token_endpoint(*provider)) {
      lock.unlock();
      return fetch_client_credentials(h, *endpoint, scopes);
    }
  }
  answer_token(h, access_token(h, *provider, name, flow, *claims, scopes));
}

void complete_resource_token_auth(HandlerContext& h) {
  std::lock_guard lock(h.state.mutex);
  const JsonValue& who = *h.in.body_member("userIdentifier");
  std::string user;
  if (const std::string_view id = text_of(who, "userId"); !id.empty()) {
    user = "id:" + std::string(id);
  } else {
    const auto verified = verified_user(h, text_of(who, "userToken"));
    if (!verified) return;
    user = "jwt:" + verified->issuer + " " + verified->subject;
  }
  IdentityTenant& tenant = h.state.identity.tenant(h.in.account, h.in.region);
  const std::string_view uri = h.in.body_string("sessionUri").value_or("");
  const auto it = tenant.sessions.find(uri);
  if (it == tenant.sessions.end()) {
    answer_error(h.call, h.in, "ResourceNotFoundException", "Authorization session " + std::string(uri) + " not found");
    return;
  }
  AuthSession& s = it->second;
  if (s.user != user) {
    answer_error(h.call, h.in, "AccessDeniedException",
                 "The user identifier does not match the user the authorization session " + s.uri + " was started for");
    return;
  }
  if (s.expires <= h.call.now) {
    ValidationDetail detail;
    detail.fields.push_back({"sessionUri", "Member must name an authorization session that has not expired"});
    answer_error(h.call, h.in, "ValidationException", "Authorization session " + s.uri + " has expired", detail);
    return;
  }
  s.completed = true;
  answer(h, "{}");
}

constexpr HandlerRow kIdentity[] = {
    {kGetWorkloadAccessToken, get_workload_access_token},
    {kGetWorkloadAccessTokenForJWT, get_workload_access_token_for_jwt},
    {kGetWorkloadAccessTokenForUserId, get_workload_access_token_for_user_id},
    {kGetResourceApiKey, get_resource_api_key},
    {kGetResourceOauth2Token, get_resource_oauth2_token},
    {kCompleteResourceTokenAuth, complete_resource_token_auth},
};

}  // namespace

std::span<const HandlerRow> identity_handlers() { return kIdentity; }

}  // namespace agentemu::agentcore
