// The emulator's one "now": real time plus an offset that PUT /_emulator/clock moves, so every
// vendor's expiry, signature window and timestamp follows the same shifted clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentemu {

using SystemTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

// The instants agentemu represents: 1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999Z. SystemTime
// counts nanoseconds in 64 bits and ends in April 2262, so every time that comes from outside is
// checked against this range where it is parsed; what is left (over 60 years) is headroom for
// the longest timeout added to the latest "now", so no later arithmetic can overflow.
inline constexpr std::int64_t kEarliestEpochMillis = 0;
inline constexpr std::int64_t kLatestEpochMillis = 7'258'118'399'999;
inline constexpr std::string_view kTimeRangeText = "from 1970 to 2199";

constexpr bool representable_millis(std::int64_t ms) {
  return ms >= kEarliestEpochMillis && ms <= kLatestEpochMillis;
}

class Clock {
 public:
  SystemTime now() const { return base() + Millis(offset_ms_.load(std::memory_order_relaxed)); }
  Millis offset() const { return Millis(offset_ms_.load(std::memory_order_relaxed)); }
  // Shifts "now" by `offset` from real time. Refused (false, nothing changes) when the shifted
  // "now" would fall outside the representable range.
  bool set_offset(Millis offset);
  // Shifts the clock so that "now" is `at`; refused like set_offset.
  bool set_now(SystemTime at);
  // Pins the clock's base to `at` instead of real time (fuzzing and tests: the same input gives
  // the same answer whenever it runs); set_offset still shifts it.
  void freeze(SystemTime at);

 private:
  static constexpr std::int64_t kRealTime = INT64_MIN;
  SystemTime base() const {
    const std::int64_t frozen = frozen_ns_.load(std::memory_order_relaxed);
    return frozen == kRealTime ? std::chrono::system_clock::now() : SystemTime(SystemTime::duration(frozen));
  }

  std::atomic<std::int64_t> offset_ms_{0};
  std::atomic<std::int64_t> frozen_ns_{kRealTime};
};

std::int64_t epoch_seconds(SystemTime t);
std::int64_t epoch_millis(SystemTime t);
// Clamped into the representable range, so it cannot overflow; times from outside are checked
// by the parsers (or representable_millis) before they get here.
SystemTime from_epoch_millis(std::int64_t ms);
// `t + d` that saturates at the ends of SystemTime instead of overflowing.
SystemTime add_saturating(SystemTime t, Millis d);

// Calendar fields in UTC.
struct UtcFields {
  int year, month, day, hour, minute, second, millis;
};
UtcFields utc_fields(SystemTime t);

std::string format_rfc3339_millis(SystemTime t);  // 2025-10-13T12:00:00.123Z
std::string format_iso8601_seconds(SystemTime t);  // 2025-10-13T12:00:00Z
std::string format_http_date(SystemTime t);        // Mon, 13 Oct 2025 12:00:00 GMT
std::string format_amz_date(SystemTime t);         // 20251013T120000Z

// Strict parsers; nullopt on any deviation from the shape, and on an instant outside the
// representable range.
std::optional<SystemTime> parse_iso8601(std::string_view text);  // yyyy-MM-ddTHH:mm:ss[.fff]Z
std::optional<SystemTime> parse_amz_date(std::string_view text);  // yyyyMMddTHHmmssZ
// The same shapes as milliseconds since the epoch, for any year from 0000 to 9999: a signature
// window tells a well-formed time far away ("expired") from a malformed one without forming an
// instant it could not represent.
std::optional<std::int64_t> parse_iso8601_millis(std::string_view text);
std::optional<std::int64_t> parse_amz_date_millis(std::string_view text);
// |at_ms - now| <= window, without overflow for any at_ms.
bool within_millis(std::int64_t at_ms, SystemTime now, Millis window);

}  // namespace agentemu
