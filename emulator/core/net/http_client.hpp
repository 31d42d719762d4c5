// Outbound HTTP/1.1 on the server's io_context, no thread per request: plain and TLS, connect
// and read timeouts, keep-alive connections reused per host, and a response either whole or read
// piece by piece as it arrives (so server-sent events can be forwarded one by one). Also opens
// WebSockets. Vendors use it to forward to a local agent and to call their customers back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/websocket.hpp"

namespace boost::asio {
class io_context;
}

namespace agentemu {

// http://host:port/path?query (also https, ws, wss).
struct HttpUrl {
  bool tls = false;
  std::string host;   // without brackets for IPv6
  std::uint16_t port = 80;
  std::string target;  // "/path?query", at least "/"
  std::string host_header() const;  // host[:port], the port only when not the scheme's default
};
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error);

struct HttpRequestSpec {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Host and Content-Length are set from url and body
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  // Until the response head arrives, and then between pieces of the body.
  std::chrono::milliseconds timeout{30000};
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // fetch(): a longer body is an error
  bool verify_tls = true;                         // false: any certificate (a local self-signed agent)
};

enum class HttpFailure {
  none,
  bad_url,
  resolve,          // the host name did not resolve
  refused,          // nothing listens there
  connect_timeout,  // no answer to the connection attempt in time
  connect,          // another connection error (unreachable network...)
  tls,              // the TLS handshake or the certificate failed
  timeout,          // connected, but no (more) answer in time
  closed,           // the server closed the connection before the answer was complete
  protocol,         // the answer is not HTTP
  too_large,        // fetch(): the body exceeds max_body_bytes
  cancelled,
};
std::string_view failure_name(HttpFailure failure);  // "refused", "timeout", ...

struct HttpError {
  HttpFailure kind = HttpFailure::none;
  std::string message;  // "connection refused by 127.0.0.1:8080"
  explicit operator bool() const { return kind != HttpFailure::none; }
};

struct HttpResponseHead {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view header(std::string_view name) const;  // first value, case-insensitive; "" when absent
};

struct HttpResponse : HttpResponseHead {
  std::string body;
};

// The body of a response opened with HttpClient::open(), read as it arrives.
class HttpBodyReader {
 public:
  virtual ~HttpBodyReader() = default;
  // The next piece of the body (never empty), or end = true once it is complete, or an error.
  // One read at a time. A body read to its end returns the connection to the pool.
  using Piece = std::function<void(const HttpError& error, std::string_view bytes, bool end)>;
  virtual void read(Piece next) = 0;
  // Abandons the body; the connection is closed.
  virtual void cancel() = 0;
};

struct WebSocketConnectSpec {
  std::string url;  // ws://, wss://, http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};  // connect and handshake
  bool verify_tls = true;
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Done = std::function<void(const HttpError& error, HttpResponse& response)>;
  using Head = std::function<void(const HttpError& error, HttpResponseHead& head, std::shared_ptr<HttpBodyReader> body)>;
  using Upgraded = std::function<void(const HttpError& error, int status, std::shared_ptr<WebSocketChannel> channel)>;

  // The whole answer (the body up to max_body_bytes).
  void fetch(HttpRequestSpec spec, Done done);
  // The head first; the body is read with the reader, piece by piece.
  void open(HttpRequestSpec spec, Head on_head);
  // A WebSocket: the channel, or the error (`status` is the server's answer when it declined).
  void connect_websocket(WebSocketConnectSpec spec, Upgraded done);

  std::size_t idle_connections() const;  // kept for reuse
  void close_idle();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace agentemu
