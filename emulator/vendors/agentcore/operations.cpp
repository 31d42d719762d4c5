#include "vendors/agentcore/operations.hpp"

#include <cmath>
#include <cstdio>

#include "core/json.hpp"
#include "core/text.hpp"

namespace agentemu::agentcore {
namespace {

// ---- Hand-written matchers for the model's patterns -------------------------------------------

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool lower_alnum_dash(char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '-'; }

bool client_token(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

bool no_whitespace(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') return false;
  }
  return true;
}

bool account_digits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (!digit(c)) return false;
  }
  return true;
}

bool host_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || !alnum(label.front()) || !alnum(label.back())) return false;
  for (char c : label) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

bool host_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::string_view label : split(s, '.')) {
    if (!host_label(label)) return false;
  }
  return true;
}

bool domain_pattern(std::string_view s) {
  if (!s.empty() && s.front() == '.') s.remove_prefix(1);
  return host_name(s);
}

bool s3_bucket(std::string_view s) {
  const auto edge = [](char c) { return (c >= 'a' && c <= 'z') || digit(c); };
  if (s.size() < 2 || !edge(s.front()) || !edge(s.back())) return false;
  for (char c : s) {
    if (!edge(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// arn:aws(-[a-z-]+)?:<service>:<region [a-z0-9-]+>:<account>: and what follows; false when the
// prefix does not fit.
bool arn_prefix(std::string_view& s, std::string_view service, bool strict_partition) {
  if (!s.starts_with("arn:aws")) return false;
  s.remove_prefix(7);
  if (!s.empty() && s.front() == '-') {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon < 2) return false;
    if (strict_partition) {
      for (char c : s.substr(1, colon - 1)) {
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
      }
    }
    s.remove_prefix(colon);
  }
  if (!s.starts_with(':') || !s.substr(1).starts_with(service) || s.size() < service.size() + 2 ||
      s[service.size() + 1] != ':') {
    return false;
  }
  s.remove_prefix(service.size() + 2);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : s.substr(0, colon)) {
    if (!lower_alnum_dash(c)) return false;
  }
  s.remove_prefix(colon + 1);
  if (s.size() < 13 || !account_digits(s.substr(0, 12)) || s[12] != ':') return false;
  s.remove_prefix(13);
  return true;
}

bool secret_arn(std::string_view s) {
  if (!arn_prefix(s, "secretsmanager", true) || !s.starts_with("secret:")) return false;
  s.remove_prefix(7);
  if (s.empty()) return false;
  for (char c : s) {
    if (!alnum(c) && std::string_view("/_+=.@-").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool runtime_arn_or_id(std::string_view s) { return is_runtime_arn(s) || is_runtime_id(s); }

const Pattern kClientToken{"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$", client_token};
const Pattern kToolSessionId{"^[0-9a-zA-Z]{1,40}$", is_tool_session_id};
const Pattern kAccountId{"^[0-9]{12}$", account_digits};
const Pattern kNextToken{"^\\S*$", no_whitespace};
const Pattern kSecretArn{"^arn:aws(-[a-z-]+)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[a-zA-Z0-9/_+=.@-]+$",
                         secret_arn};
const Pattern kBucket{"^[a-z0-9][a-z0-9.-]*[a-z0-9]$", s3_bucket};
const Pattern kProfileId{"^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$", is_runtime_id};
const Pattern kHostName{
    "^[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?)*$", host_name};
const Pattern kDomainPattern{
    "^(\\.)?[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?)*$",
    domain_pattern};
// Not in the data-plane model (agentRuntimeArn is a bare String there): the shape of the runtime
// ARNs the control plane hands out, or of a bare agent id used with ?accountId=.
const Pattern kRuntimeArnOrId{
    "^arn:aws(-[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:runtime/[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$"
    " or an agent id ^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$",
    runtime_arn_or_id};

// ---- Enums -------------------------------------------------------------------------------------

constexpr std::string_view kSessionStatus[] = {"READY", "TERMINATED"};
constexpr std::string_view kStreamStatus[] = {"ENABLED", "DISABLED"};
constexpr std::string_view kToolNames[] = {"executeCode", "executeCommand",        "readFiles",
                                           "listFiles",   "removeFiles",           "writeFiles",
                                           "startCommandExecution", "getTask", "stopTask"};
constexpr std::string_view kLanguages[] = {"python", "javascript", "typescript"};
constexpr std::string_view kJsRuntimes[] = {"nodejs", "deno", "python"};
constexpr std::string_view kPolicyTypes[] = {"MANAGED", "RECOMMENDED"};

constexpr auto kLabel = static_cast<std::uint8_t>(Where::label);
constexpr auto kQuery = static_cast<std::uint8_t>(Where::query);
constexpr auto kHeader = static_cast<std::uint8_t>(Where::header);
constexpr auto kBody = static_cast<std::uint8_t>(Where::body);
constexpr auto kPayload = static_cast<std::uint8_t>(Where::payload);

constexpr std::int64_t kMaxLen = 100'000'000;  // MaxLenString, Body

// ---- Nested shapes -----------------------------------------------------------------------------

const ParamSpec kSecretsManagerLocation[] = {
    {.name = "secretArn", .where = kBody, .required = true, .pattern = &kSecretArn},
};
const ParamSpec kCertificateLocation[] = {  // union
    {.name = "secretsManager", .where = kBody, .type = ParamType::object, .members = kSecretsManagerLocation},
};
const ParamSpec kCertificate[] = {
    {.name = "location", .where = kBody, .type = ParamType::object, .required = true, .members = kCertificateLocation},
};
const ParamSpec kCertificateItem{.name = "certificate", .where = kBody, .type = ParamType::object, .members = kCertificate};

const ParamSpec kFileSystemMembers[] = {
    {.name = "accessPointArn", .where = kBody, .required = true},
    {.name = "mountPath", .where = kBody, .required = true},
    {.name = "fileSystemArn", .where = kBody, .required = true},
};
const ParamSpec kFileSystemConfiguration[] = {  // union
    {.name = "s3FilesConfiguration", .where = kBody, .type = ParamType::object, .members = kFileSystemMembers},
    {.name = "efsConfiguration", .where = kBody, .type = ParamType::object, .members = kFileSystemMembers},
};
const ParamSpec kFileSystemItem{
    .name = "filesystemConfiguration", .where = kBody, .type = ParamType::object, .members = kFileSystemConfiguration};

const ParamSpec kViewPort[] = {
    {.name = "width", .where = kBody, .type = ParamType::integer, .required = true, .min = 320, .max = 3840},
    {.name = "height", .where = kBody, .type = ParamType::integer, .required = true, .min = 240, .max = 2160},
};

const ParamSpec kS3Location[] = {
    {.name = "bucket", .where = kBody, .required = true, .min_length = 3, .max_length = 63, .pattern = &kBucket},
    {.name = "prefix", .where = kBody, .required = true, .min_length = 1, .max_length = 1024},
    {.name = "versionId", .where = kBody, .min_length = 1, .max_length = 1024},
};
const ParamSpec kResourceLocation[] = {  // union
    {.name = "s3", .where = kBody, .type = ParamType::object, .members = kS3Location},
};
const ParamSpec kExtension[] = {
    {.name = "location", .where = kBody, .type = ParamType::object, .required = true, .members = kResourceLocation},
};
const ParamSpec kExtensionItem{.name = "extension", .where = kBody, .type = ParamType::object, .members = kExtension};

const ParamSpec kProfileConfiguration[] = {
    {.name = "profileIdentifier", .where = kBody, .required = true, .pattern = &kProfileId},
};

const ParamSpec kDomainPatternItem{
    .name = "domainPattern", .where = kBody, .min_length = 1, .max_length = 253, .pattern = &kDomainPattern};
const ParamSpec kBasicAuth[] = {
    {.name = "secretArn", .where = kBody, .required = true, .pattern = &kSecretArn},
};
const ParamSpec kProxyCredentials[] = {  // union
    {.name = "basicAuth", .where = kBody, .type = ParamType::object, .members = kBasicAuth},
};
const ParamSpec kExternalProxy[] = {
    {.name = "server", .where = kBody, .required = true, .min_length = 1, .max_length = 253, .pattern = &kHostName},
    {.name = "port", .where = kBody, .type = ParamType::integer, .required = true, .min = 1, .max = 65535},
    {.name = "domainPatterns", .where = kBody, .type = ParamType::array, .min_length = 1, .max_length = 100,
     .items = &kDomainPatternItem},
    {.name = "credentials", .where = kBody, .type = ParamType::object, .members = kProxyCredentials},
};
const ParamSpec kProxy[] = {  // union
    {.name = "externalProxy", .where = kBody, .type = ParamType::object, .members = kExternalProxy},
};
const ParamSpec kProxyItem{.name = "proxy", .where = kBody, .type = ParamType::object, .members = kProxy};
const ParamSpec kProxyBypass[] = {
    {.name = "domainPatterns", .where = kBody, .type = ParamType::array, .min_length = 1, .max_length = 100,
     .items = &kDomainPatternItem},
};
const ParamSpec kProxyConfiguration[] = {
    {.name = "proxies", .where = kBody, .type = ParamType::array, .required = true, .min_length = 1, .max_length = 5,
     .items = &kProxyItem},
    {.name = "bypass", .where = kBody, .type = ParamType::object, .members = kProxyBypass},
};

const ParamSpec kEnterprisePolicy[] = {
    {.name = "location", .where = kBody, .type = ParamType::object, .required = true, .members = kResourceLocation},
    {.name = "type", .where = kBody, .one_of = kPolicyTypes},
};
const ParamSpec kEnterprisePolicyItem{
    .name = "enterprisePolicy", .where = kBody, .type = ParamType::object, .members = kEnterprisePolicy};

const ParamSpec kAutomationStreamUpdate[] = {
    {.name = "streamStatus", .where = kBody, .one_of = kStreamStatus},
};
const ParamSpec kStreamUpdate[] = {  // union
    {.name = "automationStreamUpdate", .where = kBody, .type = ParamType::object, .members = kAutomationStreamUpdate},
};

const ParamSpec kMaxLenItem{.name = "path", .where = kBody, .max_length = kMaxLen};
const ParamSpec kInputContentBlock[] = {
    {.name = "path", .where = kBody, .required = true, .max_length = kMaxLen},
    {.name = "text", .where = kBody, .max_length = kMaxLen},
    {.name = "blob", .where = kBody, .max_length = kMaxLen},
};
const ParamSpec kInputContentItem{
    .name = "content", .where = kBody, .type = ParamType::object, .members = kInputContentBlock};
const ParamSpec kToolArguments[] = {
    {.name = "code", .where = kBody, .max_length = kMaxLen},
    {.name = "language", .where = kBody, .one_of = kLanguages},
    {.name = "clearContext", .where = kBody, .type = ParamType::boolean},
    {.name = "command", .where = kBody, .max_length = kMaxLen},
    {.name = "path", .where = kBody, .max_length = kMaxLen},
    {.name = "paths", .where = kBody, .type = ParamType::array, .items = &kMaxLenItem},
    {.name = "content", .where = kBody, .type = ParamType::array, .items = &kInputContentItem},
    {.name = "directoryPath", .where = kBody, .max_length = kMaxLen},
    {.name = "taskId", .where = kBody, .max_length = kMaxLen},
    {.name = "runtime", .where = kBody, .one_of = kJsRuntimes},
};

const ParamSpec* const kUnions[] = {kCertificateLocation, kFileSystemConfiguration, kResourceLocation,
                                    kProxyCredentials, kProxy, kStreamUpdate};
const std::size_t kUnionSizes[] = {std::size(kCertificateLocation), std::size(kFileSystemConfiguration),
                                   std::size(kResourceLocation),    std::size(kProxyCredentials),
                                   std::size(kProxy),               std::size(kStreamUpdate)};

bool is_union(std::span<const ParamSpec> members) {
  for (std::size_t i = 0; i < std::size(kUnions); ++i) {
    if (members.data() == kUnions[i] && members.size() == kUnionSizes[i]) return true;
  }
  return false;
}

// ---- Members of each operation -----------------------------------------------------------------

constexpr Member trace_id(std::int64_t max) {
  return {{.name = "traceId", .where = kHeader, .min_length = 0, .max_length = max}, "X-Amzn-Trace-Id"};
}
constexpr Member trace_parent(std::int64_t max) {
  return {{.name = "traceParent", .where = kHeader, .min_length = 0, .max_length = max}, "traceparent"};
}
const Member kClientTokenMember{{.name = "clientToken", .where = kBody, .min_length = 33, .max_length = 256,
                                 .pattern = &kClientToken},
                                ""};
const Member kRequiredSessionQuery{
    {.name = "sessionId", .where = kQuery, .required = true, .pattern = &kToolSessionId}, "sessionId"};

constexpr Member label(std::string_view name) {
  return {{.name = name, .where = kLabel, .required = true, .min_length = 1}, ""};
}

const Member kInvokeAgentRuntimeMembers[] = {
    {{.name = "agentRuntimeArn", .where = kLabel, .required = true, .min_length = 1, .pattern = &kRuntimeArnOrId}, ""},
    {{.name = "qualifier", .where = kQuery}, "qualifier"},
    {{.name = "accountId", .where = kQuery, .pattern = &kAccountId}, "accountId"},
    {{.name = "contentType", .where = kHeader, .min_length = 1, .max_length = 256}, "Content-Type"},
    {{.name = "accept", .where = kHeader, .min_length = 1, .max_length = 256}, "Accept"},
    {{.name = "mcpSessionId", .where = kHeader, .min_length = 1, .max_length = 1024}, "Mcp-Session-Id"},
    {{.name = "runtimeSessionId", .where = kHeader, .min_length = 33, .max_length = 256},
     "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"},
    {{.name = "mcpProtocolVersion", .where = kHeader, .min_length = 1, .max_length = 1024}, "Mcp-Protocol-Version"},
    {{.name = "mcpMethod", .where = kHeader}, "Mcp-Method"},
    {{.name = "mcpName", .where = kHeader}, "Mcp-Name"},
    {{.name = "runtimeUserId", .where = kHeader, .min_length = 1, .max_length = 1024},
     "X-Amzn-Bedrock-AgentCore-Runtime-User-Id"},
    trace_id(128),
    trace_parent(128),
    {{.name = "traceState", .where = kHeader, .min_length = 0, .max_length = 512}, "tracestate"},
    {{.name = "baggage", .where = kHeader, .min_length = 0, .max_length = 8192}, "baggage"},
    {{.name = "payload", .where = kPayload, .type = ParamType::any, .required = true}, ""},
};

const Member kStopRuntimeSessionMembers[] = {
    {{.name = "agentRuntimeArn", .where = kLabel, .required = true, .min_length = 1, .pattern = &kRuntimeArnOrId}, ""},
    {{.name = "runtimeSessionId", .where = kHeader, .required = true, .min_length = 33, .max_length = 256},
     "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"},
    {{.name = "qualifier", .where = kQuery}, "qualifier"},
    kClientTokenMember,
};

const Member kStartCodeInterpreterSessionMembers[] = {
    label("codeInterpreterIdentifier"),
    trace_id(1024),
    trace_parent(1024),
    {{.name = "name", .where = kBody, .min_length = 1, .max_length = 100}, ""},
    {{.name = "sessionTimeoutSeconds", .where = kBody, .type = ParamType::integer, .min = 1, .max = 28800}, ""},
    {{.name = "certificates", .where = kBody, .type = ParamType::array, .min_length = 1, .max_length = 200,
      .items = &kCertificateItem},
     ""},
    {{.name = "filesystemConfigurations", .where = kBody, .type = ParamType::array, .items = &kFileSystemItem}, ""},
    kClientTokenMember,
};

const Member kStopCodeInterpreterSessionMembers[] = {
    label("codeInterpreterIdentifier"), kRequiredSessionQuery, trace_id(1024), trace_parent(1024), kClientTokenMember,
};

const Member kGetCodeInterpreterSessionMembers[] = {label("codeInterpreterIdentifier"), kRequiredSessionQuery};

const Member kListMembersCi[] = {
    label("codeInterpreterIdentifier"),
    {{.name = "maxResults", .where = kBody, .type = ParamType::integer, .min = 1, .max = 100}, ""},
    {{.name = "nextToken", .where = kBody, .min_length = 1, .max_length = 2048, .pattern = &kNextToken}, ""},
    {{.name = "status", .where = kBody, .one_of = kSessionStatus}, ""},
};

const Member kInvokeCodeInterpreterMembers[] = {
    label("codeInterpreterIdentifier"),
    {{.name = "sessionId", .where = kHeader, .pattern = &kToolSessionId}, "x-amzn-code-interpreter-session-id"},
    trace_id(1024),
    trace_parent(1024),
    {{.name = "name", .where = kBody, .required = true, .one_of = kToolNames}, ""},
    {{.name = "arguments", .where = kBody, .type = ParamType::object, .members = kToolArguments}, ""},
};

const Member kStartBrowserSessionMembers[] = {
    label("browserIdentifier"),
    trace_id(1024),
    trace_parent(1024),
    {{.name = "name", .where = kBody, .min_length = 1, .max_length = 100}, ""},
    {{.name = "sessionTimeoutSeconds", .where = kBody, .type = ParamType::integer, .min = 1, .max = 28800}, ""},
    {{.name = "viewPort", .where = kBody, .type = ParamType::object, .members = kViewPort}, ""},
    {{.name = "extensions", .where = kBody, .type = ParamType::array, .min_length = 1, .max_length = 10,
      .items = &kExtensionItem},
     ""},
    {{.name = "profileConfiguration", .where = kBody, .type = ParamType::object, .members = kProfileConfiguration}, ""},
    {{.name = "proxyConfiguration", .where = kBody, .type = ParamType::object, .members = kProxyConfiguration}, ""},
    {{.name = "enterprisePolicies", .where = kBody, .type = ParamType::array, .min_length = 0, .max_length = 100,
      .items = &kEnterprisePolicyItem},
     ""},
    {{.name = "certificates", .where = kBody, .type = ParamType::array, .min_length = 1, .max_length = 200,
      .items = &kCertificateItem},
     ""},
    {{.name = "filesystemConfigurations", .where = kBody, .type = ParamType::array, .items = &kFileSystemItem}, ""},
    kClientTokenMember,
};

const Member kStopBrowserSessionMembers[] = {
    label("browserIdentifier"), kRequiredSessionQuery, trace_id(1024), trace_parent(1024), kClientTokenMember,
};

const Member kGetBrowserSessionMembers[] = {label("browserIdentifier"), kRequiredSessionQuery};

const Member kListMembersBrowser[] = {
    label("browserIdentifier"),
    {{.name = "maxResults", .where = kBody, .type = ParamType::integer, .min = 1, .max = 100}, ""},
    {{.name = "nextToken", .where = kBody, .min_length = 1, .max_length = 2048, .pattern = &kNextToken}, ""},
    {{.name = "status", .where = kBody, .one_of = kSessionStatus}, ""},
};

const Member kUpdateBrowserStreamMembers[] = {
    label("browserIdentifier"),
    kRequiredSessionQuery,
    {{.name = "streamUpdate", .where = kBody, .type = ParamType::object, .required = true, .members = kStreamUpdate},
     ""},
    kClientTokenMember,
};

// ---- Errors each operation may raise (the model's op "errors") --------------------------------

constexpr std::string_view kInvokeErrors[] = {
    "AccessDeniedException", "InternalServerException",       "ResourceNotFoundException",
    "RetryableConflictException", "RuntimeClientError",       "ServiceQuotaExceededException",
    "ThrottlingException",   "ValidationException"};
constexpr std::string_view kStopRuntimeErrors[] = {
    "AccessDeniedException",      "ConflictException",   "InternalServerException",
    "ResourceNotFoundException",  "RetryableConflictException", "RuntimeClientError",
    "ServiceQuotaExceededException", "ThrottlingException", "UnauthorizedException",
    "ValidationException"};
constexpr std::string_view kMutatingErrors[] = {
    "AccessDeniedException",     "ConflictException",             "InternalServerException",
    "ResourceNotFoundException", "ServiceQuotaExceededException", "ThrottlingException",
    "ValidationException"};
constexpr std::string_view kReadErrors[] = {"AccessDeniedException", "InternalServerException",
                                            "ResourceNotFoundException", "ThrottlingException",
                                            "ValidationException"};

const Operation kOperations[] = {
    {kInvokeAgentRuntime, "InvokeAgentRuntime", "POST", "runtimes", "invocations", kInvokeAgentRuntimeMembers, false,
     kInvokeErrors},
    {kStopRuntimeSession, "StopRuntimeSession", "POST", "runtimes", "stopruntimesession", kStopRuntimeSessionMembers, true,
     kStopRuntimeErrors},
    {kStartCodeInterpreterSession, "StartCodeInterpreterSession", "PUT", "code-interpreters", "sessions/start",
     kStartCodeInterpreterSessionMembers, true, kMutatingErrors},
    {kStopCodeInterpreterSession, "StopCodeInterpreterSession", "PUT", "code-interpreters", "sessions/stop",
     kStopCodeInterpreterSessionMembers, true, kMutatingErrors},
    {kGetCodeInterpreterSession, "GetCodeInterpreterSession", "GET", "code-interpreters", "sessions/get",
     kGetCodeInterpreterSessionMembers, false, kReadErrors},
    {kListCodeInterpreterSessions, "ListCodeInterpreterSessions", "POST", "code-interpreters", "sessions/list",
     kListMembersCi, true, kReadErrors},
    {kInvokeCodeInterpreter, "InvokeCodeInterpreter", "POST", "code-interpreters", "tools/invoke",
     kInvokeCodeInterpreterMembers, true, kMutatingErrors},
    {kStartBrowserSession, "StartBrowserSession", "PUT", "browsers", "sessions/start", kStartBrowserSessionMembers, true,
     kMutatingErrors},
    {kStopBrowserSession, "StopBrowserSession", "PUT", "browsers", "sessions/stop", kStopBrowserSessionMembers, true,
     kMutatingErrors},
    {kGetBrowserSession, "GetBrowserSession", "GET", "browsers", "sessions/get", kGetBrowserSessionMembers, false, kReadErrors},
    {kListBrowserSessions, "ListBrowserSessions", "POST", "browsers", "sessions/list", kListMembersBrowser, true,
     kReadErrors},
    {kUpdateBrowserStream, "UpdateBrowserStream", "PUT", "browsers", "sessions/streams/update", kUpdateBrowserStreamMembers,
     true, kMutatingErrors},
};

constexpr std::string_view kNames[] = {
    "InvokeAgentRuntime",          "StopRuntimeSession",        "StartCodeInterpreterSession",
    "StopCodeInterpreterSession",  "GetCodeInterpreterSession", "ListCodeInterpreterSessions",
    "InvokeCodeInterpreter",       "StartBrowserSession",       "StopBrowserSession",
    "GetBrowserSession",           "ListBrowserSessions",       "UpdateBrowserStream"};
static_assert(std::size(kNames) == kOperationCount);

std::optional<Violation> union_violation(const ParamSpec& spec, const JsonValue& value, const std::string& path);

std::optional<Violation> check_unions(std::span<const ParamSpec> members, const JsonValue& object,
                                      const std::string& path, const ParamSpec& owner) {
  if (!object.IsObject()) return std::nullopt;
  if (is_union(members)) {
    int set = 0;
    std::string names;
    for (const ParamSpec& m : members) {
      const JsonValue* v = json_member(object, m.name);
      if (v != nullptr && !v->IsNull()) ++set;
      if (!names.empty()) names += ", ";
      names += m.name;
    }
    if (set != 1) {
      Violation v;
      v.path = path;
      v.spec = &owner;
      v.problem = Problem::missing;
      v.value = set == 0 ? "{}" : "more than one member";
      v.message = "Member must have exactly one of [" + names + "] set";
      return v;
    }
  }
  for (const ParamSpec& m : members) {
    const JsonValue* v = json_member(object, m.name);
    if (v == nullptr) continue;
    if (auto violation = union_violation(m, *v, path + "." + std::string(m.name))) return violation;
  }
  return std::nullopt;
}

std::optional<Violation> union_violation(const ParamSpec& spec, const JsonValue& value, const std::string& path) {
  if (spec.type == ParamType::object && !spec.members.empty()) return check_unions(spec.members, value, path, spec);
  if (spec.type == ParamType::array && spec.items != nullptr && value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      if (auto v = union_violation(*spec.items, value[i], path + "[" + std::to_string(i) + "]")) return v;
    }
  }
  return std::nullopt;
}

}  // namespace

std::span<const Operation> operations() { return kOperations; }
std::span<const std::string_view> operation_names() { return kNames; }

const Member* find_member(const Operation& op, std::string_view name) {
  for (const Member& m : op.members) {
    if (m.spec.name == name) return &m;
  }
  return nullptr;
}

const Operation* match_route(std::string_view method, std::string_view raw_path, std::string_view& raw_label,
                             bool& path_known) {
  path_known = false;
  if (raw_path.starts_with('/')) raw_path.remove_prefix(1);
  const auto first = raw_path.find('/');
  if (first == std::string_view::npos) return nullptr;
  const std::string_view collection = raw_path.substr(0, first);
  std::string_view rest = raw_path.substr(first + 1);
  const auto second = rest.find('/');
  if (second == std::string_view::npos) return nullptr;
  raw_label = rest.substr(0, second);
  rest.remove_prefix(second + 1);
  for (const Operation& op : kOperations) {
    if (op.collection != collection || op.rest != rest) continue;
    path_known = true;
    if (op.method == method) return &op;
  }
  return nullptr;
}

std::optional<Violation> validate_members(const Operation& op, const MemberSource& source) {
  for (const Member& m : op.members) {
    const ParamValue value = source.find(m);
    if (auto v = validate_value(m.spec, value, std::string(m.spec.name))) return v;
  }
  for (const Member& m : op.members) {
    if (m.spec.where != kBody) continue;
    const ParamValue value = source.find(m);
    if (value.json == nullptr) continue;
    if (auto v = union_violation(m.spec, *value.json, std::string(m.spec.name))) return v;
  }
  return std::nullopt;
}

std::string constraint_text(const Violation& v) {
  const ParamSpec& spec = *v.spec;
  switch (v.problem) {
    case Problem::missing:
      return v.message.starts_with("Member must") ? v.message : "Member must not be null";
    case Problem::wrong_type: {
      const auto at = v.message.rfind(" must be ");
      return "Member must be " + (at == std::string::npos ? std::string("of the modeled type") : v.message.substr(at + 9));
    }
    case Problem::too_short:
      return "Member must have length greater than or equal to " + std::to_string(spec.min_length.value_or(0));
    case Problem::too_long:
      return "Member must have length less than or equal to " + std::to_string(spec.max_length.value_or(0));
    case Problem::below_minimum:
      return "Member must have value greater than or equal to " + format_number(spec.min.value_or(0));
    case Problem::above_maximum:
      return "Member must have value less than or equal to " + format_number(spec.max.value_or(0));
    case Problem::pattern_mismatch:
      return "Member must satisfy regular expression pattern: " +
             std::string(spec.pattern != nullptr ? spec.pattern->text : "");
    case Problem::not_one_of: {
      std::string set;
      for (std::string_view option : spec.one_of) {
        if (!set.empty()) set += ", ";
        set += option;
      }
      return "Member must satisfy enum value set: [" + set + "]";
    }
    case Problem::invalid_json:
      return "Member must be valid JSON";
  }
  return "Member is invalid";
}

std::string violation_message(const Violation& v) {
  std::string value = v.problem == Problem::missing && v.value.empty() ? "null" : "'" + v.value + "'";
  return "1 validation error detected: Value " + value + " at '" + v.path +
         "' failed to satisfy constraint: " + constraint_text(v);
}

bool is_runtime_id(std::string_view s) {
  if (s.size() < 12 || s.size() > 59) return false;
  const std::size_t dash = s.size() - 11;
  if (s[dash] != '-') return false;
  for (char c : s.substr(dash + 1)) {
    if (!alnum(c)) return false;
  }
  const std::string_view name = s.substr(0, dash);
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
  for (char c : name) {
    if (!alnum(c) && c != '_') return false;
  }
  return true;
}

std::optional<RuntimeArnParts> parse_runtime_arn(std::string_view arn) {
  std::string_view s = arn;
  if (!arn_prefix(s, "bedrock-agentcore", false)) return std::nullopt;
  if (!s.starts_with("runtime/") || !is_runtime_id(s.substr(8))) return std::nullopt;
  // Re-split the now validated text for the parts.
  const auto parts = split(arn, ':');
  if (parts.size() != 6) return std::nullopt;
  return RuntimeArnParts{parts[1], parts[3], parts[4], s.substr(8)};
}

bool is_runtime_arn(std::string_view s) { return parse_runtime_arn(s).has_value(); }

bool is_tool_session_id(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    if (!alnum(c)) return false;
  }
  return true;
}

bool is_account_id(std::string_view s) { return account_digits(s); }

}  // namespace agentemu::agentcore
