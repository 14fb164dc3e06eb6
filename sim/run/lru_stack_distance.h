// LRU at every cache size in one pass (R. L. Mattson, J. Gecsei, D. R. Slutz and
// I. L. Traiger, "Evaluation techniques for storage hierarchies", IBM Systems
// Journal 9(2), 1970): LRU is a stack algorithm, so an access hits in a cache of
// c pages exactly when its stack distance (the number of distinct pages used
// since the page's last use, plus one) is at most c.
// The distance is counted over access positions that hold a mark at each page's
// latest use: the pages used since are the marks after it. The marks are a bitset
// with a Fenwick tree (Fenwick 1994) over its 64-bit words, so a count is one
// popcount plus O(log(W/64)) steps in a tree small enough for the L1/L2 cache.
// Positions run up to a window W; when it is full the live marks are packed to
// its start (compaction, amortised O(1) per access). With a largest size of
// interest K, the marks older than the K-th latest are dropped at compaction and
// their pages forgotten (they miss at every size up to K), so W stays about 2K
// and the index holds at most W pages.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/run/replay_index.h"

namespace kiosim {

class LruStackDistance {
 public:
  // max_pages: the largest cache size asked about (0: every size; W then grows).
  explicit LruStackDistance(std::uint64_t max_pages = 0);

  void access(PageKey k) {
    ++accesses_;
    std::uint32_t id = ids_.find(k);
    if (id == ReplayIndex::kNone) {
      id = new_page(k);
    } else {
      const std::uint64_t q = last_[id];
      const std::uint64_t d = live_ - marks_upto(q) + 1;  // the pages after q, plus itself
      if (d < hist_.size()) ++hist_[d]; else add_distance(d);
      flip(q, -1);
      --live_;
    }
    if (t_ == window_) compact();
    flip(t_, +1);
    page_at_[t_] = id;
    last_[id] = std::uint32_t(t_);
    ++t_;
    ++live_;
  }

  // Starts loading k's bucket of the index, for an access a few steps later.
  void prefetch(PageKey k) const { __builtin_prefetch(ids_.bucket_of(k)); }

  std::uint64_t accesses() const { return accesses_; }
  // Distinct pages in the trace; exact unless pages were forgotten (forgot()).
  std::uint64_t distinct() const { return distinct_; }
  bool forgot() const { return forgot_; }
  // Hits of an LRU cache of `pages` pages (at most max_pages, when that was set).
  std::uint64_t hits(std::uint64_t pages) const;

 private:
  std::uint32_t new_page(PageKey k);
  std::uint64_t marks_upto(std::uint64_t pos) const {  // marks at positions 0..pos
    const std::uint64_t w = pos >> 6, b = pos & 63;
    const std::uint64_t below = b == 63 ? ~0ULL : (2ULL << b) - 1;
    std::int64_t s = __builtin_popcountll(bits_[w] & below);
    for (std::uint64_t i = w; i > 0; i &= i - 1) s += tree_[i];  // words 0..w-1
    return std::uint64_t(s);
  }
  void flip(std::uint64_t pos, std::int32_t v) {
    bits_[pos >> 6] ^= 1ULL << (pos & 63);
    for (std::uint64_t i = (pos >> 6) + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += v;
  }
  void add_distance(std::uint64_t d);
  void compact();

  std::uint64_t max_pages_;
  std::uint64_t window_;                 // positions, a multiple of 64
  std::vector<std::uint64_t> bits_;      // the marks
  std::vector<std::int32_t> tree_;       // Fenwick tree over the words' counts, 1-based
  std::vector<std::uint32_t> page_at_;   // position -> the page used there
  std::vector<std::uint32_t> last_;      // page -> position of its latest use
  std::vector<PageKey> keys_;            // page -> key (to forget it)
  std::vector<std::uint32_t> free_;      // forgotten page numbers, for reuse
  ReplayIndex ids_;                      // key -> page number
  std::vector<std::uint64_t> hist_;      // distance -> accesses (index 0 unused)
  std::uint64_t t_ = 0, live_ = 0, accesses_ = 0, distinct_ = 0;
  bool forgot_ = false;
};

}  // namespace kiosim
