// The page cache's index: (file, page index) -> slot. Linux keeps one xarray per
// address_space (mm/filemap.c, lib/xarray.c); kiosim keeps one open-addressing
// hash table for all files, because the cache-replay path looks pages up tens of
// millions of times a second and std::unordered_map allocates a node per page.
// Linear probing with backward-shift deletion (no tombstones); the table grows
// with the number of pages held, never with the number of lookups.
#pragma once
#include <cstdint>
#include <vector>

#include "model/page.h"

namespace kiosim {

class PageCacheIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // The slot of `k`, or kNone.
  std::uint32_t find(PageKey k) const {
    if (size_ == 0) return kNone;
    for (std::size_t i = home(k);; i = (i + 1) & mask_) {
      const Bucket& b = buckets_[i];
      if (b.slot == kNone) return kNone;
      if (b.index == k.index && b.file == k.file) return b.slot;
    }
  }

  // Adds `k` -> `slot`; `k` must not be present.
  void insert(PageKey k, std::uint32_t slot) {
    if ((size_ + 1) * 2 > buckets_.size()) grow();
    std::size_t i = home(k);
    while (buckets_[i].slot != kNone) i = (i + 1) & mask_;
    buckets_[i] = Bucket{k.index, k.file, slot};
    ++size_;
  }

  // Removes `k` if present.
  void erase(PageKey k) {
    if (size_ == 0) return;
    std::size_t i = home(k);
    for (;; i = (i + 1) & mask_) {
      if (buckets_[i].slot == kNone) return;
      if (buckets_[i].index == k.index && buckets_[i].file == k.file) break;
    }
    // Shift later members of the probe run back into the hole.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (buckets_[j].slot == kNone) break;
      std::size_t h = home({buckets_[j].file, buckets_[j].index});
      // j may move to the hole when its home is not in the cyclic range (hole, j].
      bool in_range = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!in_range) {
        buckets_[hole] = buckets_[j];
        hole = j;
      }
    }
    buckets_[hole].slot = kNone;
    --size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Bucket {
    std::uint64_t index = 0;
    std::uint32_t file = 0;
    std::uint32_t slot = kNone;
  };
  std::size_t home(PageKey k) const { return PageKeyHash{}(k) & mask_; }
  void grow() {
    std::vector<Bucket> old;
    old.swap(buckets_);
    std::size_t n = old.empty() ? 64 : old.size() * 2;
    buckets_.assign(n, Bucket{});
    mask_ = n - 1;
    size_ = 0;
    for (const Bucket& b : old)
      if (b.slot != kNone) insert({b.file, b.index}, b.slot);
  }

  std::vector<Bucket> buckets_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace kiosim
