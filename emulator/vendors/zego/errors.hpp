// ZEGO's return codes (api-reference/return-codes.mdx) and the one envelope every answer uses:
// {"Code", "Message", "RequestId", "Data"}. Errors are HTTP 200 with a non-zero Code: every
// action's OpenAPI file declares only a 200 response, and clients branch on Code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/call.hpp"
#include "core/json.hpp"

namespace agentemu::zego {

// The codes the emulator raises by name. The catalogue (errors.cpp) holds every documented code.
namespace code {
inline constexpr std::int64_t kOk = 0;
inline constexpr std::int64_t kWrongHost = 100000000;
inline constexpr std::int64_t kBadAppId = 100000001;
inline constexpr std::int64_t kTimestampEmpty = 100000002;
inline constexpr std::int64_t kBadTimestamp = 100000003;
inline constexpr std::int64_t kSignatureExpired = 100000004;
inline constexpr std::int64_t kSignatureError = 100000005;
inline constexpr std::int64_t kActionEmpty = 100000006;
inline constexpr std::int64_t kUnsupportedAction = 100000007;
inline constexpr std::int64_t kNonceEmpty = 100000008;
inline constexpr std::int64_t kSignatureEmpty = 100000009;
inline constexpr std::int64_t kUnknownAppId = 100000010;
inline constexpr std::int64_t kVersionEmpty = 100000013;
inline constexpr std::int64_t kUnsupportedVersion = 100000014;
inline constexpr std::int64_t kSystemError = 410000001;
inline constexpr std::int64_t kInvalidParameter = 410000003;
inline constexpr std::int64_t kJsonParseFailed = 410000004;
// Not a ZEGO code: the docs give a 10 requests/second limit but no code for it (README).
inline constexpr std::int64_t kRateLimited = 410000007;
inline constexpr std::int64_t kInstanceLimit = 410000011;
inline constexpr std::int64_t kInstanceNotFound = 410001002;
inline constexpr std::int64_t kActiveLlmFailed = 410001006;
inline constexpr std::int64_t kActiveTtsFailed = 410001007;
inline constexpr std::int64_t kAgentExists = 410001008;
inline constexpr std::int64_t kAgentNotFound = 410001009;
inline constexpr std::int64_t kAgentListening = 410001013;
inline constexpr std::int64_t kDigitalHumanStreamDuplicate = 410001030;
inline constexpr std::int64_t kDigitalHumanLimit = 410001031;
inline constexpr std::int64_t kShuttingDown = 410001041;
inline constexpr std::int64_t kNotWalkieTalkie = 410001042;
inline constexpr std::int64_t kStaleSequence = 410001043;
inline constexpr std::int64_t kZegoTestUrl = 410001047;
inline constexpr std::int64_t kLiveDigitalHuman = 410001049;
}  // namespace code

struct ErrorInfo {
  std::int64_t code;
  std::string_view message;  // the return-code table's description
};

// Every code of return-codes.mdx (en, plus 410001016 from zh) and the emulator's rate-limit code.
std::span<const ErrorInfo> error_catalogue();
const ErrorInfo* find_error(std::int64_t code);
// "410001041" -> 410001041 when the catalogue has it.
std::optional<std::int64_t> parse_error_id(std::string_view id);

// A RequestId like ZEGO's: a 19-digit decimal string.
std::string new_request_id();

inline constexpr std::string_view kContentType = "application/json; charset=utf-8";

// Starts an envelope: {"Code":code,"Message":message,"RequestId":"..." — the caller adds "Data"
// (or nothing) and closes the object with finish().
void begin_envelope(JsonWriter& w, std::int64_t code, std::string_view message);
void finish_envelope(Call& call, JsonWriter& w, int status = 200);

// Error envelope (no Data); an empty message takes the catalogue's text.
void render_code(Call& call, std::int64_t code, std::string_view message = {}, int status = 200,
                 int retry_after_seconds = -1);
// Success envelope without Data.
void render_ok(Call& call);

}  // namespace agentemu::zego
