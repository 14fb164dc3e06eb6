// The replay engine's index: page -> slot, an open-addressing hash table as
// model/page_cache_index.h is, tuned for a replay that inserts and erases a page
// on nearly every miss: at most a quarter full (short probe runs, so an erase's
// backward shift moves little), a multiplicative hash (Knuth's Fibonacci hashing:
// one multiply, the top bits), and the table grows with the pages held, never
// with the accesses. Linear probing, backward-shift deletion, no tombstones.
#pragma once
#include <cstdint>
#include <vector>

#include "model/page.h"

namespace kiosim {

// Starts loading the cache line at p. GCC 12 at -O2 drops a __builtin_prefetch of
// an index bucket in the one-pass curve's loop (no prefetch instruction is left),
// so on x86 the instruction is written out.
inline void prefetch_line(const void* p) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

class ReplayIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  ReplayIndex() { rebuild(64); }

  std::uint32_t find(PageKey k) const {
    for (std::size_t i = home(k);; i = (i + 1) & mask_) {
      const Bucket& b = buckets_[i];
      if (b.slot == kNone) return kNone;
      if (b.index == k.index && b.file == k.file) return b.slot;
    }
  }
  // Where find(k) will look first: to prefetch it.
  const void* bucket_of(PageKey k) const { return &buckets_[home(k)]; }

  // Adds `k` -> `slot`; `k` must not be present.
  void insert(PageKey k, std::uint32_t slot) {
    if ((size_ + 1) * 4 > buckets_.size()) rebuild(buckets_.size() * 2);
    std::size_t i = home(k);
    while (buckets_[i].slot != kNone) i = (i + 1) & mask_;
    buckets_[i] = Bucket{k.index, k.file, slot};
    ++size_;
  }

  // Removes `k`, which must be present.
  void erase(PageKey k) {
    std::size_t i = home(k);
    while (!(buckets_[i].index == k.index && buckets_[i].file == k.file && buckets_[i].slot != kNone))
      i = (i + 1) & mask_;
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; buckets_[j].slot != kNone; j = (j + 1) & mask_) {
      const std::size_t h = home({buckets_[j].file, buckets_[j].index});
      // j may fill the hole when its home is not in the cyclic range (hole, j].
      const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
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
  std::size_t home(PageKey k) const {
    const std::uint64_t x = (k.index ^ (std::uint64_t(k.file) << 44) ^ (std::uint64_t(k.file) >> 20)) * 0x9e3779b97f4a7c15ULL;
    return std::size_t(x >> shift_);
  }
  void rebuild(std::size_t n) {
    std::vector<Bucket> old;
    old.swap(buckets_);
    buckets_.assign(n, Bucket{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t m = n; m > 1; m >>= 1) --shift_;
    size_ = 0;
    for (const Bucket& b : old)
      if (b.slot != kNone) insert({b.file, b.index}, b.slot);
  }

  std::vector<Bucket> buckets_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace kiosim
