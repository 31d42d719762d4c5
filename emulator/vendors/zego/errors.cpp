#include "vendors/zego/errors.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/crypto.hpp"

namespace agentemu::zego {
namespace {

// Sorted by code. Texts are the "Description" column of return-codes.mdx.
constexpr std::array kCatalogue = {
    ErrorInfo{100000000, "Incorrect Host in the request header."},
    ErrorInfo{100000001, "Incorrect format of AppId field."},
    ErrorInfo{100000002, "Timestamp field is empty."},
    ErrorInfo{100000003, "Incorrect format of Timestamp field."},
    ErrorInfo{100000004, "Signature expired."},
    ErrorInfo{100000005, "Signature error."},
    ErrorInfo{100000006, "Action is empty."},
    ErrorInfo{100000007, "Unsupported Action."},
    ErrorInfo{100000008, "SignatureNonce field is empty."},
    ErrorInfo{100000009, "Signature field is empty."},
    ErrorInfo{100000010, "Failed to get ServerSecret."},
    ErrorInfo{100000011, "Failed to get App configuration."},
    ErrorInfo{100000012, "Failed to read HTTP packet body."},
    ErrorInfo{100000013, "SignatureVersion field is empty."},
    ErrorInfo{100000014, "Unsupported SignatureVersion."},
    ErrorInfo{100000015, "Internal gateway error."},
    ErrorInfo{100000017, "The App has not enabled this service."},
    ErrorInfo{410000001, "System error."},
    ErrorInfo{410000002, "Invalid AppID."},
    ErrorInfo{410000003, "Invalid parameter."},
    ErrorInfo{410000004, "JSON parsing failed."},
    ErrorInfo{410000005, "Gateway authentication failed."},
    ErrorInfo{410000006, "The App has not enabled this service."},
    ErrorInfo{410000007, "Request frequency limit exceeded."},
    ErrorInfo{410000009, "Internal service call failed."},
    ErrorInfo{410000010, "Insufficient service resources."},
    ErrorInfo{410000011, "APP online instance concurrency limit."},
    ErrorInfo{410000014, "Invalid digital human parameter."},
    ErrorInfo{410001002, "AI agent instance not found."},
    ErrorInfo{410001003, "AI agent instance creation failed."},
    ErrorInfo{410001004, "AI agent instance modification failed."},
    ErrorInfo{410001005, "AI agent instance deletion failed."},
    ErrorInfo{410001006, "Active LLM call failed."},
    ErrorInfo{410001007, "Active TTS call failed."},
    ErrorInfo{410001008, "AI agent already exists."},
    ErrorInfo{410001009, "AI agent not found."},
    ErrorInfo{410001010, "Failed to load the message history."},
    ErrorInfo{410001011, "AI agent instance update failed."},
    ErrorInfo{410001013, "AI agent is listening."},
    ErrorInfo{410001016, "User does not exist."},
    ErrorInfo{410001022, "Failed to get the agent instance context."},
    ErrorInfo{410001023, "Failed to reset the agent instance context."},
    ErrorInfo{410001024, "Failed to interrupt the agent instance."},
    ErrorInfo{410001025, "Digital human service resource insufficient."},
    ErrorInfo{410001026, "Digital human ConfigId does not support."},
    ErrorInfo{410001027, "Digital human DigitalHumanId is incorrect."},
    ErrorInfo{410001028, "Digital human intelligent agent instance creation failed."},
    ErrorInfo{410001029, "Digital human interface frequency limit."},
    ErrorInfo{410001030, "Digital human stream ID duplicate."},
    ErrorInfo{410001031, "Digital human concurrency has reached the upper limit."},
    ErrorInfo{410001032, "Digital human service system error."},
    ErrorInfo{410001033, "LLM test account expired"},
    ErrorInfo{410001034, "TTS test account expired"},
    ErrorInfo{410001035, "App test account expired"},
    ErrorInfo{410001041, "Agent instance is being gracefully shut down"},
    ErrorInfo{410001042, "Agent instance interaction mode is not walkie-talkie mode"},
    ErrorInfo{410001043, "Sequence validation failed"},
    ErrorInfo{410001044, "Failed to start listening"},
    ErrorInfo{410001045, "Failed to stop listening"},
    ErrorInfo{410001046, "User has not started streaming yet"},
    ErrorInfo{410001047, "LLM.ApiKey is \"zego_test\", but the provided LLM.Url is invalid"},
    ErrorInfo{410001048, "Digital human DigitalHumanId does not belong to this APP"},
    ErrorInfo{410001049, "API operations on live digital human instance are prohibited"},
};

static_assert(std::is_sorted(kCatalogue.begin(), kCatalogue.end(),
                             [](const ErrorInfo& a, const ErrorInfo& b) { return a.code < b.code; }));

}  // namespace

std::span<const ErrorInfo> error_catalogue() { return kCatalogue; }

const ErrorInfo* find_error(std::int64_t code) {
  const auto it = std::lower_bound(kCatalogue.begin(), kCatalogue.end(), code,
                                   [](const ErrorInfo& e, std::int64_t c) { return e.code < c; });
  return it != kCatalogue.end() && it->code == code ? &*it : nullptr;
}

std::optional<std::int64_t> parse_error_id(std::string_view id) {
  std::int64_t code = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), code);
  if (ec != std::errc{} || end != id.data() + id.size() || find_error(code) == nullptr) return std::nullopt;
  return code;
}

namespace {

// 1e18 .. 1e19-1: always 19 digits, like "1843985617336143872".
std::string_view write_request_id(char (&buf)[24]) {
  const std::uint64_t n = 1000000000000000000ULL + random_u64() % 8999999999999999999ULL;
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;
  return {buf, static_cast<std::size_t>(end - buf)};
}

}  // namespace

std::string new_request_id() {
  char buf[24];
  return std::string(write_request_id(buf));
}

void begin_envelope(JsonWriter& w, std::int64_t code, std::string_view message) {
  char id[24];
  w.begin_object().field_int("Code", code).field("Message", message).field("RequestId", write_request_id(id));
}

void finish_envelope(Call& call, JsonWriter& w, int status) {
  w.end_object();
  call.response.set(status, kContentType, w.take());
}

void render_code(Call& call, std::int64_t code, std::string_view message, int status, int retry_after_seconds) {
  if (message.empty()) {
    const ErrorInfo* info = find_error(code);
    message = info != nullptr ? info->message : std::string_view("Unknown error.");
  }
  JsonWriter w;
  begin_envelope(w, code, message);
  finish_envelope(call, w, status);
  if (retry_after_seconds >= 0) call.response.add_header("Retry-After", std::to_string(retry_after_seconds));
  call.error_code = std::to_string(code);
}

void render_ok(Call& call) {
  JsonWriter w;
  begin_envelope(w, code::kOk, "Success");
  finish_envelope(call, w);
}

}  // namespace agentemu::zego
