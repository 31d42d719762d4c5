#include "core/clock.hpp"

#include <cstdio>
#include <type_traits>

namespace agentemu {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

int digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Milliseconds since the epoch of a calendar time; any four-digit year, so no overflow.
std::optional<std::int64_t> make_millis(int y, int mo, int d, int h, int mi, int s, int ms) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || ms < 0) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int cy, cm, cd;
  civil_from_days(days, cy, cm, cd);
  if (cy != y || cm != mo || cd != d) return std::nullopt;  // 2023-02-30
  return ((days * 24 + h) * 60 + mi) * 60'000LL + s * 1000LL + ms;
}

std::optional<SystemTime> representable(std::optional<std::int64_t> ms) {
  if (!ms || !representable_millis(*ms)) return std::nullopt;
  return from_epoch_millis(*ms);
}

}  // namespace

std::int64_t epoch_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::int64_t epoch_millis(SystemTime t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

SystemTime from_epoch_millis(std::int64_t ms) {
  ms = ms < kEarliestEpochMillis ? kEarliestEpochMillis : ms > kLatestEpochMillis ? kLatestEpochMillis : ms;
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(Millis(ms)));
}

SystemTime add_saturating(SystemTime t, Millis d) {
  static_assert(std::is_same_v<SystemTime::duration, std::chrono::nanoseconds>, "the range above assumes nanoseconds");
  std::int64_t add = 0;
  std::int64_t sum = 0;
  if (__builtin_mul_overflow(d.count(), std::int64_t{1'000'000}, &add) ||
      __builtin_add_overflow(t.time_since_epoch().count(), add, &sum)) {
    return d.count() > 0 ? SystemTime::max() : SystemTime::min();
  }
  return SystemTime(SystemTime::duration(sum));
}

bool Clock::set_offset(Millis offset) {
  // Compared without adding, so no offset can overflow: the base is itself in range.
  const std::int64_t base_ms = epoch_millis(base());
  if (offset.count() > kLatestEpochMillis - base_ms || offset.count() < kEarliestEpochMillis - base_ms) return false;
  offset_ms_.store(offset.count(), std::memory_order_relaxed);
  return true;
}

bool Clock::set_now(SystemTime at) {
  if (!representable_millis(epoch_millis(at))) return false;
  return set_offset(std::chrono::duration_cast<Millis>(at - base()));
}

void Clock::freeze(SystemTime at) { frozen_ns_.store(at.time_since_epoch().count(), std::memory_order_relaxed); }

bool within_millis(std::int64_t at_ms, SystemTime now, Millis window) {
  const std::int64_t now_ms = epoch_millis(now);  // both sides stay far inside 64 bits
  return at_ms >= now_ms - window.count() && at_ms <= now_ms + window.count();
}

UtcFields utc_fields(SystemTime t) {
  const std::int64_t ms = epoch_millis(t);
  std::int64_t days = ms / 86'400'000;
  std::int64_t rem = ms % 86'400'000;
  if (rem < 0) {
    rem += 86'400'000;
    --days;
  }
  UtcFields f{};
  civil_from_days(days, f.year, f.month, f.day);
  f.hour = static_cast<int>(rem / 3'600'000);
  f.minute = static_cast<int>(rem / 60'000 % 60);
  f.second = static_cast<int>(rem / 1000 % 60);
  f.millis = static_cast<int>(rem % 1000);
  return f;
}

namespace {

// `value` as exactly `width` decimal digits, zero-padded, at `at` (which moves past them).
void put_digits(char*& at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  at += width;
}

// "YYYY-MM-DDTHH:MM:SS" at `buf` without snprintf, which was a visible share of answering a
// signed read (perf, scripts/bench): the 19 characters' end, or nullptr for a year that is not
// four digits (never one the clock holds; the callers then keep snprintf's form).
char* put_date_time(char* buf, const UtcFields& f) {
  if (f.year < 0 || f.year > 9999) return nullptr;
  char* at = buf;
  put_digits(at, f.year, 4);
  *at++ = '-';
  put_digits(at, f.month, 2);
  *at++ = '-';
  put_digits(at, f.day, 2);
  *at++ = 'T';
  put_digits(at, f.hour, 2);
  *at++ = ':';
  put_digits(at, f.minute, 2);
  *at++ = ':';
  put_digits(at, f.second, 2);
  return at;
}

}  // namespace

std::string format_rfc3339_millis(SystemTime t) {
  const UtcFields f = utc_fields(t);
  char buf[32];
  char* at = put_date_time(buf, f);
  if (at == nullptr) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", f.year, f.month, f.day, f.hour,
                  f.minute, f.second, f.millis);
    return buf;
  }
  *at++ = '.';
  put_digits(at, f.millis, 3);
  *at++ = 'Z';
  return std::string(buf, at);
}

std::string format_iso8601_seconds(SystemTime t) {
  const UtcFields f = utc_fields(t);
  char buf[32];
  char* at = put_date_time(buf, f);
  if (at == nullptr) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month, f.day, f.hour, f.minute,
                  f.second);
    return buf;
  }
  *at++ = 'Z';
  return std::string(buf, at);
}

std::string format_http_date(SystemTime t) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const UtcFields f = utc_fields(t);
  std::int64_t days = epoch_seconds(t) / 86400;
  if (epoch_seconds(t) < 0 && epoch_seconds(t) % 86400 != 0) --days;
  const int weekday = static_cast<int>(((days % 7) + 7) % 7);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[weekday], f.day,
                kMonths[f.month - 1], f.year, f.hour, f.minute, f.second);
  return buf;
}

std::string format_amz_date(SystemTime t) {
  const UtcFields f = utc_fields(t);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", f.year, f.month, f.day, f.hour, f.minute, f.second);
  return buf;
}

std::optional<SystemTime> parse_iso8601(std::string_view text) { return representable(parse_iso8601_millis(text)); }

std::optional<SystemTime> parse_amz_date(std::string_view text) { return representable(parse_amz_date_millis(text)); }

std::optional<std::int64_t> parse_iso8601_millis(std::string_view text) {
  // yyyy-MM-ddTHH:mm:ssZ or with .f{1,9} before the Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (text[pos] == '.') {
    ++pos;
    std::size_t frac_digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (frac_digits < 3) ms = ms * 10 + (text[pos] - '0');
      ++frac_digits;
      ++pos;
    }
    if (frac_digits == 0 || frac_digits > 9) return std::nullopt;
    for (std::size_t i = frac_digits; i < 3; ++i) ms *= 10;
  }
  if (pos + 1 != text.size() || (text[pos] != 'Z' && text[pos] != 'z')) return std::nullopt;
  return make_millis(y, mo, d, h, mi, s, ms);
}

std::optional<std::int64_t> parse_amz_date_millis(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  const int y = digits(text, 0, 4), mo = digits(text, 4, 2), d = digits(text, 6, 2);
  const int h = digits(text, 9, 2), mi = digits(text, 11, 2), s = digits(text, 13, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  return make_millis(y, mo, d, h, mi, s, 0);
}

}  // namespace agentemu
