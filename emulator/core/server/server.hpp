// The listener and its connections: HTTP/1.1 with keep-alive and pipelining, and HTTPS on the
// same port (the first bytes decide, as in Beast's advanced_server_flex example).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace agentemu {

class Clock;
class Logger;
class Pipeline;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4599;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  // A vendor may take larger bodies for some operations (Vendor::body_limit); those beyond
  // max_body_bytes share this budget, so their memory stays bounded whatever the connections.
  std::size_t large_body_budget = 256 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_timeout{30'000};
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Pipeline& pipeline, const Clock& clock, Logger& log,
         boost::asio::ssl::context* tls);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; answers an error message (address in use...) instead of throwing.
  std::optional<std::string> listen();
  std::uint16_t port() const;
  void start();

  // Stops accepting; idle connections close now, busy ones after their current answer.
  // `done` runs once no connection is left.
  void drain(std::function<void()> done);
  std::size_t connections() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace agentemu
