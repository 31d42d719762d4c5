#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/crypto.hpp"

using namespace agentemu;

TEST_CASE("time formats use UTC and the documented shapes") {
  const SystemTime t = from_epoch_millis(1'441'024'560'123);  // 2015-08-31T12:36:00.123Z
  CHECK(format_rfc3339_millis(t) == "2015-08-31T12:36:00.123Z");
  CHECK(format_iso8601_seconds(t) == "2015-08-31T12:36:00Z");
  CHECK(format_http_date(t) == "Mon, 31 Aug 2015 12:36:00 GMT");
  CHECK(format_amz_date(t) == "20150831T123600Z");
  CHECK(format_http_date(from_epoch_millis(0)) == "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_CASE("timestamp parsers are strict") {
  CHECK(parse_iso8601("2023-03-13T08:34:30Z") == from_epoch_millis(1'678'696'470'000));
  CHECK(parse_iso8601("2023-03-13T08:34:30.5Z") == from_epoch_millis(1'678'696'470'500));
  CHECK_FALSE(parse_iso8601("2023-03-13 08:34:30Z"));
  CHECK_FALSE(parse_iso8601("2023-02-30T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("2023-03-13T08:34:30"));
  CHECK_FALSE(parse_iso8601("2023-03-13T25:34:30Z"));
  CHECK(parse_amz_date("20150830T123600Z") == from_epoch_millis(1'440'938'160'000));
  CHECK_FALSE(parse_amz_date("20150830T123600"));
  CHECK_FALSE(parse_amz_date("2015083xT123600Z"));
}

TEST_CASE("parsers refuse an instant the clock cannot represent; the wide forms read any four-digit year") {
  CHECK(parse_iso8601("2199-12-31T23:59:59.999Z") == from_epoch_millis(kLatestEpochMillis));
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == from_epoch_millis(0));
  CHECK_FALSE(parse_iso8601("2200-01-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("2263-01-01T00:00:00Z"));  // where a nanosecond clock would overflow
  CHECK_FALSE(parse_iso8601("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parse_iso8601("1969-12-31T23:59:59Z"));
  CHECK_FALSE(parse_amz_date("99991231T235959Z"));
  CHECK(parse_iso8601_millis("9999-12-31T23:59:59Z") == 253'402'300'799'000);
  CHECK(parse_iso8601_millis("0000-01-01T00:00:00Z") == -62'167'219'200'000);
  CHECK(parse_amz_date_millis("99991231T235959Z") == 253'402'300'799'000);
  CHECK_FALSE(parse_iso8601_millis("9999-02-30T00:00:00Z"));
  const SystemTime now = from_epoch_millis(1'700'000'000'000);
  CHECK(within_millis(1'700'000'000'000 + 900'000, now, std::chrono::minutes(15)));
  CHECK_FALSE(within_millis(1'700'000'000'000 + 900'001, now, std::chrono::minutes(15)));
  CHECK_FALSE(within_millis(INT64_MIN, now, std::chrono::minutes(15)));
  CHECK_FALSE(within_millis(INT64_MAX, now, std::chrono::minutes(15)));
}

TEST_CASE("time arithmetic saturates instead of overflowing") {
  CHECK(from_epoch_millis(INT64_MAX) == from_epoch_millis(kLatestEpochMillis));
  CHECK(from_epoch_millis(-5) == from_epoch_millis(0));
  CHECK(add_saturating(from_epoch_millis(kLatestEpochMillis), Millis(INT64_MAX)) == SystemTime::max());
  CHECK(add_saturating(SystemTime::max(), Millis(1)) == SystemTime::max());
  CHECK(add_saturating(from_epoch_millis(0), Millis(INT64_MIN)) == SystemTime::min());
  CHECK(add_saturating(from_epoch_millis(1000), Millis(-1000)) == from_epoch_millis(0));
}

TEST_CASE("the clock refuses a now it cannot represent, and can be frozen") {
  Clock clock;
  CHECK_FALSE(clock.set_offset(std::chrono::hours(24 * 365 * 300)));  // past 2199
  CHECK_FALSE(clock.set_offset(-std::chrono::hours(24 * 365 * 100)));  // before 1970
  CHECK(clock.offset() == Millis(0));
  CHECK_FALSE(clock.set_now(from_epoch_millis(kLatestEpochMillis) + std::chrono::hours(1)));
  CHECK(clock.set_now(from_epoch_millis(kLatestEpochMillis)));
  CHECK(clock.now() > from_epoch_millis(kLatestEpochMillis) - Millis(1));  // to the millisecond
  clock.freeze(from_epoch_millis(1'748'736'000'000));
  CHECK(clock.set_offset(Millis(0)));
  CHECK(clock.now() == from_epoch_millis(1'748'736'000'000));
  CHECK(clock.set_offset(Millis(1500)));
  CHECK(clock.now() == from_epoch_millis(1'748'736'001'500));
  CHECK(clock.set_now(from_epoch_millis(1'000)));
  CHECK(clock.offset() == Millis(1'000 - 1'748'736'000'000));
}

TEST_CASE("the clock offset moves now") {
  Clock clock;
  const auto before = clock.now();
  clock.set_offset(Millis(3'600'000));
  CHECK(clock.now() - before >= std::chrono::minutes(59));
  CHECK(clock.offset() == Millis(3'600'000));
}

TEST_CASE("digests match their published test values") {
  CHECK(hex_lower(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex_lower(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_lower(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(hex_lower(md5("abc")) == "900150983cd24fb0d6963f7d28e17f72");
}

TEST_CASE("HMACs match RFC 4231 and RFC 2202") {
  // RFC 4231 test case 2
  CHECK(hex_lower(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 6: a key longer than the block is hashed first
  const std::string long_key(131, '\xaa');
  CHECK(hex_lower(hmac_sha256(long_key, "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // RFC 2202 test case 2
  CHECK(hex_lower(hmac_sha1("Jefe", "what do ya want for nothing?")) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_CASE("base64 round-trips and rejects bad input") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_decode("Zm9vYmE=") == "fooba");
  CHECK(base64_decode("Zg==") == "f");
  CHECK_FALSE(base64_decode("Zg="));
  CHECK_FALSE(base64_decode("Z==="));
  CHECK_FALSE(base64_decode("Zm9v!mFy"));
  CHECK_FALSE(base64_decode("Zg==Zg=="));
}

TEST_CASE("constant_time_equal and ids") {
  CHECK(constant_time_equal("secret", "secret"));
  CHECK(constant_time_equal("", ""));
  CHECK_FALSE(constant_time_equal("", "x"));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  CHECK_FALSE(constant_time_equal("secret", "secreT"));
  CHECK_FALSE(constant_time_equal("secret", "secret2"));
  const std::string id = uuid_v4();
  REQUIRE(id.size() == 36);
  CHECK(id[8] == '-');
  CHECK(id[14] == '4');
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  CHECK(uuid_v4() != id);
  for (int round = 0; round < 200; ++round) {
    const std::string u = uuid_v4();
    for (std::size_t i = 0; i < u.size(); ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      CHECK((dash ? u[i] == '-' : std::isxdigit(static_cast<unsigned char>(u[i])) && !std::isupper(u[i])));
    }
  }
  for (std::size_t bytes : {0, 1, 5, 8, 9, 16, 20}) {
    const std::string hex = random_hex(bytes);
    CHECK(hex.size() == bytes * 2);
    CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  // Each byte of a random number is its own: were one byte repeated (a shift left out), every
  // two-digit pair of an 8-byte run would be the same.
  for (int round = 0; round < 50; ++round) {
    const std::string hex = random_hex(16);
    bool all_pairs_equal = true;
    for (std::size_t i = 2; i < 16; i += 2) all_pairs_equal = all_pairs_equal && hex.compare(i, 2, hex, 0, 2) == 0;
    CHECK_FALSE(all_pairs_equal);
  }
}

TEST_CASE("time formats pad every field, at both ends of the clock's range") {
  CHECK(format_rfc3339_millis(from_epoch_millis(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601_seconds(from_epoch_millis(0)) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339_millis(from_epoch_millis(kLatestEpochMillis)) == "2199-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_millis(from_epoch_millis(1'000'000'000'007)) == "2001-09-09T01:46:40.007Z");
}
