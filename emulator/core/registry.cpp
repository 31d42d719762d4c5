#include "core/registry.hpp"

#include "core/metrics.hpp"
#include "core/text.hpp"

namespace agentemu {
namespace {

bool under_prefix(std::string_view path, std::string_view prefix) {
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

// The form host globs are matched against: lowercase, and "x.aliyuncs.com." is the same host.
std::string matchable_host(std::string_view host) {
  std::string lower = to_lower(host);
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  return lower;
}

}  // namespace

void VendorRegistry::add(std::unique_ptr<Vendor> vendor) {
  first_slots_.push_back(metrics_.add_vendor(vendor->name(), vendor->operation_names()));
  routes_.push_back(vendor->routes());
  vendors_.push_back(std::move(vendor));
}

Vendor* VendorRegistry::find(std::string_view name) const {
  for (const auto& v : vendors_) {
    if (v->name() == name) return v.get();
  }
  return nullptr;
}

std::vector<std::string_view> VendorRegistry::names() const {
  std::vector<std::string_view> out;
  for (const auto& v : vendors_) out.push_back(v->name());
  return out;
}

std::optional<VendorRegistry::Route> VendorRegistry::route(const Request& request) const {
  if (const std::string_view raw_host = request.host(); !raw_host.empty()) {
    const std::string host = matchable_host(raw_host);
    for (std::size_t i = 0; i < vendors_.size(); ++i) {
      for (std::string_view glob : routes_[i].host_globs) {
        // A literal first character settles most hosts (127.0.0.1, localhost) before the matcher,
        // as glob_match itself would.
        const bool literal_first = !glob.empty() && glob[0] != '*' && glob[0] != '?' && glob[0] != '[';
        if (literal_first && (host.empty() || glob[0] != host[0])) continue;
        if (glob_match(glob, host)) return Route{vendors_[i].get(), i};
      }
    }
  }
  for (std::size_t i = 0; i < vendors_.size(); ++i) {
    if (vendors_[i]->owns(request)) return Route{vendors_[i].get(), i};
  }
  for (std::size_t i = 0; i < vendors_.size(); ++i) {
    for (std::string_view prefix : routes_[i].path_prefixes) {
      if (under_prefix(request.path, prefix)) return Route{vendors_[i].get(), i};
    }
  }
  if (request.path == "/" || request.path.empty()) {
    for (std::size_t i = 0; i < vendors_.size(); ++i) {
      if (vendors_[i]->claims(request)) return Route{vendors_[i].get(), i};
    }
  }
  return std::nullopt;
}

}  // namespace agentemu
