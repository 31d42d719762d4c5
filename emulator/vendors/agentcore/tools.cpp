#include "vendors/agentcore/tools.hpp"

#include <vector>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/eventstream.hpp"

namespace agentemu::agentcore {
namespace {

struct ToolError {
  std::string field;  // e.g. arguments.code
  std::string message;
};

// What a tool answers: content blocks (written by the tool) and the structured part.
struct Result {
  JsonWriter content;  // the items of "content", inside an open array
  bool is_error = false;
  std::optional<std::string> stdout_text, stderr_text, task_id, task_status;
  std::optional<int> exit_code;
  Result() { content.begin_array(); }
  void text(std::string_view t) { content.begin_object().field("type", "text").field("text", t).end_object(); }
};

const JsonValue* argument(const AgentcoreCall& in, std::string_view name) {
  const JsonValue* args = in.body_member("arguments");
  return args == nullptr ? nullptr : json_member(*args, name);
}

std::optional<std::string_view> string_argument(const AgentcoreCall& in, std::string_view name) {
  const JsonValue* v = argument(in, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::string file_uri(std::string_view path) { return "file://" + std::string(path); }

bool in_directory(std::string_view file, std::string_view dir) {
  if (dir == "/") return file.size() > 1;
  return file.size() > dir.size() && file.starts_with(dir) && file[dir.size()] == '/';
}

bool directory_exists(const ToolSession& s, std::string_view dir) {
  if (dir == "/" || dir == kSandboxHome) return true;
  for (const auto& [path, bytes] : s.extras().files) {
    if (in_directory(path, dir)) return true;
  }
  return false;
}

struct Entry {
  std::string name;
  bool directory;
  std::size_t size;
};

std::vector<Entry> list_directory(const ToolSession& s, std::string_view dir) {
  std::vector<Entry> out;
  const std::size_t skip = dir == "/" ? 1 : dir.size() + 1;
  for (const auto& [path, bytes] : s.extras().files) {
    if (!in_directory(path, dir)) continue;
    const std::string_view rest = std::string_view(path).substr(skip);
    const auto slash = rest.find('/');
    const std::string name(rest.substr(0, slash));
    if (!out.empty() && out.back().name == name) continue;  // files are sorted: children are adjacent
    out.push_back({name, slash != std::string_view::npos, slash == std::string_view::npos ? bytes.size() : 0});
  }
  return out;
}

// A few commands, enough for tests to see the file tree; anything else echoes itself.
void shell(const ToolSession& s, std::string_view command, std::string& out, std::string& err, int& code) {
  std::vector<std::string_view> words;
  for (std::string_view w : split(trim(command), ' ')) {
    if (!w.empty()) words.push_back(w);
  }
  code = 0;
  if (words.empty()) return;
  const std::string_view program = words[0];
  if (program == "echo") {
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (i > 1) out += ' ';
      out += words[i];
    }
    out += '\n';
  } else if (program == "pwd") {
    out += kSandboxHome;
    out += '\n';
  } else if (program == "cat") {
    for (std::size_t i = 1; i < words.size(); ++i) {
      const auto path = sandbox_path(words[i]);
      const auto& files = s.extras().files;
      const auto it = path ? files.find(*path) : files.end();
      if (it == files.end()) {
        err += "cat: " + std::string(words[i]) + ": No such file or directory\n";
        code = 1;
      } else {
        out += it->second;
      }
    }
  } else if (program == "ls") {
    const auto dir = sandbox_path(words.size() > 1 ? words[1] : ".");
    if (!dir || !directory_exists(s, *dir)) {
      err += "ls: cannot access '" + std::string(words.size() > 1 ? words[1] : ".") + "': No such file or directory\n";
      code = 2;
    } else {
      for (const Entry& e : list_directory(s, *dir)) out += e.name + "\n";
    }
  } else {
    out += command;
    out += '\n';
  }
}

std::optional<ToolError> execute_code(ToolSession&, const AgentcoreCall& in, Result& r) {
  const auto code = string_argument(in, "code");
  if (!code) return ToolError{"arguments.code", "executeCode needs arguments.code"};
  // No interpreter runs: the "output" is the code itself, so suites can assert on it.
  std::string out(*code);
  if (out.empty() || out.back() != '\n') out += '\n';
  r.text(out);
  r.stdout_text = std::move(out);
  r.stderr_text = "";
  r.exit_code = 0;
  return std::nullopt;
}

std::optional<ToolError> execute_command(ToolSession& s, const AgentcoreCall& in, Result& r) {
  const auto command = string_argument(in, "command");
  if (!command) return ToolError{"arguments.command", std::string(in.body_string("name").value_or("")) + " needs arguments.command"};
  std::string out, err;
  int code = 0;
  shell(s, *command, out, err, code);
  r.text(out + err);
  r.is_error = code != 0;
  r.stdout_text = std::move(out);
  r.stderr_text = std::move(err);
  r.exit_code = code;
  return std::nullopt;
}

std::optional<ToolError> start_command(ToolSession& s, const AgentcoreCall& in, Result& r) {
  const auto command = string_argument(in, "command");
  if (!command) return ToolError{"arguments.command", "startCommandExecution needs arguments.command"};
  Task task;
  task.command.assign(*command);
  std::string err;
  int code = 0;
  shell(s, *command, task.stdout_text, err, code);
  task.stdout_text += err;
  task.status = "working";
  SessionExtras& extras = s.extras_to_change();
  const std::string id = "task-" + std::to_string(extras.next_task++);
  extras.tasks.emplace(id, std::move(task));
  r.text("Started task " + id);
  r.task_id = id;
  r.task_status = "working";
  return std::nullopt;
}

std::optional<ToolError> task_tool(ToolSession& s, const AgentcoreCall& in, Result& r, bool stop) {
  const auto id = string_argument(in, "taskId");
  const std::string_view tool = stop ? "stopTask" : "getTask";
  if (!id) return ToolError{"arguments.taskId", std::string(tool) + " needs arguments.taskId"};
  auto& tasks = s.extras_to_change().tasks;
  const auto it = tasks.find(std::string(*id));
  if (it == tasks.end()) {
    r.is_error = true;
    r.text("Task not found: " + std::string(*id));
    return std::nullopt;
  }
  Task& task = it->second;
  // A task finishes by the first look at it, unless it was stopped first.
  if (task.status == "working") task.status = stop ? "canceled" : "completed";
  r.text(task.status == "completed" ? task.stdout_text : "Task " + it->first + " " + task.status);
  r.task_id = it->first;
  r.task_status = task.status;
  if (task.status == "completed") {
    r.stdout_text = task.stdout_text;
    r.exit_code = 0;
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> paths_argument(const AgentcoreCall& in, std::string_view tool,
                                                       std::optional<ToolError>& error) {
  const JsonValue* paths = argument(in, "paths");
  if (paths == nullptr || !paths->IsArray() || paths->Empty()) {
    error = ToolError{"arguments.paths", std::string(tool) + " needs arguments.paths (a non-empty list)"};
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& p : paths->GetArray()) {
    auto path = sandbox_path(std::string_view(p.GetString(), p.GetStringLength()));
    if (!path) {
      error = ToolError{"arguments.paths", "a path must not be empty"};
      return std::nullopt;
    }
    out.push_back(std::move(*path));
  }
  return out;
}

std::optional<ToolError> read_files(ToolSession& s, const AgentcoreCall& in, Result& r) {
  std::optional<ToolError> error;
  const auto paths = paths_argument(in, "readFiles", error);
  if (!paths) return error;
  for (const std::string& path : *paths) {
    const auto it = s.extras().files.find(path);
    if (it == s.extras().files.end()) {
      r.is_error = true;
      r.text("File not found: " + path);
      continue;
    }
    r.content.begin_object().field("type", "resource").key("resource").begin_object();
    if (is_valid_utf8(it->second)) {
      r.content.field("type", "text").field("uri", file_uri(path)).field("mimeType", "text/plain").field("text", it->second);
    } else {
      r.content.field("type", "blob")
          .field("uri", file_uri(path))
          .field("mimeType", "application/octet-stream")
          .field("blob", base64_encode(it->second));
    }
    r.content.end_object().end_object();
  }
  return std::nullopt;
}

std::optional<ToolError> write_files(ToolSession& s, const AgentcoreCall& in, Result& r) {
  const JsonValue* content = argument(in, "content");
  if (content == nullptr || !content->IsArray() || content->Empty()) {
    return ToolError{"arguments.content", "writeFiles needs arguments.content (a non-empty list)"};
  }
  std::vector<std::pair<std::string, std::string>> writes;
  for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
    const JsonValue& block = (*content)[i];
    const std::string at = "arguments.content[" + std::to_string(i) + "]";
    const JsonValue* p = json_member(block, "path");
    auto path = sandbox_path(std::string_view(p->GetString(), p->GetStringLength()));
    if (!path) return ToolError{at + ".path", "a path must not be empty"};
    std::string bytes;
    if (const JsonValue* text = json_member(block, "text"); text != nullptr && text->IsString()) {
      bytes.assign(text->GetString(), text->GetStringLength());
    } else if (const JsonValue* blob = json_member(block, "blob"); blob != nullptr && blob->IsString()) {
      auto decoded = base64_decode(std::string_view(blob->GetString(), blob->GetStringLength()));
      if (!decoded) return ToolError{at + ".blob", "blob must be base64"};
      bytes = std::move(*decoded);
    }
    writes.emplace_back(std::move(*path), std::move(bytes));
  }
  std::string names;
  for (auto& [path, bytes] : writes) {
    if (!names.empty()) names += ", ";
    names += path;
    s.extras_to_change().files.insert_or_assign(std::move(path), std::move(bytes));
  }
  r.text("Successfully wrote " + std::to_string(writes.size()) + " file(s): " + names);
  return std::nullopt;
}

std::optional<ToolError> list_files(ToolSession& s, const AgentcoreCall& in, Result& r) {
  const auto requested = string_argument(in, "directoryPath");
  const auto dir = sandbox_path(requested && !requested->empty() ? *requested : std::string_view("."));
  if (!dir || !directory_exists(s, *dir)) {
    r.is_error = true;
    r.text("Directory not found: " + std::string(requested.value_or("")));
    return std::nullopt;
  }
  for (const Entry& e : list_directory(s, *dir)) {
    const std::string path = (*dir == "/" ? std::string("/") : *dir + "/") + e.name;
    r.content.begin_object().field("type", "resource_link").field("name", e.name).field("uri", file_uri(path));
    if (e.directory) {
      r.content.field("description", "Directory");
    } else {
      r.content.field("description", "File").field("mimeType", "text/plain").field_int("size", static_cast<std::int64_t>(e.size));
    }
    r.content.end_object();
  }
  return std::nullopt;
}

std::optional<ToolError> remove_files(ToolSession& s, const AgentcoreCall& in, Result& r) {
  std::optional<ToolError> error;
  const auto paths = paths_argument(in, "removeFiles", error);
  if (!paths) return error;
  std::size_t removed = 0;
  auto& files = s.extras_to_change().files;
  for (const std::string& path : *paths) {
    std::size_t here = files.erase(path);
    // A directory goes with everything under it.
    for (auto it = files.begin(); it != files.end();) {
      if (in_directory(it->first, path)) {
        it = files.erase(it);
        ++here;
      } else {
        ++it;
      }
    }
    if (here == 0) {
      r.is_error = true;
      r.text("File not found: " + path);
    }
    removed += here;
  }
  r.text("Removed " + std::to_string(removed) + " file(s)");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> sandbox_path(std::string_view path) {
  if (path.empty()) return std::nullopt;
  std::vector<std::string_view> parts;
  if (path.front() != '/') {
    for (std::string_view p : split(kSandboxHome.substr(1), '/')) parts.push_back(p);
  }
  for (std::string_view p : split(path, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  if (out.empty()) out = "/";
  return out;
}

void run_tool(ToolSession& session, const AgentcoreCall& in, std::string& stream) {
  const std::string_view tool = in.body_string("name").value_or("");
  Result r;
  std::optional<ToolError> error;
  if (tool == "executeCode") {
    error = execute_code(session, in, r);
  } else if (tool == "executeCommand") {
    error = execute_command(session, in, r);
  } else if (tool == "startCommandExecution") {
    error = start_command(session, in, r);
  } else if (tool == "getTask" || tool == "stopTask") {
    error = task_tool(session, in, r, tool == "stopTask");
  } else if (tool == "readFiles") {
    error = read_files(session, in, r);
  } else if (tool == "writeFiles") {
    error = write_files(session, in, r);
  } else if (tool == "listFiles") {
    error = list_files(session, in, r);
  } else {
    error = remove_files(session, in, r);
  }
  if (error) {
    ValidationDetail detail;
    detail.fields.push_back({error->field, error->message});
    append_json_exception(stream, "validationException",
                          error_body(*find_error("ValidationException"), error->message, &detail));
    return;
  }
  r.content.end_array();
  JsonWriter w;
  w.begin_object();
  w.key("content");
  JsonDocument content;
  parse_json(r.content.text(), content);
  w.value(content);
  if (r.stdout_text || r.task_id) {
    w.key("structuredContent").begin_object();
    if (r.task_id) w.field("taskId", *r.task_id);
    if (r.task_status) w.field("taskStatus", *r.task_status);
    if (r.stdout_text) w.field("stdout", *r.stdout_text);
    if (r.stderr_text) w.field("stderr", *r.stderr_text);
    if (r.exit_code) w.field_int("exitCode", *r.exit_code);
    if (r.stdout_text) w.field_number("executionTime", 0.0);
    w.end_object();
  }
  w.field_bool("isError", r.is_error);
  w.end_object();
  append_json_event(stream, "result", w.text());
}

}  // namespace agentemu::agentcore
