// A JSON document kept with a resource for as long as the resource lives.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "core/json.hpp"

namespace agentemu {

namespace detail {
// The allocator of a StoredJson; a base class, so that it exists before the document using it.
struct StoredJsonPool {
  static constexpr std::size_t kChunkBytes = 256;
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> pool = std::make_unique<rapidjson::MemoryPoolAllocator<>>(kChunkBytes);
};
}  // namespace detail

// What a resource keeps: a configuration block echoed back, a stored record. A plain JsonDocument
// takes its memory in 64 KiB chunks, which for thousands of small stored values is nearly all of
// their footprint (scripts/bench, memory per live resource); this one grows 256 bytes at a time.
// It is a JsonDocument (parse into it, CopyFrom with its GetAllocator()) and moves like one.
class StoredJson : private detail::StoredJsonPool, public JsonDocument {
 public:
  StoredJson() : JsonDocument(pool.get()) {}
  explicit StoredJson(const JsonValue& value) : StoredJson() { CopyFrom(value, GetAllocator()); }
  StoredJson(StoredJson&&) noexcept = default;
  StoredJson& operator=(StoredJson&&) noexcept = default;
  // Swaps the pools with the documents (JsonDocument::Swap would swap only the pointers to them).
  StoredJson& Swap(StoredJson& other) noexcept {
    std::swap(pool, other.pool);
    JsonDocument::Swap(other);
    return *this;
  }
};

// A stored JSON value most resources never have: 8 bytes until it is given one, where even an
// empty StoredJson costs some 170 (its document and its pool). Read through value(), JSON null
// while absent; make() gives the document to fill, making it the first time.
class LazyJson {
 public:
  const JsonValue& value() const { return doc_ ? static_cast<const JsonValue&>(*doc_) : null_value(); }
  bool IsObject() const { return doc_ && doc_->IsObject(); }
  StoredJson& make() {
    if (!doc_) doc_ = std::make_unique<StoredJson>();
    return *doc_;
  }

 private:
  static const JsonValue& null_value() {
    static const JsonValue null;
    return null;
  }
  std::unique_ptr<StoredJson> doc_;
};

}  // namespace agentemu
