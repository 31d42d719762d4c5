// The whole ICE 2020-11-09 API as its public SDK model lists it: model/ice-2020-11-09.json,
// generated from the Go SDK by model/generate.mjs and compiled into the binary (see
// CMakeLists.txt). Every real action is known by name, emulated or not, so a real action that
// agentemu does not emulate answers 501 instead of a false InvalidAction.NotFound.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/validation.hpp"

namespace agentemu::ice {

struct ModelParam {
  std::string name;
  ParamType type = ParamType::string;  // object/array parameters travel as JSON text
  bool required = false;
  std::string in;  // query | body, as the SDK sends it
};

struct ModelAction {
  std::string name;
  std::string method;  // the SDK's method (the gateway takes GET and POST alike)
  std::vector<ModelParam> params;
};

struct ApiModel {
  std::string source;   // the repository it was generated from
  std::string version;  // that SDK's release
  std::string commit;
  std::vector<ModelAction> actions;  // sorted by name

  const ModelAction* find(std::string_view name) const;
};

// Parsed once, on first use; the embedded document is checked by the unit tests.
const ApiModel& api_model();

// The embedded model/ice-2020-11-09.json (model_data.cpp, written by CMake).
std::string_view api_model_json();

}  // namespace agentemu::ice
