#include "vendors/ice/model.hpp"

#include <algorithm>

#include "core/json.hpp"

namespace agentemu::ice {
namespace {

ParamType type_of(std::string_view name) {
  if (name == "integer") return ParamType::integer;
  if (name == "number") return ParamType::number;
  if (name == "boolean") return ParamType::boolean;
  if (name == "object") return ParamType::object;
  if (name == "array") return ParamType::array;
  if (name == "string") return ParamType::string;
  return ParamType::any;
}

std::string text(const JsonValue& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                         : std::string();
}

ApiModel parse() {
  ApiModel model;
  JsonDocument doc;
  // The document is generated and compiled in; a broken one fails the unit tests, and here
  // leaves the model empty rather than taking the server down.
  if (parse_json(api_model_json(), doc) || !doc.IsObject()) return model;
  model.source = text(doc, "source");
  model.version = text(doc, "version");
  model.commit = text(doc, "commit");
  const auto actions = doc.FindMember("actions");
  if (actions == doc.MemberEnd() || !actions->value.IsArray()) return model;
  for (const JsonValue& a : actions->value.GetArray()) {
    if (!a.IsObject()) continue;
    ModelAction action{text(a, "name"), text(a, "method"), {}};
    if (const auto params = a.FindMember("params"); params != a.MemberEnd() && params->value.IsArray()) {
      for (const JsonValue& p : params->value.GetArray()) {
        if (!p.IsObject()) continue;
        const auto required = p.FindMember("required");
        action.params.push_back(ModelParam{text(p, "name"), type_of(text(p, "type")),
                                           required != p.MemberEnd() && required->value.IsTrue(), text(p, "in")});
      }
    }
    model.actions.push_back(std::move(action));
  }
  std::sort(model.actions.begin(), model.actions.end(),
            [](const ModelAction& a, const ModelAction& b) { return a.name < b.name; });
  return model;
}

}  // namespace

const ModelAction* ApiModel::find(std::string_view name) const {
  const auto it = std::lower_bound(actions.begin(), actions.end(), name,
                                   [](const ModelAction& a, std::string_view n) { return a.name < n; });
  return it != actions.end() && it->name == name ? &*it : nullptr;
}

const ApiModel& api_model() {
  static const ApiModel model = parse();
  return model;
}

}  // namespace agentemu::ice
