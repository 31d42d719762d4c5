// Runtimes backed by the developer's own agent, running locally and speaking the AgentCore
// Runtime service contract: InvokeAgentRuntime is forwarded to POST {url}/invocations and the
// answer streamed back, the runtime WebSocket is relayed to {url}/ws, and GET {url}/ping is
// polled while sessions live (HealthyBusy keeps them alive). The URL is the runtime's
// invocationUrl, else --agent-url; a runtime with neither keeps the deterministic echo.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "core/vendor.hpp"
#include "vendors/agentcore/state.hpp"

namespace agentemu::agentcore {

struct HandlerContext;

inline constexpr std::chrono::milliseconds kPingInterval{1000};
inline constexpr std::chrono::milliseconds kPingTimeout{2000};
inline constexpr std::chrono::milliseconds kAgentConnectTimeout{5000};

class AgentLinks {
 public:
  AgentLinks(const VendorContext& context, State& state);
  ~AgentLinks();

  // Where the runtime's invocations go; "" for the echo.
  std::string url_for(const Runtime& runtime) const;
  // Forwards the invocation of a session that is open (and counted); answers later.
  void invoke(HandlerContext& h, const Runtime& runtime, const std::string& url, const std::string& session_id);
  // GetAgentCard of an A2A runtime: GET {url}/.well-known/agent-card.json, answered as it comes.
  void agent_card(HandlerContext& h, const std::string& url, const std::string& session_id);
  // The runtime's WebSocket: to {url}/ws when there is a URL, else an echo of each message.
  void open_websocket(HandlerContext& h, const Runtime& runtime, const std::string& url, const std::string& session_id);
  // Forgets the sessions being watched (POST /_emulator/reset); polling stops.
  void clear();

  struct Poller;

 private:
  struct Watched {
    std::string account, region, key;
    auto operator<=>(const Watched&) const = default;
  };
  void watch(const std::string& url, Watched session);
  void poll(const std::string& url);
  void apply_health(const std::string& url, std::string_view status);

  const VendorContext& context_;
  State& state_;
  std::mutex mutex_;
  std::map<std::string, std::set<Watched>, std::less<>> watched_;  // by agent URL
  std::set<std::string, std::less<>> polling_;                      // URLs with a poll pending
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);      // scheduled polls check it
};

// Where the runtime contract mounts invocations for the runtime's server protocol: /invocations
// (HTTP, AGUI), /mcp (MCP), / (A2A).
std::string_view invocation_path(const Runtime& runtime);

// The RuntimeClientError message for an agent that answered `status` (AWS's own text).
std::string runtime_error_message(int status);

}  // namespace agentemu::agentcore
