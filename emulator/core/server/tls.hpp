// TLS for the shared port: a certificate the user gives, or one agentemu makes for localhost and
// the vendors' own host names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace agentemu {

struct SelfSignedOptions {
  std::string listen_host;               // --host: named too when it is a specific name or address
  std::vector<std::string> extra_hosts;  // --tls-host
  std::string keep_dir;                  // --tls-dir: the pair is kept (and reused) there; empty: a temporary folder
};

// Where a self-signed pair lives. A temporary folder is removed with this object, so it goes at
// every orderly exit of main(); a --tls-dir folder stays.
class TlsFiles {
 public:
  TlsFiles() = default;
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;
  ~TlsFiles();

  // "removed at exit", "kept in --tls-dir" or "reused from --tls-dir", for the startup line.
  std::string_view lifetime() const;

  std::string cert_file;  // the PEM clients should trust
  std::string key_file;   // its private key (mode 0600)
  bool reused = false;    // an earlier run's pair, found in --tls-dir and still good
  std::string temp_folder;
};

// The public host names of the vendors, in the README's order (data: core/server/vendor_hosts.cpp).
const std::vector<std::string>& vendor_tls_hosts();

// Every DNS name and IP address a self-signed certificate covers: localhost, 127.0.0.1, ::1, the
// vendors' hosts, --host and each --tls-host, lowercased, without repeats. A --tls-host that is
// neither a host name (a leading "*." allowed) nor an IP address is an error naming it.
std::optional<std::string> self_signed_names(const SelfSignedOptions& options, std::vector<std::string>& names);

// Loads --tls-cert/--tls-key into `context`; answers an error message naming the file.
std::optional<std::string> load_tls_files(boost::asio::ssl::context& context, const std::string& cert_file,
                                          const std::string& key_file);

// Loads a self-signed ECDSA P-256 pair for self_signed_names() into `context`: the one in
// --tls-dir when it still covers them and is valid for another day, else a new one, written to
// --tls-dir or to a fresh temporary folder.
std::optional<std::string> make_self_signed(boost::asio::ssl::context& context, const SelfSignedOptions& options,
                                            TlsFiles& files);

}  // namespace agentemu
