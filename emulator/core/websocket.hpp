// One end of an open WebSocket, whoever opened it: a client that agentemu accepted on one of its
// routes (core/server) or a server agentemu connected to (core/net). Vendors see only this, never
// Beast. Calls may come from any thread; callbacks run on an io thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace agentemu {

struct WebSocketMessage {
  std::string data;
  bool binary = false;  // a binary message; else text
};

class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // The next whole message, or nullopt once the peer closed (close_code() says how) or failed.
  // One read at a time.
  virtual void read(std::function<void(std::optional<WebSocketMessage>)> done) = 0;
  // Sends are queued and go out in order; `done(false)` when the connection is gone.
  virtual void send(WebSocketMessage message, std::function<void(bool ok)> done) = 0;
  // Starts the closing handshake (a no-op once closing).
  virtual void close(std::uint16_t code, std::string reason) = 0;
  // How the peer closed: its close frame's code and reason; 1006 when it vanished without one.
  virtual std::uint16_t close_code() const = 0;
  virtual std::string close_reason() const = 0;
};

// What a handler puts on Response::upgrade to accept a WebSocket upgrade of its request: the
// connection answers 101 (with the response's headers) and hands the open channel to open().
// When the upgrade does not happen (a scenario fault replaced the answer, the client left),
// cancel() runs instead.
class WebSocketAcceptor {
 public:
  virtual ~WebSocketAcceptor() = default;
  virtual void open(std::shared_ptr<WebSocketChannel> client) = 0;
  virtual void cancel() = 0;
};

// Pumps messages both ways, each in order and one at a time (a slow side holds the other back),
// until either side closes; the other is then closed with the same code and reason.
void relay_websockets(std::shared_ptr<WebSocketChannel> a, std::shared_ptr<WebSocketChannel> b);

inline constexpr std::uint16_t kWebSocketGoingAway = 1001;
inline constexpr std::uint16_t kWebSocketAbnormal = 1006;  // never sent: it means "no close frame"
inline constexpr std::uint16_t kWebSocketInternalError = 1011;

}  // namespace agentemu
