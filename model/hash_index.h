// An open-addressing hash index: key -> 32-bit slot, what the page cache and the
// cache-replay loop look pages up in tens of millions of times a second (Linux keeps
// one xarray per address_space, mm/filemap.c and lib/xarray.c; std::unordered_map
// would allocate a node per page). Linear probing with backward-shift deletion, no
// tombstones; a multiplicative hash (Knuth's Fibonacci hashing: one multiply, the
// top bits); the table grows with the keys held, never with the lookups, and is at
// most 1/kLoad full (short probe runs, so an erase's backward shift moves little).
// Templated on the key: HashIndexKey<Key> says how a bucket holds one (packed with
// its slot) and which 64 bits of it are hashed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "model/page.h"

namespace kiosim {

inline constexpr std::uint32_t kNoIndexSlot = 0xffffffffu;

// Integer keys.
template <class Key>
struct HashIndexKey {
  static_assert(std::is_integral_v<Key>, "give HashIndexKey a specialisation for this key");
  struct Bucket {
    Key key{};
    std::uint32_t slot = kNoIndexSlot;
  };
  static bool holds(const Bucket& b, Key k) { return b.key == k; }
  static Key key(const Bucket& b) { return b.key; }
  static void put(Bucket& b, Key k) { b.key = k; }
  static std::uint64_t bits(Key k) { return std::uint64_t(k); }
};

// Pages: 16-byte buckets (the page index, the file, the slot).
template <>
struct HashIndexKey<PageKey> {
  struct Bucket {
    std::uint64_t index = 0;
    std::uint32_t file = 0;
    std::uint32_t slot = kNoIndexSlot;
  };
  static bool holds(const Bucket& b, PageKey k) { return b.index == k.index && b.file == k.file; }
  static PageKey key(const Bucket& b) { return {b.file, b.index}; }
  static void put(Bucket& b, PageKey k) {
    b.index = k.index;
    b.file = k.file;
  }
  static std::uint64_t bits(PageKey k) {
    return k.index ^ (std::uint64_t(k.file) << 44) ^ (std::uint64_t(k.file) >> 20);
  }
};

// Starts loading the cache line at p. GCC 12 at -O2 drops a __builtin_prefetch of
// a bucket in the one-pass curve's loop (no instruction is left), so on x86 the
// instruction is written out.
inline void prefetch_line(const void* p) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

template <class Key, unsigned kLoad = 2>
class HashIndex {
  static_assert(kLoad >= 2, "a table at most half full");
  using K = HashIndexKey<Key>;
  using Bucket = typename K::Bucket;

 public:
  static constexpr std::uint32_t kNone = kNoIndexSlot;

  HashIndex() { rebuild(64); }

  // The slot of `k`, or kNone.
  std::uint32_t find(Key k) const {
    for (std::size_t i = home(k);; i = (i + 1) & mask_) {
      const Bucket& b = buckets_[i];
      if (b.slot == kNone) return kNone;
      if (K::holds(b, k)) return b.slot;
    }
  }
  // Starts loading the bucket find(k) looks at first, for a lookup a few steps later.
  void prefetch(Key k) const { prefetch_line(&buckets_[home(k)]); }

  // Adds `k` -> `slot`; `k` must not be present.
  void insert(Key k, std::uint32_t slot) {
    if ((size_ + 1) * kLoad > buckets_.size()) rebuild(buckets_.size() * 2);
    std::size_t i = home(k);
    while (buckets_[i].slot != kNone) i = (i + 1) & mask_;
    K::put(buckets_[i], k);
    buckets_[i].slot = slot;
    ++size_;
  }

  // Removes `k` if present.
  void erase(Key k) {
    std::size_t i = home(k);
    for (;; i = (i + 1) & mask_) {
      if (buckets_[i].slot == kNone) return;
      if (K::holds(buckets_[i], k)) break;
    }
    // Shift later members of the probe run back into the hole.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; buckets_[j].slot != kNone; j = (j + 1) & mask_) {
      const std::size_t h = home(K::key(buckets_[j]));
      // j may move to the hole when its home is not in the cyclic range (hole, j].
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
  std::size_t buckets() const { return buckets_.size(); }

 private:
  std::size_t home(Key k) const { return std::size_t((K::bits(k) * 0x9e3779b97f4a7c15ULL) >> shift_); }
  void rebuild(std::size_t n) {
    std::vector<Bucket> old;
    old.swap(buckets_);
    buckets_.assign(n, Bucket{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t m = n; m > 1; m >>= 1) --shift_;
    size_ = 0;
    for (const Bucket& b : old)
      if (b.slot != kNone) insert(K::key(b), b.slot);
  }

  std::vector<Bucket> buckets_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace kiosim
