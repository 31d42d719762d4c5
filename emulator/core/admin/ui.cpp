// GET /_emulator/ui/ and its files: the dashboard, served from the binary, guarded by the admin
// token like every other admin endpoint (a browser is asked for it as a password).
#include "core/admin/endpoints.hpp"
#include "core/admin/ui_assets.hpp"
#include "core/pipeline.hpp"

namespace agentemu::admin {
namespace {

// Nothing but the page's own files and the admin API: no CDN, no inline code, no framing.
constexpr std::string_view kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void serve(Call& call, const UiAsset& asset) {
  call.response.set(200, asset.content_type, std::string(asset.body));
  call.response.add_header("Cache-Control", "no-cache");
  call.response.add_header("Content-Security-Policy", kPolicy);
  call.response.add_header("X-Content-Type-Options", "nosniff");
  call.response.add_header("Referrer-Policy", "no-referrer");
}

}  // namespace

void ui_page(Context&, Call& call, const PathParams&) { serve(call, kUiAssets.front()); }

void ui_asset(Context&, Call& call, const PathParams& params) {
  for (const UiAsset& asset : kUiAssets) {
    if (asset.name == params.front()) return serve(call, asset);
  }
  set_core_error(call.response, 404, "not_found", "the dashboard has no file " + std::string(params.front()));
}

}  // namespace agentemu::admin
