#include "core/server/tls.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace agentemu {
namespace {

template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

constexpr const char* kOrganization = "agentemu";  // marks a certificate as agentemu's own
constexpr long kValidDays = 365;
constexpr long kReuseMarginSeconds = 24 * 3600;  // a kept pair this close to expiry is renewed

// An IP address in its canonical text ("::1", "127.0.0.1"), or nothing when `text` is none.
std::optional<std::string> canonical_ip(const std::string& text) {
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, text.c_str(), bytes) == 1 && inet_ntop(family, bytes, out, sizeof out) != nullptr) {
      return std::string(out);
    }
  }
  return std::nullopt;
}

// RFC 1123 labels of letters, digits and '-', 1..63 each, 253 in all; "*." may lead.
bool is_host_name(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  for (std::string_view label : split(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
  }
  return true;
}

bool is_wildcard_listen_address(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

std::string to_pem(X509* cert) {
  Owned<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string key_to_pem(EVP_PKEY* key) {
  Owned<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// Writes `text` to `path` with `mode` from the first byte (the key is never readable by others,
// whatever the umask), through a temporary name and a rename, so a reader never sees half a file.
bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  const std::string temp = path + ".tmp-" + random_hex(4);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool ok = written == text.size() && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  if (::close(fd) != 0 || !ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return false;
  }
  return true;
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// The subjectAltName extension built name by name, so no name is parsed as configuration text.
bool add_alt_names(X509* cert, const std::vector<std::string>& names) {
  Owned<GENERAL_NAMES, GENERAL_NAMES_free> list(sk_GENERAL_NAME_new_null());
  for (const std::string& name : names) {
    Owned<GENERAL_NAME, GENERAL_NAME_free> entry(GENERAL_NAME_new());
    if (!list || !entry) return false;
    if (canonical_ip(name)) {
      ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
      if (ip == nullptr) return false;
      GENERAL_NAME_set0_value(entry.get(), GEN_IPADD, ip);
    } else {
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns == nullptr || ASN1_STRING_set(dns, name.data(), static_cast<int>(name.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        return false;
      }
      GENERAL_NAME_set0_value(entry.get(), GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(list.get(), entry.get()) == 0) return false;
    entry.release();
  }
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// The DNS names (lowercased) and IP addresses (canonical text) a certificate names.
std::set<std::string> alt_names_of(X509* cert) {
  std::set<std::string> out;
  Owned<GENERAL_NAMES, GENERAL_NAMES_free> list(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!list) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(list.get()); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(list.get(), i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(entry, &type));
    if (value == nullptr) continue;
    const auto* data = ASN1_STRING_get0_data(value);
    const int size = ASN1_STRING_length(value);
    if (type == GEN_DNS) {
      out.insert(to_lower(std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))));
    } else if (type == GEN_IPADD && (size == 4 || size == 16)) {
      char text[INET6_ADDRSTRLEN];
      if (inet_ntop(size == 4 ? AF_INET : AF_INET6, data, text, sizeof text) != nullptr) out.insert(text);
    }
  }
  return out;
}

bool made_by_agentemu(X509* cert) {
  char organization[64] = {};
  return X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_organizationName, organization,
                                   sizeof organization) > 0 &&
         std::string_view(organization) == kOrganization;
}

struct Pair {
  std::string cert_pem;
  std::string key_pem;
};

std::optional<std::string> generate(const std::vector<std::string>& names, Pair& pair) {
  Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return "cannot generate a TLS key";
  Owned<X509, X509_free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), random_u64() >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidDays * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(kOrganization), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("agentemu local"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);

  // A self-signed certificate is its own trust anchor: CA:TRUE lets NODE_EXTRA_CA_CERTS and
  // curl --cacert accept it as one, as certificates from `openssl req -x509` do.
  if (!add_alt_names(cert.get(), names) || !add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return "cannot build the certificate's extensions";
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return "cannot sign the certificate";
  pair = {to_pem(cert.get()), key_to_pem(key.get())};
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether --tls-dir holds a pair to reuse: agentemu's own, its key the certificate's, valid for
// another day and naming every name. Anything else of agentemu's is replaced; a certificate
// agentemu did not make is an error: it is the user's, and is never overwritten.
std::optional<std::string> inspect_kept(const std::string& cert_file, const std::string& key_file,
                                        const std::vector<std::string>& names, bool& reusable, Pair& pair) {
  reusable = false;
  std::error_code ec;
  if (!std::filesystem::exists(cert_file, ec)) return std::nullopt;
  const auto cert_pem = read_file(cert_file);
  if (!cert_pem) return cert_file + ": cannot be read";
  Owned<BIO, BIO_free_all> bio(BIO_new_mem_buf(cert_pem->data(), static_cast<int>(cert_pem->size())));
  Owned<X509, X509_free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert || !made_by_agentemu(cert.get())) {
    return cert_file + ": not a certificate agentemu made; --tls-dir is agentemu's own folder (give your own pair with --tls-cert/--tls-key)";
  }
  const auto key_pem = read_file(key_file);
  if (!key_pem) return std::nullopt;
  Owned<BIO, BIO_free_all> key_bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  Owned<EVP_PKEY, EVP_PKEY_free> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key || X509_check_private_key(cert.get(), key.get()) != 1) return std::nullopt;

  std::time_t renew_after = std::time(nullptr) + kReuseMarginSeconds;
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0 ||
      X509_cmp_time(X509_get0_notAfter(cert.get()), &renew_after) < 0) {
    return std::nullopt;
  }
  const std::set<std::string> covered = alt_names_of(cert.get());
  for (const std::string& name : names) {
    if (!covered.contains(name)) return std::nullopt;
  }
  reusable = true;
  pair = {*cert_pem, *key_pem};
  return std::nullopt;
}

std::optional<std::string> make_folder(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return std::nullopt;
  if (!std::filesystem::create_directories(dir, ec) || ec) {
    return dir + ": cannot create the folder for the certificate (" + ec.message() + ")";
  }
  ::chmod(dir.c_str(), 0700);
  return std::nullopt;
}

}  // namespace

TlsFiles::~TlsFiles() {
  if (temp_folder.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(temp_folder, ec);
}

std::string_view TlsFiles::lifetime() const {
  if (!temp_folder.empty()) return "removed at exit";
  return reused ? "reused from --tls-dir" : "kept in --tls-dir";
}

std::optional<std::string> self_signed_names(const SelfSignedOptions& options, std::vector<std::string>& names) {
  names = {"localhost", "127.0.0.1", "::1"};
  const auto add = [&names](const std::string& name) {
    const std::string value = canonical_ip(name).value_or(to_lower(name));
    if (std::find(names.begin(), names.end(), value) == names.end()) names.push_back(value);
  };
  for (const std::string& host : vendor_tls_hosts()) add(host);
  // The listening address is named when it is one a client can dial; a wildcard is not.
  std::string listen = options.listen_host;
  if (listen.size() > 2 && listen.front() == '[' && listen.back() == ']') listen = listen.substr(1, listen.size() - 2);
  if (!is_wildcard_listen_address(listen) && (canonical_ip(listen) || is_host_name(listen))) add(listen);
  for (const std::string& host : options.extra_hosts) {
    if (!canonical_ip(host) && !is_host_name(host)) {
      return "--tls-host \"" + host + "\": not a host name or an IP address";
    }
    add(host);
  }
  return std::nullopt;
}

std::optional<std::string> load_tls_files(boost::asio::ssl::context& context, const std::string& cert_file,
                                          const std::string& key_file) {
  boost::system::error_code ec;
  context.use_certificate_chain_file(cert_file, ec);
  if (ec) return cert_file + ": cannot load the certificate (" + ec.message() + ")";
  context.use_private_key_file(key_file, boost::asio::ssl::context::pem, ec);
  if (ec) return key_file + ": cannot load the private key (" + ec.message() + ")";
  return std::nullopt;
}

std::optional<std::string> make_self_signed(boost::asio::ssl::context& context, const SelfSignedOptions& options,
                                            TlsFiles& files) {
  std::vector<std::string> names;
  if (auto error = self_signed_names(options, names)) return error;

  std::string folder = options.keep_dir;
  Pair pair;
  if (!folder.empty()) {
    if (auto error = make_folder(folder)) return error;
    files.cert_file = folder + "/cert.pem";
    files.key_file = folder + "/key.pem";
    if (auto error = inspect_kept(files.cert_file, files.key_file, names, files.reused, pair)) return error;
  } else {
    const char* tmp = std::getenv("TMPDIR");
    folder = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/agentemu-tls-XXXXXX";
    if (mkdtemp(folder.data()) == nullptr) return "cannot create a folder for the certificate under " + folder;
    files.temp_folder = folder;
    files.cert_file = folder + "/cert.pem";
    files.key_file = folder + "/key.pem";
  }

  if (!files.reused) {
    if (auto error = generate(names, pair)) return error;
    // The key first: a pair is only reused when the key matches, so a reader between the two
    // renames sees a mismatch and makes a new pair rather than a wrong one.
    if (!write_file(files.key_file, pair.key_pem, 0600)) return files.key_file + ": cannot be written";
    if (!write_file(files.cert_file, pair.cert_pem, 0644)) return files.cert_file + ": cannot be written";
  }

  boost::system::error_code ec;
  context.use_certificate_chain(boost::asio::buffer(pair.cert_pem), ec);
  if (!ec) context.use_private_key(boost::asio::buffer(pair.key_pem), boost::asio::ssl::context::pem, ec);
  if (ec) return "cannot load the self-signed certificate (" + ec.message() + ")";
  return std::nullopt;
}

}  // namespace agentemu
