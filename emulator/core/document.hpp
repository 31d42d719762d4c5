// Fixture and scenario documents: how they are read from disk (regular files and folders only,
// bounded in size), one reader for their members, and one shape for every mistake in them:
// the file, the JSON pointer (or line:column for a syntax error) and a message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/validation.hpp"

namespace agentemu {

// The largest fixture or scenario file read: far above any real one, and a bound on what a
// mistaken path (a device, a log file) can make agentemu hold.
inline constexpr std::size_t kMaxDocumentBytes = 32 * 1024 * 1024;

struct DocumentIssue {
  std::string pointer;  // JSON pointer from the document root; "" for the document itself
  std::string message;
  std::size_t line = 0;  // a syntax error: where it is (the pointer is then empty)
  std::size_t column = 0;
};

// The one error line: "file: /pointer: message", or "file:line:column: message" for syntax.
std::string describe_issue(std::string_view file, const DocumentIssue& issue);
// What the admin API answers for a document it refuses: {"error", "message", "pointer"}.
void write_issue(JsonWriter& out, std::string_view error, const DocumentIssue& issue);

// Text taken from a document for a message, in quotes: at most kEchoLimit bytes, then "...".
inline constexpr std::size_t kEchoLimit = 100;
std::string excerpt(std::string_view text);

// Every *.json file the paths name: a file itself, or a folder's regular *.json files sorted by
// name. Anything else (a device, a FIFO, a socket) is refused. On failure `error` is one line.
std::optional<std::vector<std::string>> expand_json_paths(const std::vector<std::string>& paths, std::string& error);
// A regular file's whole text, at most kMaxDocumentBytes; never blocks on a FIFO or a device.
std::optional<std::string> read_document_file(const std::string& path, std::string& error);
// Parses a fixture or scenario document (comments and trailing commas allowed).
std::optional<DocumentIssue> parse_document(std::string_view text, JsonDocument& document);

// The names an object may have: a list of keys, or the names of a parameter table.
class KeyList {
 public:
  KeyList(std::initializer_list<std::string_view> keys) : keys_(keys.begin(), keys.size()) {}
  KeyList(std::span<const std::string_view> keys) : keys_(keys) {}
  KeyList(std::span<const ParamSpec> specs) : specs_(specs) {}

  bool contains(std::string_view key) const;
  std::string joined() const;  // "a, b, c"

 private:
  std::span<const std::string_view> keys_;
  std::span<const ParamSpec> specs_;
};

// Checks a document's members and keeps the first mistake. Every check answers false once it
// failed (or an earlier one did), so checks chain with &&.
class DocumentReader {
 public:
  bool ok() const { return !issue_; }
  const std::optional<DocumentIssue>& issue() const { return issue_; }
  std::optional<DocumentIssue> take_issue() { return std::move(issue_); }
  bool fail(std::string pointer, std::string message);

  // An object whose every member is one of `keys`; an unknown one is named by its pointer.
  bool object(const JsonValue& v, const std::string& at, KeyList keys);
  bool array(const JsonValue& v, const std::string& at);
  bool string(const JsonValue& v, const std::string& at, std::string& out);
  bool non_empty_string(const JsonValue& v, const std::string& at);
  bool boolean(const JsonValue& v, const std::string& at);
  bool integer(const JsonValue& v, const std::string& at, std::int64_t min, std::int64_t max, std::int64_t& out);
  bool integer(const JsonValue& v, const std::string& at, std::int64_t min, std::int64_t max);
  // A UTC time the clock can represent, read by `parse` (ISO 8601 by default).
  bool time(const JsonValue& v, const std::string& at,
            std::optional<SystemTime> (*parse)(std::string_view) = parse_iso8601);
  // The members of `object` checked against a parameter table (core/validation.hpp); the first
  // violation is the mistake, at its pointer.
  bool params(const JsonValue& object, const std::string& at, std::span<const ParamSpec> specs);
  // A member that must be present; nullptr (and a mistake) when it is not.
  const JsonValue* required(const JsonValue& object, const std::string& at, std::string_view key);

 private:
  std::optional<DocumentIssue> issue_;
};

// A validation path under `base` as a JSON pointer: "style.all[0]" -> base + "/style/all/0".
std::string pointer_of_path(std::string_view base, std::string_view path);

// What every time member's message says it must be (the clock's range, core/clock.hpp).
inline constexpr std::string_view kTimeShape = "a UTC time such as 2025-07-18T06:39:08Z, from 1970 to 2199";

}  // namespace agentemu
