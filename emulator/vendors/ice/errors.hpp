// The ICE error catalogue: every Code the emulator answers with, its HTTP status and default
// Message, and the one renderer of the POP gateway's envelope
// {RequestId, HostId, Code, Message, Recommend} in JSON or (Format=XML) XML.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http.hpp"

namespace agentemu::ice {

struct ErrorDef {
  std::string_view code;
  int status;
  std::string_view message;
};

// A catalogue entry, or nullptr. "Missing<Name>" is answered for any parameter name (see
// missing_param_error), so it is not a row here.
const ErrorDef* find_error(std::string_view code);

// True for every code render_error can produce: the catalogue plus Missing<Name>.
bool known_error(std::string_view code);

// "Missing" + Name with "<Name> is mandatory for this action."; Name must be an identifier.
std::optional<ErrorDef> missing_param_error(std::string_view code);

// The gateway puts Forbidden.RAM's reasons in an AccessDeniedDetail object.
struct AccessDenied {
  std::string_view account;     // AuthPrincipalOwnerId
  std::string_view access_key;  // AuthPrincipalDisplayName
  std::string_view action;      // ice:<Action>
  std::string_view principal_type = "SubUser";  // AssumedRoleUser for an STS credential
};

struct ErrorReply {
  std::string_view code;
  int status = 400;
  std::string_view message;
  int retry_after_seconds = -1;  // <0: none (Throttling* codes then default to 1)
  const AccessDenied* denied = nullptr;
};

// Where the envelope's RequestId and HostId come from, and which format the client asked for.
struct Envelope {
  std::string_view request_id;
  std::string_view host_id;
  bool xml = false;
};

void render_error(Response& response, const Envelope& envelope, const ErrorReply& error);

// "https://api.aliyun.com/troubleshoot?q=<Code>&product=ICE&requestId=<RequestId>"
std::string recommend_url(std::string_view code, std::string_view request_id);

inline constexpr std::string_view kJsonType = "application/json;charset=utf-8";
inline constexpr std::string_view kXmlType = "text/xml;charset=utf-8";

}  // namespace agentemu::ice
