// TLS for the shared port: a certificate the user gives, or one generated at start.
#pragma once

#include <optional>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace agentemu {

struct TlsSetup {
  std::string cert_file;  // the PEM clients should trust
  std::string key_file;   // its private key (mode 0600)
};

// Loads --tls-cert/--tls-key into `context`; answers an error message naming the file.
std::optional<std::string> load_tls_files(boost::asio::ssl::context& context, const std::string& cert_file,
                                          const std::string& key_file);

// Generates an ECDSA P-256 key and a self-signed certificate for localhost, 127.0.0.1, ::1 and
// `host`, writes both to a fresh temporary folder and loads them into `context`.
std::optional<std::string> make_self_signed(boost::asio::ssl::context& context, const std::string& host,
                                            TlsSetup& setup);

}  // namespace agentemu
