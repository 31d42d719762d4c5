// The kinds of control-plane resource and how each is named, identified and settled (control.cpp
// serves them; fixtures.cpp loads and dumps them in the same shape).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/vendor.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

enum class IdStyle : std::uint8_t {
  suffixed,  // <name>-<10 letters or digits>, as AWS makes runtime, tool and memory ids
  by_name,   // the name is the id (identities, credential providers)
};

struct Kind {
  KindId id;
  std::string_view noun;            // in messages: "Agent runtime"
  std::string_view state_key;       // the fixture and state section: "runtimes", "memories"...
  std::string_view label;           // the label that names one in a request ("" : the body's name)
  std::string_view id_member;       // the record member holding the id ("" : none besides the name)
  std::string_view name_member;     // the record member holding the name
  std::string_view arn_member;      // the record member holding the ARN
  std::string_view arn_resource;    // the ARN's resource type: arn:aws:bedrock-agentcore:r:a:<type>/<id>
  std::string_view created_member;  // createdAt / createdTime
  std::string_view updated_member;  // lastUpdatedAt / updatedAt / lastUpdatedTime
  std::string_view ready;           // the steady status ("" : the kind has none)
  bool settles;                     // passes through CREATING / UPDATING / DELETING first
  IdStyle id_style;
  std::string_view wrap;            // outputs nest the record under this member ("memory")
  std::string_view list_member;     // the list answer's member
  int default_page;
};

inline constexpr std::array<Kind, kKindCount> kKinds = {{
    {KindId::runtime, "Agent runtime", "runtimes", "agentRuntimeId", "agentRuntimeId", "agentRuntimeName",
     "agentRuntimeArn", "runtime", "createdAt", "lastUpdatedAt", "READY", true, IdStyle::suffixed, "",
     "agentRuntimes", 10},
    {KindId::endpoint, "Agent runtime endpoint", "endpoints", "endpointName", "", "name",
     "agentRuntimeEndpointArn", "runtime", "createdAt", "lastUpdatedAt", "READY", true, IdStyle::by_name, "",
     "runtimeEndpoints", 10},
    {KindId::code_interpreter, "Code interpreter", "codeInterpreters", "codeInterpreterId", "codeInterpreterId",
     "name", "codeInterpreterArn", "code-interpreter-custom", "createdAt", "lastUpdatedAt", "READY", true,
     IdStyle::suffixed, "", "codeInterpreterSummaries", 10},
    {KindId::browser, "Browser", "browsers", "browserId", "browserId", "name", "browserArn", "browser-custom",
     "createdAt", "lastUpdatedAt", "READY", true, IdStyle::suffixed, "", "browserSummaries", 10},
    {KindId::browser_profile, "Browser profile", "browserProfiles", "profileId", "profileId", "name", "profileArn",
     "browser-profile", "createdAt", "lastUpdatedAt", "READY", false, IdStyle::suffixed, "", "profileSummaries", 10},
    {KindId::memory, "Memory", "memories", "memoryId", "id", "name", "arn", "memory", "createdAt", "updatedAt",
     "ACTIVE", true, IdStyle::suffixed, "memory", "memories", 20},
    {KindId::workload_identity, "Workload identity", "workloadIdentities", "", "", "name", "workloadIdentityArn",
     "workload-identity-directory/default/workload-identity", "createdTime", "lastUpdatedTime", "", false,
     IdStyle::by_name, "", "workloadIdentities", 10},
    {KindId::api_key_provider, "API key credential provider", "apiKeyCredentialProviders", "", "", "name",
     "credentialProviderArn", "token-vault/default/apikeycredentialprovider", "createdTime", "lastUpdatedTime", "",
     false, IdStyle::by_name, "", "credentialProviders", 10},
    {KindId::oauth2_provider, "OAuth2 credential provider", "oauth2CredentialProviders", "", "", "name",
     "credentialProviderArn", "token-vault/default/oauth2credentialprovider", "createdTime", "lastUpdatedTime",
     "READY", false, IdStyle::by_name, "", "credentialProviders", 10},
}};

const Kind& kind(KindId id);

// The tag that gives a runtime created by the control plane its invocationUrl (README).
inline constexpr std::string_view kInvocationUrlTag = "agentemu:invocationUrl";
std::string invocation_url_of(const JsonValue& record);

// Fixtures: the control plane's record of a runtime the fixtures name (READY, version 1, its
// endpoints), and a record of another kind as the fixture holds it (the Get output's members).
void add_fixture_runtime(State& state, const Runtime& runtime, SystemTime now);
void add_fixture_record(State& state, const Kind& k, const JsonValue& item, SystemTime now);
// The tenant ("account/region", State::tenants' key) a fixture record belongs to: the one its ARN
// names, else the default account and region.
std::string fixture_record_tenant(const Kind& k, const JsonValue& item);

// The output form of an OAuth2 provider's configuration: the input's, without the secret.
void oauth2_output(JsonDocument& record);
// The "controlPlane" section (control_state.cpp): the records of runtimes, endpoints, code
// interpreters and browsers as the dump writes them; applied after the other sections.
std::optional<FixtureIssue> check_control_state(const JsonValue& list, const std::string& at);
void apply_control_state(State& state, const JsonValue& list, SystemTime now);
void write_control_state(JsonWriter& w, const State& state, SystemTime now);

std::string random_suffix(std::size_t length);
std::string resource_arn(const Kind& k, std::string_view region, std::string_view account, std::string_view id);
void set_text(JsonDocument& doc, std::string_view key, std::string_view value);
void set_value(JsonDocument& doc, std::string_view key, const JsonValue& value);

}  // namespace agentemu::agentcore
