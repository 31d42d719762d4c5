// The loaded scenarios: list them with their counters, load or replace one, unload one or all.
#include "core/admin/endpoints.hpp"
#include "core/faults.hpp"
#include "core/pipeline.hpp"

namespace agentemu::admin {
namespace {

bool available(Context& admin, Call& call) {
  if (admin.scenarios != nullptr) return true;
  set_core_error(call.response, 501, "not_implemented", "scenarios are not available in this build");
  return false;
}

// The {name} of the route, decoded: one non-empty segment.
std::optional<std::string> scenario_name(Call& call, const PathParams& params) {
  auto decoded = percent_decode(params.front());
  if (!decoded || decoded->empty() || decoded->find('/') != std::string::npos) {
    set_core_error(call.response, 400, "invalid_name", "a scenario name is one non-empty path segment");
    return std::nullopt;
  }
  return decoded;
}

}  // namespace

void list_scenarios(Context& admin, Call& call, const PathParams&) {
  if (!available(admin, call)) return;
  JsonWriter w;
  admin.scenarios->write_list(w);
  ok_json(call, w);
}

void remove_all_scenarios(Context& admin, Call& call, const PathParams&) {
  if (!available(admin, call)) return;
  admin.scenarios->remove_all();
  ok_status(call);
}

void put_scenario(Context& admin, Call& call, const PathParams& params) {
  if (!available(admin, call)) return;
  const auto name = scenario_name(call, params);
  if (!name) return;
  if (auto issue = admin.scenarios->put(*name, call.request.body)) {
    JsonWriter w;
    write_issue(w, "invalid_scenario", *issue);
    return ok_json(call, w, 400);
  }
  JsonWriter w;
  w.begin_object().field("status", "ok").field("name", *name).end_object();
  ok_json(call, w);
}

void remove_scenario(Context& admin, Call& call, const PathParams& params) {
  if (!available(admin, call)) return;
  const auto name = scenario_name(call, params);
  if (!name) return;
  if (!admin.scenarios->remove(*name)) {
    set_core_error(call.response, 404, "not_found", "no scenario named \"" + *name + "\"");
    return;
  }
  ok_status(call);
}

void reload_scenario(Context& admin, Call& call, const PathParams& params) {
  if (!available(admin, call)) return;
  const auto name = scenario_name(call, params);
  if (!name) return;
  const ReloadOutcome outcome = admin.scenarios->reload(*name);
  if (outcome.status != 200) {
    const std::string_view code = outcome.status == 404   ? "not_found"
                                  : outcome.status == 409 ? "not_from_a_file"
                                                          : "invalid_scenario";
    set_core_error(call.response, outcome.status, code, outcome.message);
    return;
  }
  JsonWriter w;
  w.begin_object().field("status", "ok").field("name", *name).end_object();
  ok_json(call, w);
}

}  // namespace agentemu::admin
