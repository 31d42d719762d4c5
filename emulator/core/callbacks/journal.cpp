#include "core/callbacks/journal.hpp"

#include "core/journal.hpp"

namespace agentemu {

std::size_t CallbackJournal::weight(const CallbackEntry& e) {
  std::size_t n = sizeof(CallbackEntry) + e.url.size() + e.error.size() + e.body.size() + e.response.size();
  for (const auto& [name, value] : e.headers) n += name.size() + value.size();
  return n;
}

void CallbackJournal::record(CallbackEntry entry) {
  std::lock_guard lock(mutex_);
  if (limit_ == 0) return;
  entry.id = next_id_++;
  bytes_ += weight(entry);
  entries_.push_back(std::move(entry));
  // The newest entry stays whatever it weighs: what just happened is what a test asks about.
  while (entries_.size() > limit_ || (bytes_ > budget_ && entries_.size() > 1)) {
    bytes_ -= weight(entries_.front());
    entries_.pop_front();
  }
}

bool CallbackJournal::matches(const CallbackEntry& e, const CallbackFilter& f) {
  if (f.vendor && e.vendor != *f.vendor) return false;
  if (f.event && e.event != *f.event) return false;
  if (f.status && !Journal::status_matches(*f.status, e.status)) return false;
  if (f.outcome && e.outcome != *f.outcome) return false;
  if (f.delivery && e.delivery != *f.delivery) return false;
  return true;
}

std::vector<CallbackEntry> CallbackJournal::entries(const CallbackFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<const CallbackEntry*> hits;
  for (const CallbackEntry& e : entries_) {
    if (matches(e, filter)) hits.push_back(&e);
  }
  const std::size_t skip = filter.limit && hits.size() > *filter.limit ? hits.size() - *filter.limit : 0;
  std::vector<CallbackEntry> out;
  out.reserve(hits.size() - skip);
  for (std::size_t i = skip; i < hits.size(); ++i) out.push_back(*hits[i]);
  return out;
}

std::size_t CallbackJournal::count(const CallbackFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const CallbackEntry& e : entries_) n += matches(e, filter) ? 1 : 0;
  return filter.limit && n > *filter.limit ? *filter.limit : n;
}

void CallbackJournal::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  bytes_ = 0;
}

std::size_t CallbackJournal::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace agentemu
