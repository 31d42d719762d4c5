// The event-stream encoder against a frame the JS SDK's own codec produced (CRCs checked with
// zlib), and the decoder on it and on damaged copies.
#include <doctest/doctest.h>

#include <string>

#include "core/crypto.hpp"
#include "vendors/agentcore/eventstream.hpp"

using namespace agentemu;
using namespace agentemu::agentcore;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  std::string digits;
  for (char c : hex) {
    if (c != ' ' && c != '\n') digits.push_back(c);
  }
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The golden frame: headers :event-type result, :content-type application/json, :message-type
// event; payload {"content":[{"type":"text","text":"hi"}],"isError":false}.
const std::string kGolden = from_hex(
    "000000950000004c03ae7ab2 0b3a6576656e742d74797065 07 0006 726573756c74"
    "0d3a636f6e74656e742d74797065 07 0010 6170706c69636174696f6e2f6a736f6e"
    "0d3a6d6573736167652d74797065 07 0005 6576656e74"
    "7b22636f6e74656e74223a5b7b2274797065223a2274657874222c2274657874223a226869227d5d2c2269734572726f72223a66616c73657d"
    "56406861");
constexpr std::string_view kPayload = R"({"content":[{"type":"text","text":"hi"}],"isError":false})";

}  // namespace

TEST_CASE("agentcore crc32 is zlib's") {
  CHECK(crc32("") == 0u);
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
  // Continuing over a split input gives the same value.
  CHECK(crc32("56789", crc32("1234")) == 0xCBF43926u);
  // The golden frame's CRCs.
  CHECK(crc32(std::string_view(kGolden).substr(0, 8)) == 0x03ae7ab2u);
  CHECK(crc32(std::string_view(kGolden).substr(0, kGolden.size() - 4)) == 0x56406861u);
}

TEST_CASE("agentcore event encoder writes the SDK's golden frame byte for byte") {
  REQUIRE(kGolden.size() == 149);
  std::string out;
  append_json_event(out, "result", kPayload);
  CHECK(hex_lower(out) == hex_lower(kGolden));

  // Appending keeps what is already there.
  std::string two = "x";
  append_json_event(two, "result", kPayload);
  CHECK(two.substr(1) == kGolden);
}

TEST_CASE("agentcore exception frames carry :exception-type and decode back") {
  std::string out;
  append_json_exception(out, "validationException", R"({"message":"bad","reason":"FieldValidationFailed"})");
  std::size_t used = 0;
  std::string error;
  const auto decoded = decode_event_message(out, used, error);
  REQUIRE_MESSAGE(decoded, error);
  CHECK(used == out.size());
  CHECK(decoded->header(":message-type") == "exception");
  CHECK(decoded->header(":exception-type") == "validationException");
  CHECK(decoded->header(":content-type") == "application/json");
  CHECK(decoded->payload == R"({"message":"bad","reason":"FieldValidationFailed"})");
}

TEST_CASE("agentcore event decoder reads the golden frame and refuses damaged ones") {
  std::size_t used = 0;
  std::string error;
  const auto decoded = decode_event_message(kGolden, used, error);
  REQUIRE_MESSAGE(decoded, error);
  CHECK(used == 149);
  CHECK(decoded->header(":event-type") == "result");
  CHECK(decoded->header(":message-type") == "event");
  CHECK(decoded->payload == kPayload);

  std::string flipped = kGolden;
  flipped[100] ^= 0x01;
  CHECK_FALSE(decode_event_message(flipped, used, error));
  CHECK(error == "message CRC mismatch");

  std::string prelude = kGolden;
  prelude[3] ^= 0x01;
  CHECK_FALSE(decode_event_message(prelude, used, error));
  CHECK(error == "prelude CRC mismatch");

  CHECK_FALSE(decode_event_message(std::string_view(kGolden).substr(0, 100), used, error));
  CHECK_FALSE(decode_event_message("short", used, error));
}
