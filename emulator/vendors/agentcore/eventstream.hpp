// The AWS event-stream framing (application/vnd.amazon.eventstream) that InvokeCodeInterpreter
// answers with, and a decoder so tests can read frames back:
//   [total length u32][headers length u32][prelude CRC32 u32][headers][payload][message CRC32 u32]
// all big-endian; a header is [name length u8][name][type u8][value], and the only type this
// service sends is 7 (string: [length u16][UTF-8]). CRC32 is zlib's (IEEE 802.3, reflected).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentemu::agentcore {

// zlib-compatible CRC32; pass a previous result as `crc` to continue over more bytes.
std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0);

struct EventHeader {
  std::string_view name;
  std::string_view value;  // sent as a string header (type 7)
};

// Appends one complete message. Header names must be at most 255 bytes, values 65535.
void append_event_message(std::string& out, std::span<const EventHeader> headers, std::string_view payload);

// :message-type event, :event-type <type>, :content-type application/json.
void append_json_event(std::string& out, std::string_view event_type, std::string_view json);
// :message-type exception, :exception-type <type> (the union member, lower camel case).
void append_json_exception(std::string& out, std::string_view exception_type, std::string_view json);

struct DecodedEvent {
  std::vector<std::pair<std::string, std::string>> headers;  // string headers; others as raw bytes
  std::string payload;
  std::string_view header(std::string_view name) const;
};

// Decodes the message at the start of `bytes`; `consumed` gets its length. nullopt (with a
// reason in `error`) on a short buffer, a length that does not add up or a CRC mismatch.
std::optional<DecodedEvent> decode_event_message(std::string_view bytes, std::size_t& consumed, std::string& error);

}  // namespace agentemu::agentcore
