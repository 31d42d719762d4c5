// The vendor-neutral view of one HTTP exchange. Vendor modules see only these types, never
// Beast's, so they compile fast and stay independent of the transport.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentemu {

class BodySource;         // core/stream.hpp
class WebSocketAcceptor;  // core/websocket.hpp

struct Header {
  std::string_view name;
  std::string_view value;
};

// Views into the connection's buffers: valid until the response has been written.
struct Request {
  std::string_view method;
  std::string_view target;  // as received
  std::string_view path;    // raw: still percent-encoded, so "%2F" inside a segment survives routing
  std::string_view query;   // raw, without the '?'
  std::vector<Header> headers;
  std::string_view body;
  bool secure = false;  // arrived over TLS

  // First value of a header (case-insensitive name), or "" when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // Host header without the port, or "".
  std::string_view host() const;
  // A GET asking to upgrade to a WebSocket (Connection: Upgrade, Upgrade: websocket).
  bool wants_websocket() const;
};

// A request target as path and query: "/p?q" -> "/p", "q"; the absolute form
// "http://host/p?q" gives the same, and "http://host" the path "/".
void split_target(std::string_view target, std::string_view& path, std::string_view& query);

// What the connection writes back. Network faults replace the answer with misbehaviour.
enum class NetworkFault {
  none,
  connection_reset,    // RST: SO_LINGER 0 then close
  empty_response,      // close without writing a byte
  malformed_response,  // bytes that are not HTTP
  random_then_close,   // random bytes, then close
  hang,                // never answer; hold the connection until the peer or the server gives up
};

// "connection_reset", ...: the name scenario files, the journal and the metrics use.
std::string_view network_fault_name(NetworkFault fault);
inline constexpr std::size_t kNetworkFaultKinds = 6;  // NetworkFault's values, none included

struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  NetworkFault fault = NetworkFault::none;
  bool close = false;  // close the connection after this answer
  // agentemu's own explanation of the answer (the expected string to sign, the clock window,
  // the constraint that failed). It never changes the vendor's wire text: the connection sends
  // it as the x-agentemu-diagnostic header (one line, escaped) and the journal keeps it whole.
  std::string diagnostic;
  // A body that arrives after the head (core/stream.hpp): the connection streams it with chunked
  // transfer encoding instead of sending `body`.
  std::shared_ptr<BodySource> stream;
  // Accept the request's WebSocket upgrade (core/websocket.hpp) instead of answering it: the
  // connection answers 101 with `headers` and hands the socket over.
  std::shared_ptr<WebSocketAcceptor> upgrade;

  void set(int new_status, std::string_view type, std::string new_body) {
    status = new_status;
    content_type.assign(type);
    body = std::move(new_body);
  }
  void add_header(std::string_view name, std::string_view value) { headers.emplace_back(name, value); }
  // Value of a header this response carries, or "".
  std::string_view header(std::string_view name) const;
  // Forgets the answer; a stream or an upgrade that was not taken is cancelled.
  void clear();
};

// The status line's reason phrase, from Beast's table ("" for a code it does not know).
std::string_view reason_phrase(int status);

inline constexpr std::string_view kDiagnosticHeader = "x-agentemu-diagnostic";
inline constexpr std::size_t kDiagnosticHeaderMax = 4096;
// The diagnostic as a header value: control bytes and non-ASCII escaped (\n, \xHH), at most
// kDiagnosticHeaderMax bytes (then "...").
void append_diagnostic_header_value(std::string& out, std::string_view diagnostic);

inline constexpr std::string_view kJson = "application/json";

}  // namespace agentemu
