#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/document.hpp"

using namespace agentemu;

namespace {

std::string scratch_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("agentemu-document-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::optional<DocumentIssue> read(std::string_view text, KeyList keys) {
  JsonDocument doc;
  if (auto syntax = parse_document(text, doc)) return syntax;
  DocumentReader reader;
  reader.object(doc, "/x", keys);
  return reader.take_issue();
}

}  // namespace

TEST_CASE("one wording for an unknown key: named once, by its pointer") {
  const auto issue = read(R"({"a": 1, "bee": 2})", {"a", "b"});
  REQUIRE(issue);
  CHECK(issue->pointer == "/x/bee");
  CHECK(issue->message == "unknown key (expected one of a, b)");
  CHECK(describe_issue("f.json", *issue) == "f.json: /x/bee: unknown key (expected one of a, b)");
  CHECK(read("[]", {"a"})->message == "must be an object, not array");
  CHECK_FALSE(read(R"({"a": 1})", {"a", "b"}));
}

TEST_CASE("a parameter table is a key list too") {
  static constexpr ParamSpec specs[] = {{.name = "Id", .required = true}, {.name = "Count", .type = ParamType::integer}};
  CHECK(read(R"({"Id": "x", "Cnt": 1})", std::span<const ParamSpec>(specs))->message ==
        "unknown key (expected one of Id, Count)");
  JsonDocument doc;
  REQUIRE_FALSE(parse_document(R"({"Count": "many"})", doc));
  DocumentReader reader;
  CHECK_FALSE(reader.params(doc, "/x", specs));
  CHECK(reader.issue()->pointer == "/x/Id");
}

TEST_CASE("a long key or value is shortened where it is echoed, so the line stays bounded") {
  const std::string key(100000, 'k');
  const auto issue = read("{\"" + key + "\": 1}", {"a"});
  REQUIRE(issue);
  CHECK(issue->pointer == "/x/" + std::string(kPointerKeyLimit, 'k') + "...");
  CHECK(issue->message.find("kkkk") == std::string::npos);  // not a second time
  CHECK(excerpt(key) == "\"" + std::string(kEchoLimit, 'k') + "...\"");
  CHECK(excerpt("short") == "\"short\"");
  CHECK(excerpt("\xc3\xa9" + std::string(kEchoLimit, 'e')).size() <= kEchoLimit + 5);
  // Whatever the parts, one line of at most 2 KiB and the ellipsis.
  CHECK(describe_issue(std::string(5000, 'f'), DocumentIssue{"/a", "m"}).size() == 2048 + 3);
}

TEST_CASE("a syntax error is named by line and column") {
  JsonDocument doc;
  const auto issue = parse_document("{\n  \"a\": [1,\n", doc);
  REQUIRE(issue);
  CHECK(issue->line == 3);
  CHECK(describe_issue("f.json", *issue).starts_with("f.json:3:1: "));
}

TEST_CASE("time members are in the clock's range") {
  JsonDocument doc;
  REQUIRE_FALSE(parse_document(R"(["2025-01-01T00:00:00Z", "9999-01-01T00:00:00Z", 5])", doc));
  DocumentReader ok;
  CHECK(ok.time(doc[0], "/0"));
  DocumentReader far;
  CHECK_FALSE(far.time(doc[1], "/1"));
  CHECK(far.issue()->message == "must be " + std::string(kTimeShape));
  DocumentReader number;
  CHECK_FALSE(number.time(doc[2], "/2"));
}

TEST_CASE("only regular files and folders are read, and only up to the bound") {
  std::string error;
  CHECK_FALSE(expand_json_paths({"/dev/zero"}, error));
  CHECK(error == "/dev/zero: not a regular file or folder");
  CHECK_FALSE(read_document_file("/dev/zero", error));
  CHECK(error == "/dev/zero: not a regular file or folder");

  const std::string dir = scratch_dir();
  const std::string fifo = dir + "/pipe.json";
  ::unlink(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(expand_json_paths({fifo}, error));
  CHECK_FALSE(read_document_file(fifo, error));  // and never blocks waiting for a writer
  CHECK(error == fifo + ": not a regular file or folder");
  const auto listed = expand_json_paths({dir}, error);  // a folder's FIFO is not one of its files
  REQUIRE(listed);
  CHECK(listed->empty());

  const std::string big = dir + "/big.json";
  { std::ofstream(big).put('x'); }
  std::filesystem::resize_file(big, kMaxDocumentBytes + 1);
  CHECK_FALSE(read_document_file(big, error));
  CHECK(error.ends_with("larger than 32 MiB, the most a fixture or scenario file may hold"));
  std::filesystem::resize_file(big, 3);
  CHECK(read_document_file(big, error) == std::string("x\0\0", 3));
  std::filesystem::remove_all(dir);
}
