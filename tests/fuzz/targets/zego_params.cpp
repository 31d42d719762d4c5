// Target 4: ZEGO's common parameters: the query parser (Go's url.Values semantics), the
// Timestamp, AppId and signature checks of the gateway and the body parser, through the vendor
// in --auth strict (the corpus signs with the default app's ServerSecret at the frozen clock).
//
// Input: raw query \0 body \0 Host header.
#include "targets/vendor_call.hpp"
#include "vendors/zego/auth.hpp"

using namespace agentemu;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::World world(AuthMode::strict);
  const auto f = fuzz::fields(data, size, 3);
  Request request;
  request.method = "POST";
  request.path = "/";
  request.target = "/";
  request.query = f[0];
  request.body = f[1];
  if (!f[2].empty()) request.headers.push_back({"host", f[2]});
  request.headers.push_back({"content-type", "application/json"});

  std::int64_t timestamp = 0;
  std::uint32_t app = 0;
  (void)zego::parse_timestamp(f[0], timestamp);
  (void)zego::parse_app_id(f[0], app);
  (void)zego::wrong_zego_host(f[2]);

  fuzz::run_gateway(world, "zego", request);
  constexpr std::string_view kReached[] = {"zego"};  // a gateway changes only its own vendor
  world.reset(kReached, false);
  return 0;
}
