#include "vendors/agentcore/state.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace agentemu::agentcore {

std::string_view status_name(SessionStatus s) { return s == SessionStatus::ready ? "READY" : "TERMINATED"; }

const SessionExtras& SessionExtras::none() {
  static const SessionExtras empty;
  return empty;
}

bool ToolSession::tool_named_by(std::string_view label) const {
  const std::string_view id = tool();
  return label == id || (label.size() > id.size() && label.ends_with(id) && label[label.size() - id.size() - 1] == '/');
}

SystemTime ToolSession::last_updated(SystemTime now) const {
  if (stopped) return stopped_at;
  if (now >= expires_at()) return expires_at();
  return updated_at;
}

SessionStatus RuntimeSession::status(SystemTime now) const {
  // Once ended, it stays ended: moving the clock back does not revive it (as for tool sessions).
  return stopped || ended_at() <= now ? SessionStatus::terminated : SessionStatus::ready;
}

SystemTime RuntimeSession::ended_at() const {
  if (stopped) return stopped_at;
  const SystemTime idle_end = last_active_at + std::chrono::seconds(idle_timeout);
  const SystemTime life_end = created_at + std::chrono::seconds(max_lifetime);
  return idle_end < life_end && !busy ? idle_end : life_end;
}

// ---- EndIndex ---------------------------------------------------------------------------------

void EndIndex::add(const std::string& key, bool ready, SystemTime at) { (ready ? ready_ : ended_).insert(Entry{at, &key}); }

void EndIndex::remove(const std::string& key, bool ready, SystemTime at) { (ready ? ready_ : ended_).erase(Entry{at, &key}); }

// ---- ToolSessions -----------------------------------------------------------------------------

namespace {

// Where a tool session sits in its tool's index.
bool indexed_ready(const ToolSession& s) { return !s.stopped; }
SystemTime indexed_at(const ToolSession& s) {
  return s.stopped ? std::max(s.stopped_at, s.extras().kept_from) : s.expires_at();
}
SystemTime indexed_at(const RuntimeSession& s) {
  return s.stopped ? std::max(s.stopped_at, s.last_active_at) : s.ended_at();
}

}  // namespace

void ToolSessions::advance(std::string_view tool, SystemTime now) {
  const auto it = tools_.find(tool);
  if (it == tools_.end()) return;
  it->second.expire(now, [&](const std::string& id, SystemTime at) {
    // Marked as ended at its expiry, so a clock moved back later does not revive it.
    ToolSession& s = sessions_.find(id)->second;
    s.stopped = true;
    s.stopped_at = at;
    return indexed_at(s);
  });
  it->second.prune(now, [&](const std::string& id) { sessions_.erase(sessions_.find(id)); });
}

ToolSession* ToolSessions::find(std::string_view session_id) {
  const auto it = sessions_.find(session_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

std::size_t ToolSessions::ready(std::string_view tool) const {
  const EndIndex* i = index(tool);
  return i == nullptr ? 0 : i->ready();
}

const EndIndex* ToolSessions::index(std::string_view tool) const {
  const auto it = tools_.find(tool);
  return it == tools_.end() ? nullptr : &it->second;
}

ToolSession& ToolSessions::add(std::string_view tool, ToolSession session) {
  if (const auto old = sessions_.find(session.session_id); old != sessions_.end()) {
    const ToolSession& previous = old->second;
    tools_.find(previous.tool())->second.remove(previous.session_id, indexed_ready(previous), indexed_at(previous));
    sessions_.erase(old);
  }
  auto index = tools_.find(tool);
  if (index == tools_.end()) index = tools_.emplace(std::string(tool), EndIndex{}).first;
  session.tool_ = &index->first;
  // The key views a copy of the id while the session moves into its node, then the id where it
  // stays (extracting by iterator reads no key).
  const std::string id = session.session_id;
  auto node = sessions_.extract(sessions_.emplace(std::string_view(id), std::move(session)).first);
  node.key() = node.mapped().session_id;
  ToolSession& added = sessions_.insert(std::move(node)).position->second;
  index->second.add(added.session_id, indexed_ready(added), indexed_at(added));
  return added;
}

void ToolSessions::stop(ToolSession& session, SystemTime now) {
  EndIndex& index = tools_.find(session.tool())->second;
  index.remove(session.session_id, indexed_ready(session), indexed_at(session));
  session.stopped = true;
  session.stopped_at = now;
  index.add(session.session_id, indexed_ready(session), indexed_at(session));
}

// ---- RuntimeSessions --------------------------------------------------------------------------

void RuntimeSessions::advance(SystemTime now) {
  ends_.expire(now, [&](const std::string& key, SystemTime at) {
    RuntimeSession& s = sessions_.find(key)->second;
    s.stopped = true;
    s.stopped_at = at;
    return indexed_at(s);
  });
  ends_.prune(now, [&](const std::string& key) { forget(sessions_.find(key)); });
}

RuntimeSession* RuntimeSessions::find(std::string_view key) {
  const auto it = sessions_.find(key);
  return it == sessions_.end() ? nullptr : &it->second;
}

RuntimeSession& RuntimeSessions::add(std::string key, std::string_view runtime_arn, RuntimeSession session) {
  if (const auto old = sessions_.find(key); old != sessions_.end()) {
    ends_.remove(old->first, !old->second.stopped, indexed_at(old->second));
    forget(old);
  }
  session.runtime_arn_ = shared_.hold(runtime_arn);
  session.qualifier_ = nullptr;
  const auto added = sessions_.emplace(std::move(key), std::move(session)).first;
  ends_.add(added->first, !added->second.stopped, indexed_at(added->second));
  return added->second;
}

void RuntimeSessions::set_qualifier(RuntimeSession& session, std::string_view qualifier) {
  if (session.qualifier() == qualifier) return;
  shared_.release(session.qualifier_);
  // The default endpoint is not held: a session without a qualifier reads as DEFAULT.
  session.qualifier_ = qualifier == "DEFAULT" ? nullptr : shared_.hold(qualifier);
}

void RuntimeSessions::forget(std::map<std::string, RuntimeSession, std::less<>>::iterator it) {
  shared_.release(it->second.runtime_arn_);
  shared_.release(it->second.qualifier_);
  sessions_.erase(it);
}

const std::string* SharedStrings::hold(std::string_view text) {
  auto it = held_.find(text);
  if (it == held_.end()) it = held_.emplace(std::string(text), 0).first;
  ++it->second;
  return &it->first;
}

void SharedStrings::release(const std::string* text) {
  if (text == nullptr) return;
  const auto it = held_.find(*text);
  if (--it->second == 0) held_.erase(it);
}

void RuntimeSessions::make_room(SystemTime now) {
  while (ends_.ready() >= kReadyRuntimeSessionsKept) {
    const std::string& key = *ends_.ready_entries().begin()->key;
    stop(key, sessions_.find(key)->second, now);
  }
}

// Each changes an indexed member of a stored session: out of the index under the old time, back
// in under the new one, pointing at the map's own key.
void RuntimeSessions::touch(std::string_view key, RuntimeSession& session, SystemTime now) {
  const std::string& stored = sessions_.find(key)->first;
  ends_.remove(stored, !session.stopped, indexed_at(session));
  session.last_active_at = now;
  ends_.add(stored, !session.stopped, indexed_at(session));
}

void RuntimeSessions::set_busy(std::string_view key, RuntimeSession& session, bool busy, SystemTime now) {
  if (session.busy == busy || session.stopped) return;
  const std::string& stored = sessions_.find(key)->first;
  ends_.remove(stored, true, indexed_at(session));
  session.busy = busy;
  if (!busy) session.last_active_at = now;
  ends_.add(stored, true, indexed_at(session));
}

void RuntimeSessions::stop(std::string_view key, RuntimeSession& session, SystemTime now) {
  const std::string& stored = sessions_.find(key)->first;
  ends_.remove(stored, !session.stopped, indexed_at(session));
  session.stopped = true;
  session.stopped_at = now;
  ends_.add(stored, false, indexed_at(session));
}

const RememberedAnswer* Tenant::answer(std::string_view key) const {
  const auto it = answers.find(key);
  return it == answers.end() ? nullptr : &it->second;
}

void Tenant::remember(std::string key, RememberedAnswer answer) {
  if (answers.contains(key)) return;
  while (answer_order.size() >= kIdempotencyLimit) {
    answers.erase(answer_order.front());
    answer_order.pop_front();
  }
  answer_order.push_back(key);
  answers.emplace(std::move(key), std::move(answer));
}

bool State::find(std::string_view access_key_id, sigv4::Credential& out) const {
  std::lock_guard lock(mutex);
  const auto it = credentials.find(access_key_id);
  if (it == credentials.end()) return false;
  out.secret_access_key.assign(it->second.secret_access_key);
  out.session_token.assign(it->second.session_token);
  out.account_id.assign(it->second.account_id);
  return true;
}

Tenant& State::tenant(std::string_view account, std::string_view region) {
  thread_local std::string key;
  key.assign(account);
  key.push_back('/');
  key.append(region);
  auto it = tenants.find(std::string_view(key));
  if (it == tenants.end()) it = tenants.emplace(key, Tenant{}).first;
  return it->second;
}

std::string runtime_key(std::string_view account, std::string_view region, std::string_view runtime_id) {
  std::string key;
  key.reserve(account.size() + region.size() + runtime_id.size() + 2);
  key.append(account).append("/").append(region).append("/").append(runtime_id);
  return key;
}

const Runtime* State::runtime(std::string_view account, std::string_view region, std::string_view runtime_id) const {
  const auto it = runtimes.find(std::string_view(runtime_key(account, region, runtime_id)));
  return it == runtimes.end() ? nullptr : &it->second;
}

void State::clear() {
  credentials.clear();
  runtimes.clear();
  code_interpreters.clear();
  browsers.clear();
  tenants.clear();
  memory.clear();
  identity.clear();
}

std::string encode_cursor(const Cursor& c) {
  return base64_encode(std::to_string(c.created_ms) + ":" + c.session_id);
}

std::optional<Cursor> decode_cursor(std::string_view token) {
  const auto raw = base64_decode(token);
  if (!raw) return std::nullopt;
  const auto colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  const auto ms = parse_int64(std::string_view(*raw).substr(0, colon));
  if (!ms) return std::nullopt;
  Cursor c{*ms, raw->substr(colon + 1)};
  return c;
}

std::string new_tool_session_id() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string id(26, '0');
  std::uint64_t a = random_u64();
  std::uint64_t b = random_u64();
  for (std::size_t i = 0; i < id.size(); ++i) {
    std::uint64_t& source = i < 13 ? a : b;
    id[i] = kAlphabet[source % 36];
    source /= 36;
  }
  return id;
}

}  // namespace agentemu::agentcore
