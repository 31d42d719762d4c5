#include "core/net/http_client.hpp"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include "core/net/beast_websocket.hpp"
#include "core/text.hpp"

namespace agentemu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

namespace {

constexpr std::size_t kIdlePerHost = 8;
constexpr std::chrono::seconds kIdleKept{30};
constexpr std::size_t kPieceBytes = 16 * 1024;
constexpr std::uint32_t kHeadLimit = 64 * 1024;

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

// ---- URLs ---------------------------------------------------------------------------------------

std::string HttpUrl::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
  HttpUrl out;
  const auto scheme_end = url.find("://");
  const std::string scheme = to_lower(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  if (scheme == "http" || scheme == "ws") {
    out.tls = false;
  } else if (scheme == "https" || scheme == "wss") {
    out.tls = true;
  } else {
    error = "\"" + std::string(url) + "\" is not an http:// or https:// URL";
    return std::nullopt;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view target = path_at == std::string_view::npos ? std::string_view("/") : rest.substr(path_at);
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) {
    error = "\"" + std::string(url) + "\": credentials in the URL are not supported";
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "\"" + std::string(url) + "\": unclosed [ in the host";
      return std::nullopt;
    }
    out.host.assign(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        error = "\"" + std::string(url) + "\": unexpected text after the host";
        return std::nullopt;
      }
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host.assign(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = "\"" + std::string(url) + "\" names no host";
    return std::nullopt;
  }
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    const auto port = parse_int64(port_text);
    if (!port || *port < 1 || *port > 65535) {
      error = "\"" + std::string(url) + "\": the port must be 1..65535";
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(*port);
  }
  out.target = target.starts_with("?") ? "/" + std::string(target) : std::string(target);
  if (out.target.empty()) out.target = "/";
  return out;
}

std::string_view failure_name(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::none: return "none";
    case HttpFailure::bad_url: return "bad_url";
    case HttpFailure::resolve: return "resolve";
    case HttpFailure::refused: return "refused";
    case HttpFailure::connect_timeout: return "connect_timeout";
    case HttpFailure::connect: return "connect";
    case HttpFailure::tls: return "tls";
    case HttpFailure::timeout: return "timeout";
    case HttpFailure::closed: return "closed";
    case HttpFailure::protocol: return "protocol";
    case HttpFailure::too_large: return "too_large";
    case HttpFailure::cancelled: return "cancelled";
  }
  return "none";
}

std::string_view HttpResponseHead::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

// ---- Connections and the pool -------------------------------------------------------------------

namespace {

// One keep-alive connection, plain or TLS, on a strand of its own.
struct Connection {
  Connection(Strand strand, asio::ssl::context* tls_context) {
    if (tls_context != nullptr) {
      tls.emplace(beast::tcp_stream(strand), *tls_context);
    } else {
      plain.emplace(strand);
    }
  }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  asio::any_io_executor executor() { return lowest().get_executor(); }
  template <class F>
  void with_stream(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }
  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> tls;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
};

std::string pool_key(const HttpUrl& url, bool verify) {
  return (url.tls ? (verify ? "https://" : "https+any://") : "http://") + url.host + ":" + std::to_string(url.port);
}

HttpError connect_error(beast::error_code ec, const HttpUrl& url, std::chrono::milliseconds timeout) {
  const std::string where = url.host_header().find(':') == std::string::npos
                                ? url.host + ":" + std::to_string(url.port)
                                : url.host_header();
  if (ec == beast::error::timeout) {
    return {HttpFailure::connect_timeout, "no answer to the connection attempt to " + where + " within " + ms_text(timeout)};
  }
  if (ec == asio::error::connection_refused) return {HttpFailure::refused, "connection refused by " + where};
  return {HttpFailure::connect, "cannot connect to " + where + ": " + ec.message()};
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  explicit Impl(asio::io_context& io_context) : io(io_context) {}

  // The TLS contexts are made on first use: reading the system's CA bundle takes tens of
  // milliseconds, and most runs never call an HTTPS address, so startup does not pay for it.
  asio::ssl::context& tls_context(bool verify) {
    std::call_once(tls_made, [this] {
      beast::error_code ignored;
      verifying.emplace(asio::ssl::context::tls_client);
      verifying->set_default_verify_paths(ignored);
      verifying->set_verify_mode(asio::ssl::verify_peer);
      trusting.emplace(asio::ssl::context::tls_client);
      trusting->set_verify_mode(asio::ssl::verify_none);
    });
    return verify ? *verifying : *trusting;
  }

  std::shared_ptr<Connection> take_idle(const std::string& key) {
    std::lock_guard lock(mutex);
    const auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    const auto now = std::chrono::steady_clock::now();
    while (!list.empty()) {
      auto connection = std::move(list.back());
      list.pop_back();
      if (now - connection->idle_since < kIdleKept) return connection;
    }
    idle.erase(it);
    return nullptr;
  }

  void give_back(const std::string& key, std::shared_ptr<Connection> connection) {
    connection->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex);
    auto& list = idle[key];
    if (list.size() >= kIdlePerHost) list.pop_front();
    list.push_back(std::move(connection));
  }

  asio::io_context& io;
  std::once_flag tls_made;
  std::optional<asio::ssl::context> verifying, trusting;
  mutable std::mutex mutex;
  std::map<std::string, std::deque<std::shared_ptr<Connection>>> idle;
};

namespace {

// One request: connect (or reuse), write, read the head, then the body piece by piece.
class Exchange final : public HttpBodyReader, public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<HttpClient::Impl> client, HttpRequestSpec spec, HttpUrl url, HttpClient::Head on_head)
      : client_(std::move(client)),
        spec_(std::move(spec)),
        url_(std::move(url)),
        key_(pool_key(url_, spec_.verify_tls)),
        resolver_(asio::make_strand(client_->io)),
        on_head_(std::move(on_head)) {
    request_.method_string(spec_.method);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, url_.host_header());
    request_.set(http::field::user_agent, "agentemu/" AGENTEMU_VERSION);
    for (const auto& [name, value] : spec_.headers) {
      if (iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
          iequals(name, "connection")) {
        continue;
      }
      request_.insert(name, value);
    }
    request_.body() = spec_.body;
    if (!spec_.body.empty() || spec_.method == "POST" || spec_.method == "PUT" || spec_.method == "PATCH") {
      request_.prepare_payload();
    }
  }

  void start() {
    connection_ = client_->take_idle(key_);
    reused_ = connection_ != nullptr;
    if (connection_) {
      asio::dispatch(connection_->executor(), [me = shared_from_this()] { me->send(); });
    } else {
      connect();
    }
  }

  void read(Piece next) override {
    asio::dispatch(connection_->executor(), [me = shared_from_this(), next = std::move(next)]() mutable {
      me->next_ = std::move(next);
      me->read_piece();
    });
  }

  void cancel() override {
    if (!connection_) return;
    asio::dispatch(connection_->executor(), [me = shared_from_this()] {
      if (me->finished_) return;
      me->cancelled_ = true;
      me->finished_ = true;
      me->connection_->close();
    });
  }

 private:
  void connect() {
    connection_ = std::make_shared<Connection>(
        asio::make_strand(client_->io),
        url_.tls ? &client_->tls_context(spec_.verify_tls) : nullptr);
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [me = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              asio::dispatch(me->connection_->executor(), [me, ec, results] {
                                if (ec) {
                                  return me->fail({HttpFailure::resolve, "cannot resolve " + me->url_.host + ": " + ec.message()});
                                }
                                me->on_resolved(results);
                              });
                            });
  }

  void on_resolved(const tcp::resolver::results_type& results) {
    connection_->lowest().expires_after(spec_.connect_timeout);
    connection_->lowest().async_connect(results, [me = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return me->fail(connect_error(ec, me->url_, me->spec_.connect_timeout));
      beast::error_code ignored;
      me->connection_->lowest().socket().set_option(tcp::no_delay(true), ignored);
      if (!me->connection_->tls) return me->send();
      me->handshake();
    });
  }

  void handshake() {
    TlsStream& tls = *connection_->tls;
    SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str());
    if (spec_.verify_tls) tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
    tls.async_handshake(asio::ssl::stream_base::client, [me = shared_from_this()](beast::error_code ec) {
      if (ec) {
        return me->fail({HttpFailure::tls, "TLS with " + me->url_.host_header() + " failed: " + ec.message()});
      }
      me->send();
    });
  }

  void send() {
    connection_->lowest().expires_after(spec_.timeout);
    connection_->with_stream([&](auto& stream) {
      http::async_write(stream, request_, [me = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return me->stale_or_fail(ec);
        me->read_head();
      });
    });
  }

  void read_head() {
    parser_.emplace();
    parser_->header_limit(kHeadLimit);
    parser_->body_limit(boost::none);
    connection_->lowest().expires_after(spec_.timeout);
    connection_->with_stream([&](auto& stream) {
      http::async_read_header(stream, connection_->buffer, *parser_, [me = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return me->stale_or_fail(ec);
        me->deliver_head();
      });
    });
  }

  // A reused connection the server had already closed fails before any answer: try once more
  // on a fresh one, as browsers and curl do.
  void stale_or_fail(beast::error_code ec) {
    const bool nothing_read = !parser_ || !parser_->got_some();
    if (reused_ && nothing_read && ec != beast::error::timeout) {
      reused_ = false;
      connection_->close();
      parser_.reset();
      return connect();
    }
    fail(transfer_error(ec, false));
  }

  HttpError transfer_error(beast::error_code ec, bool in_body) const {
    if (ec == beast::error::timeout) {
      return {HttpFailure::timeout, in_body ? "the answer from " + spec_.url + " stalled for " + ms_text(spec_.timeout)
                                            : "no answer from " + spec_.url + " within " + ms_text(spec_.timeout)};
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::ssl::error::stream_truncated) {
      return {HttpFailure::closed, spec_.url + " closed the connection before the answer was complete"};
    }
    if (ec.category() == beast::error_code(http::error::bad_version).category()) {
      return {HttpFailure::protocol, "the answer from " + spec_.url + " is not HTTP/1.1: " + ec.message()};
    }
    return {HttpFailure::closed, "reading the answer from " + spec_.url + " failed: " + ec.message()};
  }

  void deliver_head() {
    HttpResponseHead head;
    const auto& message = parser_->get();
    head.status = static_cast<int>(message.result_int());
    for (const auto& field : message) head.headers.emplace_back(field.name_string(), field.value());
    auto callback = std::move(on_head_);
    if (callback) callback(HttpError{}, head, shared_from_this());
  }

  void read_piece() {
    if (finished_) return deliver_error({cancelled_ ? HttpFailure::cancelled : HttpFailure::closed, "the body was abandoned"});
    if (parser_->is_done()) return complete();
    parser_->get().body().data = piece_.data();
    parser_->get().body().size = piece_.size();
    connection_->lowest().expires_after(spec_.timeout);
    connection_->with_stream([&](auto& stream) {
      http::async_read_some(stream, connection_->buffer, *parser_, [me = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
          me->finished_ = true;
          me->connection_->close();
          return me->deliver_error(me->cancelled_ ? HttpError{HttpFailure::cancelled, "cancelled"} : me->transfer_error(ec, true));
        }
        const std::size_t n = me->piece_.size() - me->parser_->get().body().size;
        if (n > 0) {
          auto next = std::move(me->next_);
          next(HttpError{}, std::string_view(me->piece_.data(), n), false);
          return;
        }
        me->read_piece();
      });
    });
  }

  void complete() {
    finished_ = true;
    connection_->lowest().expires_never();
    if (parser_->get().keep_alive()) {
      client_->give_back(key_, connection_);
    } else {
      connection_->close();
    }
    auto next = std::move(next_);
    if (next) next(HttpError{}, {}, true);
  }

  void deliver_error(const HttpError& error) {
    auto next = std::move(next_);
    if (next) next(error, {}, false);
  }

  void fail(const HttpError& error) {
    finished_ = true;
    if (connection_) connection_->close();
    HttpResponseHead empty;
    auto callback = std::move(on_head_);
    if (callback) callback(error, empty, nullptr);
  }

  std::shared_ptr<HttpClient::Impl> client_;
  HttpRequestSpec spec_;
  HttpUrl url_;
  std::string key_;
  tcp::resolver resolver_;
  HttpClient::Head on_head_;
  std::shared_ptr<Connection> connection_;
  bool reused_ = false;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::array<char, kPieceBytes> piece_{};
  Piece next_;
  bool finished_ = false;
  bool cancelled_ = false;
};

// Reads a whole body through an exchange's reader, up to a limit.
struct Collector : std::enable_shared_from_this<Collector> {
  HttpResponse response;
  std::size_t limit = 0;
  std::string url;
  HttpClient::Done done;
  std::shared_ptr<HttpBodyReader> reader;

  void next() {
    reader->read([me = shared_from_this()](const HttpError& error, std::string_view bytes, bool end) {
      if (error) return me->finish(error);
      if (end) return me->finish({});
      if (me->response.body.size() + bytes.size() > me->limit) {
        me->reader->cancel();
        return me->finish({HttpFailure::too_large, "the answer from " + me->url + " is larger than " +
                                                       std::to_string(me->limit) + " bytes"});
      }
      me->response.body.append(bytes);
      me->next();
    });
  }
  void finish(const HttpError& error) {
    auto callback = std::move(done);
    reader.reset();
    if (callback) callback(error, response);
  }
};

// ---- WebSockets ---------------------------------------------------------------------------------

template <class Stream>
class WebSocketConnect : public std::enable_shared_from_this<WebSocketConnect<Stream>> {
 public:
  WebSocketConnect(std::shared_ptr<HttpClient::Impl> client, WebSocketConnectSpec spec, HttpUrl url,
                   std::shared_ptr<BeastWebSocket<Stream>> socket, HttpClient::Upgraded done)
      : client_(std::move(client)),
        spec_(std::move(spec)),
        url_(std::move(url)),
        socket_(std::move(socket)),
        resolver_(socket_->ws().get_executor()),
        done_(std::move(done)) {}

  void start() {
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [me = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              if (ec) return me->fail({HttpFailure::resolve, "cannot resolve " + me->url_.host + ": " + ec.message()}, 0);
                              auto& lowest = beast::get_lowest_layer(me->socket_->ws());
                              lowest.expires_after(me->spec_.timeout);
                              lowest.async_connect(results, [me](beast::error_code ec2, const tcp::endpoint&) {
                                if (ec2) return me->fail(connect_error(ec2, me->url_, me->spec_.timeout), 0);
                                me->secure();
                              });
                            });
  }

 private:
  void secure() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      TlsStream& tls = socket_->ws().next_layer();
      SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str());
      if (spec_.verify_tls) tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      tls.async_handshake(asio::ssl::stream_base::client, [me = this->shared_from_this()](beast::error_code ec) {
        if (ec) return me->fail({HttpFailure::tls, "TLS with " + me->url_.host_header() + " failed: " + ec.message()}, 0);
        me->handshake();
      });
    } else {
      handshake();
    }
  }

  void handshake() {
    auto& ws = socket_->ws();
    beast::get_lowest_layer(ws).expires_never();
    beast::websocket::stream_base::timeout timeouts = beast::websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = spec_.timeout;
    ws.set_option(timeouts);
    ws.set_option(beast::websocket::stream_base::decorator([headers = spec_.headers](beast::websocket::request_type& req) {
      req.set(http::field::user_agent, "agentemu/" AGENTEMU_VERSION);
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    ws.async_handshake(response_, url_.host_header(), url_.target, [me = this->shared_from_this()](beast::error_code ec) {
      if (ec == beast::websocket::error::upgrade_declined) {
        return me->fail({HttpFailure::protocol, me->spec_.url + " declined the WebSocket upgrade with " +
                                                    std::to_string(me->response_.result_int())},
                        static_cast<int>(me->response_.result_int()));
      }
      if (ec == beast::error::timeout) {
        return me->fail({HttpFailure::timeout, "no WebSocket handshake from " + me->spec_.url + " within " + ms_text(me->spec_.timeout)}, 0);
      }
      if (ec) return me->fail({HttpFailure::closed, "the WebSocket handshake with " + me->spec_.url + " failed: " + ec.message()}, 0);
      auto done = std::move(me->done_);
      done(HttpError{}, 101, me->socket_);
    });
  }

  void fail(const HttpError& error, int status) {
    beast::error_code ignored;
    beast::get_lowest_layer(socket_->ws()).socket().close(ignored);
    auto done = std::move(done_);
    if (done) done(error, status, nullptr);
  }

  std::shared_ptr<HttpClient::Impl> client_;
  WebSocketConnectSpec spec_;
  HttpUrl url_;
  std::shared_ptr<BeastWebSocket<Stream>> socket_;
  tcp::resolver resolver_;
  beast::websocket::response_type response_;
  HttpClient::Upgraded done_;
};

}  // namespace

// ---- The client ---------------------------------------------------------------------------------

HttpClient::HttpClient(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

HttpClient::~HttpClient() { close_idle(); }

void HttpClient::open(HttpRequestSpec spec, Head on_head) {
  std::string error;
  auto url = parse_http_url(spec.url, error);
  if (!url) {
    asio::post(impl_->io, [on_head = std::move(on_head), error] {
      HttpResponseHead empty;
      on_head(HttpError{HttpFailure::bad_url, error}, empty, nullptr);
    });
    return;
  }
  std::make_shared<Exchange>(impl_, std::move(spec), std::move(*url), std::move(on_head))->start();
}

void HttpClient::fetch(HttpRequestSpec spec, Done done) {
  auto collector = std::make_shared<Collector>();
  collector->limit = spec.max_body_bytes;
  collector->url = spec.url;
  collector->done = std::move(done);
  open(std::move(spec), [collector](const HttpError& error, HttpResponseHead& head, std::shared_ptr<HttpBodyReader> body) {
    static_cast<HttpResponseHead&>(collector->response) = std::move(head);
    if (error) return collector->finish(error);
    collector->reader = std::move(body);
    collector->next();
  });
}

void HttpClient::connect_websocket(WebSocketConnectSpec spec, Upgraded done) {
  std::string error;
  auto url = parse_http_url(spec.url, error);
  if (!url) {
    asio::post(impl_->io, [done = std::move(done), error] { done(HttpError{HttpFailure::bad_url, error}, 0, nullptr); });
    return;
  }
  if (url->tls) {
    auto socket = std::make_shared<BeastWebSocket<TlsStream>>(
        TlsStream(beast::tcp_stream(asio::make_strand(impl_->io)), impl_->tls_context(spec.verify_tls)));
    std::make_shared<WebSocketConnect<TlsStream>>(impl_, std::move(spec), std::move(*url), std::move(socket), std::move(done))->start();
  } else {
    auto socket = std::make_shared<BeastWebSocket<beast::tcp_stream>>(beast::tcp_stream(asio::make_strand(impl_->io)));
    std::make_shared<WebSocketConnect<beast::tcp_stream>>(impl_, std::move(spec), std::move(*url), std::move(socket), std::move(done))
        ->start();
  }
}

std::size_t HttpClient::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  std::size_t n = 0;
  for (const auto& [key, list] : impl_->idle) n += list.size();
  return n;
}

void HttpClient::close_idle() {
  std::map<std::string, std::deque<std::shared_ptr<Connection>>> idle;
  {
    std::lock_guard lock(impl_->mutex);
    idle.swap(impl_->idle);
  }
  for (auto& [key, list] : idle) {
    for (auto& connection : list) {
      asio::dispatch(connection->executor(), [connection] { connection->close(); });
    }
  }
}

// ---- Relaying two WebSockets --------------------------------------------------------------------

namespace {
void pump(const std::shared_ptr<WebSocketChannel>& from, const std::shared_ptr<WebSocketChannel>& to) {
  from->read([from, to](std::optional<WebSocketMessage> message) {
    if (!message) {
      const std::uint16_t code = from->close_code();
      // 1006 means "no close frame" and may not be sent: the other side hears "going away".
      to->close(code == kWebSocketAbnormal ? kWebSocketGoingAway : code, from->close_reason());
      return;
    }
    to->send(std::move(*message), [from, to](bool ok) {
      if (!ok) {
        from->close(kWebSocketGoingAway, "the other side is gone");
        return;
      }
      pump(from, to);
    });
  });
}
}  // namespace

void relay_websockets(std::shared_ptr<WebSocketChannel> a, std::shared_ptr<WebSocketChannel> b) {
  pump(a, b);
  pump(b, a);
}

}  // namespace agentemu
