// The Memory and Identity data planes driven the way the pipeline drives them (harness.hpp):
// events with branches and expiry on the emulator's clock, extraction after its delay, the
// record limit and the failed job it leaves, retrieval, fixtures that read back, and workload
// access tokens bound to their tenant and expiry.
#include <doctest/doctest.h>

#include <rapidjson/pointer.h>

#include <string>

#include "support/harness.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;
using agentemu::testing::TestCall;
using agentemu::testing::TestCore;
using agentemu::testing::TestRequest;

namespace {

constexpr std::string_view kFixture = R"({
  "credentials": [{"accessKeyId": "test", "secretAccessKey": "test", "accountId": "123456789012"},
                  {"accessKeyId": "other", "secretAccessKey": "other", "accountId": "210987654321"}],
  "memories": [{"id": "chat_memory-a1b2c3d4e5", "name": "chat_memory", "eventExpiryDuration": 7,
                "strategies": [
                  {"strategyId": "facts-a1b2c3d4e5", "name": "facts", "type": "SEMANTIC",
                   "namespaces": ["/facts/{actorId}"]},
                  {"strategyId": "summary-a1b2c3d4e5", "name": "summary", "type": "SUMMARIZATION",
                   "namespaces": ["/summaries/{actorId}/{sessionId}"]}]}],
  "workloadIdentities": [{"name": "my-agent", "allowedResourceOauth2ReturnUrls": ["https://app.example.com/back"]}],
  "apiKeyCredentialProviders": [{"name": "search", "apiKey": "sk-search-123"}]
})";

constexpr std::string_view kMemory = "/memories/chat_memory-a1b2c3d4e5";

struct Answer {
  int status = 0;
  std::string body;
  JsonDocument json;
  std::string error;
  std::string str(const char* pointer) const {
    const JsonValue* v = rapidjson::Pointer(pointer).Get(json);
    return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string("<none>");
  }
  std::size_t size(const char* pointer) const {
    const JsonValue* v = rapidjson::Pointer(pointer).Get(json);
    return v != nullptr && v->IsArray() ? v->Size() : 0;
  }
};

struct Fixture {
  TestCore core{AuthMode::lenient};
  AgentcoreVendor vendor{core.context()};
  std::string key = "test";

  Fixture() {
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(kFixture, doc, JsonDialect::relaxed));
    const auto issue = vendor.check_fixture(doc, "/agentcore");
    REQUIRE_MESSAGE(!issue, issue->pointer, ": ", issue->message);
    vendor.apply_fixture(doc);
  }

  Answer run(std::string method, std::string path, std::string body = {}) {
    TestRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + key +
                                                "/20260101/us-east-1/bedrock-agentcore/aws4_request, "
                                                "SignedHeaders=host, Signature=00");
    auto call = TestCall::make(std::move(r), core.clock);
    call->run(vendor);
    Answer a;
    a.status = call->call.response.status;
    a.body = call->call.response.body;
    a.error = call->call.error_code;
    (void)parse_json(a.body, a.json);
    return a;
  }

  Answer event(std::string actor, std::string session, std::string text, double ts, std::string extra = {}) {
    return run("POST", std::string(kMemory) + "/events",
               R"({"actorId":")" + actor + R"(","sessionId":")" + session + R"(","eventTimestamp":)" +
                   std::to_string(ts) + R"(,"payload":[{"conversational":{"content":{"text":")" + text +
                   R"("},"role":"USER"}}])" + extra + "}");
  }

  void later(int seconds) { core.clock.set_offset(core.clock.offset() + std::chrono::seconds(seconds)); }
};

std::string events_path(std::string_view actor, std::string_view session) {
  return std::string(kMemory) + "/actor/" + std::string(actor) + "/sessions/" + std::string(session);
}

}  // namespace

TEST_CASE("memory events: create, get, list newest first with pages, delete, unknown memory") {
  Fixture f;
  const Answer first = f.event("alice", "s1", "hello", 1767225600.5);
  REQUIRE_MESSAGE(first.status == 201, first.body);
  const std::string id1 = first.str("/event/eventId");
  CHECK(id1.starts_with("0000001767225600500#"));
  CHECK(id1.size() == 28);
  CHECK(first.str("/event/memoryId") == "chat_memory-a1b2c3d4e5");
  CHECK(first.json["event"]["eventTimestamp"].GetDouble() == doctest::Approx(1767225600.5));
  const std::string id2 = f.event("alice", "s1", "second", 1767225601).str("/event/eventId");
  const std::string id3 = f.event("alice", "s1", "third", 1767225601).str("/event/eventId");  // same millisecond

  const Answer got = f.run("GET", events_path("alice", "s1") + "/events/" + id1);
  REQUIRE(got.status == 200);
  CHECK(got.str("/event/payload/0/conversational/content/text") == "hello");
  CHECK(f.run("GET", events_path("bob", "s1") + "/events/" + id1).error == "ResourceNotFoundException");

  Answer page = f.run("POST", events_path("alice", "s1"), R"({"maxResults":2})");
  REQUIRE(page.size("/events") == 2);
  CHECK(page.str("/events/0/eventId") == id3);  // newest first; a tie keeps creation order, newest first
  CHECK(page.str("/events/1/eventId") == id2);
  const std::string token = page.str("/nextToken");
  page = f.run("POST", events_path("alice", "s1"), R"({"maxResults":2,"nextToken":")" + token + R"("})");
  REQUIRE(page.size("/events") == 1);
  CHECK(page.str("/events/0/eventId") == id1);
  CHECK(page.str("/nextToken") == "<none>");
  const Answer bare = f.run("POST", events_path("alice", "s1"), R"({"includePayloads":false})");
  CHECK(bare.size("/events/0/payload") == 0);
  CHECK(f.run("POST", events_path("alice", "s1"), R"({"nextToken":"bm9wZQ=="})").error == "ValidationException");

  CHECK(f.run("DELETE", events_path("alice", "s1") + "/events/" + id2).str("/eventId") == id2);
  CHECK(f.run("POST", events_path("alice", "s1")).size("/events") == 2);
  CHECK(f.run("POST", "/memories/none_memory-a1b2c3d4e5/events",
              R"({"actorId":"a","eventTimestamp":1,"payload":[]})").error == "ResourceNotFoundException");
}

TEST_CASE("memory events: branches fork from an event of the same session") {
  Fixture f;
  const std::string root = f.event("alice", "s1", "one", 1).str("/event/eventId");
  const std::string two = f.event("alice", "s1", "two", 2).str("/event/eventId");
  Answer fork = f.event("alice", "s1", "alt", 3, R"(,"branch":{"name":"alt","rootEventId":")" + root + R"("})");
  REQUIRE_MESSAGE(fork.status == 201, fork.body);
  CHECK(f.event("alice", "s1", "alt two", 4, R"(,"branch":{"name":"alt"})").status == 201);
  // A new branch without a root, a root of another session, another root for a known branch.
  CHECK(f.event("alice", "s1", "x", 5, R"(,"branch":{"name":"new"})").error == "ValidationException");
  const std::string elsewhere = f.event("alice", "s2", "other", 1).str("/event/eventId");
  const Answer other = f.event("alice", "s1", "x", 5, R"(,"branch":{"name":"b2","rootEventId":")" + elsewhere + R"("})");
  CHECK(other.error == "ValidationException");
  CHECK(other.str("/reason") == "EventInOtherSession");
  CHECK(f.event("alice", "s1", "x", 5, R"(,"branch":{"name":"alt","rootEventId":")" + two + R"("})").str("/reason") ==
        "ResourceConflict");

  Answer alt = f.run("POST", events_path("alice", "s1"), R"({"filter":{"branch":{"name":"alt"}}})");
  CHECK(alt.size("/events") == 2);
  alt = f.run("POST", events_path("alice", "s1"), R"({"filter":{"branch":{"name":"alt","includeParentBranches":true}}})");
  REQUIRE(alt.size("/events") == 3);  // its own two, and main up to the root: not "two"
  CHECK(alt.str("/events/2/eventId") == root);
  CHECK(f.run("POST", events_path("alice", "s1"), R"({"filter":{"branch":{"name":"main"}}})").size("/events") == 2);
}

TEST_CASE("memory events expire after the memory's eventExpiryDuration on the emulator's clock") {
  Fixture f;
  f.event("alice", "s1", "old", 1);
  f.later(6 * 86400);
  f.event("alice", "s2", "newer", 2);
  CHECK(f.run("POST", std::string(kMemory) + "/actor/alice/sessions").size("/sessionSummaries") == 2);
  f.later(86400 + 1);  // the first is 7 days old: gone; its session is kept, empty, for a day
  CHECK(f.run("POST", events_path("alice", "s1")).size("/events") == 0);
  CHECK(f.run("POST", events_path("alice", "s2")).size("/events") == 1);
  CHECK(f.run("POST", std::string(kMemory) + "/actor/alice/sessions", R"({"filter":{"eventFilter":"HAS_EVENTS"}})")
            .size("/sessionSummaries") == 1);
  CHECK(f.run("POST", std::string(kMemory) + "/actor/alice/sessions").size("/sessionSummaries") == 2);
  f.later(86400);
  CHECK(f.run("POST", std::string(kMemory) + "/actor/alice/sessions").size("/sessionSummaries") == 1);
  CHECK(f.run("POST", std::string(kMemory) + "/actors").str("/actorSummaries/0/actorId") == "alice");
}

TEST_CASE("memory extraction: after its delay, into the strategies' namespaces; SKIP stays out") {
  Fixture f;
  f.event("alice", "s1", "I live in Paris. I love jazz.", 1);
  f.event("alice", "s1", "Secret.", 2, R"(,"extractionMode":"SKIP")");
  const auto records = [&](std::string ns) {
    return f.run("POST", std::string(kMemory) + "/memoryRecords", R"({"namespace":")" + ns + R"("})");
  };
  CHECK(records("/facts").size("/memoryRecordSummaries") == 0);  // not yet: 2 s on the emulator's clock
  f.later(3);
  const Answer facts = records("/facts/alice");
  REQUIRE(facts.size("/memoryRecordSummaries") == 2);
  CHECK(facts.str("/memoryRecordSummaries/0/namespaces/0") == "/facts/alice");
  CHECK(facts.str("/memoryRecordSummaries/0/memoryStrategyId") == "facts-a1b2c3d4e5");
  CHECK(facts.str("/memoryRecordSummaries/0/memoryRecordId").size() == 40);
  const Answer summary = records("/summaries/alice/s1");
  REQUIRE(summary.size("/memoryRecordSummaries") == 1);
  CHECK(summary.str("/memoryRecordSummaries/0/content/text") == "USER: I live in Paris. I love jazz.");
  // The same fact again is not a second record; the summary is one record, updated.
  f.event("alice", "s1", "I love jazz.", 3);
  f.later(3);
  CHECK(records("/facts/alice").size("/memoryRecordSummaries") == 2);
  CHECK(records("/summaries/alice/s1").str("/memoryRecordSummaries/0/content/text") ==
        "USER: I live in Paris. I love jazz.\nUSER: I love jazz.");

  const Answer found = f.run("POST", std::string(kMemory) + "/retrieve",
                             R"({"namespace":"/facts/alice","searchCriteria":{"searchQuery":"jazz music","topK":5}})");
  REQUIRE(found.size("/memoryRecordSummaries") == 1);
  CHECK(found.str("/memoryRecordSummaries/0/content/text") == "I love jazz.");
  const double score = found.json["memoryRecordSummaries"][0]["score"].GetDouble();
  CHECK(score > 0);
  CHECK(score < 1);
  CHECK(f.run("POST", std::string(kMemory) + "/retrieve", R"({"searchCriteria":{"searchQuery":"x"}})").error ==
        "ValidationException");  // namespace or namespacePath
}

TEST_CASE("memory records: the per-memory limit fails an extraction, and the job runs again once there is room") {
  Fixture f;
  for (int batch = 0; batch < 100; ++batch) {
    std::string body = R"({"records":[)";
    for (int i = 0; i < 100; ++i) {
      body += std::string(i ? "," : "") + R"({"requestIdentifier":"r)" + std::to_string(i) +
              R"(","namespaces":["/bulk"],"content":{"text":"record )" + std::to_string(batch * 100 + i) +
              R"("},"timestamp":1})";
    }
    const Answer a = f.run("POST", std::string(kMemory) + "/memoryRecords/batchCreate", body + "]}");
    REQUIRE_MESSAGE(a.size("/successfulRecords") == 100, a.body.substr(0, 300));
  }
  const Answer full = f.run("POST", std::string(kMemory) + "/memoryRecords/batchCreate",
                            R"({"records":[{"requestIdentifier":"x","namespaces":[],"content":{"text":"one more"},"timestamp":1}]})");
  REQUIRE(full.size("/failedRecords") == 1);
  CHECK(full.json["failedRecords"][0]["errorCode"].GetInt() == 402);
  CHECK(full.str("/failedRecords/0/status") == "FAILED");

  f.event("alice", "s1", "I live in Paris.", 1);
  f.later(3);
  Answer jobs = f.run("POST", std::string(kMemory) + "/extractionJobs");
  REQUIRE(jobs.size("/jobs") == 2);  // the fact and the summary
  CHECK(jobs.str("/jobs/0/status") == "FAILED");
  CHECK(jobs.str("/jobs/0/failureReason").find("10000 memory records") != std::string::npos);
  CHECK(jobs.str("/jobs/0/actorId") == "alice");
  const std::string job = jobs.str("/jobs/0/jobID");
  // Still full: it fails again and stays listed.
  CHECK(f.run("POST", std::string(kMemory) + "/extractionJobs/start", R"({"extractionJob":{"jobId":")" + job + R"("}})")
            .str("/jobId") == job);
  CHECK(f.run("POST", std::string(kMemory) + "/extractionJobs").size("/jobs") == 2);
  const Answer listed = f.run("POST", std::string(kMemory) + "/memoryRecords", R"({"namespace":"/bulk","maxResults":1})");
  const std::string some = listed.str("/memoryRecordSummaries/0/memoryRecordId");
  CHECK(f.run("DELETE", std::string(kMemory) + "/memoryRecords/" + some).str("/memoryRecordId") == some);
  CHECK(f.run("POST", std::string(kMemory) + "/extractionJobs/start", R"({"extractionJob":{"jobId":")" + job + R"("}})")
            .status == 200);
  jobs = f.run("POST", std::string(kMemory) + "/extractionJobs");
  CHECK(jobs.size("/jobs") == 1);
  CHECK(f.run("POST", std::string(kMemory) + "/memoryRecords", R"({"namespace":"/facts/alice"})")
            .str("/memoryRecordSummaries/0/content/text") == "I live in Paris.");
  CHECK(f.run("POST", std::string(kMemory) + "/extractionJobs/start", R"({"extractionJob":{"jobId":"nope"}})").error ==
        "ResourceNotFoundException");
}

TEST_CASE("memory and identity fixtures: a state dump loads back to the same state") {
  Fixture f;
  const std::string id = f.event("alice", "s1", "I live in Paris.", 1, R"(,"metadata":{"channel":{"stringValue":"web"}})")
                             .str("/event/eventId");
  f.later(3);
  f.run("POST", std::string(kMemory) + "/memoryRecords", R"({"namespace":"/"})");  // runs the extraction
  JsonWriter dump;
  f.vendor.write_state(dump, StateOptions{.secrets = true});
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(dump.text(), doc));
  CHECK(doc["memoryEvents"].Size() == 1);
  CHECK(doc["memoryRecords"].Size() == 2);
  CHECK(doc["apiKeyCredentialProviders"][0]["apiKey"] == "sk-search-123");

  Fixture g;
  g.vendor.clear_state();
  const auto issue = g.vendor.check_fixture(doc, "/agentcore");
  REQUIRE_MESSAGE(!issue, issue->pointer, ": ", issue->message);
  g.vendor.apply_fixture(doc);
  JsonWriter again;
  g.vendor.write_state(again, StateOptions{.secrets = true});
  JsonDocument doc2;
  REQUIRE_FALSE(parse_json(again.text(), doc2));
  CHECK(doc2["memoryEvents"] == doc["memoryEvents"]);
  CHECK(doc2["memoryRecords"] == doc["memoryRecords"]);
  CHECK(g.run("GET", events_path("alice", "s1") + "/events/" + id).str("/event/metadata/channel/stringValue") == "web");

  JsonWriter redacted;
  g.vendor.write_state(redacted, StateOptions{.secrets = false});
  CHECK(redacted.text().find("sk-search-123") == std::string::npos);
  CHECK(redacted.text().find(kRedacted) != std::string::npos);

  JsonDocument bad;
  REQUIRE_FALSE(parse_json(R"({"memoryEvents":[{"memoryId":"gone_memory-a1b2c3d4e5","actorId":"a","sessionId":"s",
      "eventTimestamp":1,"payload":[]}]})", bad));
  const auto unknown = g.vendor.check_fixture(bad, "/agentcore");
  REQUIRE(unknown);
  CHECK(unknown->pointer == "/agentcore/memoryEvents/0/memoryId");
}

TEST_CASE("identity: workload access tokens are bound to the tenant, the workload and their expiry") {
  Fixture f;
  const Answer token = f.run("POST", "/identities/GetWorkloadAccessTokenForUserId",
                             R"({"workloadName":"my-agent","userId":"alice"})");
  REQUIRE_MESSAGE(token.status == 200, token.body);
  const std::string wat = token.str("/workloadAccessToken");
  CHECK(wat.starts_with("wat1."));
  CHECK(f.run("POST", "/identities/GetWorkloadAccessToken", R"({"workloadName":"nobody"})").error ==
        "ResourceNotFoundException");

  const std::string ask = R"({"workloadIdentityToken":")" + wat + R"(","resourceCredentialProviderName":"search"})";
  CHECK(f.run("POST", "/identities/api-key", ask).str("/apiKey") == "sk-search-123");
  std::string forged = wat;
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  CHECK(f.run("POST", "/identities/api-key",
              R"({"workloadIdentityToken":")" + forged + R"(","resourceCredentialProviderName":"search"})")
            .error == "AccessDeniedException");
  f.key = "other";  // another account's caller cannot use it
  CHECK(f.run("POST", "/identities/api-key", ask).error == "AccessDeniedException");
  f.key = "test";
  f.later(3601);
  CHECK(f.run("POST", "/identities/api-key", ask).error == "AccessDeniedException");
}
