#include "core/journal.hpp"

#include <algorithm>

namespace agentemu {

Journal::Journal(std::size_t limit, std::size_t body_cap, std::size_t byte_budget)
    : limit_(limit), body_cap_(body_cap), byte_budget_(byte_budget) {}

namespace {

// Heap bytes a string holds: short ones live inside the string object itself.
std::size_t heap_bytes(const std::string& s) {
  static const std::size_t inline_capacity = std::string().capacity();
  return s.capacity() > inline_capacity ? s.capacity() : 0;
}

// Everything an entry holds beyond its slot. A field added to JournalEntry is counted here.
std::size_t held_bytes(const JournalEntry& e) {
  std::size_t n = heap_bytes(e.vendor) + heap_bytes(e.operation) + heap_bytes(e.method) + heap_bytes(e.path) +
                  heap_bytes(e.query) + heap_bytes(e.body) + heap_bytes(e.error_code) + heap_bytes(e.scenario) +
                  heap_bytes(e.rule) + heap_bytes(e.diagnostic);
  n += e.headers.capacity() * sizeof(e.headers[0]);
  for (const auto& [name, value] : e.headers) n += heap_bytes(name) + heap_bytes(value);
  return n;
}

// A string that once held much more than it now needs gives the rest back, so what the budget
// counts is what is really kept (a buffer of similar size is still reused).
void assign_shrinking(std::string& s, std::string_view text) {
  if (s.capacity() > 1024 && s.capacity() > 2 * text.size()) std::string().swap(s);
  s.assign(text);
}

}  // namespace

// The slot the next entry goes to: the oldest one's when the ring is full, else a free one,
// else a new one (the ring is first turned so its oldest entry is at 0, keeping the order).
std::size_t Journal::slot_after_newest() {
  if (size_ == limit_) {
    const std::size_t slot = first_;
    first_ = (first_ + 1) % slots_.size();
    --size_;
    if (dropped_ > 0) --dropped_;
    return slot;
  }
  if (size_ < slots_.size()) return (first_ + size_) % slots_.size();
  if (first_ != 0) {
    std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(first_), slots_.end());
    std::rotate(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(first_), held_.end());
    first_ = 0;
  }
  bytes_ -= slots_.capacity() * sizeof(JournalEntry) + held_.capacity() * sizeof(std::size_t);
  slots_.emplace_back();
  held_.push_back(0);
  bytes_ += slots_.capacity() * sizeof(JournalEntry) + held_.capacity() * sizeof(std::size_t);
  return slots_.size() - 1;
}

void Journal::account(std::size_t slot) {
  bytes_ -= held_[slot];
  held_[slot] = held_bytes(slots_[slot]);
  bytes_ += held_[slot];
}

void Journal::release(JournalEntry& e, bool whole) {
  std::string().swap(e.body);
  if (!whole) return;
  for (std::string* s : {&e.vendor, &e.operation, &e.method, &e.path, &e.query, &e.error_code, &e.scenario, &e.rule,
                         &e.diagnostic}) {
    std::string().swap(*s);
  }
  std::vector<std::pair<std::string, std::string>>().swap(e.headers);
}

void Journal::shed() {
  while (bytes_ > byte_budget_ && size_ > 1) {
    if (dropped_ + 1 < size_) {  // an older entry still has its body: that goes first
      const std::size_t slot = (first_ + dropped_) % slots_.size();
      release(slots_[slot], false);
      account(slot);
      ++dropped_;
      continue;
    }
    release(slots_[first_], true);  // only heads are left: the oldest entry goes
    account(first_);
    first_ = (first_ + 1) % slots_.size();
    --size_;
    if (dropped_ > 0) --dropped_;
  }
}

void Journal::record(const JournalRecord& r) {
  std::lock_guard lock(mutex_);
  if (limit_ == 0) return;
  const std::size_t slot = slot_after_newest();
  JournalEntry& e = slots_[slot];
  e.id = next_id_++;
  e.time = r.time;
  e.vendor.assign(r.vendor);
  e.operation.assign(r.operation);
  e.method.assign(r.method);
  assign_shrinking(e.path, r.path);
  assign_shrinking(e.query, r.query);
  const std::size_t header_count = r.headers == nullptr ? 0 : r.headers->size();
  if (e.headers.capacity() > 64 && e.headers.capacity() > 2 * header_count) {
    std::vector<std::pair<std::string, std::string>>().swap(e.headers);
  }
  e.headers.resize(header_count);
  for (std::size_t i = 0; i < header_count; ++i) {
    assign_shrinking(e.headers[i].first, (*r.headers)[i].name);
    assign_shrinking(e.headers[i].second, (*r.headers)[i].value);
  }
  assign_shrinking(e.body, r.body.substr(0, body_cap_));
  e.body_size = r.body.size();
  e.status = r.status;
  e.error_code.assign(r.error_code);
  e.scenario.assign(r.scenario);
  e.rule.assign(r.rule);
  assign_shrinking(e.diagnostic, r.diagnostic);
  e.duration_ms = r.duration_ms;
  e.accepted = r.accepted;
  ++size_;
  account(slot);
  shed();
}

std::size_t Journal::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

template <class Visit>
void Journal::for_each_oldest_first(Visit&& visit) const {
  for (std::size_t i = 0; i < size_; ++i) visit(slots_[(first_ + i) % slots_.size()]);
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
  // Ids are consecutive, the newest in the last of the size_ slots from first_.
  const std::uint64_t newest = next_id_ - 1;
  if (id == 0 || id > newest || newest - id >= size_) return std::nullopt;
  const std::size_t back = static_cast<std::size_t>(newest - id);
  return slots_[(first_ + size_ - 1 - back) % slots_.size()];
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  // Everything goes back, slots included: an emptied journal holds what a new one does.
  std::vector<JournalEntry>().swap(slots_);
  std::vector<std::size_t>().swap(held_);
  bytes_ = 0;
  first_ = 0;
  size_ = 0;
  dropped_ = 0;
}

}  // namespace agentemu
