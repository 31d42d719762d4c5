// The limits every process agentemu runs for a client is held to (code, shell commands,
// background tasks): `--exec-limits timeout=30s,cpu=30s,memory=2g,file-size=1g,processes=256,output=1m`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentemu {

struct ExecLimits {
  std::chrono::milliseconds timeout{300'000};  // wall clock, per execution
  std::chrono::milliseconds cpu{300'000};      // RLIMIT_CPU, per execution (whole seconds, rounded up)
  std::uint64_t memory_bytes = 2ULL << 30;     // RLIMIT_AS: address space
  std::uint64_t file_bytes = 1ULL << 30;       // RLIMIT_FSIZE: the largest file a process may write
  std::uint64_t processes = 256;               // RLIMIT_NPROC, above the tasks that exist at the start
  std::size_t output_bytes = 1 << 20;          // stdout and stderr are each kept up to this
};

// "timeout=2s,cpu=1s,memory=256m" over `base`: keys timeout, cpu (a duration: 500ms, 2s, 1m),
// memory, file-size, output (a size: 4096, 64k, 256m, 2g) and processes (a count). The error
// names the piece that is wrong.
std::optional<std::string> parse_exec_limits(std::string_view text, ExecLimits& limits);

std::string describe_exec_limits(const ExecLimits& limits);

}  // namespace agentemu
