// The vendors' public host names, which --tls-self-signed puts in its certificate so that code
// keeping a vendor's real URL (the name mapped to 127.0.0.1) accepts agentemu. Data only: the
// README's "TLS for the vendors' host names" lists the same names, and a test holds the two equal.
#include <array>
#include <string_view>

#include "core/server/tls.hpp"

namespace agentemu {
namespace {

// AgentCore: botocore's endpoint rule sets (bedrock-agentcore 2024-02-28, bedrock-agentcore-control
// 2023-06-05) build https://bedrock-agentcore[-control].{Region}.amazonaws.com for any region and
// list none, so the regions come from AWS's endpoint reference (docs.aws.amazon.com/general/latest/gr/
// bedrock_agentcore.html): the nine with data and control plane endpoints, then the twelve more
// where AgentCore Gateway is offered under bedrock-agentcore.{Region}.
constexpr std::array kAgentCoreRegions = {
    "us-east-1", "us-east-2", "us-west-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1",
    "eu-west-1", "eu-central-1",
    // Gateway regions
    "us-west-1", "ca-central-1", "sa-east-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
    "ap-northeast-2", "ap-south-2", "ap-southeast-5", "ap-southeast-7"};

// ICE: the public endpoints of Alibaba's endpoint reference (api-ice-2020-11-09-endpoint), plus
// Germany and Dubai, which its service-region page lists. The SDK's own endpoint map
// (alibabacloud ice-20201109 client) sends every region to the central ice.aliyuncs.com.
constexpr std::array kIceRegions = {"cn-shanghai", "cn-hangzhou", "cn-beijing", "cn-shenzhen", "ap-southeast-1",
                                    "us-west-1",   "eu-central-1", "me-east-1"};

// ZEGO: "Accessing Server APIs" (docs_all, aiagent/en/server/api-reference): the unified address
// and one per region.
constexpr std::array kZegoRegions = {"sha", "hkg", "fra", "lax", "bom", "sgp"};

struct HostPattern {
  std::string_view before;  // the name is before + region + after
  std::string_view after;
  const char* const* regions;
  std::size_t count;
};

template <std::size_t N>
constexpr HostPattern pattern(std::string_view before, std::string_view after, const std::array<const char*, N>& regions) {
  return {before, after, regions.data(), N};
}

constexpr std::array kPatterns = {
    pattern("bedrock-agentcore.", ".amazonaws.com", kAgentCoreRegions),
    pattern("bedrock-agentcore-control.", ".amazonaws.com", kAgentCoreRegions),
    pattern("ice.", ".aliyuncs.com", kIceRegions),
    pattern("aigc-aiagent-api-", ".zegotech.cn", kZegoRegions),
};

constexpr std::array<std::string_view, 2> kSingleHosts = {"ice.aliyuncs.com", "aigc-aiagent-api.zegotech.cn"};

}  // namespace

const std::vector<std::string>& vendor_tls_hosts() {
  static const std::vector<std::string> hosts = [] {
    std::vector<std::string> out;
    for (const auto& p : kPatterns) {
      for (std::size_t i = 0; i < p.count; ++i) {
        out.push_back(std::string(p.before) + p.regions[i] + std::string(p.after));
      }
    }
    for (std::string_view host : kSingleHosts) out.emplace_back(host);
    return out;
  }();
  return hosts;
}

}  // namespace agentemu
