// The shadow entries a replay keeps for evicted pages (mm/workingset.c keeps them
// in the xarray slot the page left): key -> the policy's shadow value. Bounded as
// the page cache bounds them (page_cache.h forget_old_shadows): only the shadows
// of the last `limit` evictions count, an older one is dropped; limit 0 keeps
// each until its page comes back (ARC trims its ghosts itself). Flat arrays, no
// allocation per eviction once the ring is full.
#pragma once
#include <cstdint>
#include <vector>

#include "model/page_cache_index.h"
#include "model/replacement_policy.h"

namespace kiosim {

class ShadowStore {
 public:
  explicit ShadowStore(std::uint64_t limit = 0) : limit_(limit) {}

  // The shadow of `k`, removed from the store, or kNoShadow.
  std::uint64_t take(PageKey k) {
    if (index_.size() == 0) return kNoShadow;
    const std::uint32_t id = index_.find(k);
    if (id == PageCacheIndex::kNone) return kNoShadow;
    index_.erase(k);
    free_.push_back(id);
    return value_[id];
  }

  // `k` was evicted and left `shadow`; `k` has no shadow stored.
  void put(PageKey k, std::uint64_t shadow) {
    if (limit_) {
      if (ring_.size() < limit_) {
        ring_.push_back({k, shadow});
      } else {  // the oldest eviction's shadow, if it is still there, goes
        Record& old = ring_[next_];
        const std::uint32_t id = index_.find(old.key);
        if (id != PageCacheIndex::kNone && value_[id] == old.shadow) {
          index_.erase(old.key);
          free_.push_back(id);
        }
        old = {k, shadow};
        next_ = (next_ + 1) % limit_;
      }
    }
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = std::uint32_t(value_.size());
      value_.push_back(0);
    }
    value_[id] = shadow;
    index_.insert(k, id);
  }

  std::size_t size() const { return index_.size(); }

 private:
  struct Record {
    PageKey key;
    std::uint64_t shadow;
  };
  std::uint64_t limit_;
  PageCacheIndex index_;               // key -> id in value_
  std::vector<std::uint64_t> value_;   // id -> shadow
  std::vector<std::uint32_t> free_;
  std::vector<Record> ring_;           // the last `limit_` evictions
  std::size_t next_ = 0;               // the oldest record once the ring is full
};

}  // namespace kiosim
