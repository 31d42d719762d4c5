// AgentCore's whole service model as tables: every operation of both planes (bedrock-agentcore,
// the data plane, and bedrock-agentcore-control), with its route, members and their constraints,
// declared errors and output shape. The tables are generated (generated/tables.cpp) by
// scripts/gen-agentcore-tables from the model files in model/; this header is their shape.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/regex.hpp"
#include "core/validation.hpp"
#include "vendors/agentcore/generated/operation_ids.hpp"

namespace agentemu::agentcore {

// Where a member travels (ParamSpec::where).
enum class Where : std::uint8_t { label, query, header, body, payload };
enum class Plane : std::uint8_t { data, control };
// How the request body carries the members: not at all, as one JSON object, or as one raw member.
enum class Body : std::uint8_t { none, json, payload };

struct Member {
  ParamSpec spec;         // spec.name is the model's member name (what fieldList reports)
  std::string_view wire;  // header, query or label name on the wire
};

// The output side, by name and kind only: answers are written through it, so an answer carries
// exactly the members the model declares, each in the form the SDK parses.
enum class OutKind : std::uint8_t {
  string, integer, number, boolean,
  timestamp,      // RFC 3339 text (the model's timestampFormat iso8601)
  epoch_seconds,  // a number: restJson1's default for timestamps
  blob, document, structure, list, map
};
struct OutMember;
struct OutType {
  OutKind kind;
  std::span<const OutMember> members;  // structure
  const OutType* element;               // list items, map values
};
struct OutMember {
  std::string_view name;
  const OutType* type;
};

struct Operation {
  OpId id;
  Plane plane;
  std::string_view name;
  std::string_view method;
  std::string_view uri;  // the model's requestUri: "/runtimes/{agentRuntimeArn}/invocations"
  int status;            // the success status
  Body body;
  std::span<const Member> members;  // labels, query, headers, then body members
  std::span<const std::string_view> errors;
  const OutType* output;
  std::int64_t largest_value;  // the longest string or blob any member may hold (the body limit follows it)
  bool from_sdk;               // known only from the SDK's schema (model/sdk-supplement.json): no constraints
};

// Generated (generated/tables.cpp).
std::span<const Operation> operations();  // indexed by OpId
std::span<const std::string_view> operation_names();
std::span<const std::string_view> pattern_texts();

// The model's pattern `index`, compiled on first use (compile_patterns() does them all at start).
const Regex& compiled_pattern(std::size_t index);
void compile_patterns();

}  // namespace agentemu::agentcore
