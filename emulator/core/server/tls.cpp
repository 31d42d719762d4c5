#include "core/server/tls.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/crypto.hpp"

namespace agentemu {
namespace {

template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

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

std::string to_pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string key_to_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  const bool closed = std::fclose(out) == 0;
  return written && closed && ::chmod(path.c_str(), mode) == 0;
}

bool is_ip_address(const std::string& host) {
  return !host.empty() && (host.find(':') != std::string::npos ||
                           host.find_first_not_of("0123456789.") == std::string::npos);
}

}  // namespace

std::optional<std::string> load_tls_files(boost::asio::ssl::context& context, const std::string& cert_file,
                                          const std::string& key_file) {
  boost::system::error_code ec;
  context.use_certificate_chain_file(cert_file, ec);
  if (ec) return cert_file + ": cannot load the certificate (" + ec.message() + ")";
  context.use_private_key_file(key_file, boost::asio::ssl::context::pem, ec);
  if (ec) return key_file + ": cannot load the private key (" + ec.message() + ")";
  return std::nullopt;
}

std::optional<std::string> make_self_signed(boost::asio::ssl::context& context, const std::string& host,
                                            TlsSetup& setup) {
  Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return "cannot generate a TLS key";
  Owned<X509, X509_free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), random_u64() >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("agentemu"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("agentemu local"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (!host.empty() && host != "localhost" && host != "127.0.0.1" && host != "::1" && host != "0.0.0.0" && host != "::") {
    alt_names += (is_ip_address(host) ? ",IP:" : ",DNS:") + host;
  }
  // A self-signed certificate is its own trust anchor: CA:TRUE lets NODE_EXTRA_CA_CERTS and
  // curl --cacert accept it as one, as certificates from `openssl req -x509` do.
  if (!add_extension(cert.get(), NID_subject_alt_name, alt_names.c_str()) ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return "cannot build the certificate's extensions";
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return "cannot sign the certificate";

  const std::string cert_pem = to_pem(cert.get());
  const std::string key_pem = key_to_pem(key.get());

  const char* tmp = std::getenv("TMPDIR");
  std::string folder = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/agentemu-tls-XXXXXX";
  if (mkdtemp(folder.data()) == nullptr) return "cannot create a folder for the certificate under " + folder;
  setup.cert_file = folder + "/cert.pem";
  setup.key_file = folder + "/key.pem";
  if (!write_file(setup.cert_file, cert_pem, 0644)) return setup.cert_file + ": cannot be written";
  // The key too, readable by its owner only, so a later run can reuse the pair with --tls-cert/--tls-key.
  if (!write_file(setup.key_file, key_pem, 0600)) return setup.key_file + ": cannot be written";

  boost::system::error_code ec;
  context.use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (!ec) context.use_private_key(boost::asio::buffer(key_pem), boost::asio::ssl::context::pem, ec);
  if (ec) return "cannot load the generated certificate (" + ec.message() + ")";
  return std::nullopt;
}

}  // namespace agentemu
