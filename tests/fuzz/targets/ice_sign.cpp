// Target 3: Alibaba Cloud ICE's V2 and V3 canonicalisation and its time parsers (Timestamp,
// x-acs-date), each on its own and then through the vendor's gateway in --auth strict.
//
// Input: method \0 raw query \0 header lines ("name: value\n") \0 body.
#include "core/uri.hpp"
#include "targets/vendor_call.hpp"
#include "vendors/ice/auth.hpp"
#include "vendors/ice/state.hpp"

using namespace agentemu;

namespace {

// The time parsers agree with each other: a representable instant reads the same both ways and
// survives a format-parse round trip to the second.
void check_time(std::string_view text) {
  const auto wide = parse_iso8601_millis(text);
  const auto instant = parse_iso8601(text);
  if (instant && (!wide || *wide != epoch_millis(*instant))) __builtin_trap();
  if (wide && representable_millis(*wide) != instant.has_value()) __builtin_trap();
  if (instant) {
    const auto again = parse_iso8601(format_iso8601_seconds(*instant));
    if (!again || epoch_seconds(*again) != epoch_seconds(*instant)) __builtin_trap();
  }
  (void)within_millis(wide.value_or(0), fuzz::kFuzzNow, std::chrono::minutes(15));
  (void)ice::parse_gmt(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::World world(AuthMode::strict);
  const auto f = fuzz::fields(data, size, 4);
  Request request;
  request.method = f[0];
  request.path = "/";
  request.target = "/";
  request.query = f[1];
  request.headers = fuzz::header_lines(f[2]);
  request.body = f[3];

  if (const auto params = parse_query(request.query, PlusIs::literal)) {
    std::vector<ice::KeyValue> pairs;
    for (const QueryParam& p : *params) {
      if (p.name != "Signature") pairs.push_back({p.name, p.value});
      if (p.name == "Timestamp") check_time(p.value);
    }
    const std::string canonical = ice::v2_canonical_query(pairs);
    (void)ice::v2_signature("testsecret", ice::v2_string_to_sign(request.method, canonical));
    (void)ice::v3_canonical_query(pairs);
  }
  check_time(request.header("x-acs-date"));
  if (const auto authorization = ice::parse_v3_authorization(request.header("authorization"))) {
    const ice::V3Headers headers = ice::v3_canonical_headers(request, authorization->signed_headers);
    (void)ice::v3_unsigned_header(request, authorization->signed_headers);
    (void)ice::v3_string_to_sign(ice::v3_canonical_request(request.method, "", headers, ""));
  }

  fuzz::run_gateway(world, "ice", request);
  constexpr std::string_view kReached[] = {"ice"};  // a gateway changes only its own vendor
  world.reset(kReached, false);
  return 0;
}
