#include "core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace agentemu {
namespace {

constexpr std::size_t kFlushThreshold = 32 * 1024;
// When stderr is not being read the writer blocks; past this, lines are counted, not kept.
constexpr std::size_t kMaxPending = 8 * 1024 * 1024;

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    case LogLevel::off: return "off";
  }
  return "info";
}

bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  for (char c : text) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void append_text_value(std::string& line, std::string_view text) {
  if (!needs_quotes(text)) {
    line += text;
    return;
  }
  line.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      line.push_back('\\');
      line.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      line += ' ';
    } else {
      line.push_back(c);
    }
  }
  line.push_back('"');
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug") return LogLevel::debug;
  if (name == "info") return LogLevel::info;
  if (name == "warn" || name == "warning") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  if (name == "off") return LogLevel::off;
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  return std::nullopt;
}

Logger::Logger(LogLevel level, LogFormat format, int fd) : level_(level), format_(format), fd_(fd) {
  writer_ = std::thread([this] { run(); });
}

Logger::~Logger() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

std::string format_log_line(LogFormat format, LogLevel level, std::string_view message,
                            std::initializer_list<LogField> fields) {
  const std::string time = format_rfc3339_millis(std::chrono::system_clock::now());
  std::string line;
  if (format == LogFormat::json) {
    JsonWriter w;
    w.begin_object().field("time", time).field("level", level_name(level)).field("msg", message);
    for (const LogField& f : fields) {
      w.key(f.key);
      switch (f.kind) {
        case LogField::Kind::text: w.string(f.text); break;
        case LogField::Kind::integer: w.int64(f.integer); break;
        // Rounded, so 0.023634 is not written as 0.023634000000000003.
        case LogField::Kind::real: w.number(std::round(f.real * 1000.0) / 1000.0); break;
      }
    }
    w.end_object();
    line = w.take();
  } else {
    line.reserve(128);
    line += time;
    line += ' ';
    line += level_name(level);
    line += ' ';
    line += message;
    for (const LogField& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      switch (f.kind) {
        case LogField::Kind::text: append_text_value(line, f.text); break;
        case LogField::Kind::integer: line += std::to_string(f.integer); break;
        case LogField::Kind::real: {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.3f", f.real);
          line += buf;
          break;
        }
      }
    }
  }
  line.push_back('\n');
  return line;
}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  const std::string line = format_log_line(format_, level, message, fields);
  bool urgent;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() + line.size() > kMaxPending) {
      ++dropped_;
      return;
    }
    if (dropped_ > 0) {
      pending_ += format_log_line(format_, LogLevel::warn, "log lines dropped: stderr was not being read",
                                  {{"dropped", static_cast<std::int64_t>(dropped_)}});
      dropped_ = 0;
    }
    pending_ += line;
    urgent = level >= LogLevel::warn || pending_.size() >= kFlushThreshold;
    urgent_ = urgent_ || urgent;
  }
  if (urgent) wake_.notify_one();
}

void Logger::flush() {
  std::string chunk;
  {
    std::lock_guard lock(mutex_);
    chunk.swap(pending_);
  }
  write_out(chunk);
}

void Logger::run() {
  std::string chunk;
  std::unique_lock lock(mutex_);
  while (true) {
    // Batch: wake every 50 ms, or at once for warnings and a full buffer.
    wake_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stopping_ || urgent_; });
    urgent_ = false;
    chunk.swap(pending_);
    const bool stop = stopping_;
    lock.unlock();
    write_out(chunk);
    chunk.clear();
    if (stop) {
      lock.lock();
      chunk.swap(pending_);
      lock.unlock();
      write_out(chunk);
      return;
    }
    lock.lock();
  }
}

void Logger::write_out(std::string& chunk) {
  std::size_t done = 0;
  while (done < chunk.size()) {
    const ssize_t n = ::write(fd_, chunk.data() + done, chunk.size() - done);
    if (n <= 0) return;  // stderr closed: logs are best effort
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace agentemu
