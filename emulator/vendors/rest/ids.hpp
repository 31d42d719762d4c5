// Agent ids: the UUID shape both profiles accept, and elizaOS's deterministic name -> id mapping.
#pragma once

#include <string>
#include <string_view>

#include "core/validation.hpp"

namespace agentemu::rest {

// 8-4-4-4-12 hex digits, either case, no version or variant check (elizaOS's validateUuid).
bool is_uuid(std::string_view text);
extern const Pattern kUuidPattern;

// Lowercase copy: ids are stored lowercase, so "550E8400-..." finds "550e8400-...".
std::string lowercase_id(std::string_view uuid);

// JavaScript's encodeURIComponent over UTF-8 text.
std::string encode_uri_component(std::string_view text);

// elizaOS stringToUuid: SHA-1 of encodeURIComponent(name), first 16 bytes, byte 6 masked to its
// low nibble, byte 8 given the RFC 4122 variant bits; lowercase 8-4-4-4-12.
std::string string_to_uuid(std::string_view name);

}  // namespace agentemu::rest
