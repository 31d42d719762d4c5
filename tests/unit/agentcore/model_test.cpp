// The generated tables against the model files they come from: every operation of both planes
// with its route, status and errors, and every top-level member's constraints (required,
// lengths, ranges, pattern, enum); the union and map rules on a sample of nested members.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/json.hpp"
#include "vendors/agentcore/model.hpp"
#include "vendors/agentcore/operations.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;

namespace {

JsonDocument load_model(const char* file) {
  const std::string path = std::string(AGENTEMU_SOURCE_DIR) + "/emulator/vendors/agentcore/model/" + file;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), path);
  std::stringstream text;
  text << in.rdbuf();
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(text.str(), doc));
  return doc;
}

std::string str(const JsonValue& v) { return std::string(v.GetString(), v.GetStringLength()); }

void check_plane(const char* file, Plane plane) {
  const JsonDocument model = load_model(file);
  const JsonValue& shapes = model["shapes"];
  std::size_t checked_members = 0;
  for (const auto& entry : model["operations"].GetObject()) {
    const std::string name = str(entry.name);
    const JsonValue& op = entry.value;
    const Operation* row = find_operation(name);
    REQUIRE_MESSAGE(row != nullptr, name);
    CHECK(row->plane == plane);
    CHECK(row->method == str(op["http"]["method"]));
    CHECK(row->uri == str(op["http"]["requestUri"]));
    CHECK(row->status == op["http"]["responseCode"].GetInt());
    CHECK_FALSE(row->from_sdk);
    std::set<std::string> errors;
    for (const auto& e : op["errors"].GetArray()) errors.insert(str(e["shape"]));
    CHECK(errors == std::set<std::string>(row->errors.begin(), row->errors.end()));

    const JsonValue& input = shapes[op["input"]["shape"].GetString()];
    std::set<std::string> required;
    if (const JsonValue* r = json_member(input, "required")) {
      for (const auto& n : r->GetArray()) required.insert(str(n));
    }
    const JsonValue* payload = json_member(input, "payload");
    for (const auto& m : input["members"].GetObject()) {
      const std::string member = str(m.name);
      const JsonValue& target = shapes[m.value["shape"].GetString()];
      if (payload != nullptr && str(*payload) == member && str(target["type"]) == "structure") continue;
      const Member* spec = find_member(*row, member);
      REQUIRE_MESSAGE(spec != nullptr, name << "." << member);
      const ParamSpec& p = spec->spec;
      const std::string location = json_member(m.value, "location") ? str(m.value["location"]) : "";
      CHECK_MESSAGE(p.required == (required.contains(member) || location == "uri"), name << "." << member);
      if (const JsonValue* ln = json_member(m.value, "locationName")) CHECK(spec->wire == str(*ln));
      const std::string type = str(target["type"]);
      const bool sized = type == "string" || type == "blob" || type == "list" || type == "map";
      if (sized && location != "querystring") {
        if (const JsonValue* mn = json_member(target, "min")) {
          CHECK_MESSAGE(p.min_length.value_or(-1) == std::max<std::int64_t>(mn->GetInt64(), location == "uri" ? 1 : 0),
                        name << "." << member);
        }
        if (const JsonValue* mx = json_member(target, "max")) CHECK(p.max_length.value_or(-1) == mx->GetInt64());
      } else if (!sized) {
        if (const JsonValue* mn = json_member(target, "min")) CHECK(p.min.value_or(-1) == mn->GetDouble());
        if (const JsonValue* mx = json_member(target, "max")) CHECK(p.max.value_or(-1) == mx->GetDouble());
      }
      if (const JsonValue* pattern = json_member(target, "pattern")) {
        REQUIRE_MESSAGE(p.pattern != nullptr, name << "." << member);
        CHECK(p.pattern->text == "^" + str(*pattern) + "$");
      }
      if (const JsonValue* values = json_member(target, "enum")) {
        REQUIRE(p.one_of.size() == values->Size());
        for (rapidjson::SizeType i = 0; i < values->Size(); ++i) CHECK(p.one_of[i] == str((*values)[i]));
      }
      if (const JsonValue* u = json_member(target, "union")) CHECK(p.one_member == u->GetBool());
      ++checked_members;
    }
  }
  MESSAGE(std::string(file) << ": " << checked_members << " members checked");
}

}  // namespace

TEST_CASE("agentcore tables: every data-plane operation and member as the model states it") {
  check_plane("bedrock-agentcore.service-2.json", Plane::data);
}

TEST_CASE("agentcore tables: every control-plane operation and member as the model states it") {
  check_plane("bedrock-agentcore-control.service-2.json", Plane::control);
}

TEST_CASE("agentcore tables: both planes, the SDK's extra operations, names in order") {
  CHECK(operations().size() == kOperationCount);
  CHECK(kOperationCount == 238);
  for (std::size_t i = 0; i < operations().size(); ++i) {
    CHECK(operations()[i].id == static_cast<OpId>(i));
    CHECK(operation_names()[i] == operations()[i].name);
    if (i > 0) CHECK(operation_names()[i - 1] < operation_names()[i]);
  }
  for (const char* name : {"IngestData", "CreateConsentPortal", "DeleteConsentPortal", "GetConsentPortal",
                           "ListConsentPortals", "UpdateConsentPortal", "RotatePaymentConnectorCredentials"}) {
    const Operation* op = find_operation(name);
    REQUIRE_MESSAGE(op != nullptr, name);
    CHECK(op->from_sdk);
  }
  CHECK(find_operation("IngestData")->plane == Plane::data);
  CHECK(find_operation("CreateConsentPortal")->uri == "/identities/CreateConsentPortal");
  // A nested sample: unions, maps and list sizes down the tree of CreateAgentRuntime.
  const Operation* create = find_operation("CreateAgentRuntime");
  const ParamSpec& artifact = find_member(*create, "agentRuntimeArtifact")->spec;
  CHECK(artifact.one_member);
  const ParamSpec& env = find_member(*create, "environmentVariables")->spec;
  REQUIRE(env.keys != nullptr);
  CHECK(env.max_length == 50);
  CHECK(env.keys->max_length == 100);
  CHECK(env.items->max_length == 5000);
  const ParamSpec& files = find_member(*create, "filesystemConfigurations")->spec;
  CHECK(files.max_length == 5);
  CHECK(files.items->one_member);
  // The gaps: Mcp-Method and Mcp-Name 1..1024, InvokeAgentRuntime's payload to 100 MB.
  const Operation* invoke = find_operation("InvokeAgentRuntime");
  CHECK(find_member(*invoke, "mcpMethod")->spec.max_length == 1024);
  CHECK(find_member(*invoke, "mcpName")->spec.min_length == 1);
  CHECK(invoke->body == Body::payload);
  CHECK(invoke->largest_value == 100'000'000);
  const ParamSpec& mounts = find_member(*find_operation("StartCodeInterpreterSession"), "filesystemConfigurations")->spec;
  CHECK(mounts.max_length == 10);
}

TEST_CASE("agentcore routes: both planes on one port, by method, path and Host") {
  const auto route = [](std::string_view method, std::string_view path, Planes planes = {}) {
    const RouteMatch m = match_route(method, path, planes);
    return m.op == nullptr ? std::string("-") : std::string(m.op->name);
  };
  CHECK(route("PUT", "/runtimes/") == "CreateAgentRuntime");
  CHECK(route("PUT", "/runtimes") == "CreateAgentRuntime");
  CHECK(route("POST", "/runtimes/") == "ListAgentRuntimes");
  CHECK(route("GET", "/runtimes/abc-a1b2c3d4e5/") == "GetAgentRuntime");
  CHECK(route("POST", "/runtimes/arn%3Aaws%3Ax/invocations") == "InvokeAgentRuntime");
  CHECK(route("POST", "/code-interpreters") == "ListCodeInterpreters");
  CHECK(route("PUT", "/code-interpreters/aws.codeinterpreter.v1/sessions/start") == "StartCodeInterpreterSession");
  CHECK(route("POST", "/memories/m1/events") == "CreateEvent");
  CHECK(route("POST", "/memories/create") == "CreateMemory");
  CHECK(route("GET", "/runtimes/x/invocations/.well-known/agent-card.json") == "GetAgentCard");
  // A Host that names a plane keeps the other plane's routes out.
  CHECK(route("POST", "/code-interpreters", planes_for_host("bedrock-agentcore.us-east-1.amazonaws.com")) == "-");
  CHECK(route("PUT", "/code-interpreters/x/sessions/start",
              planes_for_host("bedrock-agentcore-control.us-east-1.amazonaws.com")) == "-");
  const RouteMatch labels = match_route("GET", "/memories/m1/actor/a1/sessions/s1/events/e1", {});
  REQUIRE(labels.op != nullptr);
  CHECK(labels.label_count == 4);
  CHECK(labels.labels[3] == "e1");
  const RouteMatch wrong = match_route("DELETE", "/code-interpreters/x/sessions/start", {});
  CHECK(wrong.op == nullptr);
  CHECK(wrong.path_known);
}
