// The pattern matcher (core/regex) against std::regex over every pattern of the AgentCore service
// models, with samples that match and samples that do not; and against hostile input, where a
// backtracking engine takes exponential time.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/regex.hpp"

using namespace agentemu;

namespace {

// Values of the shapes the models describe (ids, names, ARNs of every resource type, URLs...),
// so that every pattern has samples that match; their variants below give the near misses.
const std::vector<std::string> kSamples = {
    "abc",
    "ABC",
    "a",
    "Z",
    "0",
    "7",
    "42",
    "123456789012",
    "12345",
    "0.1.0",
    "1.2.3",
    "DRAFT",
    "C",
    "T1",
    "x-y",
    "my_agent",
    "echo_agent",
    "echo_agent-a1b2c3d4e5",
    "myRuntime-AbCdE12345",
    "Builtin.Helpfulness",
    "Builtin.Tool.Selection",
    "aws.browser.v1",
    "aws.codeinterpreter.v1",
    "mem-abc_1",
    "memory_one-a1b2c3d4e5",
    "prod",
    "DEFAULT",
    "client_secret_post",
    "client_secret_basic",
    "targetName",
    "$.context.jwt.sub_claim",
    "$.context.iam.principal",
    "hello world",
    "Hello World 123",
    "SGVsbG8=",
    "wallet-auth:SGVsbG8=",
    "/mnt/data",
    "/mnt/data/",
    "/api/v1/*",
    "/path/to/thing",
    "/a/b_c-d.e",
    "#tag",
    "1#abcdef",
    "00000000-0000-0000-0000-000000000000",
    "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    "ABCDEF12-3456-7890-ABCD-EF1234567890",
    "4HZM1H3RIAS326JMIN501AKT80",
    "AbCdE12345",
    "abcdef123456",
    "abcdef1234567890",
    "ab-cd_EF.gh",
    "a.b.c",
    "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl",
    "user@example.com",
    "+14155550123",
    "https://example.com",
    "https://example.com/.well-known/openid-configuration",
    "https://idp.example.com/.well-known/oauth-authorization-server",
    "https://example.com:8443/path?x=1",
    "s3://my-bucket/prefix/key.json",
    "s3://bucket",
    "my-bucket",
    "my.bucket-01",
    "ephemeral1",
    "cr-abc123",
    "sg-0123abcd",
    "sg-0123456789abcdef0",
    "subnet-0123abcd",
    "vpc-0123abcd",
    "vpc-0123456789abcdef0",
    "snap-0123abcd",
    "rcfg-0123456789abcdefg",
    "payment-instrument-abc123def456ghi",
    "payment-session-abc123def456ghi",
    "urn:ietf:params:oauth:request_uri:abc-123",
    "scheme://host/path",
    "http://x",
    "{actorId}/prefix/{sessionId}",
    "prefix/{memoryStrategyId}/x",
    "*",
    "@scope/name",
    "name/sub",
    "a*b?c",
    "abc[1]",
    "!~",
    "x y z",
    "\ttab",
    "hello_world_1",
    "tag:value/x=y+z@w",
    "key1",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5/runtime-endpoint/prod",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/memory_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-profile/profile_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:capacity-provider/cap_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:registry/abcdef123456",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:registry/abcdef123456/record/abcdef123456",
    "arn:aws:bedrock-agentcore:us-east-1:aws:browser/aws.browser.v1",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-custom/my_browser-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:aws:code-interpreter/aws.codeinterpreter.v1",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:code-interpreter-custom/my_ci-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/my-gateway-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/engine_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/engine_one-a1b2c3d4e5/policy/policy_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/engine_one-a1b2c3d4e5/policy-generation/gen_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:evaluator/eval_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:online-evaluation-config/config_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:ab-test/test_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:configuration-bundle/bundle_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:recommendation/rec_one-ABCDE12345",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/data_set-1",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/harness_one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/harness_one-a1b2c3d4e5/harness-endpoint/prod",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:payment-manager/pm-one-a1b2c3d4e5",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/my-key",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/my-oauth",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/my-agent",
    "arn:aws:acps:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/my-key",
    "arn:aws:acps:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/my-oauth",
    "arn:aws:acps:us-east-1:123456789012:token-vault/default/paymentcredentialprovider/my-pay",
    "arn:aws:iam::123456789012:role/MyRole",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:sts::123456789012:assumed-role/MyRole/session",
    "arn:aws:iam::123456789012:instance-profile/MyProfile",
    "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-secret-AbCdEf",
    "arn:aws:lambda:us-east-1:123456789012:function:my-func",
    "arn:aws:lambda:us-east-1:123456789012:function:my-func:$LATEST",
    "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123",
    "arn:aws:resource-groups:us-east-1:123456789012:group/my-group",
    "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0",
    "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0",
    "arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef01/access-point/fsap-0123456789abcdef01",
    "arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef01",
    "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg",
    "arn:aws:vpc-lattice:us-east-1:123456789012:resourcegateway/rgw-0123456789abcdefg",
    "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetworkresourceassociation/snra-0123456789abcdef0",
    "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/my-acl/abc",
    "arn:aws:s3:::my-bucket",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:latest",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/my-agent@sha256:abc",
    "public.ecr.aws/org/image:1.0",
    "my-gateway-a1b2c3d4e5",
    "/api/*",
    "rec_one-ABCDE12345",
    "arn::bedrock-agentcore:us-east-1:123456789012:payment-manager/pm-one-a1b2c3d4e5",
    "",
    " ",
    "a\nb",
    "line\r",
    "-lead",
    "trail-",
    "UPPER_CASE_99"};

std::vector<std::string> variants(const std::string& s) {
  std::vector<std::string> out{s, s + "!", "!" + s, s + "a", s + s};
  if (!s.empty()) {
    out.push_back(s.substr(1));
    out.push_back(s.substr(0, s.size() - 1));
  }
  return out;
}

// Every pattern of both models, as the model states it: botocore keeps the Smithy pattern without
// its leading '^' and trailing '$', so they are put back.
std::set<std::string> model_patterns() {
  std::set<std::string> out;
  for (const char* file : {"bedrock-agentcore.service-2.json", "bedrock-agentcore-control.service-2.json"}) {
    const std::string path = std::string(AGENTEMU_SOURCE_DIR) + "/emulator/vendors/agentcore/model/" + file;
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), path);
    std::stringstream text;
    text << in.rdbuf();
    JsonDocument doc;
    REQUIRE_FALSE(parse_json(text.str(), doc));
    for (const auto& shape : doc["shapes"].GetObject()) {
      const JsonValue* pattern = json_member(shape.value, "pattern");
      if (pattern != nullptr) out.insert("^" + std::string(pattern->GetString(), pattern->GetStringLength()) + "$");
    }
  }
  return out;
}

bool matches(std::string_view pattern, std::string_view text) {
  const auto re = Regex::compile(pattern);
  REQUIRE_MESSAGE(re, pattern);
  return re->search(text);
}

}  // namespace

TEST_CASE("regex: every model pattern compiles and agrees with std::regex on matching and non-matching samples") {
  const std::set<std::string> patterns = model_patterns();
  CHECK(patterns.size() > 150);
  std::vector<std::string> candidates;
  for (const std::string& s : kSamples) {
    for (std::string& v : variants(s)) candidates.push_back(std::move(v));
  }
  std::size_t compared = 0;
  for (const std::string& pattern : patterns) {
    std::string error;
    const auto ours = Regex::compile(pattern, &error);
    REQUIRE_MESSAGE(ours, pattern << ": " << error);
    std::regex theirs;
    try {
      theirs = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      FAIL_CHECK("std::regex cannot compile " << pattern);
      continue;
    }
    std::size_t matched = 0, refused = 0;
    for (const std::string& text : candidates) {
      const bool expected = std::regex_search(text, theirs);
      CHECK_MESSAGE(ours->search(text) == expected, pattern << " on '" << text << "'");
      (expected ? matched : refused) += 1;
      ++compared;
    }
    CHECK_MESSAGE(matched > 0, "no sample matches " << pattern);
    CHECK_MESSAGE(refused > 0, "every sample matches " << pattern);
  }
  MESSAGE("compared " << compared << " matches over " << patterns.size() << " patterns");
}

TEST_CASE("regex: the syntax of the models") {
  CHECK(matches("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$", "a--b"));
  CHECK_FALSE(matches("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$", "a-"));
  CHECK(matches("^[0-9a-zA-Z]{1,40}$", std::string(40, 'x')));
  CHECK_FALSE(matches("^[0-9a-zA-Z]{1,40}$", std::string(41, 'x')));
  CHECK(matches("^[A-Za-z0-9_.-:]+$", "a/b:c"));  // ".-:" is a range that holds '/'
  CHECK(matches("^[a-z0-9-_]+$", "a-_"));         // a '-' after a range is itself
  CHECK(matches("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$", "abc!"));
  CHECK_FALSE(matches("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$", "a\"b"));
  CHECK(matches("^[\\u0009\\u000A\\u000D\\u0020-\\u007E]+$", "tab\there"));
  CHECK(matches("^\\S*$", ""));
  CHECK_FALSE(matches("^\\S*$", "a b"));
  CHECK(matches("^[!-~][ -~]*[!-~]$|^[!-~]$", "x"));
  CHECK_FALSE(matches("^[!-~][ -~]*[!-~]$|^[!-~]$", " x"));
  CHECK(matches("^(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)$", "10.0"));
  CHECK_FALSE(matches("^(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)$", "01.0"));
  CHECK(matches("^a{2,}$", "aaaa"));
  CHECK_FALSE(matches("^a{2,}$", "a"));
  CHECK(matches("^x{,2}$", "x{,2}"));  // not a quantifier: literal, as Annex B reads it
  CHECK(matches("^[^*?\\[\\]]+$", "abc"));
  CHECK_FALSE(matches("^[^*?\\[\\]]+$", "a]"));
  CHECK(matches("^a.c$", "a\xc3\xa9" "c"));  // one code point, two bytes
  CHECK(matches("^.{2}$", "\xe2\x82\xac\xe2\x82\xac"));  // characters, not bytes
  CHECK_FALSE(matches("^.$", "\n"));
  CHECK(matches("[\\s\\S]", "\n"));
  CHECK(matches("b", "abc"));       // unanchored: anywhere
  CHECK_FALSE(matches("^b", "abc"));
  CHECK(matches("^.*1|x.*$", "a1b"));  // ^ and $ bind to their own alternative
  for (const char* bad : {"(?=a)", "(?!a)", "\\1", "a**", "a+{2}", "(a", "a)", "[a", "\\k", "*a", "a{3,1}", "[z-a]"}) {
    std::string error;
    CHECK_FALSE_MESSAGE(Regex::compile(bad, &error), bad);
  }
}

TEST_CASE("regex: hostile input takes linear time") {
  // Each of these takes a backtracking engine (std::regex, PCRE without limits) exponential time
  // on a run of 'a's that fails at the end.
  const std::string run(20000, 'a');
  const std::string text = run + "!";
  const auto started = std::chrono::steady_clock::now();
  for (const char* pattern : {"^(a+)+$", "^(a|a)*$", "^(a|aa)*b$", "^(a*)*$", "^(.*a){12}$", "^(a?){30}a{30}$"}) {
    const auto re = Regex::compile(pattern);
    REQUIRE(re);
    CHECK_FALSE(re->search(text));
  }
  for (const std::string& pattern : model_patterns()) {
    const auto re = Regex::compile(pattern);
    REQUIRE(re);
    (void)re->search(text);
    (void)re->search(std::string(5000, '-') + "arn:aws:");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("hostile inputs took " << seconds << " s");
  CHECK(seconds < 60.0);  // a backtracking engine would not finish at all
}

TEST_CASE("regex: a pattern too large to expand is refused") {
  std::string error;
  CHECK_FALSE(Regex::compile("^(((a{1000}){1000}){1000})$", &error));
  CHECK(error.find("instructions") != std::string::npos);
}

TEST_CASE("regex: one set repeated between the anchors is matched by counting, as the NFA would") {
  // "^(?:X|X)$" is the same language as "^X$" but not the counted shape, so it runs the NFA.
  const std::vector<std::string> runs = {"[a-c]{2,4}", "[a-c]{3}", "[a-c]{2,}", "[a-c]*", "[a-c]+", "[a-c]?",
                                         "[a-c]{0,2}", "[^a]{1,3}", "\\d{1,2}?", "[0-9a-zA-Z]{1,40}", "[é-ü]+"};
  const std::vector<std::string> texts = {"", "a", "ab", "abc", "abcd", "abcda", "ad", "b\n", "\n", "x", "xyz",
                                          "wxyz", "1", "12", "123", "é", "éü", "aé", "\xff", "a\xff", "\xc3",
                                          std::string(40, 'z'), std::string(41, 'z')};
  for (const std::string& run : runs) {
    const auto counted = Regex::compile("^" + run + "$");
    const auto nfa = Regex::compile("^(?:" + run + "|" + run + ")$");
    REQUIRE(counted);
    REQUIRE(nfa);
    CHECK(counted->counts_a_run());
    CHECK_FALSE(nfa->counts_a_run());
    for (const std::string& text : texts) {
      INFO("pattern ^" << run << "$ on \"" << text << "\"");
      CHECK(counted->search(text) == nfa->search(text));
    }
  }
  // A set run without both anchors, or between other atoms, is not the counted shape: it still
  // finds a match anywhere.
  CHECK_FALSE(Regex::compile("[a-c]{2}")->counts_a_run());
  CHECK_FALSE(Regex::compile("^x[a-c]{2}$")->counts_a_run());
  CHECK_FALSE(Regex::compile("^[a-c]{0}$")->counts_a_run());  // no copy of the set to count with
  CHECK(Regex::compile("^(?:[a-c]{2})$")->counts_a_run());     // a group leaves no node
  CHECK(Regex::compile("[a-c]{2}")->search("xxabxx"));
  CHECK(Regex::compile("^x[a-c]{2}$")->search("xab"));
  CHECK_FALSE(Regex::compile("^[a-c]{2}$")->search("xab"));
}
