#include "vendors/agentcore/eventstream.hpp"

#include <array>

namespace agentemu::agentcore {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr auto kCrcTable = make_crc_table();

void put_u32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

void set_u32(std::string& out, std::size_t at, std::uint32_t v) {
  out[at] = static_cast<char>((v >> 24) & 0xff);
  out[at + 1] = static_cast<char>((v >> 16) & 0xff);
  out[at + 2] = static_cast<char>((v >> 8) & 0xff);
  out[at + 3] = static_cast<char>(v & 0xff);
}

std::uint32_t get_u32(std::string_view in, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(in[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + 3]));
}

std::uint16_t get_u16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]));
}

// Value sizes of the fixed-width header types (0 true, 1 false, 2 byte, 3 short, 4 int, 5 long,
// 8 timestamp, 9 uuid); -1 for the length-prefixed ones (6 bytes, 7 string).
int fixed_size(unsigned type) {
  switch (type) {
    case 0:
    case 1: return 0;
    case 2: return 1;
    case 3: return 2;
    case 4: return 4;
    case 5:
    case 8: return 8;
    case 9: return 16;
    default: return -1;
  }
}

}  // namespace

std::uint32_t crc32(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xffU] ^ (crc >> 8);
  return ~crc;
}

void append_event_message(std::string& out, std::span<const EventHeader> headers, std::string_view payload) {
  const std::size_t start = out.size();
  std::size_t headers_length = 0;
  for (const EventHeader& h : headers) headers_length += 1 + h.name.size() + 1 + 2 + h.value.size();
  const std::size_t total = 12 + headers_length + payload.size() + 4;
  out.reserve(start + total);
  put_u32(out, static_cast<std::uint32_t>(total));
  put_u32(out, static_cast<std::uint32_t>(headers_length));
  put_u32(out, crc32(std::string_view(out).substr(start, 8)));
  for (const EventHeader& h : headers) {
    out.push_back(static_cast<char>(h.name.size()));
    out.append(h.name);
    out.push_back(static_cast<char>(7));
    out.push_back(static_cast<char>((h.value.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(h.value.size() & 0xff));
    out.append(h.value);
  }
  out.append(payload);
  out.append(4, '\0');
  set_u32(out, out.size() - 4, crc32(std::string_view(out).substr(start, total - 4)));
}

void append_json_event(std::string& out, std::string_view event_type, std::string_view json) {
  const EventHeader headers[] = {
      {":event-type", event_type}, {":content-type", "application/json"}, {":message-type", "event"}};
  append_event_message(out, headers, json);
}

void append_json_exception(std::string& out, std::string_view exception_type, std::string_view json) {
  const EventHeader headers[] = {
      {":exception-type", exception_type}, {":content-type", "application/json"}, {":message-type", "exception"}};
  append_event_message(out, headers, json);
}

std::string_view DecodedEvent::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

std::optional<DecodedEvent> decode_event_message(std::string_view bytes, std::size_t& consumed, std::string& error) {
  consumed = 0;
  if (bytes.size() < 16) {
    error = "fewer than 16 bytes: not a whole message";
    return std::nullopt;
  }
  const std::uint32_t total = get_u32(bytes, 0);
  const std::uint32_t headers_length = get_u32(bytes, 4);
  if (crc32(bytes.substr(0, 8)) != get_u32(bytes, 8)) {
    error = "prelude CRC mismatch";
    return std::nullopt;
  }
  if (total < 16 || total > bytes.size() || static_cast<std::uint64_t>(headers_length) + 16 > total) {
    error = "message length " + std::to_string(total) + " does not fit";
    return std::nullopt;
  }
  if (crc32(bytes.substr(0, total - 4)) != get_u32(bytes, total - 4)) {
    error = "message CRC mismatch";
    return std::nullopt;
  }
  DecodedEvent event;
  std::size_t at = 12;
  const std::size_t headers_end = 12 + headers_length;
  while (at < headers_end) {
    const std::size_t name_length = static_cast<unsigned char>(bytes[at]);
    if (at + 1 + name_length + 1 > headers_end) {
      error = "header name runs past the headers";
      return std::nullopt;
    }
    std::string name(bytes.substr(at + 1, name_length));
    at += 1 + name_length;
    const unsigned type = static_cast<unsigned char>(bytes[at++]);
    std::size_t value_length = 0;
    const int fixed = fixed_size(type);
    if (fixed >= 0) {
      value_length = static_cast<std::size_t>(fixed);
    } else if (type == 6 || type == 7) {
      if (at + 2 > headers_end) {
        error = "header value length runs past the headers";
        return std::nullopt;
      }
      value_length = get_u16(bytes, at);
      at += 2;
    } else {
      error = "unknown header type " + std::to_string(type);
      return std::nullopt;
    }
    if (at + value_length > headers_end) {
      error = "header value runs past the headers";
      return std::nullopt;
    }
    event.headers.emplace_back(std::move(name), std::string(bytes.substr(at, value_length)));
    at += value_length;
  }
  event.payload.assign(bytes.substr(headers_end, total - 4 - headers_end));
  consumed = total;
  return event;
}

}  // namespace agentemu::agentcore
