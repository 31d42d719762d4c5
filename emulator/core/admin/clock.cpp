// GET and PUT /_emulator/clock: the one "now" every vendor reads.
#include <cmath>

#include "core/admin/endpoints.hpp"
#include "core/clock.hpp"
#include "core/pipeline.hpp"
#include "core/scheduler.hpp"

namespace agentemu::admin {

void read_clock(Context& admin, Call& call, const PathParams&) {
  JsonWriter w;
  w.begin_object()
      .field_number("offsetSeconds", static_cast<double>(admin.clock.offset().count()) / 1000.0)
      .field("now", format_rfc3339_millis(admin.clock.now()))
      .end_object();
  ok_json(call, w);
}

// {"offsetSeconds": N} (|N| up to 100 years) or {"now": "<RFC 3339>"}, either one keeping "now"
// inside the range the clock represents (core/clock.hpp). Timers that wait on the
// emulator's clock are told, so a jump past a deadline fires it at once.
void move_clock(Context& admin, Call& call, const PathParams& params) {
  JsonDocument doc;
  if (!parse_body(call, doc)) return;
  const JsonValue* offset = json_member(doc, "offsetSeconds");
  const JsonValue* now = json_member(doc, "now");
  // Both forms end in set_offset, which refuses a "now" outside the representable range.
  bool moved = false;
  if (offset != nullptr && offset->IsNumber() && std::isfinite(offset->GetDouble()) &&
      std::fabs(offset->GetDouble()) <= 100.0 * 365 * 86400) {
    moved = admin.clock.set_offset(Millis(static_cast<std::int64_t>(std::llround(offset->GetDouble() * 1000.0))));
  } else if (offset == nullptr && now != nullptr && now->IsString()) {
    const auto target = parse_iso8601({now->GetString(), now->GetStringLength()});
    moved = target && admin.clock.set_now(*target);
  }
  if (!moved) {
    set_core_error(call.response, 400, "invalid_clock",
                   "send {\"offsetSeconds\": N} (|N| up to 100 years) or {\"now\": \"2030-01-01T00:00:00Z\"}; "
                   "\"now\" stays " + std::string(kTimeRangeText));
    return;
  }
  admin.scheduler.clock_changed();
  read_clock(admin, call, params);
}

}  // namespace agentemu::admin
