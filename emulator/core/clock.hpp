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

class Clock {
 public:
  SystemTime now() const {
    return std::chrono::system_clock::now() + Millis(offset_ms_.load(std::memory_order_relaxed));
  }
  Millis offset() const { return Millis(offset_ms_.load(std::memory_order_relaxed)); }
  void set_offset(Millis offset) { offset_ms_.store(offset.count(), std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

std::int64_t epoch_seconds(SystemTime t);
std::int64_t epoch_millis(SystemTime t);
SystemTime from_epoch_millis(std::int64_t ms);

// Calendar fields in UTC.
struct UtcFields {
  int year, month, day, hour, minute, second, millis;
};
UtcFields utc_fields(SystemTime t);

std::string format_rfc3339_millis(SystemTime t);  // 2025-10-13T12:00:00.123Z
std::string format_iso8601_seconds(SystemTime t);  // 2025-10-13T12:00:00Z
std::string format_http_date(SystemTime t);        // Mon, 13 Oct 2025 12:00:00 GMT
std::string format_amz_date(SystemTime t);         // 20251013T120000Z

// Strict parsers; nullopt on any deviation from the shape.
std::optional<SystemTime> parse_iso8601(std::string_view text);  // yyyy-MM-ddTHH:mm:ss[.fff]Z
std::optional<SystemTime> parse_amz_date(std::string_view text);  // yyyyMMddTHHmmssZ

}  // namespace agentemu
