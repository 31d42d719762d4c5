// Target 1: the raw bytes of one or more HTTP/1.1 requests through the real request path
// (routing, decode, authenticate, validate, execute, scenarios, journal, admin API) with all
// four vendors and a frozen clock. The first byte picks --auth strict (even) or lenient (odd):
// strict exercises the gateways with the corpus's valid signatures, lenient lets mutations
// through to validation and the handlers. Requests are parsed by Beast with the server's limits,
// as a connection would, and a request that does not parse is rejected the way it rejects one.
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "support/world.hpp"

namespace http = boost::beast::http;
using namespace agentemu;
using namespace agentemu::fuzz;

namespace {

constexpr std::size_t kMaxRequests = 8;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;  // the server's defaults (core/server)
constexpr std::uint64_t kBodyLimit = 8 * 1024 * 1024;

// AGENTEMU_FUZZ_TRACE=1: each request's route and answer on stderr (checking the seeds).
bool trace() {
  static const bool on = std::getenv("AGENTEMU_FUZZ_TRACE") != nullptr;
  return on;
}

World& world(bool lenient) {
  const auto make = [](AuthMode auth) {
    auto w = std::make_unique<World>(auth);
    w->load_scenario("fuzz", read_source("tests/fuzz/scenario.json"));
    return w;
  };
  static const std::unique_ptr<World> strict = make(AuthMode::strict);
  static const std::unique_ptr<World> relaxed = make(AuthMode::lenient);
  return lenient ? *relaxed : *strict;
}

void fill_head(const http::request<http::string_body>& message, Request& r) {
  r.method = message.method_string();
  r.target = message.target();
  split_target(r.target, r.path, r.query);
  for (const auto& field : message) r.headers.push_back({field.name_string(), field.value()});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  World& w = world((data[0] & 1) != 0);
  boost::asio::const_buffer rest(data + 1, size - 1);

  // Parsers and hosts live until the world is reset: a paused call's views point into them.
  std::vector<std::unique_ptr<http::request_parser<http::string_body>>> parsers;
  std::vector<std::shared_ptr<FuzzHost>> hosts;
  std::vector<std::string_view> reached;  // the vendors whose state the input can have changed
  bool admin = false;                     // the admin API can change any state, scenarios included
  while (rest.size() > 0 && parsers.size() < kMaxRequests) {
    auto& parser = *parsers.emplace_back(std::make_unique<http::request_parser<http::string_body>>());
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!ec && !parser.is_done()) {
      const std::size_t used = parser.put(rest, ec);
      rest += used;
      if (ec == http::error::need_more || (!ec && used == 0)) ec = http::error::partial_message;  // the peer stopped
    }
    auto& host = *hosts.emplace_back(std::make_shared<FuzzHost>());
    Call& call = host.call;
    call.attach(host.weak_from_this());
    call.now = w.clock.now();
    call.started = std::chrono::steady_clock::now();
    if (ec) {
      if (parser.is_header_done()) fill_head(parser.get(), call.request);
      w.pipeline.reject(call, 400, "bad_request", "malformed HTTP request: " + ec.message());
      break;  // a connection closes after a request it could not read
    }
    fill_head(parser.get(), call.request);
    call.request.body = parser.get().body();
    admin = admin || Pipeline::is_admin_path(call.request.path);
    w.pipeline.run(call);
    if (call.vendor) reached.push_back(call.vendor->name());
    if (call.paused()) {
      w.io.poll();  // a delay or a handler that answers later; anything still waiting ends at reset
      w.io.restart();
      if (host.resumed > 0 && call.paused()) w.pipeline.run(call);
    }
    if (trace()) {
      std::fprintf(stderr, "%s %s -> %s %s %d %s\n", std::string(call.request.method).c_str(),
                   std::string(call.request.path).c_str(), call.vendor ? std::string(call.vendor->name()).c_str() : "-",
                   call.vendor && call.operation >= 0 ? std::string(call.vendor->operation_names()[call.operation]).c_str() : "-",
                   call.response.status, call.error_code.c_str());
    }
    if (!parser.get().keep_alive() || call.response.close) break;
  }
  if (admin) {
    w.reset();
  } else {
    w.reset(reached, false);
  }
  return 0;
}
