#include "core/http.hpp"

#include <ostream>  // before Beast: its status.ipp streams a status

#include <boost/beast/http/status.hpp>

#include "core/stream.hpp"
#include "core/text.hpp"
#include "core/websocket.hpp"

namespace agentemu {

std::string_view Request::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return true;
  }
  return false;
}

std::string_view Request::host() const {
  std::string_view host = header("host");
  if (!host.empty() && host.front() == '[') {  // [::1]:4599
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool Request::wants_websocket() const {
  if (method != "GET" || !iequals(trim(header("upgrade")), "websocket")) return false;
  for (std::string_view token : split(header("connection"), ',')) {
    if (iequals(trim(token), "upgrade")) return true;
  }
  return false;
}

std::string_view Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

void Response::clear() {
  status = 200;
  content_type.clear();
  headers.clear();
  body.clear();
  fault = NetworkFault::none;
  close = false;
  diagnostic.clear();
  if (stream) std::exchange(stream, nullptr)->cancel();
  if (upgrade) std::exchange(upgrade, nullptr)->cancel();
}

void append_diagnostic_header_value(std::string& out, std::string_view diagnostic) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  for (const char ch : diagnostic) {
    if (out.size() - start >= kDiagnosticHeaderMax) {
      out += "...";
      return;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
}

void split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  if (target.starts_with("http://") || target.starts_with("https://")) {  // absolute-form
    const auto slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  const auto question = target.find('?');
  path = target.substr(0, question);
  query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
}

std::string_view network_fault_name(NetworkFault fault) {
  switch (fault) {
    case NetworkFault::connection_reset: return "connection_reset";
    case NetworkFault::empty_response: return "empty_response";
    case NetworkFault::malformed_response: return "malformed_response";
    case NetworkFault::random_then_close: return "random_then_close";
    case NetworkFault::hang: return "hang";
    case NetworkFault::none: return "network";
  }
  return "network";
}

// Beast's table has every registered status (451 Unavailable For Legal Reasons, 425 Too Early...);
// a code it does not know gets an empty phrase, which HTTP/1.1 allows ("HTTP/1.1 599 ").
std::string_view reason_phrase(int status) {
  namespace http = boost::beast::http;
  if (status < 100 || status > 999) return {};
  const auto phrase = http::obsolete_reason(static_cast<http::status>(status));
  if (phrase == "<unknown-status>") return {};
  return {phrase.data(), phrase.size()};
}

}  // namespace agentemu
