#include "vendors/rest/operations.hpp"

#include "core/text.hpp"
#include "vendors/rest/ids.hpp"

namespace agentemu::rest {
namespace {

using T = ParamType;

constexpr std::array<std::string_view, 2> kStatuses{"active", "inactive"};

const ParamSpec kAgentId{.name = "agentId", .where = in_path, .type = T::string, .required = true,
                         .pattern = &kUuidPattern};

const ParamSpec kString{.name = "item", .where = in_body, .type = T::string};

// GET /agents
const ParamSpec kListQuery[] = {
    {.name = "status", .where = in_query, .type = T::string, .one_of = kStatuses},
    {.name = "offset", .where = in_query, .type = T::integer, .min = 0},
    {.name = "limit", .where = in_query, .type = T::integer, .min = 1, .max = static_cast<double>(kMaxListLimit)},
};

const ParamSpec kStyle[] = {
    {.name = "all", .where = in_body, .type = T::array, .items = &kString},
    {.name = "chat", .where = in_body, .type = T::array, .items = &kString},
    {.name = "post", .where = in_body, .type = T::array, .items = &kString},
};

const ParamSpec kSettings[] = {
    {.name = "model", .where = in_body, .type = T::string},
    {.name = "embeddingModel", .where = in_body, .type = T::string},
};

// POST /agents (the reference's Create page).
const ParamSpec kCreateBody[] = {
    {.name = "name", .where = in_body, .type = T::string, .required = true, .min_length = 1},
    {.name = "bio", .where = in_body, .type = T::string},
    {.name = "lore", .where = in_body, .type = T::array, .items = &kString},
    {.name = "messageExamples", .where = in_body, .type = T::array},
    {.name = "style", .where = in_body, .type = T::object, .members = kStyle},
    {.name = "topics", .where = in_body, .type = T::array, .items = &kString},
    {.name = "adjectives", .where = in_body, .type = T::array, .items = &kString},
    {.name = "settings", .where = in_body, .type = T::object, .members = kSettings},
    {.name = "plugins", .where = in_body, .type = T::array, .items = &kString},
};

// PUT/PATCH /agents/{agentId}: every field optional, plus enabled.
const ParamSpec kUpdateBody[] = {
    {.name = "name", .where = in_body, .type = T::string, .min_length = 1},
    {.name = "bio", .where = in_body, .type = T::string},
    {.name = "lore", .where = in_body, .type = T::array, .items = &kString},
    {.name = "messageExamples", .where = in_body, .type = T::array},
    {.name = "style", .where = in_body, .type = T::object, .members = kStyle},
    {.name = "topics", .where = in_body, .type = T::array, .items = &kString},
    {.name = "adjectives", .where = in_body, .type = T::array, .items = &kString},
    {.name = "settings", .where = in_body, .type = T::object, .members = kSettings},
    {.name = "plugins", .where = in_body, .type = T::array, .items = &kString},
    {.name = "enabled", .where = in_body, .type = T::boolean},
};

const ParamSpec kStartBody[] = {
    {.name = "enableAutonomy", .where = in_body, .type = T::boolean},
    {.name = "settings", .where = in_body, .type = T::object},
};

const ParamSpec kStopBody[] = {
    {.name = "graceful", .where = in_body, .type = T::boolean},
    {.name = "timeout", .where = in_body, .type = T::number, .min = 0, .max = kMaxStopTimeoutMs},
};

// PATCH /api/agents/{agentId}: the agent row's columns; unknown keys are ignored.
const ParamSpec kElizaUpdate[] = {
    {.name = "name", .where = in_body, .type = T::string, .min_length = 1},
    {.name = "username", .where = in_body, .type = T::string},
    {.name = "system", .where = in_body, .type = T::string},
    {.name = "bio", .where = in_body, .type = T::any},
    {.name = "enabled", .where = in_body, .type = T::boolean},
    {.name = "templates", .where = in_body, .type = T::object},
    {.name = "messageExamples", .where = in_body, .type = T::array},
    {.name = "postExamples", .where = in_body, .type = T::array},
    {.name = "topics", .where = in_body, .type = T::array},
    {.name = "adjectives", .where = in_body, .type = T::array},
    {.name = "knowledge", .where = in_body, .type = T::array},
    {.name = "plugins", .where = in_body, .type = T::array},
    {.name = "settings", .where = in_body, .type = T::object},
    {.name = "secrets", .where = in_body, .type = T::object},
    {.name = "style", .where = in_body, .type = T::object},
};

bool is(std::string_view method, std::string_view wanted) { return method == wanted; }

}  // namespace

std::optional<RouteMatch> match_route(Profile profile, std::string_view method, std::string_view path) {
  const std::string_view prefix = profile == Profile::docs ? kDocsPrefix : kElizaPrefix;
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) {
    if (is(method, "GET")) return RouteMatch{Op::list, {}};
    if (is(method, "POST")) return RouteMatch{Op::create, {}};
    return std::nullopt;
  }
  if (rest.front() != '/') return std::nullopt;
  rest.remove_prefix(1);
  const auto slash = rest.find('/');
  const std::string_view id = rest.substr(0, slash);
  if (id.empty()) return std::nullopt;
  if (slash == std::string_view::npos) {
    if (is(method, "GET")) return RouteMatch{Op::get, id};
    if (is(method, "PATCH")) return RouteMatch{Op::update, id};
    // The reference's Update page says PUT; the elizaOS server routes PATCH only.
    if (is(method, "PUT") && profile == Profile::docs) return RouteMatch{Op::update, id};
    if (is(method, "DELETE")) return RouteMatch{Op::remove, id};
    return std::nullopt;
  }
  const std::string_view action = rest.substr(slash + 1);
  if (!is(method, "POST")) return std::nullopt;
  if (action == "start") return RouteMatch{Op::start, id};
  if (action == "stop") return RouteMatch{Op::stop, id};
  return std::nullopt;
}

const ParamSpec& agent_id_spec() { return kAgentId; }

std::span<const ParamSpec> query_specs(Profile profile, Op op) {
  if (profile == Profile::docs && op == Op::list) return kListQuery;
  return {};
}

std::span<const ParamSpec> body_specs(Profile profile, Op op) {
  if (profile == Profile::eliza) {
    return op == Op::update ? std::span<const ParamSpec>(kElizaUpdate) : std::span<const ParamSpec>{};
  }
  switch (op) {
    case Op::create: return kCreateBody;
    case Op::update: return kUpdateBody;
    case Op::start: return kStartBody;
    case Op::stop: return kStopBody;
    default: return {};
  }
}

}  // namespace agentemu::rest
