// Every vendor's operations in the one shape of core/describe.hpp: the document of
// GET /_emulator/operations, and the same as a table for `agentemu describe`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace agentemu {

class VendorRegistry;

namespace admin {

// {"operations":[...]}, for every vendor or only `only`.
void write_operations_document(const VendorRegistry& vendors, std::optional<std::string_view> only, JsonWriter& out);

// That document as text: per vendor, one row per operation (method, route, emulated or 501),
// then its parameters (a '*' marks the required ones) and its errors. Reads the document only,
// so it shows whatever the vendors' tables describe.
std::string operations_text(const JsonValue& document);

}  // namespace admin
}  // namespace agentemu
