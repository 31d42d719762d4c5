// InvokeCodeInterpreter for real (--code-interpreter exec): the tools act on the session's own
// working directory and run code and commands there (vendors/agentcore/sandbox.hpp). Answers
// keep the service's result shape: content blocks, structuredContent {stdout, stderr, exitCode,
// executionTime (seconds)} or {taskId, taskStatus, ...}, isError.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/eventstream.hpp"
#include "vendors/agentcore/exec_tools.hpp"

namespace agentemu::agentcore {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kToolSessionHeader = "x-amzn-code-interpreter-session-id";
constexpr std::size_t kReadFileMax = 8 * 1024 * 1024;  // a file readFiles returns whole

// One result event: the content blocks and the structured part.
class Result {
 public:
  Result() { content_.begin_array(); }
  JsonWriter& content() { return content_; }
  JsonWriter& structured() {
    if (!has_structured_) structured_.begin_object();
    has_structured_ = true;
    return structured_;
  }
  void text(std::string_view t) { content_.begin_object().field("type", "text").field("text", t).end_object(); }
  bool is_error = false;

  std::string event() {
    content_.end_array();
    std::string json = "{\"content\":" + content_.text();
    if (has_structured_) {
      structured_.end_object();
      json += ",\"structuredContent\":" + structured_.text();
    }
    json += is_error ? ",\"isError\":true}" : ",\"isError\":false}";
    std::string stream;
    append_json_event(stream, "result", json);
    return stream;
  }

 private:
  JsonWriter content_, structured_;
  bool has_structured_ = false;
};

std::string invalid(std::string_view field, std::string message) {
  ValidationDetail detail;
  detail.fields.push_back({std::string(field), message});
  std::string stream;
  append_json_exception(stream, "validationException", error_body(*find_error("ValidationException"), message, &detail));
  return stream;
}

void answer(Call& call, const AgentcoreCall& in, std::string stream) {
  call.response.set(200, "application/vnd.amazon.eventstream", std::move(stream));
  call.response.add_header(kToolSessionHeader, call.request.header(kToolSessionHeader));
  call.response.add_header("x-amzn-RequestId", in.request_id);
}

// The request answered later, from whichever io thread the run finishes on.
class Later {
 public:
  explicit Later(Call& call) : deferred_(call.defer()) {}
  void operator()(std::string stream) {
    Call& call = deferred_.call();
    answer(call, call.state_as<AgentcoreCall>(), std::move(stream));
    deferred_.finish();
  }

 private:
  Deferred deferred_;
};

const JsonValue* argument(const AgentcoreCall& in, std::string_view name) {
  const JsonValue* args = in.body_member("arguments");
  const JsonValue* v = args == nullptr ? nullptr : json_member(*args, name);
  return v == nullptr || v->IsNull() ? nullptr : v;
}

std::optional<std::string_view> string_argument(const AgentcoreCall& in, std::string_view name) {
  const JsonValue* v = argument(in, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::string file_uri(std::string_view path) { return "file://" + std::string(path); }

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// What agentemu adds to stderr when it ended a run, so the reader sees why.
std::string limit_note(std::string_view what) { return "\nagentemu: " + std::string(what) + "\n"; }

// ---- Code and commands --------------------------------------------------------------------------

std::optional<Language> language_of(std::string_view name) {
  if (name.empty() || name == "python") return Language::python;
  if (name == "javascript") return Language::javascript;
  if (name == "typescript") return Language::typescript;
  return std::nullopt;
}

void code_result(Result& r, InterpreterResult& run, std::string_view language) {
  std::string err = std::move(run.stderr_text);
  if (run.context_lost) {
    err += limit_note("the " + std::string(language) + " interpreter was stopped (" + run.ended +
                      "); its variables are gone and the next call starts afresh");
  }
  if (run.truncated) err += limit_note("output beyond the output limit was dropped");
  if (!run.stdout_text.empty()) r.text(run.stdout_text);
  if (!err.empty()) r.text(err);
  r.is_error = run.exit_code != 0;
  r.structured()
      .field("stdout", run.stdout_text)
      .field("stderr", err)
      .field_int("exitCode", run.exit_code)
      .field_number("executionTime", seconds(run.elapsed));
}

void execute_code(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  const auto code = string_argument(h.in, "code");
  if (!code) return answer(h.call, h.in, invalid("arguments.code", "executeCode needs arguments.code"));
  const std::string language_name(string_argument(h.in, "language").value_or("python"));
  const auto language = language_of(language_name);
  if (!language) return answer(h.call, h.in, invalid("arguments.language", "unknown language " + language_name));
  const JsonValue* clear = argument(h.in, "clearContext");
  const bool clear_context = clear != nullptr && clear->IsBool() && clear->GetBool();
  sandbox->execute_code(*language, std::string(*code), clear_context,
                        [later = Later(h.call), language_name](InterpreterResult& run) mutable {
                          if (run.unavailable) return later(invalid("arguments.language", run.unavailable_reason));
                          Result r;
                          code_result(r, run, language_name);
                          later(r.event());
                        });
}

void command_result(Result& r, CommandResult& run, const ExecLimits& limits) {
  std::string err = std::move(run.stderr_text);
  int code = run.status.code;
  if (!run.spawn_error.empty()) err += limit_note("the command could not start: " + run.spawn_error);
  if (run.timed_out) {
    err += limit_note("the command exceeded the " + std::to_string(limits.timeout.count()) +
                      " ms wall-clock limit and was killed");
  } else if (run.status.signal == 24 /* SIGXCPU */) {
    err += limit_note("the command exceeded the CPU time limit (" + std::to_string(limits.cpu.count()) + " ms)");
  }
  if (run.stdout_truncated || run.stderr_truncated) err += limit_note("output beyond the output limit was dropped");
  const std::string both = run.stdout_text + err;
  if (!both.empty()) r.text(both);
  r.is_error = code != 0;
  r.structured()
      .field("stdout", run.stdout_text)
      .field("stderr", err)
      .field_int("exitCode", code)
      .field_number("executionTime", seconds(run.elapsed));
}

void execute_command(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  const auto command = string_argument(h.in, "command");
  if (!command) return answer(h.call, h.in, invalid("arguments.command", "executeCommand needs arguments.command"));
  sandbox->execute_command(std::string(*command), [later = Later(h.call), limits = sandbox->limits()](CommandResult& run) mutable {
    Result r;
    command_result(r, run, limits);
    later(r.event());
  });
}

void start_task(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  const auto command = string_argument(h.in, "command");
  if (!command) {
    return answer(h.call, h.in, invalid("arguments.command", "startCommandExecution needs arguments.command"));
  }
  Result r;
  std::string error;
  const auto id = sandbox->start_task(std::string(*command), error);
  if (!id) {
    r.is_error = true;
    r.text(error);
  } else {
    r.text("Successfully started a command execution task");
    r.structured().field("taskId", *id).field("taskStatus", "submitted").field("stdout", "").field("stderr", "");
  }
  answer(h.call, h.in, r.event());
}

void task_tool(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox, bool stop) {
  const auto id = string_argument(h.in, "taskId");
  const std::string_view tool = stop ? "stopTask" : "getTask";
  if (!id) return answer(h.call, h.in, invalid("arguments.taskId", std::string(tool) + " needs arguments.taskId"));
  Result r;
  const TaskView task = sandbox->task(*id, stop);
  if (!task.found) {
    r.is_error = true;
    r.text("Task not found: " + std::string(*id));
    return answer(h.call, h.in, r.event());
  }
  const std::string output = task.stdout_text + task.stderr_text;
  r.text(output.empty() ? "Task " + task.id + " is " + task.status : output);
  r.is_error = task.status == "failed";
  JsonWriter& s = r.structured();
  s.field("taskId", task.id).field("taskStatus", task.status).field("stdout", task.stdout_text).field("stderr", task.stderr_text);
  if (task.exit_code) s.field_int("exitCode", *task.exit_code);
  if (task.execution_seconds) s.field_number("executionTime", *task.execution_seconds);
  answer(h.call, h.in, r.event());
}

// ---- Files --------------------------------------------------------------------------------------

std::optional<std::vector<std::string>> path_list(const AgentcoreCall& in, std::string_view tool, std::string& problem) {
  const JsonValue* paths = argument(in, "paths");
  if (paths == nullptr || !paths->IsArray() || paths->Empty()) {
    problem = std::string(tool) + " needs arguments.paths (a non-empty list)";
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& p : paths->GetArray()) out.emplace_back(p.GetString(), p.GetStringLength());
  return out;
}

std::string outside(const Sandbox& sandbox, std::string_view path) {
  return "Path '" + std::string(path) + "' is outside the session's working directory " + sandbox.dir();
}

void write_files(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  const JsonValue* content = argument(h.in, "content");
  if (content == nullptr || !content->IsArray() || content->Empty()) {
    return answer(h.call, h.in, invalid("arguments.content", "writeFiles needs arguments.content (a non-empty list)"));
  }
  // Every block is checked before any file is written.
  std::vector<std::pair<std::string, std::string>> writes;
  for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
    const JsonValue& block = (*content)[i];
    const std::string at = "arguments.content[" + std::to_string(i) + "]";
    const JsonValue* p = json_member(block, "path");
    const std::string_view requested(p->GetString(), p->GetStringLength());
    auto path = sandbox_file(sandbox->dir(), requested);
    if (!path || *path == sandbox->dir()) return answer(h.call, h.in, invalid(at + ".path", outside(*sandbox, requested)));
    std::string bytes;
    if (const JsonValue* text = json_member(block, "text"); text != nullptr && text->IsString()) {
      bytes.assign(text->GetString(), text->GetStringLength());
    } else if (const JsonValue* blob = json_member(block, "blob"); blob != nullptr && blob->IsString()) {
      auto decoded = base64_decode(std::string_view(blob->GetString(), blob->GetStringLength()));
      if (!decoded) return answer(h.call, h.in, invalid(at + ".blob", "blob must be base64"));
      bytes = std::move(*decoded);
    }
    writes.emplace_back(std::move(*path), std::move(bytes));
  }
  Result r;
  std::size_t written = 0;
  for (const auto& [path, bytes] : writes) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      r.is_error = true;
      r.text("Failed to write " + path);
      continue;
    }
    ++written;
  }
  if (written == writes.size()) r.text("Successfully wrote all " + std::to_string(written) + " files");
  answer(h.call, h.in, r.event());
}

void read_files(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  std::string problem;
  const auto paths = path_list(h.in, "readFiles", problem);
  if (!paths) return answer(h.call, h.in, invalid("arguments.paths", problem));
  Result r;
  for (const std::string& requested : *paths) {
    const auto path = sandbox_file(sandbox->dir(), requested);
    std::error_code ec;
    if (!path) {
      r.is_error = true;
      r.text(outside(*sandbox, requested));
      continue;
    }
    if (!fs::is_regular_file(*path, ec)) {
      r.is_error = true;
      r.text("File not found: " + requested);
      continue;
    }
    if (fs::file_size(*path, ec) > kReadFileMax) {
      r.is_error = true;
      r.text("File " + requested + " is larger than " + std::to_string(kReadFileMax) + " bytes: read it in parts with executeCommand");
      continue;
    }
    std::ifstream in(*path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    JsonWriter& c = r.content();
    c.begin_object().field("type", "resource").key("resource").begin_object();
    if (is_valid_utf8(bytes)) {
      c.field("type", "text").field("uri", file_uri(*path)).field("mimeType", "text/plain").field("text", bytes);
    } else {
      c.field("type", "blob").field("uri", file_uri(*path)).field("mimeType", "application/octet-stream").field("blob", base64_encode(bytes));
    }
    c.end_object().end_object();
  }
  answer(h.call, h.in, r.event());
}

void list_files(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  const auto requested = string_argument(h.in, "directoryPath");
  const std::string_view wanted = requested && !requested->empty() ? *requested : std::string_view(".");
  const auto dir = sandbox_file(sandbox->dir(), wanted);
  Result r;
  std::error_code ec;
  if (!dir || !fs::is_directory(*dir, ec)) {
    r.is_error = true;
    r.text(dir ? "Directory not found: " + std::string(wanted) : outside(*sandbox, wanted));
    return answer(h.call, h.in, r.event());
  }
  std::vector<fs::directory_entry> entries;
  for (const auto& entry : fs::directory_iterator(*dir, ec)) entries.push_back(entry);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& e : entries) {
    JsonWriter& c = r.content();
    const std::string name = e.path().filename().string();
    c.begin_object().field("type", "resource_link").field("name", name).field("uri", file_uri(e.path().string()));
    if (e.is_directory(ec)) {
      c.field("description", "Directory");
    } else {
      c.field("description", "File").field("mimeType", "text/plain").field_int("size", static_cast<std::int64_t>(e.file_size(ec)));
    }
    c.end_object();
  }
  answer(h.call, h.in, r.event());
}

void remove_files(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  std::string problem;
  const auto paths = path_list(h.in, "removeFiles", problem);
  if (!paths) return answer(h.call, h.in, invalid("arguments.paths", problem));
  Result r;
  std::uintmax_t removed = 0;
  for (const std::string& requested : *paths) {
    const auto path = sandbox_file(sandbox->dir(), requested);
    std::error_code ec;
    if (!path || *path == sandbox->dir()) {
      r.is_error = true;
      r.text(outside(*sandbox, requested));
      continue;
    }
    const std::uintmax_t here = fs::exists(fs::symlink_status(*path, ec)) ? fs::remove_all(*path, ec) : 0;
    if (here == 0 || here == static_cast<std::uintmax_t>(-1)) {
      r.is_error = true;
      r.text("File not found: " + requested);
      continue;
    }
    removed += here;
  }
  r.text("Removed " + std::to_string(removed) + " file(s)");
  answer(h.call, h.in, r.event());
}

}  // namespace

void invoke_tool_for_real(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox) {
  const std::string_view tool = h.in.body_string("name").value_or("");
  if (tool == "executeCode") return execute_code(h, sandbox);
  if (tool == "executeCommand") return execute_command(h, sandbox);
  if (tool == "startCommandExecution") return start_task(h, sandbox);
  if (tool == "getTask" || tool == "stopTask") return task_tool(h, sandbox, tool == "stopTask");
  if (tool == "writeFiles") return write_files(h, sandbox);
  if (tool == "readFiles") return read_files(h, sandbox);
  if (tool == "listFiles") return list_files(h, sandbox);
  remove_files(h, sandbox);
}

}  // namespace agentemu::agentcore
