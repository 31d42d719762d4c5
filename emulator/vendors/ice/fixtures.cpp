// The "ice" fixture section: checked whole (unknown keys are mistakes), then applied to the live
// state; and the state dump of GET /_emulator/state, in the same shape.
//
// { "accessKeys":   [{"accessKeyId", "accessKeySecret", "allow": ["ice:*"], "account", "allowNonceReuse"}],
//   "agents":       [{"AIAgentId", "account", "type": "voice|avatar|vision"}],
//   "instances":    [{"InstanceId", "AIAgentId", "account", "Status", "RuntimeConfig", "AgentConfig",
//                     "TemplateConfig", "UserData", "SessionId", "CallLogUrl", "GmtCreate", "GmtModified"}],
//   "phoneNumbers": [{"PhoneNumber", "Status": 1-4, "account"}] }
#include <algorithm>
#include <initializer_list>

#include "core/text.hpp"
#include "vendors/ice/ice_vendor.hpp"

namespace agentemu::ice {
namespace {

struct Field {
  std::string_view name;
  enum Kind { string, boolean, object, string_list, integer, time } kind;
  bool required = false;
};

std::optional<FixtureIssue> check_object(const JsonValue& item, const std::string& at, std::initializer_list<Field> fields) {
  std::vector<std::string_view> names;
  for (const Field& f : fields) names.push_back(f.name);
  DocumentReader reader;
  if (!reader.object(item, at, std::span<const std::string_view>(names))) return reader.take_issue();
  for (const Field& f : fields) {
    const JsonValue* v = json_member(item, f.name);
    const std::string here = json_pointer(at, f.name);
    if (v == nullptr) {
      if (f.required) return FixtureIssue{here, "is required"};
      continue;
    }
    switch (f.kind) {
      case Field::string:
        if (!v->IsString() || v->GetStringLength() == 0) return FixtureIssue{here, "must be a non-empty string"};
        break;
      case Field::boolean:
        if (!v->IsBool()) return FixtureIssue{here, "must be true or false"};
        break;
      case Field::object:
        if (!v->IsObject()) return FixtureIssue{here, "must be an object"};
        break;
      case Field::integer:
        if (!v->IsInt()) return FixtureIssue{here, "must be a whole number"};
        break;
      case Field::time:
        if (!v->IsString() || !parse_gmt({v->GetString(), v->GetStringLength()})) {
          return FixtureIssue{here, "must be " + std::string(kTimeShape)};
        }
        break;
      case Field::string_list:
        if (!v->IsArray()) return FixtureIssue{here, "must be an array of strings"};
        for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
          const JsonValue& s = (*v)[i];
          if (!s.IsString() || s.GetStringLength() == 0) {
            return FixtureIssue{json_pointer(here, i), "must be a non-empty string"};
          }
          if (!glob_valid({s.GetString(), s.GetStringLength()})) {
            return FixtureIssue{json_pointer(here, i), "bad glob: a '[' class is not closed"};
          }
        }
        break;
    }
  }
  return std::nullopt;
}

std::string text(const JsonValue& item, std::string_view name, std::string_view fallback = {}) {
  const JsonValue* v = json_member(item, name);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string(fallback);
}

// Instances and phone numbers without an account belong to the section's first access key.
std::string default_account(const JsonValue& section) {
  const JsonValue* keys = json_member(section, "accessKeys");
  if (keys == nullptr || !keys->IsArray() || keys->Empty()) return {};
  const JsonValue& first = (*keys)[0];
  return text(first, "account", text(first, "accessKeyId"));
}

const JsonValue* array_member(const JsonValue& section, std::string_view name) {
  const JsonValue* v = json_member(section, name);
  return v != nullptr && v->IsArray() ? v : nullptr;
}

}  // namespace

std::optional<FixtureIssue> IceVendor::check_fixture(const JsonValue& section, std::string_view pointer) const {
  const std::string at(pointer);
  DocumentReader reader;
  if (!reader.object(section, at, {"accessKeys", "agents", "instances", "phoneNumbers"})) return reader.take_issue();
  for (const auto& m : section.GetObject()) {
    if (!reader.array(m.value, json_pointer(at, {m.name.GetString(), m.name.GetStringLength()}))) return reader.take_issue();
  }
  const bool has_default_account = !default_account(section).empty();
  if (const JsonValue* keys = array_member(section, "accessKeys")) {
    for (rapidjson::SizeType i = 0; i < keys->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "accessKeys"), i);
      if (auto issue = check_object((*keys)[i], here,
                                    {{"accessKeyId", Field::string, true},
                                     {"accessKeySecret", Field::string, true},
                                     {"allow", Field::string_list},
                                     {"account", Field::string},
                                     {"allowNonceReuse", Field::boolean}})) {
        return issue;
      }
      // A redacted dump's secret stands for the one already held for the same AccessKeyId.
      const std::string id = text((*keys)[i], "accessKeyId");
      const auto earlier = [&] {
        for (rapidjson::SizeType j = 0; j < i; ++j) {
          if (text((*keys)[j], "accessKeyId") == id) return true;
        }
        return false;
      };
      if (is_redacted((*keys)[i]["accessKeySecret"]) && !earlier() && state_.find_key(id) == nullptr) {
        return FixtureIssue{json_pointer(here, "accessKeySecret"), std::string(kRedactedUnknown)};
      }
    }
  }
  if (const JsonValue* agents = array_member(section, "agents")) {
    for (rapidjson::SizeType i = 0; i < agents->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "agents"), i);
      if (auto issue = check_object((*agents)[i], here,
                                    {{"AIAgentId", Field::string, true}, {"account", Field::string}, {"type", Field::string}})) {
        return issue;
      }
      const std::string type = text((*agents)[i], "type", "voice");
      if (type != "voice" && type != "avatar" && type != "vision") {
        return FixtureIssue{json_pointer(here, "type"), "must be voice, avatar or vision"};
      }
    }
  }
  if (const JsonValue* instances = array_member(section, "instances")) {
    for (rapidjson::SizeType i = 0; i < instances->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "instances"), i);
      const JsonValue& item = (*instances)[i];
      if (auto issue = check_object(item, here,
                                    {{"InstanceId", Field::string, true},
                                     {"AIAgentId", Field::string, true},
                                     {"account", Field::string},
                                     {"Status", Field::string},
                                     {"RuntimeConfig", Field::object},
                                     {"AgentConfig", Field::object},
                                     {"TemplateConfig", Field::object},
                                     {"UserData", Field::string},
                                     {"SessionId", Field::string},
                                     {"CallLogUrl", Field::string},
                                     {"GmtCreate", Field::time},
                                     {"GmtModified", Field::time}})) {
        return issue;
      }
      const std::string status = text(item, "Status", "Executing");
      if (status != "Executing" && status != "Finished") {
        return FixtureIssue{json_pointer(here, "Status"), "must be Executing or Finished"};
      }
      if (json_member(item, "account") == nullptr && !has_default_account) {
        return FixtureIssue{here, "needs an account (this section has no accessKeys to take it from)"};
      }
    }
  }
  if (const JsonValue* numbers = array_member(section, "phoneNumbers")) {
    for (rapidjson::SizeType i = 0; i < numbers->Size(); ++i) {
      const std::string here = json_pointer(json_pointer(at, "phoneNumbers"), i);
      const JsonValue& item = (*numbers)[i];
      if (auto issue = check_object(item, here,
                                    {{"PhoneNumber", Field::string, true}, {"Status", Field::integer}, {"account", Field::string}})) {
        return issue;
      }
      if (const JsonValue* s = json_member(item, "Status"); s != nullptr && (s->GetInt() < 1 || s->GetInt() > 4)) {
        return FixtureIssue{json_pointer(here, "Status"), "must be 1 (activating), 2 (normal), 3 (deactivating) or 4"};
      }
      if (json_member(item, "account") == nullptr && !has_default_account) {
        return FixtureIssue{here, "needs an account (this section has no accessKeys to take it from)"};
      }
    }
  }
  return std::nullopt;
}

void IceVendor::apply_fixture(const JsonValue& section) {
  const std::string fallback_account = default_account(section);
  const SystemTime now = context_.clock.now();
  std::lock_guard lock(state_.mutex);
  if (const JsonValue* keys = array_member(section, "accessKeys")) {
    for (const JsonValue& item : keys->GetArray()) {
      auto key = std::make_shared<AccessKey>();
      key->id = text(item, "accessKeyId");
      key->secret = text(item, "accessKeySecret");
      if (const auto held = state_.keys.find(key->id); held != state_.keys.end() && is_redacted(item["accessKeySecret"])) {
        key->secret = held->second->secret;  // a redacted dump keeps the secret already held
      }
      key->account = text(item, "account", key->id);
      if (const JsonValue* allow = json_member(item, "allow")) {
        for (const JsonValue& a : allow->GetArray()) key->allow.emplace_back(a.GetString(), a.GetStringLength());
      } else {
        key->allow = {"ice:*"};
      }
      if (const JsonValue* reuse = json_member(item, "allowNonceReuse")) key->allow_nonce_reuse = reuse->GetBool();
      state_.keys[key->id] = std::move(key);
    }
  }
  if (const JsonValue* agents = array_member(section, "agents")) {
    for (const JsonValue& item : agents->GetArray()) {
      Agent agent{text(item, "AIAgentId"), text(item, "account"), text(item, "type", "voice")};
      state_.agents[agent.id] = std::move(agent);
    }
  }
  if (const JsonValue* instances = array_member(section, "instances")) {
    for (const JsonValue& item : instances->GetArray()) {
      auto instance = std::make_unique<Instance>();
      instance->id = text(item, "InstanceId");
      instance->agent_id = text(item, "AIAgentId");
      instance->status = text(item, "Status") == "Finished" ? InstanceStatus::finished : InstanceStatus::executing;
      instance->user_data = text(item, "UserData");
      instance->session_id = text(item, "SessionId");
      instance->call_log_url = text(item, "CallLogUrl");
      const auto copy = [&](JsonDocument& doc, std::string_view name) {
        if (const JsonValue* v = json_member(item, name)) doc.CopyFrom(*v, doc.GetAllocator());
      };
      copy(instance->runtime_config, "RuntimeConfig");
      copy(instance->agent_config, "AgentConfig");
      copy(instance->template_config, "TemplateConfig");
      const std::string created = text(item, "GmtCreate");
      const std::string modified = text(item, "GmtModified");
      instance->created = created.empty() ? now : parse_gmt(created).value_or(now);
      instance->modified = modified.empty() ? instance->created : parse_gmt(modified).value_or(now);
      instance->finished = instance->modified;
      instance->finished_seen = now;  // a seeded Finished instance is kept for the retention from now
      instance->sequence = state_.next_sequence++;
      const std::string account = text(item, "account", fallback_account);
      state_.account(account).add(std::move(instance));
    }
  }
  if (const JsonValue* numbers = array_member(section, "phoneNumbers")) {
    for (const JsonValue& item : numbers->GetArray()) {
      const JsonValue* status = json_member(item, "Status");
      PhoneNumber number{text(item, "PhoneNumber"), status != nullptr ? status->GetInt() : 2};
      auto& list = state_.account(text(item, "account", fallback_account)).phone_numbers;
      const auto same = std::find_if(list.begin(), list.end(), [&](const PhoneNumber& p) { return p.number == number.number; });
      if (same != list.end()) {
        *same = std::move(number);
      } else {
        list.push_back(std::move(number));
      }
    }
  }
}

void IceVendor::clear_state() {
  {
    std::lock_guard lock(state_.mutex);
    state_.clear();
  }
  nonces_.clear();
}

void IceVendor::write_state(JsonWriter& out, const StateOptions& options) const {
  std::lock_guard lock(state_.mutex);
  out.begin_object();
  out.key("accessKeys").begin_array();
  for (const auto& [id, key] : state_.keys) {
    out.begin_object().field("accessKeyId", key->id).field("accessKeySecret", shown_secret(key->secret, options));
    out.field("account", key->account);
    out.key("allow").begin_array();
    for (const std::string& a : key->allow) out.string(a);
    out.end_array().field_bool("allowNonceReuse", key->allow_nonce_reuse).end_object();
  }
  out.end_array();
  out.key("agents").begin_array();
  for (const auto& [id, agent] : state_.agents) {
    out.begin_object().field("AIAgentId", agent.id);
    if (!agent.account.empty()) out.field("account", agent.account);
    out.field("type", agent.type).end_object();
  }
  out.end_array();
  const auto write_doc = [&](std::string_view name, const JsonDocument& doc) {
    if (doc.IsObject()) out.field_value(name, doc);
  };
  out.key("instances").begin_array();
  for (const auto& [account_id, account] : state_.accounts) {
    for (const auto& [id, instance] : account.instances) {
      out.begin_object()
          .field("InstanceId", instance->id)
          .field("AIAgentId", instance->agent_id)
          .field("account", account_id)
          .field("Status", status_name(instance->status));
      write_doc("RuntimeConfig", instance->runtime_config);
      write_doc("AgentConfig", instance->agent_config);
      write_doc("TemplateConfig", instance->template_config);
      out.field("UserData", instance->user_data)
          .field("SessionId", instance->session_id)
          .field("CallLogUrl", instance->call_log_url)
          .field("GmtCreate", format_gmt(instance->created))
          .field("GmtModified", format_gmt(instance->modified))
          .end_object();
    }
  }
  out.end_array();
  out.key("dialogues").begin_array();
  for (const auto& [account_id, account] : state_.accounts) {
    for (const auto& [session, entries] : account.dialogues) {
      out.begin_object().field("account", account_id).field("SessionId", session).key("Dialogues").begin_array();
      for (const DialogueEntry& e : entries) {
        out.begin_object()
            .field("DialogueId", e.dialogue_id)
            .field("Producer", e.producer)
            .field("Type", e.type)
            .field("Text", e.text)
            .field_int("Time", e.time_ms)
            .end_object();
      }
      out.end_array().end_object();
    }
  }
  out.end_array();
  out.key("phoneNumbers").begin_array();
  for (const auto& [account_id, account] : state_.accounts) {
    for (const PhoneNumber& p : account.phone_numbers) {
      out.begin_object().field("PhoneNumber", p.number).field_int("Status", p.status).field("account", account_id).end_object();
    }
  }
  out.end_array();
  out.end_object();
}

}  // namespace agentemu::ice
