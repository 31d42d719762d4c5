// The callback engine without a vendor: the loopback rule, the journal's bounds and filters,
// deliveries to a receiver on the same io_context, retries on the emulator clock, give-up, the
// queue, and what scenario rules do with a delivery.
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <memory>
#include <string>

#include "core/callbacks/engine.hpp"
#include "core/callbacks/journal.hpp"
#include "core/callbacks/url_policy.hpp"
#include "support/harness.hpp"

using namespace agentemu;
using namespace agentemu::testing;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using namespace std::chrono_literals;
constexpr Millis kSchedule[] = {2000ms, 4000ms};

// A keep-alive HTTP/1.1 receiver on the test's io_context: answers every request with `status`,
// counts requests and the connections they came on.
class Receiver {
 public:
  explicit Receiver(asio::io_context& io) : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) { accept(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook"; }

  int status = 200;
  int requests = 0;
  int connections = 0;
  std::deque<std::string> bodies;

 private:
  struct Session : std::enable_shared_from_this<Session> {
    explicit Session(tcp::socket s, Receiver& r) : socket(std::move(s)), owner(r) {}
    void read() {
      asio::async_read_until(socket, buffer, "\r\n\r\n", [me = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        if (ec) return;
        std::string head(asio::buffers_begin(me->buffer.data()), asio::buffers_begin(me->buffer.data()) + static_cast<std::ptrdiff_t>(n));
        me->buffer.consume(n);
        const auto at = head.find("Content-Length: ");
        const std::size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
        me->body(length);
      });
    }
    void body(std::size_t length) {
      if (buffer.size() < length) {
        asio::async_read(socket, buffer, asio::transfer_exactly(length - buffer.size()),
                         [me = shared_from_this(), length](boost::system::error_code ec, std::size_t) {
                           if (!ec) me->body(length);
                         });
        return;
      }
      owner.bodies.emplace_back(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(length));
      buffer.consume(length);
      ++owner.requests;
      reply = "HTTP/1.1 " + std::to_string(owner.status) + " X\r\nContent-Length: 2\r\n\r\nok";
      asio::async_write(socket, asio::buffer(reply), [me = shared_from_this()](boost::system::error_code ec, std::size_t) {
        if (!ec) me->read();
      });
    }
    tcp::socket socket;
    Receiver& owner;
    asio::streambuf buffer;
    std::string reply;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      ++connections;
      std::make_shared<Session>(std::move(socket), *this)->read();
      accept();
    });
  }

  tcp::acceptor acceptor_;
};

// A port nothing listens on: bound for as long as the object lives, never listening.
struct ClosedPort {
  explicit ClosedPort(asio::io_context& io) : socket(io) {
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket.local_endpoint().port()) + "/"; }
  tcp::socket socket;
};

CallbackRequest request(std::string url, std::string event = "Ping") {
  return CallbackRequest{"zego", std::move(event), std::move(url), {{"Content-Type", "application/json"}}, "{\"n\":1}", kSchedule};
}

struct Rules final : CallbackRules {
  std::optional<CallbackFault> fault;
  int asked = 0;
  std::optional<CallbackFault> fire_callback(const CallbackView&) override {
    ++asked;
    return fault;
  }
};

void run_until(TestCore& core, const std::function<bool()>& done) {
  for (int i = 0; i < 200 && !done(); ++i) core.run_for(Millis(10));
  REQUIRE(done());
}

void move_clock(TestCore& core, Millis by) {
  core.clock.set_offset(core.clock.offset() + by);
  core.scheduler.clock_changed();
}

std::vector<CallbackEntry> all(const CallbackEngine& engine) { return engine.journal().entries({}); }

}  // namespace

TEST_CASE("callbacks go to loopback hosts, and to others only when --callback-allow names them") {
  CHECK(is_loopback_literal("127.0.0.1"));
  CHECK(is_loopback_literal("127.8.9.10"));
  CHECK(is_loopback_literal("::1"));
  CHECK(is_loopback_literal("::ffff:127.0.0.1"));
  CHECK(is_loopback_literal("LocalHost."));
  CHECK_FALSE(is_loopback_literal("10.0.0.1"));
  CHECK_FALSE(is_loopback_literal("localhost.example.com"));
  CHECK_FALSE(is_loopback_literal("::ffff:10.0.0.1"));

  const CallbackUrlPolicy strict;
  CHECK_FALSE(strict.refusal("http://127.0.0.1:9/x"));
  CHECK_FALSE(strict.refusal("https://[::1]:8443/x"));
  const auto refused = strict.refusal("http://receiver.example.com/x");
  REQUIRE(refused);
  CHECK(refused->find("--callback-allow") != std::string::npos);
  CHECK(strict.refusal("ftp://127.0.0.1/"));  // not http(s)

  const CallbackUrlPolicy open({"*.Example.com", "10.0.0.7"});
  CHECK_FALSE(open.refusal("http://receiver.example.com/x"));
  CHECK_FALSE(open.refusal("http://10.0.0.7:8080/x"));
  CHECK(open.refusal("http://10.0.0.8/x"));
  CHECK(open.refusal("http://example.com.evil.net/x"));
}

TEST_CASE("the callback journal keeps the newest entries within its count and byte bounds, and filters them") {
  CallbackJournal journal(3, 1 << 20);
  for (int i = 0; i < 5; ++i) {
    CallbackEntry e;
    e.vendor = i % 2 == 0 ? "zego" : "ice";
    e.event = "E" + std::to_string(i);
    e.status = i == 4 ? 0 : 200;
    e.outcome = i == 4 ? "given_up" : "delivered";
    journal.record(std::move(e));
  }
  const auto kept = journal.entries({});
  REQUIRE(kept.size() == 3);
  CHECK(kept.front().id == 3);
  CHECK(kept.back().id == 5);
  CHECK(journal.count({.vendor = "zego"}) == 2);
  CHECK(journal.count({.status = "2xx"}) == 2);
  CHECK(journal.count({.status = "0"}) == 1);
  CHECK(journal.count({.outcome = "given_up"}) == 1);
  CHECK(journal.entries({.limit = 1}).front().event == "E4");

  CallbackJournal small(100, 10'000);
  for (int i = 0; i < 20; ++i) {
    CallbackEntry e;
    e.body.assign(2000, 'x');
    small.record(std::move(e));
  }
  CHECK(small.bytes() <= 10'000);
  CHECK(small.entries({}).size() < 20);
  CHECK(small.entries({}).back().id == 20);  // the newest stays
}

TEST_CASE("a delivery is POSTed once, journaled and counted; the connection is reused") {
  TestCore core;
  Receiver receiver(core.io);
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log, {});
  engine.send(request(receiver.url()));
  run_until(core, [&] { return engine.journal().count({}) == 1; });
  engine.send(request(receiver.url(), "Pong"));
  run_until(core, [&] { return engine.journal().count({}) == 2; });
  const auto entries = all(engine);
  CHECK(entries[0].status == 200);
  CHECK(entries[0].outcome == "delivered");
  CHECK(entries[0].attempt == 1);
  CHECK(entries[0].body == "{\"n\":1}");
  CHECK(entries[0].response == "ok");
  CHECK_FALSE(entries[0].next_attempt);
  CHECK(receiver.requests == 2);
  CHECK(receiver.connections == 1);
  const std::string metrics = engine.prometheus_text();
  CHECK(metrics.find("agentemu_callback_attempts_total{vendor=\"zego\",event=\"Ping\",status=\"200\"} 1") != std::string::npos);
  CHECK(metrics.find("agentemu_callbacks_total{vendor=\"zego\",event=\"Pong\",outcome=\"delivered\"} 1") != std::string::npos);
}

TEST_CASE("a failed delivery is retried on the emulator clock, then given up after the schedule") {
  TestCore core;
  Receiver receiver(core.io);
  receiver.status = 503;
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log, {});
  engine.send(request(receiver.url()));
  run_until(core, [&] { return engine.journal().count({}) == 1; });
  auto entries = all(engine);
  CHECK(entries[0].status == 503);
  CHECK(entries[0].outcome == "retrying");
  REQUIRE(entries[0].next_attempt);
  CHECK(*entries[0].next_attempt - entries[0].time == 2000ms);

  core.run_for(Millis(100));  // the retry waits for the emulator's 2 s
  CHECK(receiver.requests == 1);
  move_clock(core, 2000ms);
  run_until(core, [&] { return engine.journal().count({}) == 2; });
  CHECK(all(engine)[1].attempt == 2);
  CHECK(all(engine)[1].outcome == "retrying");
  move_clock(core, 4000ms);
  run_until(core, [&] { return engine.journal().count({}) == 3; });
  entries = all(engine);
  CHECK(entries[2].attempt == 3);
  CHECK(entries[2].outcome == "given_up");
  CHECK(entries[2].delivery == entries[0].delivery);
  move_clock(core, 60'000ms);
  core.run_for(Millis(100));
  CHECK(receiver.requests == 3);
  CHECK(engine.prometheus_text().find("outcome=\"given_up\"} 1") != std::string::npos);
}

TEST_CASE("nothing answering is status 0 with the client's reason; a later 2xx ends the delivery") {
  TestCore core;
  ClosedPort closed(core.io);
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log, {});
  engine.send(request(closed.url()));
  run_until(core, [&] { return engine.journal().count({}) == 1; });
  const auto first = all(engine)[0];
  CHECK(first.status == 0);
  CHECK(first.error.rfind("refused: ", 0) == 0);
  CHECK(first.outcome == "retrying");
  CHECK(engine.journal().count({.status = "0"}) == 1);
}

TEST_CASE("a URL that is not loopback is blocked and journaled without a connection") {
  TestCore core;
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log, {});
  engine.send(request("http://203.0.113.9/hook"));
  const auto entries = all(engine);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].outcome == "blocked");
  CHECK(entries[0].status == 0);
  CHECK(entries[0].error.find("--callback-allow") != std::string::npos);
  CHECK(engine.in_flight() == 0);
}

TEST_CASE("scenario rules drop, delay on the emulator clock, and duplicate a delivery") {
  TestCore core;
  Receiver receiver(core.io);
  Rules rules;
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log, {});
  engine.set_rules(&rules);

  rules.fault = CallbackFault{.scenario = "s", .rule = "lose", .action = CallbackFault::Action::drop};
  engine.send(request(receiver.url()));
  REQUIRE(engine.journal().count({}) == 1);
  CHECK(all(engine)[0].outcome == "dropped");
  CHECK(all(engine)[0].scenario == "s");
  CHECK(all(engine)[0].rule == "lose");

  rules.fault = CallbackFault{.scenario = "s", .rule = "late", .action = CallbackFault::Action::deliver, .delay = 30'000ms};
  engine.send(request(receiver.url()));
  core.run_for(Millis(100));
  CHECK(receiver.requests == 0);
  move_clock(core, 30'000ms);
  run_until(core, [&] { return receiver.requests == 1; });

  rules.fault = CallbackFault{.scenario = "s", .rule = "twice", .action = CallbackFault::Action::duplicate, .copies = 2};
  engine.send(request(receiver.url()));
  run_until(core, [&] { return receiver.requests == 4; });
  run_until(core, [&] { return engine.journal().count({.outcome = "delivered"}) == 4; });
  CHECK(receiver.bodies[1] == receiver.bodies[3]);
  CHECK(rules.asked == 3);  // once per delivery, not per copy or attempt
}

TEST_CASE("past max_in_flight deliveries wait; past max_queued they are dropped") {
  TestCore core;
  Receiver receiver(core.io);
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log,
                        CallbackOptions{.max_in_flight = 1, .max_queued = 2});
  for (int i = 0; i < 4; ++i) engine.send(request(receiver.url()));
  CHECK(engine.queued() == 2);
  CHECK(engine.journal().count({.outcome = "dropped"}) == 1);
  run_until(core, [&] { return engine.journal().count({.outcome = "delivered"}) == 3; });
  CHECK(engine.in_flight() == 0);
  CHECK(all(engine).back().error.empty());
}

TEST_CASE("reset forgets pending retries and the journal") {
  TestCore core;
  Receiver receiver(core.io);
  receiver.status = 500;
  CallbackEngine engine(core.io, core.clock, core.scheduler, core.log, {});
  engine.send(request(receiver.url()));
  run_until(core, [&] { return engine.journal().count({}) == 1; });
  engine.reset();
  CHECK(engine.journal().count({}) == 0);
  move_clock(core, 10'000ms);
  core.run_for(Millis(100));
  CHECK(receiver.requests == 1);
  CHECK(engine.journal().count({}) == 0);
}
