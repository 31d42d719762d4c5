#include "core/journal.hpp"

namespace agentemu {

Journal::Journal(std::size_t limit, std::size_t body_cap, std::size_t body_budget)
    : slots_(limit), body_cap_(body_cap), body_budget_(body_budget) {}

namespace {

// Heap bytes a string holds: short ones live inside the string object itself.
std::size_t heap_bytes(const std::string& s) {
  static const std::size_t inline_capacity = std::string().capacity();
  return s.capacity() > inline_capacity ? s.capacity() : 0;
}

}  // namespace

std::size_t Journal::oldest_slot() const {
  const std::size_t capacity = slots_.size();
  return (next_ + capacity - size_) % (capacity == 0 ? 1 : capacity);
}

void Journal::store_body(JournalEntry& e, std::string_view body) {
  body_bytes_ -= heap_bytes(e.body);
  // A slot that once held a large body gives it back for a much smaller one, so the budget
  // counts what is really kept (small bodies still reuse the slot's buffer).
  if (e.body.capacity() > 1024 && e.body.capacity() > 2 * body.size()) std::string().swap(e.body);
  e.body.assign(body);
  body_bytes_ += heap_bytes(e.body);
}

void Journal::release_body(JournalEntry& e) {
  body_bytes_ -= heap_bytes(e.body);
  std::string().swap(e.body);
  body_bytes_ += heap_bytes(e.body);
}

void Journal::record(const JournalRecord& r) {
  std::lock_guard lock(mutex_);
  if (slots_.empty()) return;
  // The slot about to be reused is the oldest entry once the ring is full.
  if (size_ == slots_.size() && dropped_ > 0) --dropped_;
  JournalEntry& e = slots_[next_];
  e.id = next_id_++;
  e.time = r.time;
  e.vendor.assign(r.vendor);
  e.operation.assign(r.operation);
  e.method.assign(r.method);
  e.path.assign(r.path);
  e.query.assign(r.query);
  const std::size_t header_count = r.headers == nullptr ? 0 : r.headers->size();
  e.headers.resize(header_count);
  for (std::size_t i = 0; i < header_count; ++i) {
    e.headers[i].first.assign((*r.headers)[i].name);
    e.headers[i].second.assign((*r.headers)[i].value);
  }
  store_body(e, r.body.substr(0, body_cap_));
  e.body_size = r.body.size();
  e.status = r.status;
  e.error_code.assign(r.error_code);
  e.scenario.assign(r.scenario);
  e.rule.assign(r.rule);
  e.diagnostic.assign(r.diagnostic);
  e.duration_ms = r.duration_ms;
  e.accepted = r.accepted;
  next_ = (next_ + 1) % slots_.size();
  if (size_ < slots_.size()) ++size_;
  while (body_bytes_ > body_budget_ && dropped_ + 1 < size_) {
    release_body(slots_[(oldest_slot() + dropped_) % slots_.size()]);
    ++dropped_;
  }
}

std::size_t Journal::body_bytes() const {
  std::lock_guard lock(mutex_);
  return body_bytes_;
}

template <class Visit>
void Journal::for_each_oldest_first(Visit&& visit) const {
  const std::size_t first = oldest_slot();
  for (std::size_t i = 0; i < size_; ++i) visit(slots_[(first + i) % slots_.size()]);
}

bool Journal::status_matches(std::string_view wanted, int status) {
  if (wanted.size() == 3 && (wanted[1] == 'x' || wanted[1] == 'X') && (wanted[2] == 'x' || wanted[2] == 'X')) {
    return status / 100 == wanted[0] - '0';
  }
  return wanted == std::to_string(status);
}

bool Journal::matches(const JournalEntry& e, const JournalFilter& f) const {
  if (f.vendor && e.vendor != *f.vendor) return false;
  if (f.operation && e.operation != *f.operation) return false;
  if (f.status && !status_matches(*f.status, e.status)) return false;
  if (f.scenario && e.scenario != *f.scenario) return false;
  if (f.rule && e.rule != *f.rule) return false;
  return true;
}

std::vector<JournalEntry> Journal::entries(const JournalFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<const JournalEntry*> hits;
  for_each_oldest_first([&](const JournalEntry& e) {
    if (matches(e, filter)) hits.push_back(&e);
  });
  std::size_t skip = 0;
  if (filter.limit && hits.size() > *filter.limit) skip = hits.size() - *filter.limit;
  std::vector<JournalEntry> out;
  out.reserve(hits.size() - skip);
  for (std::size_t i = skip; i < hits.size(); ++i) out.push_back(*hits[i]);
  return out;
}

std::size_t Journal::count(const JournalFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for_each_oldest_first([&](const JournalEntry& e) { n += matches(e, filter) ? 1 : 0; });
  if (filter.limit && n > *filter.limit) n = *filter.limit;
  return n;
}

std::optional<JournalEntry> Journal::find(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  // Ids are consecutive, newest in the slot before next_.
  const std::uint64_t newest = next_id_ - 1;
  if (id == 0 || id > newest || newest - id >= size_) return std::nullopt;
  const std::size_t back = static_cast<std::size_t>(newest - id);
  return slots_[(next_ + slots_.size() - 1 - back) % slots_.size()];
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  next_ = 0;
  size_ = 0;
  dropped_ = 0;
  for (JournalEntry& e : slots_) release_body(e);
}

}  // namespace agentemu
