// Format=XML: the POP gateway's XML rendering of a JSON answer. Objects become nested elements,
// each array item repeats the array's element name, scalars become escaped text.
#pragma once

#include <string>
#include <string_view>

#include "core/json.hpp"

namespace agentemu::ice {

// <?xml version='1.0' encoding='UTF-8'?><root>...members of object...</root>
std::string json_to_xml(std::string_view root, const JsonValue& object);

// Same, from JSON text the emulator wrote itself (always valid).
std::string json_text_to_xml(std::string_view root, std::string_view json);

void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace agentemu::ice
