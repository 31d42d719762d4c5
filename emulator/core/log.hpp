// Structured logs on stderr. Lines are appended to a buffer and written by a background thread,
// so one line per request does not cost the io thread a system call.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace agentemu {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3, off = 4 };
enum class LogFormat { text, json };

std::optional<LogLevel> parse_log_level(std::string_view name);
std::optional<LogFormat> parse_log_format(std::string_view name);

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), text(v) {}
  LogField(std::string_view k, const char* v) : key(k), text(v) {}
  LogField(std::string_view k, std::int64_t v) : key(k), integer(v), kind(Kind::integer) {}
  LogField(std::string_view k, int v) : key(k), integer(v), kind(Kind::integer) {}
  LogField(std::string_view k, double v) : key(k), real(v), kind(Kind::real) {}

  enum class Kind { text, integer, real };
  std::string_view key;
  std::string_view text;
  std::int64_t integer = 0;
  double real = 0;
  Kind kind = Kind::text;
};

// One line as the logger writes it, newline included: also for what main() prints beside the
// logger (start-up errors, the certificate's path), so --log-format json holds for every line.
// Reals are written to three decimals (a duration in ms to the microsecond).
std::string format_log_line(LogFormat format, LogLevel level, std::string_view message,
                            std::initializer_list<LogField> fields = {});

class Logger {
 public:
  Logger(LogLevel level, LogFormat format, int fd = 2);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool enabled(LogLevel level) const { return level >= level_; }
  void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
  void debug(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::debug, m, f); }
  void info(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::info, m, f); }
  void warn(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::warn, m, f); }
  void error(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::error, m, f); }
  void flush();

 private:
  void run();
  void write_out(std::string& chunk);

  LogLevel level_;
  LogFormat format_;
  int fd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  bool urgent_ = false;
  std::uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace agentemu
