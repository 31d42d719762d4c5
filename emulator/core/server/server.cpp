#include "core/server/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <unordered_map>

#include "core/call.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/net/beast_websocket.hpp"
#include "core/pipeline.hpp"
#include "core/stream.hpp"
#include "core/websocket.hpp"

namespace agentemu {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Something the server can ask to wind down when it drains.
class Tracked {
 public:
  virtual ~Tracked() = default;
  virtual void drain() = 0;
};

// An accepted WebSocket: a drain closes it ("going away") and waits until it is gone.
class TrackedWebSocket final : public Tracked {
 public:
  explicit TrackedWebSocket(std::weak_ptr<WebSocketChannel> channel) : channel_(std::move(channel)) {}
  void drain() override {
    if (auto channel = channel_.lock()) channel->close(kWebSocketGoingAway, "agentemu is shutting down");
  }

 private:
  std::weak_ptr<WebSocketChannel> channel_;
};

// The Date header, formatted once per second per io thread.
std::string_view http_date_now(const Clock& clock) {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached;
  const SystemTime now = clock.now();
  const std::int64_t second = epoch_seconds(now);
  if (second != cached_second) {
    cached = format_http_date(now);
    cached_second = second;
  }
  return cached;
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  out.append(p, end);
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(net::io_context& io_context, ServerOptions opts, Pipeline& p, const Clock& c, Logger& l, net::ssl::context* t)
      : io(io_context), options(std::move(opts)), pipeline(p), clock(c), log(l), tls(t), acceptor(net::make_strand(io)) {}

  void accept();
  void accept_later();  // after an accept error such as EMFILE, instead of spinning
  void track(const std::shared_ptr<Tracked>& connection) {
    std::lock_guard lock(mutex);
    live.emplace(connection.get(), connection);
  }
  void untrack(Tracked* connection) {
    std::function<void()> done;
    {
      std::lock_guard lock(mutex);
      live.erase(connection);
      if (draining && live.empty() && on_drained) done = std::move(on_drained);
    }
    if (done) done();
  }
  bool is_draining() {
    std::lock_guard lock(mutex);
    return draining;
  }

  net::io_context& io;
  ServerOptions options;
  Pipeline& pipeline;
  const Clock& clock;
  Logger& log;
  net::ssl::context* tls;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry{acceptor.get_executor()};
  std::chrono::steady_clock::time_point last_accept_warning{};

  // Bytes of bodies beyond max_body_bytes being read right now (ServerOptions::large_body_budget).
  std::atomic<std::size_t> large_body_bytes{0};
  bool reserve_large_body(std::size_t bytes) {
    std::size_t current = large_body_bytes.load(std::memory_order_relaxed);
    do {
      if (current + bytes > options.large_body_budget) return false;
    } while (!large_body_bytes.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
    return true;
  }
  void release_large_body(std::size_t bytes) { large_body_bytes.fetch_sub(bytes, std::memory_order_relaxed); }

  std::mutex mutex;
  std::unordered_map<Tracked*, std::weak_ptr<Tracked>> live;
  bool draining = false;
  std::function<void()> on_drained;
};

namespace {

// The HTTP logic both transports share (CRTP, as in Beast's flex example): read a request, run
// it through the pipeline, write the answer, repeat while the connection is kept alive.
template <class Derived>
class Connection : public CallHost, public Tracked {
 public:
  Connection(beast::flat_buffer buffer, std::shared_ptr<Server::Impl> server)
      : buffer_(std::move(buffer)), server_(std::move(server)) {}

  ~Connection() override {
    release_body_budget();
    server_->untrack(this);
  }

  void resume() override {
    net::post(self().stream().get_executor(), [me = self().shared_from_this()] { me->continue_call(); });
  }

  void drain() override {
    net::post(self().stream().get_executor(), [me = self().shared_from_this()] {
      me->draining_ = true;
      if (me->state_ == State::waiting || me->state_ == State::hanging) me->lowest().close();
      // A streamed answer may never end (server-sent events): it is cut, not waited for.
      if (me->state_ == State::streaming) {
        me->stop_stream();
        me->close_now();
      }
    });
  }

 protected:
  enum class State { waiting, reading, busy, writing, streaming, hanging, closed };

  Derived& self() { return static_cast<Derived&>(*this); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(self().stream()); }

  void begin(bool secure) {
    secure_ = secure;
    draining_ = server_->is_draining();
    server_->track(self().shared_from_this());
    call_.attach(std::weak_ptr<CallHost>(self().shared_from_this()));
    read_request();
  }

  void read_request() {
    if (draining_) return self().close_gracefully();  // in-flight work is done; take no more
    release_body_budget();
    call_.reset();
    head_request_ = false;
    keep_alive_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    // The body's limit is known once the head is routed (on_header); until then none, so the
    // head's Content-Length is judged there, against the limit of the operation it names.
    parser_->body_limit(boost::none);
    state_ = State::waiting;
    lowest().expires_after(server_->options.idle_timeout);
    http::async_read_header(self().stream(), buffer_, *parser_,
                            [me = self().shared_from_this()](beast::error_code ec, std::size_t) { me->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    state_ = State::reading;
    if (!admit_body()) return;
    if (parser_->is_done()) return on_request();
    lowest().expires_after(server_->options.request_timeout);
    const auto& head = parser_->get();
    const auto expect = head[http::field::expect];
    // RFC 9110: an interim 100 is for HTTP/1.1 clients only.
    if (head.version() == 11 && expect.size() == 12 && beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(self().stream(), net::buffer(kContinue.data(), kContinue.size()),
                       [me = self().shared_from_this()](beast::error_code write_ec, std::size_t) {
                         if (write_ec) return me->close_now();
                         me->read_body();
                       });
      return;
    }
    read_body();
  }

  // The body limit of this request: the server's, or larger where the vendor's model allows it
  // (bodies over the server's limit draw on a shared budget). False: refused, the answer is on
  // its way and the connection closes after it.
  bool admit_body() {
    const auto& options = server_->options;
    fill_request_head();
    const std::size_t limit = std::max(options.max_body_bytes, server_->pipeline.body_limit(call_.request));
    const auto declared = parser_->content_length();
    const bool chunked = parser_->chunked();
    BodyRefusal why{limit, false};
    bool refused = declared && *declared > limit;
    if (!refused && limit > options.max_body_bytes) {
      // What this body may hold beyond the server's own limit, reserved up front.
      const std::size_t need = declared ? static_cast<std::size_t>(*declared) : chunked ? limit : 0;
      if (need > options.max_body_bytes) {
        if (server_->reserve_large_body(need)) {
          reserved_ = need;
        } else {
          refused = true;
          why.busy = true;
        }
      }
    }
    if (!refused) {
      parser_->body_limit(limit);
      body_limit_ = limit;
      return true;
    }
    call_.now = server_->clock.now();
    call_.started = std::chrono::steady_clock::now();
    server_->pipeline.refuse_body(call_, why);
    write_response();
    return false;
  }

  void release_body_budget() {
    if (reserved_ == 0) return;
    server_->release_large_body(reserved_);
    reserved_ = 0;
  }

  // tcp_stream closes the socket when its own timer expires, which would leave no way to answer
  // 408; a separate deadline cancels the read instead, so the answer can still be written.
  void read_body() {
    lowest().expires_never();
    if (!body_deadline_) body_deadline_.emplace(self().stream().get_executor());
    body_timed_out_ = false;
    body_deadline_->expires_after(server_->options.request_timeout);
    body_deadline_->async_wait([me = self().shared_from_this()](beast::error_code ec) {
      if (ec || me->state_ != State::reading) return;
      me->body_timed_out_ = true;
      beast::error_code ignored;
      me->lowest().socket().cancel(ignored);
    });
    http::async_read(self().stream(), buffer_, *parser_,
                     [me = self().shared_from_this()](beast::error_code ec, std::size_t) {
                       me->body_deadline_->cancel();
                       if (ec) return me->on_read_error(me->body_timed_out_ ? beast::error::timeout : ec);
                       me->on_request();
                     });
  }

  void on_read_error(beast::error_code ec) {
    const bool nothing_read = state_ == State::waiting && !parser_->got_some() && buffer_.size() == 0;
    const bool head_timed_out = ec == beast::error::timeout && state_ == State::waiting;  // the stream is closed
    if (nothing_read || head_timed_out || ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::ssl::error::stream_truncated) {
      return close_now();  // the peer left, or a silent or too slow connection timed out
    }
    fill_partial_request();
    if (ec == beast::error::timeout) {
      server_->pipeline.reject(call_, 408, "request_timeout", "the request was not received in time");
    } else if (ec == http::error::header_limit) {
      server_->pipeline.reject(call_, 431, "header_too_large",
                               "the request head exceeds " + std::to_string(server_->options.max_header_bytes) + " bytes");
    } else if (ec == http::error::body_limit) {  // a chunked body grew past the limit
      server_->pipeline.refuse_body(call_, BodyRefusal{body_limit_, false});
    } else if (ec == http::error::partial_message) {
      return close_now();  // the peer closed mid-request: nobody is left to answer
    } else {
      server_->pipeline.reject(call_, 400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    write_response();
  }

  // What could be read of a request that failed, so the journal can show it.
  void fill_partial_request() {
    call_.now = server_->clock.now();
    call_.started = std::chrono::steady_clock::now();
    call_.request.secure = secure_;
    if (!parser_->is_header_done()) return;
    fill_request_head();
  }

  void fill_request_head() {
    const auto& message = parser_->get();
    Request& r = call_.request;
    r.headers.clear();  // filled once the head is read, and again when the body is
    r.method = message.method_string();
    r.target = message.target();
    split_target(r.target, r.path, r.query);
    for (const auto& field : message) r.headers.push_back({field.name_string(), field.value()});
    r.secure = secure_;
  }

  void on_request() {
    state_ = State::busy;
    lowest().expires_never();
    call_.now = server_->clock.now();
    call_.started = std::chrono::steady_clock::now();
    fill_request_head();
    call_.request.body = parser_->get().body();
    keep_alive_ = parser_->get().keep_alive();
    head_request_ = parser_->get().method() == http::verb::head;
    run_pipeline();
  }

  void continue_call() {
    if (!call_.paused()) return;  // the call was already answered (its handler failed after deferring)
    run_pipeline();
  }

  // A handler that throws is a bug; the request still gets an answer and the server keeps going.
  void run_pipeline() {
    try {
      server_->pipeline.run(call_);
    } catch (const std::exception& e) {
      server_->log.error("unhandled exception while answering a request",
                         {{"path", call_.request.path}, {"what", e.what()}});
      call_.paused_ = false;
      server_->pipeline.reject(call_, 500, "internal_error", "agentemu failed to answer this request; see its log");
    }
    if (!call_.paused()) write_response();
  }

  void write_response() {
    Response& res = call_.response;
    switch (res.fault) {
      case NetworkFault::none: break;
      case NetworkFault::connection_reset: {
        beast::error_code ignored;
        lowest().socket().set_option(net::socket_base::linger(true, 0), ignored);
        return close_now();
      }
      case NetworkFault::empty_response: return close_now();
      case NetworkFault::malformed_response:
        fault_bytes_ = "HTTP/1.1 ??? Malformed\r\nContent-Length: -1\r\nX-Agentemu-Fault: malformed\r\n\r\n{\"trunc";
        return write_fault_bytes();
      case NetworkFault::random_then_close: {
        fault_bytes_.resize(16 + random_u64() % 240);
        for (char& c : fault_bytes_) c = static_cast<char>(random_u64() & 0xff);
        return write_fault_bytes();
      }
      case NetworkFault::hang: return hang();
    }

    if (res.upgrade) return begin_upgrade();
    if (res.stream) return begin_stream();

    const bool close = res.close || !keep_alive_ || draining_;
    const bool bodiless = res.status == 204 || res.status == 304 || res.status < 200;
    write_head(res, close, bodiless ? Framing::none : Framing::length);

    state_ = State::writing;
    lowest().expires_after(server_->options.request_timeout);
    const bool send_body = !bodiless && !head_request_;
    const std::array<net::const_buffer, 2> buffers{net::buffer(head_),
                                                   send_body ? net::buffer(res.body) : net::const_buffer()};
    net::async_write(self().stream(), buffers,
                     [me = self().shared_from_this(), close](beast::error_code ec, std::size_t) {
                       if (ec) return me->close_now();
                       // A drain that began during the write closes too, instead of idling.
                       me->after_answer(close);
                     });
  }

  enum class Framing { none, length, chunked, until_close };

  // The status line and headers of `res` into head_, ending with the blank line.
  void write_head(const Response& res, bool close, Framing framing) {
    head_.clear();
    head_ += "HTTP/1.1 ";
    append_number(head_, static_cast<std::size_t>(res.status));
    head_ += ' ';
    head_ += reason_phrase(res.status);
    head_ += "\r\nDate: ";
    head_ += http_date_now(server_->clock);
    head_ += "\r\n";
    if (!res.content_type.empty()) {
      head_ += "Content-Type: ";
      head_ += res.content_type;
      head_ += "\r\n";
    }
    if (framing == Framing::length) {
      head_ += "Content-Length: ";
      append_number(head_, res.body.size());
      head_ += "\r\n";
    } else if (framing == Framing::chunked) {
      head_ += "Transfer-Encoding: chunked\r\n";
    }
    for (const auto& [name, value] : res.headers) {
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    if (!res.diagnostic.empty()) {
      head_ += kDiagnosticHeader;
      head_ += ": ";
      append_diagnostic_header_value(head_, res.diagnostic);
      head_ += "\r\n";
    }
    if (close) {
      head_ += "Connection: close\r\n";
    } else if (parser_ && parser_->get().version() == 10) {
      head_ += "Connection: keep-alive\r\n";
    }
    head_ += "\r\n";
  }

  // ---- Streamed bodies (Response::stream) -------------------------------------------------------

  // The head now, then each piece as the source delivers it, as one chunk. HTTP/1.0 clients get
  // the body unframed and the connection closes at its end.
  void begin_stream() {
    Response& res = call_.response;
    std::shared_ptr<BodySource> source = std::exchange(res.stream, nullptr);
    const bool bodiless = res.status == 204 || res.status == 304 || res.status < 200 || head_request_;
    if (bodiless) source->cancel();
    const bool chunked = parser_ && parser_->get().version() >= 11;
    stream_close_ = res.close || !keep_alive_ || draining_ || !chunked;
    chunked_ = chunked;
    write_head(res, stream_close_, bodiless ? Framing::none : (chunked ? Framing::chunked : Framing::until_close));
    state_ = State::writing;
    lowest().expires_after(server_->options.request_timeout);
    net::async_write(self().stream(), net::buffer(head_),
                     [me = self().shared_from_this(), source, bodiless](beast::error_code ec, std::size_t) {
                       if (ec) {
                         if (!bodiless) source->cancel();
                         return me->close_now();
                       }
                       if (bodiless) return me->after_answer(me->stream_close_);
                       if (me->draining_) {  // a drain began meanwhile: streams are cut, not waited for
                         source->cancel();
                         return me->close_now();
                       }
                       me->state_ = State::streaming;
                       me->lowest().expires_never();
                       me->source_ = source;
                       source->start(std::make_shared<Sink>(me));
                     });
  }

  // What the source pushes; every call continues on the connection's executor.
  class Sink final : public BodySink {
   public:
    explicit Sink(std::shared_ptr<Derived> connection) : connection_(std::move(connection)) {}
    void write(std::string bytes, std::function<void(bool)> written) override {
      auto c = connection_;
      if (!c) return written(false);
      net::post(c->stream().get_executor(), [c, bytes = std::move(bytes), written = std::move(written)]() mutable {
        c->write_piece(std::move(bytes), std::move(written));
      });
    }
    void end() override {
      if (auto c = std::exchange(connection_, nullptr)) net::post(c->stream().get_executor(), [c] { c->end_stream(); });
    }
    void abort() override {
      if (auto c = std::exchange(connection_, nullptr)) net::post(c->stream().get_executor(), [c] { c->abort_stream(); });
    }

   private:
    std::shared_ptr<Derived> connection_;
  };

  void write_piece(std::string bytes, std::function<void(bool)> written) {
    if (state_ != State::streaming) return written(false);
    if (bytes.empty()) return written(true);
    piece_ = std::move(bytes);
    chunk_head_.clear();
    if (chunked_) {
      static constexpr char kHex[] = "0123456789abcdef";
      char digits[16];
      int n = 0;
      for (std::size_t size = piece_.size(); size != 0; size >>= 4) digits[n++] = kHex[size & 15];
      while (n > 0) chunk_head_ += digits[--n];
      chunk_head_ += "\r\n";
    }
    const std::array<net::const_buffer, 3> buffers{net::buffer(chunk_head_), net::buffer(piece_),
                                                   net::buffer(chunked_ ? std::string_view("\r\n") : std::string_view())};
    lowest().expires_after(server_->options.request_timeout);
    net::async_write(self().stream(), buffers,
                     [me = self().shared_from_this(), written = std::move(written)](beast::error_code ec, std::size_t) {
                       me->lowest().expires_never();
                       if (ec) {
                         me->stop_stream();
                         me->close_now();
                         return written(false);
                       }
                       written(true);
                     });
  }

  void end_stream() {
    if (state_ != State::streaming) return;
    source_.reset();
    if (!chunked_) return after_answer(true);
    static constexpr std::string_view kLast = "0\r\n\r\n";
    state_ = State::writing;
    lowest().expires_after(server_->options.request_timeout);
    net::async_write(self().stream(), net::buffer(kLast.data(), kLast.size()),
                     [me = self().shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return me->close_now();
                       me->after_answer(me->stream_close_);
                     });
  }

  // The body cannot be finished: closing without the last chunk tells the client so.
  void abort_stream() {
    source_.reset();
    close_now();
  }

  void stop_stream() {
    if (auto source = std::exchange(source_, nullptr)) source->cancel();
  }

  // After a complete answer: the next request, or the end of the connection.
  void after_answer(bool close) {
    if (close || draining_) return self().close_gracefully();
    read_request();
  }

  // ---- WebSocket upgrades (Response::upgrade) ---------------------------------------------------

  // The handler accepted the upgrade: Beast answers 101 with the response's headers, and the open
  // socket goes to the acceptor. The connection itself ends here.
  void begin_upgrade() {
    Response& res = call_.response;
    std::shared_ptr<WebSocketAcceptor> acceptor = std::exchange(res.upgrade, nullptr);
    if (!call_.request.wants_websocket() || !parser_ || !parser_->is_done()) {
      acceptor->cancel();
      res.clear();
      res.set(400, kJson, R"({"error":"bad_request","message":"this answer is a WebSocket upgrade, but the request asked for none"})");
      res.close = true;
      return write_response();
    }
    state_ = State::closed;
    lowest().expires_never();
    auto headers = res.headers;
    self().hand_over_websocket(parser_->release(), std::move(headers), std::move(acceptor));
  }

  template <class Socket>
  void accept_websocket(std::shared_ptr<Socket> socket, http::request<http::string_body> request,
                        std::vector<std::pair<std::string, std::string>> headers,
                        std::shared_ptr<WebSocketAcceptor> acceptor) {
    auto tracker = std::make_shared<TrackedWebSocket>(socket);
    server_->track(tracker);
    socket->on_destroyed = [server = server_, tracker] { server->untrack(tracker.get()); };
    auto& ws = socket->ws();
    ws.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(beast::websocket::stream_base::decorator([headers = std::move(headers)](beast::websocket::response_type& res) {
      res.set(http::field::server, "agentemu");
      for (const auto& [name, value] : headers) res.set(name, value);
    }));
    ws.async_accept(request, [socket, acceptor](beast::error_code ec) {
      if (ec) return acceptor->cancel();
      acceptor->open(socket);
    });
  }

  void write_fault_bytes() {
    state_ = State::writing;
    lowest().expires_after(server_->options.request_timeout);
    net::async_write(self().stream(), net::buffer(fault_bytes_),
                     [me = self().shared_from_this()](beast::error_code, std::size_t) { me->close_now(); });
  }

  // Never answer; keep reading (and discarding) so the connection ends when the peer gives up.
  void hang() {
    state_ = State::hanging;
    if (draining_) return close_now();
    lowest().expires_never();
    self().stream().async_read_some(net::buffer(discard_),
                                    [me = self().shared_from_this()](beast::error_code ec, std::size_t) {
                                      if (ec) return me->close_now();
                                      me->hang();
                                    });
  }

  void close_now() {
    state_ = State::closed;
    beast::error_code ignored;
    lowest().socket().close(ignored);
  }

  beast::flat_buffer buffer_;
  std::shared_ptr<Server::Impl> server_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<net::steady_timer> body_deadline_;
  bool body_timed_out_ = false;
  std::size_t reserved_ = 0;    // bytes of ServerOptions::large_body_budget this request holds
  std::size_t body_limit_ = 0;  // the limit admit_body set for this request
  Call call_;
  std::string head_;
  std::string fault_bytes_;
  std::shared_ptr<BodySource> source_;  // while streaming
  std::string piece_, chunk_head_;
  bool chunked_ = true;
  bool stream_close_ = false;
  std::array<char, 512> discard_{};
  State state_ = State::waiting;
  bool secure_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool draining_ = false;
};

class PlainConnection : public Connection<PlainConnection>, public std::enable_shared_from_this<PlainConnection> {
 public:
  PlainConnection(beast::tcp_stream stream, beast::flat_buffer buffer, std::shared_ptr<Server::Impl> server)
      : Connection(std::move(buffer), std::move(server)), stream_(std::move(stream)) {}

  beast::tcp_stream& stream() { return stream_; }
  void start() { begin(false); }

  void hand_over_websocket(http::request<http::string_body> request, std::vector<std::pair<std::string, std::string>> headers,
                           std::shared_ptr<WebSocketAcceptor> acceptor) {
    accept_websocket(std::make_shared<BeastWebSocket<beast::tcp_stream>>(std::move(stream_)), std::move(request),
                     std::move(headers), std::move(acceptor));
  }

  // Half-close, then read and discard what the client still sends (a body we refused with 413,
  // say) until it closes too: closing with unread input makes the kernel send RST, and the
  // client would lose the answer. Bounded in time and bytes.
  void close_gracefully() {
    state_ = State::closed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    linger_budget_ = kLingerBytes;
    stream_.expires_after(kLingerTime);
    discard_input();
  }

 private:
  static constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;
  static constexpr std::chrono::seconds kLingerTime{2};

  void discard_input() {
    stream_.async_read_some(net::buffer(discard_), [me = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec || n >= me->linger_budget_) return me->close_now();
      me->linger_budget_ -= n;
      me->discard_input();
    });
  }

  std::size_t linger_budget_ = 0;

 public:

 private:
  beast::tcp_stream stream_;
};

// beast::ssl_stream's buffered async_handshake does not compile in Boost 1.81, so compose the
// same stack by hand: flat_stream (one TLS record per gathered write) over asio's ssl::stream.
using TlsStream = beast::flat_stream<net::ssl::stream<beast::tcp_stream>>;

class TlsConnection : public Connection<TlsConnection>, public std::enable_shared_from_this<TlsConnection> {
 public:
  TlsConnection(beast::tcp_stream stream, net::ssl::context& context, beast::flat_buffer buffer,
                std::shared_ptr<Server::Impl> server)
      : Connection(std::move(buffer), std::move(server)), stream_(std::move(stream), context) {}

  TlsStream& stream() { return stream_; }

  // The WebSocket runs on the TLS stream itself (Beast's websocket teardown knows ssl::stream).
  void hand_over_websocket(http::request<http::string_body> request, std::vector<std::pair<std::string, std::string>> headers,
                           std::shared_ptr<WebSocketAcceptor> acceptor) {
    accept_websocket(std::make_shared<BeastWebSocket<net::ssl::stream<beast::tcp_stream>>>(std::move(stream_.next_layer())),
                     std::move(request), std::move(headers), std::move(acceptor));
  }

  void start() {
    lowest().expires_after(server_->options.idle_timeout);
    // The detector already read the start of the handshake: hand those bytes to OpenSSL.
    stream_.next_layer().async_handshake(net::ssl::stream_base::server, buffer_.data(),
                            [me = shared_from_this()](beast::error_code ec, std::size_t used) {
                              if (ec) return me->close_now();
                              me->buffer_.consume(used);
                              me->begin(true);
                            });
  }

  void close_gracefully() {
    state_ = State::closed;
    lowest().expires_after(std::chrono::seconds(2));
    stream_.next_layer().async_shutdown([me = shared_from_this()](beast::error_code) { me->close_now(); });
  }

 private:
  TlsStream stream_;
};

// Reads the first bytes of a new connection to tell a TLS handshake from plain HTTP.
class Detector : public std::enable_shared_from_this<Detector> {
 public:
  Detector(tcp::socket socket, std::shared_ptr<Server::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {}

  void run() {
    stream_.expires_after(server_->options.idle_timeout);
    beast::async_detect_ssl(stream_, buffer_, [me = shared_from_this()](beast::error_code ec, bool is_tls) {
      if (ec) return;  // closed or silent: nothing to answer
      if (!is_tls) {
        std::make_shared<PlainConnection>(std::move(me->stream_), std::move(me->buffer_), me->server_)->start();
      } else if (me->server_->tls != nullptr) {
        std::make_shared<TlsConnection>(std::move(me->stream_), *me->server_->tls, std::move(me->buffer_), me->server_)
            ->start();
      } else {
        me->server_->log.warn("a client opened TLS, but HTTPS is off; start with --tls-self-signed or --tls-cert/--tls-key");
      }
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Server::Impl> server_;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(io), [me = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !me->acceptor.is_open()) return;  // draining
    if (ec) return me->accept_later();
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Detector>(std::move(socket), me)->run();
    me->accept();
  });
}

void Server::Impl::accept_later() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_accept_warning > std::chrono::seconds(10)) {
    last_accept_warning = now;
    log.warn("cannot accept connections (out of file descriptors?); retrying every 100 ms");
  }
  accept_retry.expires_after(std::chrono::milliseconds(100));
  accept_retry.async_wait([me = shared_from_this()](beast::error_code ec) {
    if (!ec && me->acceptor.is_open()) me->accept();
  });
}

Server::Server(net::io_context& io, ServerOptions options, Pipeline& pipeline, const Clock& clock, Logger& log,
               net::ssl::context* tls)
    : impl_(std::make_shared<Impl>(io, std::move(options), pipeline, clock, log, tls)) {}

Server::~Server() = default;

std::optional<std::string> Server::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) return "--host " + impl_->options.host + ": not an IP address";
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return "cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) + ": " + ec.message();
  }
  return std::nullopt;
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::start() {
  net::dispatch(impl_->acceptor.get_executor(), [impl = impl_] { impl->accept(); });
}

void Server::drain(std::function<void()> done) {
  std::vector<std::shared_ptr<Tracked>> connections;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->draining = true;
    for (auto& [raw, weak] : impl_->live) {
      if (auto connection = weak.lock()) connections.push_back(std::move(connection));
    }
    if (impl_->live.empty()) {
      impl_->on_drained = nullptr;
    } else {
      impl_->on_drained = done;
    }
  }
  net::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_retry.cancel();
  });
  for (auto& connection : connections) connection->drain();
  if (connections.empty()) done();
}

std::size_t Server::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->live.size();
}

}  // namespace agentemu
