// core/net: the outbound HTTP/1.1 client (plain, TLS, reuse, streaming, timeouts, failures) and
// its WebSocket client, against small servers that run on a thread of their own.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <functional>
#include <thread>

#include "core/net/http_client.hpp"
#include "core/server/tls.hpp"

using namespace agentemu;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

// A blocking server on its own thread: `handle` serves one accepted connection at a time.
class ThreadServer {
 public:
  using Handle = std::function<void(tcp::socket&)>;
  explicit ThreadServer(Handle handle) : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), handle_(std::move(handle)) {
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket socket(io_);
        beast::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stopping_) return;
        ++connections;
        handle_(socket);
      }
    });
  }
  ~ThreadServer() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    beast::error_code ec;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(std::string_view path = "/") const { return "http://127.0.0.1:" + std::to_string(port()) + std::string(path); }
  std::atomic<int> connections{0};

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  Handle handle_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Answers every request on the connection with `reply` (keep-alive) until the client closes.
ThreadServer::Handle serve_each(std::function<http::response<http::string_body>(const http::request<http::string_body>&)> reply) {
  return [reply = std::move(reply)](tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      auto response = reply(request);
      response.version(11);
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  };
}

struct Result {
  std::optional<HttpError> error;
  HttpResponse response;
};

Result fetch(asio::io_context& io, HttpClient& client, HttpRequestSpec spec) {
  Result out;
  client.fetch(std::move(spec), [&](const HttpError& error, HttpResponse& response) {
    out.error = error;
    out.response = response;
  });
  REQUIRE(run_until(io, [&] { return out.error.has_value(); }));
  return out;
}

std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

}  // namespace

TEST_CASE("URLs parse into host, port and target") {
  std::string error;
  auto u = parse_http_url("http://127.0.0.1:8080", error);
  REQUIRE(u);
  CHECK_FALSE(u->tls);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8080);
  CHECK(u->target == "/");
  CHECK(u->host_header() == "127.0.0.1:8080");
  u = parse_http_url("https://agent.example/invocations?x=1#frag", error);
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->port == 443);
  CHECK(u->target == "/invocations?x=1");
  CHECK(u->host_header() == "agent.example");
  u = parse_http_url("ws://[::1]:9000?q", error);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->target == "/?q");
  CHECK(u->host_header() == "[::1]:9000");
  CHECK_FALSE(parse_http_url("ftp://x", error));
  CHECK(error == "\"ftp://x\" is not an http:// or https:// URL");
  CHECK_FALSE(parse_http_url("http://:80/", error));
  CHECK_FALSE(parse_http_url("http://h:99999/", error));
  CHECK_FALSE(parse_http_url("http://user:pw@h/", error));
}

TEST_CASE("fetch sends the method, headers and body, and reads the whole answer") {
  std::string seen;
  ThreadServer server(serve_each([&](const http::request<http::string_body>& request) {
    seen = std::string(request.method_string()) + " " + std::string(request.target()) + " " +
           std::string(request[http::field::host]) + " " + std::string(request["x-test"]) + " " + request.body();
    http::response<http::string_body> response{http::status::created, 11};
    response.set(http::field::content_type, "text/plain");
    response.body() = "made";
    return response;
  }));
  asio::io_context io;
  HttpClient client(io);
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.url = server.url("/things?a=1");
  spec.headers = {{"X-Test", "yes"}};
  spec.body = "payload";
  const auto r = fetch(io, client, spec);
  CHECK_FALSE(*r.error);
  CHECK(r.response.status == 201);
  CHECK(r.response.header("Content-Type") == "text/plain");
  CHECK(r.response.body == "made");
  CHECK(seen == "POST /things?a=1 127.0.0.1:" + std::to_string(server.port()) + " yes payload");
}

TEST_CASE("a kept-alive connection is reused, and a stale one is replaced without an error") {
  ThreadServer server(serve_each([](const http::request<http::string_body>&) {
    http::response<http::string_body> response{http::status::ok, 11};
    response.body() = "ok";
    return response;
  }));
  asio::io_context io;
  HttpClient client(io);
  HttpRequestSpec spec;
  spec.url = server.url();
  CHECK(fetch(io, client, spec).response.body == "ok");
  CHECK(client.idle_connections() == 1);
  CHECK(fetch(io, client, spec).response.body == "ok");
  CHECK(server.connections == 1);

  // A server that closes after each answer, while saying keep-alive: the pooled connection is
  // dead by the next request, which goes out again on a fresh one.
  ThreadServer closing([](tcp::socket& socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code ec;
    http::read(socket, buffer, request, ec);
    http::response<http::string_body> response{http::status::ok, 11};
    response.body() = "once";
    response.keep_alive(true);
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  });
  spec.url = closing.url();
  CHECK(fetch(io, client, spec).response.body == "once");
  std::this_thread::sleep_for(50ms);
  const auto again = fetch(io, client, spec);
  CHECK_FALSE(*again.error);
  CHECK(again.response.body == "once");
  CHECK(closing.connections == 2);
}

TEST_CASE("a streamed body arrives piece by piece, as the server sends it") {
  std::atomic<bool> second_sent{false};
  std::atomic<bool> first_received{false};
  ThreadServer server([&](tcp::socket& socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code ec;
    http::read(socket, buffer, request, ec);
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    asio::write(socket, asio::buffer(head), ec);
    asio::write(socket, asio::buffer(std::string("b\r\ndata: one\n\n\r\n")), ec);
    // The second event waits until the client has the first: nothing may be held back.
    for (int i = 0; i < 500 && !first_received; ++i) std::this_thread::sleep_for(10ms);
    second_sent = true;
    asio::write(socket, asio::buffer(std::string("b\r\ndata: two\n\n\r\n0\r\n\r\n")), ec);
  });
  asio::io_context io;
  HttpClient client(io);
  HttpRequestSpec spec;
  spec.url = server.url("/sse");
  std::vector<std::string> pieces;
  bool first_before_second = false;
  bool ended = false;
  std::shared_ptr<HttpBodyReader> reader;
  std::function<void()> next = [&] {
    reader->read([&](const HttpError& error, std::string_view bytes, bool end) {
      REQUIRE_FALSE(error);
      if (end) {
        ended = true;
        return;
      }
      if (pieces.empty()) {
        first_before_second = !second_sent;
        first_received = true;
      }
      pieces.emplace_back(bytes);
      next();
    });
  };
  int status = 0;
  client.open(spec, [&](const HttpError& error, HttpResponseHead& head, std::shared_ptr<HttpBodyReader> body) {
    REQUIRE_FALSE(error);
    status = head.status;
    CHECK(head.header("content-type") == "text/event-stream");
    reader = std::move(body);
    next();
  });
  REQUIRE(run_until(io, [&] { return ended; }));
  CHECK(status == 200);
  CHECK(first_before_second);
  REQUIRE(pieces.size() == 2);
  CHECK(pieces[0] == "data: one\n\n");
  CHECK(pieces[1] == "data: two\n\n");
}

TEST_CASE("failures say which: refused, timed out, closed early, too large, not HTTP") {
  asio::io_context io;
  HttpClient client(io);
  HttpRequestSpec spec;
  const std::uint16_t port = free_port();
  spec.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto r = fetch(io, client, spec);
  CHECK(r.error->kind == HttpFailure::refused);
  CHECK(r.error->message == "connection refused by 127.0.0.1:" + std::to_string(port));

  {
    std::atomic<bool> release{false};
    ThreadServer silent([&](tcp::socket& socket) {
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      for (int i = 0; i < 300 && !release; ++i) std::this_thread::sleep_for(10ms);
    });
    spec.url = silent.url();
    spec.timeout = 200ms;
    const auto started = std::chrono::steady_clock::now();
    r = fetch(io, client, spec);
    release = true;
    CHECK(r.error->kind == HttpFailure::timeout);
    CHECK(r.error->message == "no answer from " + spec.url + " within 200 ms");
    CHECK(std::chrono::steady_clock::now() - started < 2s);
  }
  {
    ThreadServer hangs_up([](tcp::socket& socket) {
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      asio::write(socket, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")), ec);
      socket.close(ec);
    });
    spec.url = hangs_up.url();
    spec.timeout = 5s;
    r = fetch(io, client, spec);
    CHECK(r.error->kind == HttpFailure::closed);
  }
  {
    ThreadServer big(serve_each([](const http::request<http::string_body>&) {
      http::response<http::string_body> response{http::status::ok, 11};
      response.body() = std::string(5000, 'x');
      return response;
    }));
    spec.url = big.url();
    spec.max_body_bytes = 1000;
    r = fetch(io, client, spec);
    CHECK(r.error->kind == HttpFailure::too_large);
  }
  {
    ThreadServer garbage([](tcp::socket& socket) {
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      asio::write(socket, asio::buffer(std::string("SSH-2.0-nope\r\n\r\n")), ec);
      socket.close(ec);
    });
    spec.url = garbage.url();
    r = fetch(io, client, spec);
    CHECK(r.error->kind == HttpFailure::protocol);
  }
  r = fetch(io, client, HttpRequestSpec{.url = "nonsense"});
  CHECK(r.error->kind == HttpFailure::bad_url);
}

TEST_CASE("TLS: a self-signed server is refused unless verification is off") {
  asio::ssl::context server_tls(asio::ssl::context::tls_server);
  TlsFiles files;  // a temporary folder, removed with it
  REQUIRE_FALSE(make_self_signed(server_tls, {"127.0.0.1", {}, ""}, files));
  ThreadServer server([&](tcp::socket& socket) {
    asio::ssl::stream<tcp::socket&> tls(socket, server_tls);
    beast::error_code ec;
    tls.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(tls, buffer, request, ec);
    http::response<http::string_body> response{http::status::ok, 11};
    response.body() = "secure";
    response.keep_alive(false);
    response.prepare_payload();
    http::write(tls, response, ec);
    tls.shutdown(ec);
  });
  asio::io_context io;
  HttpClient client(io);
  HttpRequestSpec spec;
  spec.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto r = fetch(io, client, spec);
  CHECK(r.error->kind == HttpFailure::tls);
  spec.verify_tls = false;
  r = fetch(io, client, spec);
  CHECK_FALSE(*r.error);
  CHECK(r.response.body == "secure");
}

TEST_CASE("a WebSocket opens with the given headers, carries text and binary, and closes with the peer's code") {
  std::string header_seen;
  ThreadServer server([&](tcp::socket& socket) {
    beast::websocket::stream<tcp::socket&> ws(socket);
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> upgrade;
    http::read(socket, buffer, upgrade, ec);
    header_seen = std::string(upgrade["x-session"]);
    ws.accept(upgrade, ec);
    if (ec) return;
    for (int i = 0; i < 2; ++i) {
      beast::flat_buffer message;
      ws.read(message, ec);
      if (ec) return;
      ws.binary(!ws.got_text());
      ws.write(message.data(), ec);
    }
    ws.close(beast::websocket::close_reason(static_cast<beast::websocket::close_code>(4001), "done here"), ec);
    beast::flat_buffer drain;
    ws.read(drain, ec);
  });
  asio::io_context io;
  HttpClient client(io);
  std::shared_ptr<WebSocketChannel> channel;
  bool opened = false;
  client.connect_websocket({.url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws", .headers = {{"X-Session", "s-1"}}},
                           [&](const HttpError& error, int status, std::shared_ptr<WebSocketChannel> c) {
                             CHECK_FALSE(error);
                             CHECK(status == 101);
                             channel = std::move(c);
                             opened = true;
                           });
  REQUIRE(run_until(io, [&] { return opened; }));
  REQUIRE(channel);
  std::vector<WebSocketMessage> got;
  bool closed = false;
  std::function<void()> read = [&] {
    channel->read([&](std::optional<WebSocketMessage> m) {
      if (!m) {
        closed = true;
        return;
      }
      got.push_back(std::move(*m));
      read();
    });
  };
  read();
  channel->send({"hello", false}, nullptr);
  channel->send({std::string("\x00\x01", 2), true}, nullptr);
  REQUIRE(run_until(io, [&] { return closed; }));
  CHECK(header_seen == "s-1");
  REQUIRE(got.size() == 2);
  CHECK(got[0].data == "hello");
  CHECK_FALSE(got[0].binary);
  CHECK(got[1].data == std::string("\x00\x01", 2));
  CHECK(got[1].binary);
  CHECK(channel->close_code() == 4001);
  CHECK(channel->close_reason() == "done here");
}

TEST_CASE("a declined WebSocket upgrade reports the server's status") {
  ThreadServer server(serve_each([](const http::request<http::string_body>&) {
    http::response<http::string_body> response{http::status::not_found, 11};
    response.body() = "no ws here";
    return response;
  }));
  asio::io_context io;
  HttpClient client(io);
  std::optional<int> status;
  HttpError error;
  client.connect_websocket({.url = server.url("/ws")}, [&](const HttpError& e, int s, std::shared_ptr<WebSocketChannel> c) {
    error = e;
    status = s;
    CHECK(c == nullptr);
  });
  REQUIRE(run_until(io, [&] { return status.has_value(); }));
  CHECK(*status == 404);
  CHECK(error.kind == HttpFailure::protocol);
}
