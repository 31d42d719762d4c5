// The one interface between the core and a vendor module. The core routes a request to a
// vendor, then drives it through the request path in core/pipeline.cpp; it never builds a
// vendor's envelope itself. A vendor is registered in emulator/vendors/registry.cpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/document.hpp"
#include "core/json.hpp"

namespace agentemu {

class CallbackSender;  // core/callbacks/callbacks.hpp
class Scheduler;
class Logger;
class LocalExecution;  // core/local.hpp

// What the core lends every vendor.
struct VendorContext {
  const Clock& clock;
  Scheduler& scheduler;
  AuthMode auth;
  Logger& log;
  // Real processes and outbound HTTP (INTERFACE.md, "Local execution"); null where a vendor
  // runs without them (unit tests that do not need them).
  LocalExecution* local = nullptr;
  // Calls the customer's server back (INTERFACE.md, "Callbacks"); null where nothing is sent
  // (unit tests, `agentemu describe`).
  CallbackSender* callbacks = nullptr;
};

// How requests find the vendor (core/registry.cpp): a Host header matching one of the globs, or
// owns() (a mark such as a signature scoped to the vendor, whatever the path), or a path under
// one of the prefixes, or claims() for requests at "/".
struct VendorRoutes {
  std::vector<std::string_view> path_prefixes;  // "/runtimes" matches "/runtimes" and "/runtimes/..."
  std::vector<std::string_view> host_globs;     // "*.aliyuncs.com"
};

// A named error from the vendor's catalogue, as a scenario rule asks for it.
struct ErrorRequest {
  std::string_view id;       // ThrottlingException, Throttling.User, 410001041, "Agent is not running"
  std::string_view message;  // empty: the catalogue's own text
  int status = 0;            // 0: the catalogue's status
  int retry_after_seconds = -1;
};

// Why the server did not read a request's body: it was larger than the limit the vendor named
// (or the server's --max-body-bytes), or larger than it and too many such bodies were being read
// at once (the server's bound on their memory).
struct BodyRefusal {
  std::size_t limit = 0;
  bool busy = false;
};

// How GET /_emulator/state (and --state-file) asks for the state to be written.
struct StateOptions {
  bool secrets = false;  // false: secret keys, server secrets, tokens and API keys are redacted
};

// What a redacted secret is written as, so a redacted dump is still a fixture document. Loading
// it back (fixtures, POST /_emulator/state) keeps the secret the live state already holds for
// the same owner (access key, app); where nothing does, it is a mistake (kRedactedUnknown): a
// redacted dump never creates a credential whose secret is this marker.
inline constexpr std::string_view kRedacted = "<redacted>";
inline constexpr std::string_view kRedactedUnknown =
    "is redacted, and nothing loaded before holds this secret (GET /_emulator/state?secrets=true writes the real one)";

inline std::string_view shown_secret(std::string_view secret, const StateOptions& options) {
  return options.secrets || secret.empty() ? secret : kRedacted;
}
inline bool is_redacted(const JsonValue& value) {
  return value.IsString() && std::string_view(value.GetString(), value.GetStringLength()) == kRedacted;
}

// A mistake in a fixture section: its JSON pointer from the document root (e.g.
// /ice/accessKeys/0/allow) and a message, as core/document.hpp reads every document.
using FixtureIssue = DocumentIssue;

class Vendor {
 public:
  virtual ~Vendor() = default;

  virtual std::string_view name() const = 0;  // ice | zego | rest | agentcore
  virtual VendorRoutes routes() const = 0;
  // For requests at "/": does this request carry the vendor's signs (a header, a query key)?
  virtual bool claims(const Request&) const { return false; }
  // At any path: does this request carry a mark only this vendor's clients make (a signature
  // scoped to its service)? Asked after the Host globs, before the path prefixes.
  virtual bool owns(const Request&) const { return false; }

  // The largest body this vendor reads for a request with this head (the body is not read yet),
  // when its model allows more than the server's --max-body-bytes; 0 keeps the server's limit.
  virtual std::size_t body_limit(const Request& /*head*/) const { return 0; }
  // The body was not read (see BodyRefusal): answer in the vendor's own envelope, or return false
  // to leave the core's plain 413. Only the head is in call.request.
  virtual bool refuse_body(Call& /*call*/, const BodyRefusal& /*why*/) { return false; }
  virtual std::span<const std::string_view> operation_names() const = 0;

  // The request path, in the order the pipeline calls it. A step that returns false has put the
  // vendor's own error in call.response (and call.error_code); the pipeline then skips ahead.
  virtual bool decode(Call& call) = 0;        // which operation; parse the parameters
  virtual bool authenticate(Call& call) = 0;  // signature, keys, policy
  virtual bool validate(Call& call) = 0;      // the operation's parameter constraints
  virtual void execute(Call& call) = 0;       // change state and answer; may call.defer()

  // The error catalogue.
  virtual bool knows_error(std::string_view id) const = 0;
  virtual void render_error(Call& call, const ErrorRequest& error) = 0;

  // A request parameter by the vendor's own name, for scenario "params" matching.
  virtual std::optional<std::string> param(const Call& call, std::string_view name) const = 0;
  // Whether `name` is a parameter param() can answer for some operation: scenario files are
  // checked with it at load time, so a misspelt name is an error instead of a rule that never
  // matches.
  virtual bool knows_param(std::string_view name) const = 0;

  // State. A fixture section is checked whole before any section is applied, so a document
  // with a mistake anywhere changes nothing. `pointer` is the section's own (e.g. "/ice").
  virtual std::optional<FixtureIssue> check_fixture(const JsonValue& section, std::string_view pointer) const = 0;
  virtual void apply_fixture(const JsonValue& section) = 0;  // only after check_fixture passed
  virtual void clear_state() = 0;
  // Writes the vendor's section as a fixture document would hold it.
  virtual void write_state(JsonWriter& out, const StateOptions& options) const = 0;

  // Every operation of the vendor's real API, emulated or not, for GET /_emulator/operations and
  // `agentemu describe`: appends one object per operation to the open array `out`, written with
  // core/describe.hpp (write_operation / write_param), so every vendor lists the same shape.
  virtual void describe_operations(JsonWriter& out) const = 0;
};

}  // namespace agentemu
