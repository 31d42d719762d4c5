// The dashboard's files (core/admin/ui/), compiled into the binary by ui/embed.cmake.
#pragma once

#include <array>
#include <string_view>

namespace agentemu::admin {

struct UiAsset {
  std::string_view name;  // "app.js"
  std::string_view content_type;
  std::string_view body;
};

extern const std::array<UiAsset, 3> kUiAssets;

}  // namespace agentemu::admin
