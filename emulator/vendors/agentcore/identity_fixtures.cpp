// The Identity data plane's fixture sections (data_fixtures.hpp): the JWT issuers agentemu
// trusts, the OAuth2 tokens it answers, and the secrets of the credential providers' records.
// Secrets go into GET /_emulator/state as kRedacted unless ?secrets=true.
#include <algorithm>

#include "core/document.hpp"
#include "core/fixtures.hpp"
#include "vendors/agentcore/control.hpp"
#include "vendors/agentcore/data_fixtures.hpp"
#include "vendors/agentcore/output.hpp"

namespace agentemu::agentcore {
namespace {

constexpr std::string_view kIssuers = "jwtIssuers";
constexpr std::string_view kTokens = "oauth2Tokens";
constexpr std::string_view kFlows[] = {"M2M", "USER_FEDERATION", "ON_BEHALF_OF_TOKEN_EXCHANGE"};

std::string_view text_of(const JsonValue& object, std::string_view key) {
  const JsonValue* v = json_member(object, key);
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view{};
}

FixtureIssue issue(std::string pointer, std::string message) { return FixtureIssue{std::move(pointer), std::move(message)}; }

std::optional<FixtureIssue> keys_known(const JsonValue& item, const std::string& at,
                                       std::initializer_list<std::string_view> keys) {
  if (!item.IsObject()) return issue(at, std::string("must be an object, not ") + json_type_name(item));
  for (const auto& m : item.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
      std::string known;
      for (std::string_view k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
      return issue(json_pointer(at, name), "unknown key (expected " + known + ")");
    }
  }
  return std::nullopt;
}

std::optional<FixtureIssue> string_member(const JsonValue& item, const std::string& at, std::string_view key,
                                          bool required) {
  const JsonValue* v = json_member(item, key);
  if (v == nullptr) return required ? std::optional(issue(json_pointer(at, key), "is required")) : std::nullopt;
  if (!v->IsString() || v->GetStringLength() == 0) return issue(json_pointer(at, key), "must be a non-empty string");
  return std::nullopt;
}

std::optional<FixtureIssue> string_list(const JsonValue& item, const std::string& at, std::string_view key) {
  const JsonValue* v = json_member(item, key);
  if (v == nullptr) return std::nullopt;
  if (!v->IsArray()) return issue(json_pointer(at, key), "must be an array of strings");
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    if (!(*v)[i].IsString()) return issue(json_pointer(json_pointer(at, key), i), "must be a string");
  }
  return std::nullopt;
}

std::vector<std::string> strings(const JsonValue& item, std::string_view key) {
  std::vector<std::string> out;
  if (const JsonValue* v = json_member(item, key); v != nullptr && v->IsArray()) {
    for (const JsonValue& s : v->GetArray()) out.emplace_back(s.GetString(), s.GetStringLength());
  }
  return out;
}

// The issuer's keys: the inline JWKS, or the file it names (read again when the fixtures load).
std::optional<jwt::KeySet> issuer_keys(const JsonValue& item, const std::string& at, std::optional<FixtureIssue>& problem) {
  const JsonValue* inline_keys = json_member(item, "jwks");
  const JsonValue* file = json_member(item, "jwksFile");
  if ((inline_keys == nullptr) == (file == nullptr)) {
    problem = issue(at, "needs exactly one of jwks (a JWKS document) and jwksFile (the path of one)");
    return std::nullopt;
  }
  std::string error;
  JsonDocument document;
  const JsonValue* keys = inline_keys;
  std::string pointer = json_pointer(at, "jwks");
  if (file != nullptr) {
    pointer = json_pointer(at, "jwksFile");
    if (!file->IsString()) {
      problem = issue(pointer, "must be a path");
      return std::nullopt;
    }
    const auto text = read_document_file(file->GetString(), error);
    if (!text) {
      problem = issue(pointer, error);
      return std::nullopt;
    }
    if (const auto parse_error = parse_json(*text, document, JsonDialect::relaxed)) {
      problem = issue(pointer, std::string(file->GetString()) + ":" + std::to_string(parse_error->line) + ":" +
                                   std::to_string(parse_error->column) + ": " + parse_error->message);
      return std::nullopt;
    }
    keys = &document;
  }
  auto set = jwt::KeySet::parse(*keys, error);
  if (!set) problem = issue(pointer, error);
  return set;
}

std::optional<FixtureIssue> check_issuer(const JsonValue& item, const std::string& at) {
  if (auto i = keys_known(item, at, {"issuer", "allowedAudience", "allowedClients", "jwks", "jwksFile"})) return i;
  if (auto i = string_member(item, at, "issuer", true)) return i;
  for (std::string_view key : {"allowedAudience", "allowedClients"}) {
    if (auto i = string_list(item, at, key)) return i;
  }
  std::optional<FixtureIssue> problem;
  issuer_keys(item, at, problem);
  return problem;
}

std::optional<FixtureIssue> check_token(const JsonValue& item, const std::string& at) {
  if (auto i = keys_known(item, at,
                          {"providerName", "accessToken", "flow", "userId", "userIssuer", "workloadName", "accountId", "region"})) {
    return i;
  }
  for (std::string_view key : {"providerName", "accessToken"}) {
    if (auto i = string_member(item, at, key, true)) return i;
  }
  for (std::string_view key : {"userId", "userIssuer", "workloadName", "accountId", "region"}) {
    if (auto i = string_member(item, at, key, false)) return i;
  }
  if (json_member(item, "userIssuer") != nullptr && json_member(item, "userId") == nullptr) {
    return issue(json_pointer(at, "userIssuer"), "needs userId, the JWT's sub");
  }
  if (auto i = string_member(item, at, "flow", false)) return i;
  if (const std::string_view flow = text_of(item, "flow");
      json_member(item, "flow") != nullptr && std::find(std::begin(kFlows), std::end(kFlows), flow) == std::end(kFlows)) {
    return issue(json_pointer(at, "flow"), "must be M2M, USER_FEDERATION or ON_BEHALF_OF_TOKEN_EXCHANGE");
  }
  return std::nullopt;
}

void write_token(JsonWriter& w, const OauthToken& t, const StateOptions& options) {
  w.begin_object().field("providerName", t.provider);
  w.field("accessToken", options.secrets ? std::string_view(t.access_token) : kRedacted);
  if (!t.flow.empty()) w.field("flow", t.flow);
  if (!t.user_id.empty()) w.field("userId", t.user_id);
  // A vault token of a JWT user is that user's only: "jwt:<iss> <sub>", the sub being user_id.
  if (t.user.starts_with("jwt:") && t.user.size() > 5 + t.user_id.size()) {
    w.field("userIssuer", std::string_view(t.user).substr(4, t.user.size() - 5 - t.user_id.size()));
  }
  if (!t.workload.empty()) w.field("workloadName", t.workload);
  if (!t.account.empty()) w.field("accountId", t.account);
  if (!t.region.empty()) w.field("region", t.region);
  w.end_object();
}

}  // namespace

std::optional<FixtureIssue> check_identity_fixtures(const JsonValue& section, const std::string& root) {
  using Check = std::optional<FixtureIssue> (*)(const JsonValue&, const std::string&);
  const std::pair<std::string_view, Check> lists[] = {{kIssuers, check_issuer}, {kTokens, check_token}};
  for (const auto& [key, check] : lists) {
    const JsonValue* list = json_member(section, key);
    if (list == nullptr) continue;
    const std::string at = json_pointer(root, key);
    if (!list->IsArray()) return issue(at, std::string("must be an array, not ") + json_type_name(*list));
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      if (auto problem = check((*list)[i], json_pointer(at, i))) return problem;
    }
  }
  return std::nullopt;
}

void apply_identity_fixtures(State& state, const JsonValue& section) {
  IdentityStore& identity = state.identity;
  if (const JsonValue* list = json_member(section, kIssuers); list != nullptr && list->IsArray()) {
    for (const JsonValue& item : list->GetArray()) {
      std::optional<FixtureIssue> problem;
      auto keys = issuer_keys(item, "", problem);
      if (!keys) continue;  // checked before: only a file changed in between gets here
      jwt::Issuer issuer{std::string(text_of(item, "issuer")), strings(item, "allowedAudience"),
                         strings(item, "allowedClients"), std::move(*keys)};
      // A later fixture's issuer of the same name replaces the earlier one.
      for (std::size_t i = 0; i < identity.issuers.size(); ++i) {
        if (identity.issuers[i].issuer == issuer.issuer) {
          identity.issuers.erase(identity.issuers.begin() + static_cast<std::ptrdiff_t>(i));
          identity.issuer_sources.erase(identity.issuer_sources.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
      identity.issuers.push_back(std::move(issuer));
      JsonWriter source;
      source.value(item);
      identity.issuer_sources.push_back(source.take());
    }
  }
  if (const JsonValue* list = json_member(section, kTokens); list != nullptr && list->IsArray()) {
    for (const JsonValue& item : list->GetArray()) {
      const std::string_view issuer = text_of(item, "userIssuer");
      const std::string_view user_id = text_of(item, "userId");
      identity.tokens.push_back({std::string(text_of(item, "providerName")), std::string(text_of(item, "accessToken")),
                                 std::string(text_of(item, "flow")), std::string(user_id),
                                 std::string(text_of(item, "workloadName")), std::string(text_of(item, "accountId")),
                                 std::string(text_of(item, "region")),
                                 issuer.empty() ? std::string() : "jwt:" + std::string(issuer) + " " + std::string(user_id)});
    }
  }
  // An OAuth2 provider given with its input configuration shows the output form too, as the
  // control plane's Create answers it.
  for (auto& [key, tenant] : state.tenants) {
    for (auto& [name, r] : tenant.resources[static_cast<std::size_t>(KindId::oauth2_provider)]) {
      if (json_member(*r.record, "oauth2ProviderConfigOutput") == nullptr) oauth2_output(*r.record);
    }
  }
}

void write_identity_state(JsonWriter& w, const State& state, const StateOptions& options) {
  w.key(kIssuers).begin_array();
  for (const std::string& source : state.identity.issuer_sources) {
    JsonDocument doc;
    if (!parse_json(source, doc, JsonDialect::relaxed)) w.value(doc);  // public keys: nothing to redact
  }
  w.end_array();
  // The fixtures' tokens, then those users consented to (the vault), so a dump keeps both.
  w.key(kTokens).begin_array();
  for (const OauthToken& t : state.identity.tokens) write_token(w, t, options);
  for (const auto& [key, tenant] : state.identity.tenants) {
    for (const OauthToken& t : tenant.vault) write_token(w, t, options);
  }
  w.end_array();
}

}  // namespace agentemu::agentcore
