// WebSocketChannel over a Beast websocket::stream, for both ends: the server's accepted
// upgrades (core/server) and the client's connections (core/net). Header-only because the
// stream type differs (plain TCP, TLS); only core code includes it.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "core/websocket.hpp"

namespace agentemu {

inline constexpr std::size_t kWebSocketMessageMax = 16 * 1024 * 1024;

template <class Stream>
class BeastWebSocket final : public WebSocketChannel, public std::enable_shared_from_this<BeastWebSocket<Stream>> {
 public:
  using Ws = boost::beast::websocket::stream<Stream>;

  explicit BeastWebSocket(Stream stream) : ws_(std::move(stream)) { ws_.read_message_max(kWebSocketMessageMax); }
  ~BeastWebSocket() override {
    if (on_destroyed) on_destroyed();
  }

  Ws& ws() { return ws_; }
  std::function<void()> on_destroyed;  // the server stops tracking it

  void read(std::function<void(std::optional<WebSocketMessage>)> done) override {
    boost::asio::dispatch(ws_.get_executor(), [me = this->shared_from_this(), done = std::move(done)]() mutable {
      me->ws_.async_read(me->buffer_, [me, done = std::move(done)](boost::beast::error_code ec, std::size_t) {
        if (ec) {
          me->ended(ec);
          done(std::nullopt);
          return;
        }
        WebSocketMessage message{boost::beast::buffers_to_string(me->buffer_.data()), !me->ws_.got_text()};
        me->buffer_.consume(me->buffer_.size());
        done(std::move(message));
      });
    });
  }

  void send(WebSocketMessage message, std::function<void(bool)> done) override {
    boost::asio::dispatch(ws_.get_executor(), [me = this->shared_from_this(), message = std::move(message),
                                               done = std::move(done)]() mutable {
      if (me->gone_ || me->closing_) {
        if (done) done(false);
        return;
      }
      me->outbox_.push_back({std::move(message), std::move(done)});
      me->write_next();
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    boost::asio::dispatch(ws_.get_executor(), [me = this->shared_from_this(), code, reason = std::move(reason)] {
      if (me->closing_ || me->gone_) return;
      me->closing_ = true;
      me->close_frame_ = {code, reason};
      if (!me->writing_) me->send_close();  // else once the queued messages are out
    });
  }

  std::uint16_t close_code() const override {
    std::lock_guard lock(mutex_);
    return peer_code_;
  }
  std::string close_reason() const override {
    std::lock_guard lock(mutex_);
    return peer_reason_;
  }

 private:
  struct Outgoing {
    WebSocketMessage message;
    std::function<void(bool)> done;
  };

  void write_next() {
    if (writing_ || outbox_.empty()) return;
    writing_ = true;
    ws_.binary(outbox_.front().message.binary);
    ws_.async_write(boost::asio::buffer(outbox_.front().message.data),
                    [me = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                      me->writing_ = false;
                      auto done = std::move(me->outbox_.front().done);
                      me->outbox_.pop_front();
                      if (ec) me->ended(ec);
                      if (done) done(!ec);
                      if (me->gone_) {
                        me->fail_outbox();
                      } else if (!me->outbox_.empty()) {
                        me->write_next();
                      } else if (me->closing_) {
                        me->send_close();
                      }
                    });
  }

  void send_close() {
    writing_ = true;
    const boost::beast::websocket::close_reason frame(static_cast<boost::beast::websocket::close_code>(close_frame_.first),
                                                      close_frame_.second);
    ws_.async_close(frame, [me = this->shared_from_this()](boost::beast::error_code) {
      me->writing_ = false;
      me->gone_ = true;
      me->fail_outbox();
    });
  }

  void fail_outbox() {
    while (!outbox_.empty()) {
      auto done = std::move(outbox_.front().done);
      outbox_.pop_front();
      if (done) done(false);
    }
  }

  // The connection ended (the peer's close frame, or an error): remember how.
  void ended(boost::beast::error_code ec) {
    std::lock_guard lock(mutex_);
    if (ec == boost::beast::websocket::error::closed) {
      peer_code_ = ws_.reason().code;
      peer_reason_ = std::string(ws_.reason().reason.c_str());
    } else if (!gone_) {
      peer_code_ = kWebSocketAbnormal;
      peer_reason_ = ec.message();
    }
    gone_ = true;  // after a close frame Beast has already answered it; after an error nothing is left
  }

  Ws ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<Outgoing> outbox_;
  bool writing_ = false;
  bool closing_ = false;
  bool gone_ = false;
  std::pair<std::uint16_t, std::string> close_frame_{1000, ""};
  mutable std::mutex mutex_;
  std::uint16_t peer_code_ = kWebSocketAbnormal;
  std::string peer_reason_;
};

}  // namespace agentemu
