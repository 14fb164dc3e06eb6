// LRU at every cache size in one pass (R. L. Mattson, J. Gecsei, D. R. Slutz and
// I. L. Traiger, "Evaluation techniques for storage hierarchies", IBM Systems
// Journal 9(2), 1970): LRU is a stack algorithm, so an access hits in a cache of
// c pages exactly when its stack distance (the number of distinct pages used
// since the page's last use, plus one) is at most c.
// The distance is counted over access positions: each access puts a mark at its
// position, and a page's re-use removes the mark of its previous use, so the
// pages used since position q are the marks after q: the accesses after q less
// the marks removed after q. The removed marks are a bitset with a Fenwick tree
// (Fenwick 1994) over its 64-bit words, so a count is one popcount plus
// O(log(W/64)) steps in a tree small enough for the L1 cache, and an access
// changes the tree once (a re-use), not twice (the new mark is counted by its
// position). Positions run up to a window W; when it is full the live marks are
// packed to its start (compaction, amortised O(1) per access).
// Bounded by the largest size asked about, K: the pass holds only the K most
// recently used pages, as an LRU cache of K pages would (its oldest mark, the
// lowest set bit, is the page it forgets on a miss), so the index holds at most K
// pages and W is 2K. A forgotten page misses at every size up to K, as it would in
// each replay; distances beyond K are not counted. Without sizes (every size) it
// forgets nothing and W grows with the pages.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/run/replay_index.h"

namespace kiosim {

class LruStackDistance {
 public:
  // The cache sizes asked about, in pages, each at least 1 (any order, repeats
  // allowed); none: every size, nothing forgotten.
  explicit LruStackDistance(std::vector<std::uint64_t> sizes = {});

  void access(PageKey k) {
    ++accesses_;
    std::uint32_t s = ids_.find(k);
    if (s != ReplayIndex::kNone) {
      const std::uint64_t q = last_[s];
      // Live marks after q: the accesses after q, less the marks removed after q (an
      // evicted mark is older than every live one, so none of those is after q).
      count(t_ - q - (removed_ - removed_upto(q)));  // ... plus the page itself
      remove(q);
    } else {
      s = new_page(k);
    }
    if (t_ == window_) compact();
    live_bits_[t_ >> 6] |= 1ULL << (t_ & 63);
    page_at_[t_] = s;
    last_[s] = std::uint32_t(t_);
    ++t_;
    ++live_;
  }

  // Starts loading k's bucket of the index, for an access a few steps later.
  void prefetch(PageKey k) const { ids_.prefetch(k); }

  std::uint64_t accesses() const { return accesses_; }
  // Distinct pages in the trace; exact unless pages were forgotten (forgot()).
  std::uint64_t distinct() const { return distinct_; }
  bool forgot() const { return forgot_; }
  // Hits of an LRU cache of `pages` pages: one of the sizes asked about (any
  // size when none were); std::invalid_argument for another.
  std::uint64_t hits(std::uint64_t pages) const;

 private:
  std::uint32_t new_page(PageKey k);
  static std::uint64_t popcount(std::uint64_t x) {
#if defined(__POPCNT__) || !defined(__x86_64__)
    return std::uint64_t(__builtin_popcountll(x));
#else  // x86-64 without POPCNT: GCC would call libgcc's table loop
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x * 0x0101010101010101ULL) >> 56;
#endif
  }
  std::uint64_t removed_upto(std::uint64_t pos) const {  // removed marks at positions 0..pos
    const std::uint64_t w = pos >> 6, b = pos & 63;
    const std::uint64_t below = b == 63 ? ~0ULL : (2ULL << b) - 1;
    std::uint64_t s = popcount(removed_bits_[w] & below);
    for (std::uint64_t i = w; i > 0; i &= i - 1) s += tree_[i];  // words 0..w-1
    return s;
  }
  // A re-use: the mark at pos (a live one) goes.
  void remove(std::uint64_t pos) {
    const std::uint64_t bit = 1ULL << (pos & 63);
    live_bits_[pos >> 6] ^= bit;
    removed_bits_[pos >> 6] |= bit;
    const std::uint64_t n = tree_.size();
    std::uint32_t* const tree = tree_.data();
    for (std::uint64_t i = (pos >> 6) + 1; i < n; i += i & (~i + 1)) ++tree[i];
    ++removed_;
    --live_;
  }
  // One access at distance d: into the bin of the smallest size >= d (d <= K).
  void count(std::uint64_t d) {
    if (sizes_.empty()) {
      if (d >= hist_.size()) hist_.resize(std::max<std::size_t>(d + 1, 2 * hist_.size()), 0);
      ++hist_[d];
      return;
    }
    // The first size >= d, by a binary search without branches (d <= K: there is one).
    const std::uint64_t* base = sizes_.data();
    for (std::size_t n = sizes_.size(); n > 1;) {
      const std::size_t half = n / 2;
      base = base[half - 1] < d ? base + half : base;
      n -= half;
    }
    const std::size_t b = std::size_t(base - sizes_.data()) + (*base < d);
    ++hist_[b];
  }
  std::uint64_t oldest();  // the position of the oldest mark (there is one)
  void compact();

  std::vector<std::uint64_t> sizes_;     // sorted, distinct; empty: every size
  std::uint64_t bound_;                  // K: the largest size (0: none)
  std::uint64_t window_;                 // positions, a multiple of 64
  std::vector<std::uint64_t> live_bits_;     // the live marks (the oldest goes on a miss when K are held)
  std::vector<std::uint64_t> removed_bits_;  // the marks re-uses removed since the last compaction
  std::vector<std::uint32_t> tree_;          // Fenwick tree over removed_bits_' words' counts, 1-based
  std::vector<std::uint32_t> page_at_;   // position -> the page used there
  std::vector<std::uint32_t> last_;      // page -> position of its latest use
  std::vector<PageKey> keys_;            // page -> key (to forget it)
  ReplayIndex ids_;                      // key -> page number
  // With sizes: accesses by bin (bin b: distances in (sizes_[b-1], sizes_[b]]);
  // without: accesses by distance (index 0 unused).
  std::vector<std::uint64_t> hist_;
  std::uint64_t t_ = 0, live_ = 0, removed_ = 0, accesses_ = 0, distinct_ = 0;
  std::uint64_t oldest_word_ = 0;        // the words before it hold no mark
  bool forgot_ = false;
};

}  // namespace kiosim
