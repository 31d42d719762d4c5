// One ICE request once decoded: its parameters (query and form body, percent-decoded), which
// signature it carries, the action, the answer's format and the caller's account.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"

namespace agentemu::ice {

struct Operation;

enum class SignatureVersion { v2, v3 };

struct Param {
  std::string name;
  std::string value;
  bool in_body = false;  // from an x-www-form-urlencoded body
};

struct IceCall final : CallState {
  std::vector<Param> params;
  SignatureVersion signature = SignatureVersion::v2;
  std::string action;
  bool xml = false;  // Format=XML
  std::string request_id;
  std::string host_id;
  std::string access_key_id;
  std::string account;  // tenant the request acts in, set by authenticate
  const Operation* operation = nullptr;

  // The parameter's value, or nullptr when absent. Names are case-sensitive, as on the gateway.
  const std::string* find(std::string_view name) const {
    for (const Param& p : params) {
      if (p.name == name) return &p.value;
    }
    return nullptr;
  }
  // The value, or "" when absent.
  std::string_view get(std::string_view name) const {
    const std::string* value = find(name);
    return value == nullptr ? std::string_view{} : std::string_view(*value);
  }
};

}  // namespace agentemu::ice
