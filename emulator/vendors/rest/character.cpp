#include "vendors/rest/character.hpp"

#include "vendors/rest/ids.hpp"

namespace agentemu::rest::zod {
namespace {

using K = Kind;

// ---- the schema (character.ts, @elizaos/core 1.7.2), leaves first ----

constexpr Schema kString{.kind = K::string};
constexpr Schema kNumber{.kind = K::number};
constexpr Schema kBoolean{.kind = K::boolean};
constexpr Schema kUnknown{.kind = K::unknown};
constexpr Schema kFunction{.kind = K::function};
constexpr Schema kUuid{.kind = K::string, .pattern = &kUuidPattern, .pattern_message = "Invalid UUID format"};
constexpr Schema kName{.kind = K::string, .min_length = 1, .min_message = "Character name is required"};
constexpr Schema kStrings{.kind = K::array, .element = &kString};
constexpr Schema kUnknowns{.kind = K::array, .element = &kUnknown};
constexpr Schema kLooseObject{.kind = K::object, .extra = Extra::loose};

// ContentType and ChannelType, the values of core's own enums.
constexpr std::string_view kContentTypes[] = {"image", "video", "audio", "document", "link"};
constexpr Schema kContentType{.kind = K::enum_of, .values = kContentTypes};
constexpr std::string_view kChannelTypes[] = {"SELF", "DM",     "GROUP", "VOICE_DM", "VOICE_GROUP",
                                              "FEED", "THREAD", "WORLD", "FORUM",    "API"};
constexpr Schema kChannelType{.kind = K::enum_of, .values = kChannelTypes};

// mediaSchema (.loose())
constexpr Field kMediaFields[] = {
    {"id", &kString},          {"url", &kString},           {"title", &kString, true},
    {"source", &kString, true}, {"description", &kString, true}, {"text", &kString, true},
    {"contentType", &kContentType, true},
};
constexpr Schema kMedia{.kind = K::object, .fields = kMediaFields, .extra = Extra::loose};
constexpr Schema kMediaList{.kind = K::array, .element = &kMedia};

// contentSchema (.catchall(z.unknown()))
constexpr Field kContentFields[] = {
    {"text", &kString, true},       {"thought", &kString, true},         {"actions", &kStrings, true},
    {"providers", &kStrings, true},  {"source", &kString, true},          {"target", &kString, true},
    {"url", &kString, true},         {"inReplyTo", &kUuid, true},         {"attachments", &kMediaList, true},
    {"channelType", &kChannelType, true},
};
constexpr Schema kContent{.kind = K::object, .fields = kContentFields, .extra = Extra::loose};

// messageExampleSchema; messageExamples is an array of conversations of them.
constexpr Field kMessageExampleFields[] = {{"name", &kString}, {"content", &kContent}};
constexpr Schema kMessageExample{.kind = K::object, .fields = kMessageExampleFields};
constexpr Schema kConversation{.kind = K::array, .element = &kMessageExample};
constexpr Schema kConversations{.kind = K::array, .element = &kConversation};

// knowledgeItemSchema: a path, {path, shared?} or directoryItemSchema.
constexpr Field kKnowledgeFileFields[] = {{"path", &kString}, {"shared", &kBoolean, true}};
constexpr Schema kKnowledgeFile{.kind = K::object, .fields = kKnowledgeFileFields};
constexpr Field kKnowledgeDirectoryFields[] = {{"directory", &kString}, {"shared", &kBoolean, true}};
constexpr Schema kKnowledgeDirectory{.kind = K::object, .fields = kKnowledgeDirectoryFields};
constexpr const Schema* kKnowledgeOptions[] = {&kString, &kKnowledgeFile, &kKnowledgeDirectory};
constexpr Schema kKnowledgeItem{.kind = K::union_of, .options = kKnowledgeOptions};
constexpr Schema kKnowledge{.kind = K::array, .element = &kKnowledgeItem};

// templateTypeSchema: a string or z.function().optional(), which no JSON value is.
constexpr const Schema* kTemplateOptions[] = {&kString, &kFunction};
constexpr Schema kTemplate{.kind = K::union_of, .options = kTemplateOptions};
constexpr Schema kTemplates{.kind = K::record, .element = &kTemplate};

constexpr const Schema* kBioOptions[] = {&kString, &kStrings};
constexpr Schema kBio{.kind = K::union_of, .options = kBioOptions};

// styleSchema
constexpr Field kStyleFields[] = {{"all", &kStrings, true}, {"chat", &kStrings, true}, {"post", &kStrings, true}};
constexpr Schema kStyle{.kind = K::object, .fields = kStyleFields};

// settingsSchema and secretsSchema
constexpr const Schema* kSettingOptions[] = {&kString, &kBoolean, &kNumber, &kLooseObject, &kUnknowns};
constexpr Schema kSetting{.kind = K::union_of, .options = kSettingOptions};
constexpr Schema kSettings{.kind = K::record, .element = &kSetting};
constexpr const Schema* kSecretOptions[] = {&kString, &kBoolean, &kNumber};
constexpr Schema kSecret{.kind = K::union_of, .options = kSecretOptions};
constexpr Schema kSecrets{.kind = K::record, .element = &kSecret};

// characterSchema (.strict())
constexpr Field kCharacterFields[] = {
    {"id", &kUuid, true},
    {"name", &kName},
    {"username", &kString, true},
    {"system", &kString, true},
    {"templates", &kTemplates, true},
    {"bio", &kBio},
    {"messageExamples", &kConversations, true},
    {"postExamples", &kStrings, true},
    {"topics", &kStrings, true},
    {"adjectives", &kStrings, true},
    {"knowledge", &kKnowledge, true},
    {"plugins", &kStrings, true},
    {"settings", &kSettings, true},
    {"secrets", &kSecrets, true},
    {"style", &kStyle, true},
};
constexpr Schema kCharacter{.kind = K::object, .fields = kCharacterFields, .extra = Extra::strict};

// ---- zod's words ----

// zod's parsedType for what JSON can hold; a missing member is undefined.
std::string_view received(const JsonValue* value) {
  if (value == nullptr) return "undefined";
  switch (value->GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

std::string_view expected(Kind kind) {
  switch (kind) {
    case K::string: return "string";
    case K::number: return "number";
    case K::boolean: return "boolean";
    case K::function: return "function";
    case K::object: return "object";
    case K::array: return "array";
    case K::record: return "record";
    default: return "unknown";
  }
}

// A string's length as zod 4.6 measures it for min/max checks: code points, not UTF-16 units.
std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
  return count;
}

// zod's joinValues: each string in double quotes, as it is (no escaping).
std::string quoted_list(std::span<const std::string_view> values, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += separator;
    out += '"';
    out += values[i];
    out += '"';
  }
  return out;
}

std::string child_path(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out;
  out.reserve(path.size() + 1 + key.size());
  out.append(path).append(1, '.').append(key);
  return out;
}

std::string_view key_of(const JsonValue& name) { return {name.GetString(), name.GetStringLength()}; }

const Field* field_named(const Schema& object, std::string_view key) {
  for (const Field& field : object.fields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

class Walker {
 public:
  explicit Walker(std::vector<Issue>& issues) : issues_(issues) {}

  void walk(const Schema& schema, const JsonValue* value, const std::string& path) {
    if (issues_.size() >= kMaxIssues) return;
    switch (schema.kind) {
      case K::unknown: return;
      case K::string: return string(schema, value, path);
      case K::number:
        if (value == nullptr || !value->IsNumber()) invalid_type(schema, value, path);
        return;
      case K::boolean:
        if (value == nullptr || !value->IsBool()) invalid_type(schema, value, path);
        return;
      case K::function: return invalid_type(schema, value, path);
      case K::object: return object(schema, value, path);
      case K::array: return array(schema, value, path);
      case K::record: return record(schema, value, path);
      case K::union_of: return union_of(schema, value, path);
      case K::enum_of: return enum_of(schema, value, path);
    }
  }

 private:
  void add(const std::string& path, std::string message, bool aborts = true) {
    if (issues_.size() < kMaxIssues) issues_.push_back({path, std::move(message), aborts});
  }

  void invalid_type(const Schema& schema, const JsonValue* value, const std::string& path) {
    add(path, "Invalid input: expected " + std::string(expected(schema.kind)) + ", received " +
                  std::string(received(value)));
  }

  void string(const Schema& schema, const JsonValue* value, const std::string& path) {
    if (value == nullptr || !value->IsString()) return invalid_type(schema, value, path);
    const std::string_view text(value->GetString(), value->GetStringLength());
    // Failed checks do not abort: zod goes on to the next check, and a union to its next option.
    if (schema.min_length >= 0 && code_points(text) < static_cast<std::size_t>(schema.min_length)) {
      add(path,
          schema.min_message.empty()
              ? "Too small: expected string to have >=" + std::to_string(schema.min_length) + " characters"
              : std::string(schema.min_message),
          false);
    }
    if (schema.pattern != nullptr && !schema.pattern->matches(text)) {
      add(path,
          schema.pattern_message.empty() ? "Invalid string: must match pattern " + std::string(schema.pattern->text)
                                         : std::string(schema.pattern_message),
          false);
    }
  }

  void object(const Schema& schema, const JsonValue* value, const std::string& path) {
    if (value == nullptr || !value->IsObject()) return invalid_type(schema, value, path);
    for (const Field& field : schema.fields) {
      const JsonValue* member = json_member(*value, field.key);
      if (member == nullptr && field.optional) continue;
      walk(*field.schema, member, child_path(path, field.key));
    }
    if (schema.extra != Extra::strict) return;
    std::vector<std::string_view> unknown;
    for (const auto& member : value->GetObject()) {
      if (field_named(schema, key_of(member.name)) == nullptr) unknown.push_back(key_of(member.name));
    }
    if (unknown.empty()) return;
    add(path, (unknown.size() == 1 ? "Unrecognized key: " : "Unrecognized keys: ") + quoted_list(unknown, ", "));
  }

  void array(const Schema& schema, const JsonValue* value, const std::string& path) {
    if (value == nullptr || !value->IsArray()) return invalid_type(schema, value, path);
    for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
      walk(*schema.element, &(*value)[i], child_path(path, std::to_string(i)));
    }
  }

  void record(const Schema& schema, const JsonValue* value, const std::string& path) {
    if (value == nullptr || !value->IsObject()) return invalid_type(schema, value, path);
    for (const auto& member : value->GetObject()) {
      walk(*schema.element, &member.value, child_path(path, key_of(member.name)));
    }
  }

  // zod 4: the first option that parses wins. When all fail and exactly one failed only in its
  // checks (it had the right type), its issues stand; otherwise one "Invalid input".
  void union_of(const Schema& schema, const JsonValue* value, const std::string& path) {
    std::vector<Issue> only_checks;
    std::size_t checks_only_count = 0;
    for (const Schema* option : schema.options) {
      std::vector<Issue> found;
      Walker(found).walk(*option, value, path);
      if (found.empty()) return;
      bool aborted = false;
      for (const Issue& issue : found) aborted = aborted || issue.aborts;
      if (!aborted && ++checks_only_count == 1) only_checks = std::move(found);
    }
    if (checks_only_count == 1) {
      for (Issue& issue : only_checks) add(issue.path, std::move(issue.message), issue.aborts);
      return;
    }
    add(path, "Invalid input");
  }

  void enum_of(const Schema& schema, const JsonValue* value, const std::string& path) {
    if (value != nullptr && value->IsString()) {
      const std::string_view text(value->GetString(), value->GetStringLength());
      for (std::string_view allowed : schema.values) {
        if (allowed == text) return;
      }
    }
    if (schema.values.size() == 1) return add(path, "Invalid input: expected " + quoted_list(schema.values, ""));
    add(path, "Invalid option: expected one of " + quoted_list(schema.values, "|"));
  }

  std::vector<Issue>& issues_;
};

bool matches(const Schema& schema, const JsonValue& value) {
  std::vector<Issue> issues;
  Walker(issues).walk(schema, &value, {});
  return issues.empty();
}

JsonValue key_copy(std::string_view key, JsonDocument::AllocatorType& alloc) {
  return JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc);
}

}  // namespace

std::vector<Issue> check(const Schema& schema, const JsonValue& value) {
  std::vector<Issue> issues;
  Walker(issues).walk(schema, &value, {});
  return issues;
}

void parse(const Schema& schema, const JsonValue& value, JsonValue& out, JsonDocument::AllocatorType& alloc) {
  switch (schema.kind) {
    case K::object: {
      out.SetObject();
      for (const Field& field : schema.fields) {
        const JsonValue* member = json_member(value, field.key);
        if (member == nullptr) continue;
        JsonValue parsed;
        parse(*field.schema, *member, parsed, alloc);
        out.AddMember(key_copy(field.key, alloc), parsed, alloc);
      }
      if (schema.extra == Extra::loose) {
        for (const auto& member : value.GetObject()) {
          if (field_named(schema, key_of(member.name)) != nullptr) continue;
          out.AddMember(JsonValue(member.name, alloc), JsonValue(member.value, alloc), alloc);
        }
      }
      return;
    }
    case K::array:
      out.SetArray();
      for (const auto& item : value.GetArray()) {
        JsonValue parsed;
        parse(*schema.element, item, parsed, alloc);
        out.PushBack(parsed, alloc);
      }
      return;
    case K::record:
      out.SetObject();
      for (const auto& member : value.GetObject()) {
        JsonValue parsed;
        parse(*schema.element, member.value, parsed, alloc);
        out.AddMember(JsonValue(member.name, alloc), parsed, alloc);
      }
      return;
    case K::union_of:
      for (const Schema* option : schema.options) {
        if (matches(*option, value)) return parse(*option, value, out, alloc);
      }
      return;
    default: out.CopyFrom(value, alloc); return;
  }
}

std::string join_issues(std::span<const Issue> issues) {
  std::string out;
  for (std::size_t i = 0; i < issues.size(); ++i) {
    if (i > 0) out += "; ";
    out += issues[i].path;
    out += ": ";
    out += issues[i].message;
  }
  return out;
}

const Schema& character_schema() { return kCharacter; }

}  // namespace agentemu::rest::zod
