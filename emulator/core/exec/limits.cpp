#include "core/exec/limits.hpp"

#include "core/text.hpp"

namespace agentemu {
namespace {

std::optional<std::uint64_t> parse_scaled(std::string_view text, std::string_view unit, std::uint64_t scale) {
  if (!text.ends_with(unit)) return std::nullopt;
  const auto number = parse_int64(text.substr(0, text.size() - unit.size()));
  if (!number || *number < 0 || static_cast<std::uint64_t>(*number) > UINT64_MAX / scale) return std::nullopt;
  return static_cast<std::uint64_t>(*number) * scale;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  for (const auto& [unit, scale] : {std::pair<std::string_view, std::uint64_t>{"ms", 1}, {"s", 1000}, {"m", 60'000}}) {
    if (text.ends_with("ms") && unit != "ms") continue;
    if (const auto ms = parse_scaled(text, unit, scale)) {
      if (*ms == 0 || *ms > 86'400'000) return std::nullopt;
      return std::chrono::milliseconds(*ms);
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  for (const auto& [unit, scale] :
       {std::pair<std::string_view, std::uint64_t>{"k", 1ULL << 10}, {"m", 1ULL << 20}, {"g", 1ULL << 30}}) {
    if (const auto bytes = parse_scaled(text, unit, scale)) return *bytes;
  }
  const auto bytes = parse_int64(text);
  if (!bytes || *bytes < 0) return std::nullopt;
  return static_cast<std::uint64_t>(*bytes);
}

std::string size_text(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (1ULL << 30) == 0) return std::to_string(bytes >> 30) + "g";
  if (bytes != 0 && bytes % (1ULL << 20) == 0) return std::to_string(bytes >> 20) + "m";
  if (bytes != 0 && bytes % (1ULL << 10) == 0) return std::to_string(bytes >> 10) + "k";
  return std::to_string(bytes);
}

std::string duration_text(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + "s" : std::to_string(d.count()) + "ms";
}

}  // namespace

std::optional<std::string> parse_exec_limits(std::string_view text, ExecLimits& limits) {
  ExecLimits out = limits;
  for (std::string_view piece : split(text, ',')) {
    piece = trim(piece);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    if (eq == std::string_view::npos) return "\"" + std::string(piece) + "\" is not key=value";
    const std::string_view key = trim(piece.substr(0, eq));
    const std::string value = to_lower(trim(piece.substr(eq + 1)));
    const auto bad = [&](std::string_view what) { return std::string(key) + "=" + value + ": " + std::string(what); };
    if (key == "timeout" || key == "cpu") {
      const auto d = parse_duration(value);
      if (!d) return bad("must be a duration between 1ms and 24h, such as 500ms, 30s or 5m");
      (key == "timeout" ? out.timeout : out.cpu) = *d;
    } else if (key == "memory" || key == "file-size" || key == "output") {
      const auto bytes = parse_size(value);
      if (!bytes || *bytes < 1024) return bad("must be a size of at least 1024 bytes, such as 64k, 256m or 2g");
      if (key == "memory") out.memory_bytes = *bytes;
      if (key == "file-size") out.file_bytes = *bytes;
      if (key == "output") out.output_bytes = static_cast<std::size_t>(*bytes);
    } else if (key == "processes") {
      const auto n = parse_int64(value);
      if (!n || *n < 1 || *n > 100'000) return bad("must be a count between 1 and 100000");
      out.processes = static_cast<std::uint64_t>(*n);
    } else {
      return "unknown limit \"" + std::string(key) + "\" (timeout, cpu, memory, file-size, processes, output)";
    }
  }
  limits = out;
  return std::nullopt;
}

std::string describe_exec_limits(const ExecLimits& limits) {
  return "timeout=" + duration_text(limits.timeout) + ",cpu=" + duration_text(limits.cpu) +
         ",memory=" + size_text(limits.memory_bytes) + ",file-size=" + size_text(limits.file_bytes) +
         ",processes=" + std::to_string(limits.processes) + ",output=" + size_text(limits.output_bytes);
}

}  // namespace agentemu
