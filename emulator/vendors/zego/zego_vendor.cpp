#include "vendors/zego/zego_vendor.hpp"

#include <algorithm>
#include <array>

#include "core/describe.hpp"
#include "core/callbacks/callbacks.hpp"
#include "core/scheduler.hpp"
#include "core/text.hpp"
#include "core/uri.hpp"
#include "core/validation.hpp"
#include "vendors/zego/auth.hpp"
#include "vendors/zego/callbacks.hpp"
#include "vendors/zego/errors.hpp"
#include "vendors/zego/handlers.hpp"
#include "vendors/zego/operations.hpp"

namespace agentemu::zego {
namespace {

constexpr std::array<std::string_view, 6> kPublicNames = {"Action",    "AppId",     "SignatureNonce",
                                                           "Timestamp", "Signature", "SignatureVersion"};

// The decoded request: public parameters, the query's other members, and the body.
struct ZegoCall final : CallState {
  PublicParams params;
  std::array<std::string, kPublicNames.size()> decoded;  // values that needed percent-decoding
  std::vector<QueryParam> extra;                         // business parameters sent in the query
  std::shared_ptr<const AppConfig> app;
  // Small bodies parse into this buffer without touching the heap.
  alignas(16) char buffer[2048];
  rapidjson::MemoryPoolAllocator<> pool{buffer, sizeof buffer};
  JsonDocument body{&pool};
};

std::string_view* public_slot(PublicParams& p, std::size_t i) {
  switch (i) {
    case 0: return &p.action;
    case 1: return &p.app_id;
    case 2: return &p.nonce;
    case 3: return &p.timestamp;
    case 4: return &p.signature;
    default: return &p.version;
  }
}

// A plain loop: find_first_of asks memchr about the set once per character of every parameter.
bool needs_decoding(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c == '%' || c == '+'; });
}

// Go's url.Values semantics, which ZEGO's gateway evidently has: '+' is a space, a pair that
// does not decode is dropped, and the first of repeated keys wins.
void parse_query_into(std::string_view query, ZegoCall& z) {
  std::array<bool, kPublicNames.size()> seen{};
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    std::string decoded_name;
    if (needs_decoding(name)) {
      auto d = percent_decode(name, PlusIs::space);
      if (!d) continue;
      decoded_name = std::move(*d);
      name = decoded_name;
    }
    std::optional<std::string> decoded_value;
    if (needs_decoding(raw_value)) {
      decoded_value = percent_decode(raw_value, PlusIs::space);
      if (!decoded_value) continue;
    }
    std::size_t slot = kPublicNames.size();
    for (std::size_t i = 0; i < kPublicNames.size(); ++i) {
      if (kPublicNames[i] == name) slot = i;
    }
    if (slot == kPublicNames.size()) {
      z.extra.push_back(QueryParam{std::string(name), decoded_value ? std::move(*decoded_value) : std::string(raw_value),
                                   eq != std::string_view::npos});
      continue;
    }
    if (seen[slot]) continue;
    seen[slot] = true;
    if (decoded_value) {
      z.decoded[slot] = std::move(*decoded_value);
      *public_slot(z.params, slot) = z.decoded[slot];
    } else {
      *public_slot(z.params, slot) = raw_value;
    }
  }
}

// A query value as the JSON member its ParamSpec describes. Text that is not of the declared
// type stays a string, so the validator names the member and the type it wanted.
JsonValue from_text(const ParamSpec& spec, std::string_view text, JsonDocument::AllocatorType& alloc) {
  switch (spec.type) {
    case ParamType::integer:
      if (const auto n = parse_int64(text)) return JsonValue(static_cast<int64_t>(*n));
      break;
    case ParamType::number:
      if (const auto n = parse_double(text)) return JsonValue(*n);
      break;
    case ParamType::boolean:
      if (iequals(text, "true")) return JsonValue(true);
      if (iequals(text, "false")) return JsonValue(false);
      break;
    case ParamType::object:
    case ParamType::array:
    case ParamType::any: {
      JsonDocument parsed;
      if (!parse_json(text, parsed) && (parsed.IsObject() || parsed.IsArray())) return JsonValue(parsed, alloc);
      break;
    }
    default:
      break;
  }
  return JsonValue(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

// Business parameters in the query become body members the body does not already have. On GET
// that is every parameter; arrays come as Name[]=a&Name[]=b, Name=a&Name=b or Name=[JSON].
void merge_query_members(ZegoCall& z, std::span<const ParamSpec> specs) {
  if (z.extra.empty()) return;
  auto& alloc = z.body.GetAllocator();
  for (const ParamSpec& spec : specs) {
    if (json_member(z.body, spec.name) != nullptr) continue;
    std::vector<const std::string*> values;
    for (const QueryParam& p : z.extra) {
      const std::string_view n = p.name;
      if (n == spec.name || (n.size() == spec.name.size() + 2 && n.starts_with(spec.name) && n.ends_with("[]"))) {
        values.push_back(&p.value);
      }
    }
    if (values.empty()) continue;
    JsonValue member;
    if (spec.type == ParamType::array && !(values.size() == 1 && values.front()->starts_with('['))) {
      member.SetArray();
      const ParamSpec item = spec.items != nullptr ? *spec.items : ParamSpec{.name = spec.name};
      for (const std::string* v : values) member.PushBack(from_text(item, *v, alloc), alloc);
    } else {
      member = from_text(spec, *values.front(), alloc);
    }
    z.body.AddMember(JsonValue(spec.name.data(), static_cast<rapidjson::SizeType>(spec.name.size()), alloc), member,
                     alloc);
  }
}


}  // namespace

// ---- routing ---------------------------------------------------------------------------------

VendorRoutes ZegoVendor::routes() const { return VendorRoutes{{}, {"*.zegotech.cn"}}; }

// INTERFACE.md: AppId + SignatureVersion in the query. Either sign alone is enough, so a request
// that lacks one still gets ZEGO's own code for it (100000001, 100000013) rather than a 404:
// no other vendor sends an AppId, and Alibaba's RPC style signs with SignatureVersion=1.0.
bool ZegoVendor::claims(const Request& request) const {
  std::string_view query = request.query;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const std::size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    if (name == "AppId") return true;
    if (name == "SignatureVersion" && eq != std::string_view::npos && piece.substr(eq + 1) == "2.0") return true;
  }
  return false;
}

std::span<const std::string_view> ZegoVendor::operation_names() const { return zego::operation_names(); }

// ---- the request path --------------------------------------------------------------------

bool ZegoVendor::decode(Call& call) {
  auto z = std::make_unique<ZegoCall>();
  parse_query_into(call.request.query, *z);
  call.operation = find_operation(z->params.action);
  call.state = std::move(z);
  return true;
}

std::shared_ptr<const AppConfig> ZegoVendor::find_app(std::uint32_t app_id, bool provision) {
  std::lock_guard lock(mutex_);
  if (AppState* app = state_.app(app_id)) return app->config;
  if (!provision) return nullptr;
  // --auth lenient: any well-formed AppId works, with the default settings (bounded: see
  // State::kAutomaticAppsKept).
  return state_.add_automatic_app(app_id).config;
}

bool ZegoVendor::authenticate(Call& call) {
  auto& z = call.state_as<ZegoCall>();
  const bool lenient = ctx_.auth == AuthMode::lenient;
  std::shared_ptr<const AppConfig> app;
  const auto find_secret = [&](std::uint32_t app_id) -> const std::string* {
    app = find_app(app_id, lenient);
    return app ? &app->server_secret : nullptr;
  };
  const GatewayVerdict verdict =
      check_gateway(call.request.host(), z.params, call.operation >= 0, find_secret, call.now, lenient);
  if (verdict.code != 0) {
    render_code(call, verdict.code);
    // ZEGO's text stays as ZEGO writes it; agentemu's explanation rides beside it.
    if (verdict.code == code::kSignatureError && app) {
      call.response.diagnostic = signature_diagnostic(z.params, app->server_secret);
    } else if (verdict.code == code::kSignatureExpired) {
      call.response.diagnostic = timestamp_diagnostic(verdict.timestamp, call.now);
    }
    return false;
  }
  z.app = std::move(app);
  return admit(call, verdict.app_id, z.params.nonce);
}

bool ZegoVendor::admit(Call& call, std::uint32_t app_id, std::string_view nonce) {
  const AppConfig& config = *call.state_as<ZegoCall>().app;
  const bool replay = config.reject_nonce_replay && ctx_.auth == AuthMode::strict;
  if (!replay && config.rate_limit_per_second <= 0) return true;
  std::lock_guard lock(mutex_);
  AppState* app = state_.app(app_id);
  if (app == nullptr) return true;  // reset meanwhile: execute answers it
  if (replay) {
    // A signature is good for 10 minutes either side, so a nonce is remembered for 20.
    if (app->nonces.size() >= 4096) std::erase_if(app->nonces, [&](const auto& e) { return e.second <= call.now; });
    const auto [it, fresh] = app->nonces.try_emplace(std::string(nonce), call.now + std::chrono::minutes(20));
    if (!fresh && it->second > call.now) {
      render_code(call, code::kSignatureExpired, "Signature expired. SignatureNonce has already been used.");
      return false;
    }
    it->second = call.now + std::chrono::minutes(20);
  }
  if (config.rate_limit_per_second > 0) {
    auto& recent = app->recent[static_cast<std::size_t>(call.operation)];
    while (!recent.empty() && call.now - recent.front() >= std::chrono::seconds(1)) recent.pop_front();
    if (recent.size() >= static_cast<std::size_t>(config.rate_limit_per_second)) {
      render_code(call, config.rate_limit_code,
                  "Request frequency limit exceeded: " + std::to_string(config.rate_limit_per_second) +
                      " times/second for " + std::string(zego::operation_names()[call.operation]) + ".");
      return false;
    }
    recent.push_back(call.now);
  }
  return true;
}

bool ZegoVendor::validate(Call& call) {
  auto& z = call.state_as<ZegoCall>();
  const Operation& op = operations()[static_cast<std::size_t>(call.operation)];
  const std::string_view body = trim(call.request.body);
  if (call.request.method == "GET" || body.empty()) {
    z.body.SetObject();
  } else if (parse_json(body, z.body) || !z.body.IsObject()) {
    render_code(call, code::kJsonParseFailed);
    return false;
  }
  merge_query_members(z, op.body);
  if (auto violation = validate_params(op.body, JsonObjectSource(&z.body))) {
    render_code(call, code::kInvalidParameter, "Invalid parameter: " + violation->message);
    return false;
  }
  if (auto message = extra_violation(op.op, z.body)) {
    render_code(call, code::kInvalidParameter, "Invalid parameter: " + *message);
    return false;
  }
  return true;
}

void ZegoVendor::execute(Call& call) {
  auto& z = call.state_as<ZegoCall>();
  Effects effects;
  {
    std::lock_guard lock(mutex_);
    AppState* app = state_.app(z.app->app_id);
    if (app == nullptr && ctx_.auth == AuthMode::lenient) {
      // An automatic app that held nothing may have been dropped since authenticate: it is
      // made again, as the next request would.
      app = &state_.add_automatic_app(z.app->app_id);
    }
    if (app == nullptr) {
      render_code(call, code::kUnknownAppId);  // the app went away (reset) after authentication
    } else {
      const std::shared_ptr<const AppConfig> config = app->config;
      Exchange x{state_, *config, call, z.body, ctx_.clock.now(), effects};
      handle(static_cast<Op>(call.operation), x);
    }
  }
  run(effects);
}

void ZegoVendor::run(Effects& effects) {
  for (const Wake& w : effects.wakes) {
    ctx_.scheduler.at(w.at, [this, id = w.instance_id, generation = w.generation] { wake(id, generation); });
  }
  for (const Wake& w : effects.timeline) {
    ctx_.scheduler.at(w.at, [this, id = w.instance_id, generation = w.generation] { timeline_wake(id, generation); });
  }
  if (ctx_.callbacks != nullptr) {
    for (CallbackRequest& request : effects.callbacks) ctx_.callbacks->send(std::move(request));
  }
  for (Deferred& d : effects.finish) d.finish();
}

// A phase of the instance's timeline ended (or a live digital human's idle time ran out): the
// callbacks of what happened go out, and the next wake-up is armed.
void ZegoVendor::timeline_wake(const std::string& instance_id, std::uint64_t generation) {
  Effects effects;
  {
    std::lock_guard lock(mutex_);
    const auto it = state_.instances.find(instance_id);
    if (it == state_.instances.end() || it->second.life().timeline_timer != generation) return;
    Instance& instance = it->second;
    instance.mutable_life().timeline_wake = SystemTime::max();
    const SystemTime now = ctx_.clock.now();
    if (instance.expired(now)) {
      state_.remove(it, "max_idle_time", now, effects);
    } else {
      report_until(state_, instance, now, effects);
      arm_timeline(state_, instance, now, effects);
    }
  }
  run(effects);
}

void ZegoVendor::wake(const std::string& instance_id, std::uint64_t generation) {
  Effects effects;
  {
    std::lock_guard lock(mutex_);
    const auto it = state_.instances.find(instance_id);
    if (it == state_.instances.end()) return;
    const std::optional<Shutdown>& shutdown = it->second.life().shutdown;
    if (!shutdown || shutdown->timer != generation) return;
    state_.settle(it, ctx_.clock.now(), true, effects);
  }
  run(effects);
}

// ---- errors and parameters for scenarios -------------------------------------------------------

bool ZegoVendor::knows_error(std::string_view id) const { return parse_error_id(id).has_value(); }

void ZegoVendor::render_error(Call& call, const ErrorRequest& error) {
  const auto code = parse_error_id(error.id);
  render_code(call, code.value_or(code::kSystemError), error.message, error.status > 0 ? error.status : 200,
              error.retry_after_seconds);
}

std::optional<std::string> ZegoVendor::param(const Call& call, std::string_view name) const {
  if (!call.state) return std::nullopt;
  const auto& z = call.state_as<ZegoCall>();
  for (std::size_t i = 0; i < kPublicNames.size(); ++i) {
    if (kPublicNames[i] == name) return std::string(*public_slot(const_cast<PublicParams&>(z.params), i));
  }
  // Body members, nested ones by a dotted path: "RTC.RoomId".
  const JsonValue* v = &z.body;
  for (std::string_view piece : split(name, '.')) {
    v = v->IsObject() ? json_member(*v, piece) : nullptr;
    if (v == nullptr) return std::nullopt;
  }
  return json_to_text(*v);
}

namespace {

// A dotted path through one action's body members; an object the table leaves open (no member
// list) or a member of any type accepts whatever lies below it.
bool knows_path(std::span<const ParamSpec> specs, std::string_view path) {
  const std::size_t dot = path.find('.');
  const ParamSpec* spec = find_param(specs, path.substr(0, dot));
  if (spec == nullptr) return false;
  if (dot == std::string_view::npos || spec->type == ParamType::any) return true;
  return spec->type == ParamType::object && (spec->members.empty() || knows_path(spec->members, path.substr(dot + 1)));
}

}  // namespace

// The public parameters, and every action's body members ("RTC.RoomId" for nested ones).
bool ZegoVendor::knows_param(std::string_view name) const {
  for (std::string_view public_name : kPublicNames) {
    if (public_name == name) return true;
  }
  for (const Operation& op : operations()) {
    if (knows_path(op.body, name)) return true;
  }
  return false;
}

void ZegoVendor::describe_operations(JsonWriter& out) const {
  for (const Operation& op : operations()) {
    const std::string route = "/?Action=" + std::string(op.name);
    begin_operation(out, name(), OperationInfo{.name = op.name, .method = "POST", .route = route});
    for (const ParamSpec& spec : op.body) write_param(out, spec, "body");
    begin_errors(out);
    for (const std::int64_t code : op.errors) out.string(std::to_string(code));
    end_operation(out);
  }
}

}  // namespace agentemu::zego
