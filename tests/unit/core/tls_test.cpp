#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/server/tls.hpp"

using namespace agentemu;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_for(SelfSignedOptions options) {
  std::vector<std::string> names;
  REQUIRE_FALSE(self_signed_names(options, names).has_value());
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh folder under the system's temporary folder, removed at the end of the test.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("agentemu-tls-test-" + random_hex(6));
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

boost::asio::ssl::context server_context() { return boost::asio::ssl::context(boost::asio::ssl::context::tls_server); }

}  // namespace

TEST_CASE("the self-signed names are the loopback names, every vendor host, --host and --tls-host") {
  const auto names = names_for({"127.0.0.1", {"API.Example.test", "10.1.2.3", "localhost"}, ""});
  CHECK(names[0] == "localhost");
  CHECK(names[1] == "127.0.0.1");
  CHECK(names[2] == "::1");
  for (const std::string& host : vendor_tls_hosts()) CHECK(has(names, host));
  CHECK(has(names, "api.example.test"));  // lowercased, as DNS compares names
  CHECK(has(names, "10.1.2.3"));
  CHECK(std::count(names.begin(), names.end(), "localhost") == 1);
  CHECK(names.size() == 3 + vendor_tls_hosts().size() + 2);
}

TEST_CASE("the vendor hosts cover each vendor's documented names") {
  const auto& hosts = vendor_tls_hosts();
  for (const char* host : {"bedrock-agentcore.us-east-1.amazonaws.com", "bedrock-agentcore-control.us-east-1.amazonaws.com",
                           "bedrock-agentcore.eu-central-1.amazonaws.com", "bedrock-agentcore-control.ap-southeast-2.amazonaws.com",
                           "ice.cn-shanghai.aliyuncs.com", "ice.aliyuncs.com", "aigc-aiagent-api.zegotech.cn",
                           "aigc-aiagent-api-sgp.zegotech.cn"}) {
    CHECK_MESSAGE(has(hosts, host), host);
  }
  std::vector<std::string> names;
  for (const std::string& host : hosts) {  // each one a well-formed name, as a --tls-host must be
    CHECK_FALSE_MESSAGE(self_signed_names({"127.0.0.1", {host}, ""}, names).has_value(), host);
  }
}

TEST_CASE("--host is named when a client can dial it, not when it is a wildcard address") {
  CHECK(has(names_for({"agentemu.internal", {}, ""}), "agentemu.internal"));
  CHECK(has(names_for({"[::2]", {}, ""}), "::2"));
  const auto wildcard = names_for({"0.0.0.0", {}, ""});
  CHECK_FALSE(has(wildcard, "0.0.0.0"));
  CHECK(wildcard.size() == 3 + vendor_tls_hosts().size());
}

TEST_CASE("a --tls-host that is not a host name or an address is refused, naming it") {
  std::vector<std::string> names;
  for (const char* bad : {"", "a b", "x,IP:1.2.3.4", "-lead.example", "a..b", "under_score.example"}) {
    const auto error = self_signed_names({"127.0.0.1", {bad}, ""}, names);
    REQUIRE_MESSAGE(error.has_value(), bad);
    CHECK(error->find(std::string("\"") + bad + "\"") != std::string::npos);
  }
  CHECK_FALSE(self_signed_names({"127.0.0.1", {"*.svc.example", "fe80::1"}, ""}, names).has_value());
}

TEST_CASE("a temporary pair is removed with its TlsFiles") {
  std::string folder;
  {
    auto context = server_context();
    TlsFiles files;
    REQUIRE_FALSE(make_self_signed(context, {"127.0.0.1", {}, ""}, files).has_value());
    folder = files.temp_folder;
    CHECK(fs::exists(files.cert_file));
    struct stat key_stat {};
    REQUIRE(::stat(files.key_file.c_str(), &key_stat) == 0);
    CHECK((key_stat.st_mode & 0777) == 0600);
  }
  CHECK_FALSE(folder.empty());
  CHECK_FALSE(fs::exists(folder));
}

TEST_CASE("--tls-dir keeps the pair, reuses it while it covers the names, and renews it when not") {
  ScratchDir dir;
  const std::string keep = (dir.path / "nested").string();  // created on demand
  std::string first_cert;
  {
    auto context = server_context();
    TlsFiles files;
    REQUIRE_FALSE(make_self_signed(context, {"127.0.0.1", {}, keep}, files).has_value());
    CHECK_FALSE(files.reused);
    CHECK(files.temp_folder.empty());
    first_cert = slurp(files.cert_file);
  }
  REQUIRE(fs::exists(keep + "/cert.pem"));
  CHECK((fs::status(keep).permissions() & fs::perms::others_all) == fs::perms::none);
  {
    auto context = server_context();
    TlsFiles files;
    REQUIRE_FALSE(make_self_signed(context, {"127.0.0.1", {}, keep}, files).has_value());
    CHECK(files.reused);
    CHECK(slurp(files.cert_file) == first_cert);
  }
  {  // a name the kept certificate lacks: a new one that has it
    auto context = server_context();
    TlsFiles files;
    REQUIRE_FALSE(make_self_signed(context, {"127.0.0.1", {"new.example.test"}, keep}, files).has_value());
    CHECK_FALSE(files.reused);
    CHECK(slurp(files.cert_file) != first_cert);
  }
  {  // a key that is not the certificate's: renewed, never served
    std::ofstream(keep + "/key.pem") << "not a key";
    auto context = server_context();
    TlsFiles files;
    REQUIRE_FALSE(make_self_signed(context, {"127.0.0.1", {"new.example.test"}, keep}, files).has_value());
    CHECK_FALSE(files.reused);
    CHECK(slurp(files.key_file).find("PRIVATE KEY") != std::string::npos);
  }
}

TEST_CASE("--tls-dir never overwrites a certificate agentemu did not make") {
  ScratchDir dir;
  fs::create_directories(dir.path);
  const std::string foreign = "-----BEGIN CERTIFICATE-----\nnot agentemu's\n-----END CERTIFICATE-----\n";
  std::ofstream(dir.path / "cert.pem") << foreign;
  auto context = server_context();
  TlsFiles files;
  const auto error = make_self_signed(context, {"127.0.0.1", {}, dir.path.string()}, files);
  REQUIRE(error.has_value());
  CHECK(error->find("not a certificate agentemu made") != std::string::npos);
  CHECK(slurp((dir.path / "cert.pem").string()) == foreign);
}
