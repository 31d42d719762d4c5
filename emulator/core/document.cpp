#include "core/document.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace agentemu {
namespace fs = std::filesystem;

namespace {

// Longest prefix of `text` of at most `limit` bytes that does not split a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return text.substr(0, end);
}

// One line however long the parts: the pointer and message are capped, so a document cannot
// make its own error line unbounded.
constexpr std::size_t kLineLimit = 2048;

std::string capped_line(std::string line) {
  if (line.size() <= kLineLimit) return line;
  std::string out(utf8_prefix(line, kLineLimit));
  out += "...";
  return out;
}

std::string describe_errno(int code) { return std::strerror(code); }

}  // namespace

std::string describe_issue(std::string_view file, const DocumentIssue& issue) {
  std::string line(file);
  if (issue.line > 0) {
    line += ":" + std::to_string(issue.line) + ":" + std::to_string(issue.column) + ": " + issue.message;
  } else {
    line += ": " + (issue.pointer.empty() ? std::string("/") : issue.pointer) + ": " + issue.message;
  }
  return capped_line(std::move(line));
}

void write_issue(JsonWriter& out, std::string_view error, const DocumentIssue& issue) {
  out.begin_object().field("error", error);
  if (issue.line > 0) {
    out.field("message", "line " + std::to_string(issue.line) + " column " + std::to_string(issue.column) + ": " +
                             issue.message);
  } else {
    out.field("message", issue.message);
  }
  out.field("pointer", issue.pointer).end_object();
}

std::string excerpt(std::string_view text) {
  std::string out = "\"";
  out += utf8_prefix(text, kEchoLimit);
  out += text.size() > kEchoLimit ? "...\"" : "\"";
  return out;
}

std::optional<std::vector<std::string>> expand_json_paths(const std::vector<std::string>& paths, std::string& error) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      error = path + ": no such file or folder";
      return std::nullopt;
    }
    if (fs::is_directory(status)) {
      // error_code overloads throughout: a dangling link or a loop is an error message, not an exception.
      std::vector<std::string> found;
      fs::directory_iterator it(path, ec);
      for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
        std::error_code file_ec;
        if (it->is_regular_file(file_ec) && it->path().extension() == ".json") found.push_back(it->path().string());
      }
      if (ec) {
        error = path + ": " + ec.message();
        return std::nullopt;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(status)) {
      files.push_back(path);
    } else {
      error = path + ": not a regular file or folder";
      return std::nullopt;
    }
  }
  return files;
}

std::optional<std::string> read_document_file(const std::string& path, std::string& error) {
  // O_NONBLOCK: a path that turned into a FIFO since it was listed must not block the open.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = path + ": cannot be read (" + describe_errno(errno) + ")";
    return std::nullopt;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = path + ": not a regular file or folder";
    return std::nullopt;
  }
  const std::string too_large = path + ": larger than " + std::to_string(kMaxDocumentBytes / (1024 * 1024)) +
                                " MiB, the most a fixture or scenario file may hold";
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxDocumentBytes) {
    error = too_large;
    return std::nullopt;
  }
  std::string text;
  text.resize(static_cast<std::size_t>(info.st_size) + 1);  // one more: a file still growing is noticed
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (text.size() > kMaxDocumentBytes) {
        error = too_large;
        return std::nullopt;
      }
      text.resize(std::min(text.size() * 2 + 4096, kMaxDocumentBytes + 1));
    }
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": read failed (" + describe_errno(errno) + ")";
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

std::optional<DocumentIssue> parse_document(std::string_view text, JsonDocument& document) {
  const auto error = parse_json(text, document, JsonDialect::relaxed);
  if (!error) return std::nullopt;
  return DocumentIssue{"", error->message, error->line, error->column};
}

bool KeyList::contains(std::string_view key) const {
  if (!specs_.empty()) return find_param(specs_, key) != nullptr;
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

std::string KeyList::joined() const {
  std::string out;
  const auto add = [&out](std::string_view name) {
    if (!out.empty()) out += ", ";
    out += name;
  };
  for (std::string_view key : keys_) add(key);
  for (const ParamSpec& spec : specs_) add(spec.name);
  return out;
}

bool DocumentReader::fail(std::string pointer, std::string message) {
  if (!issue_) issue_ = DocumentIssue{std::move(pointer), std::move(message)};
  return false;
}

bool DocumentReader::object(const JsonValue& v, const std::string& at, KeyList keys) {
  if (!ok()) return false;
  if (!v.IsObject()) return fail(at, std::string("must be an object, not ") + json_type_name(v));
  for (const auto& m : v.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    // The key is named once, by its pointer (shortened when long).
    if (!keys.contains(key)) return fail(json_pointer(at, key), "unknown key (expected one of " + keys.joined() + ")");
  }
  return true;
}

bool DocumentReader::array(const JsonValue& v, const std::string& at) {
  if (!ok()) return false;
  if (!v.IsArray()) return fail(at, std::string("must be an array, not ") + json_type_name(v));
  return true;
}

bool DocumentReader::string(const JsonValue& v, const std::string& at, std::string& out) {
  if (!ok()) return false;
  if (!v.IsString()) return fail(at, std::string("must be a string, not ") + json_type_name(v));
  out.assign(v.GetString(), v.GetStringLength());
  return true;
}

bool DocumentReader::non_empty_string(const JsonValue& v, const std::string& at) {
  if (!ok()) return false;
  if (!v.IsString() || v.GetStringLength() == 0) return fail(at, "must be a non-empty string");
  return true;
}

bool DocumentReader::boolean(const JsonValue& v, const std::string& at) {
  if (!ok()) return false;
  if (!v.IsBool()) return fail(at, "must be true or false");
  return true;
}

bool DocumentReader::integer(const JsonValue& v, const std::string& at, std::int64_t min, std::int64_t max,
                             std::int64_t& out) {
  if (!ok()) return false;
  if (!v.IsInt64() || v.GetInt64() < min || v.GetInt64() > max) {
    return fail(at, max == INT64_MAX ? "must be a whole number >= " + std::to_string(min)
                                     : "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  out = v.GetInt64();
  return true;
}

bool DocumentReader::integer(const JsonValue& v, const std::string& at, std::int64_t min, std::int64_t max) {
  std::int64_t ignored = 0;
  return integer(v, at, min, max, ignored);
}

bool DocumentReader::time(const JsonValue& v, const std::string& at,
                          std::optional<SystemTime> (*parse)(std::string_view)) {
  if (!ok()) return false;
  if (!v.IsString() || !parse({v.GetString(), v.GetStringLength()})) return fail(at, "must be " + std::string(kTimeShape));
  return true;
}

bool DocumentReader::params(const JsonValue& object, const std::string& at, std::span<const ParamSpec> specs) {
  if (!ok()) return false;
  if (auto violation = validate_params(specs, JsonObjectSource(&object))) {
    return fail(pointer_of_path(at, violation->path), std::move(violation->message));
  }
  return true;
}

std::string pointer_of_path(std::string_view base, std::string_view path) {
  std::string out(base);
  std::string segment;
  const auto flush = [&] {
    if (!segment.empty()) out = json_pointer(out, segment);
    segment.clear();
  };
  for (char c : path) {
    if (c == '.' || c == '[' || c == ']') {
      flush();
    } else {
      segment += c;
    }
  }
  flush();
  return out;
}

const JsonValue* DocumentReader::required(const JsonValue& object, const std::string& at, std::string_view key) {
  if (!ok()) return nullptr;
  const JsonValue* v = json_member(object, key);
  if (v == nullptr) fail(json_pointer(at, key), "is required");
  return v;
}

}  // namespace agentemu
