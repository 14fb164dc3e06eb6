#include "sim/run/lru_stack_distance.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace kiosim {

namespace {
std::uint64_t round64(std::uint64_t n) { return (n + 63) & ~std::uint64_t(63); }
}  // namespace

LruStackDistance::LruStackDistance(std::vector<std::uint64_t> sizes) : sizes_(std::move(sizes)) {
  std::sort(sizes_.begin(), sizes_.end());
  sizes_.erase(std::unique(sizes_.begin(), sizes_.end()), sizes_.end());
  if (!sizes_.empty() && sizes_.front() == 0) throw std::invalid_argument("LruStackDistance: a size of 0 pages");
  bound_ = sizes_.empty() ? 0 : sizes_.back();
  // Bounded: compaction every W - K >= K accesses packs at most K marks.
  window_ = round64(bound_ ? std::max<std::uint64_t>(2 * bound_, bound_ + 4096) : 1 << 16);
  live_bits_.assign(window_ / 64, 0);
  removed_bits_.assign(window_ / 64, 0);
  tree_.assign(window_ / 64 + 1, 0);
  page_at_.assign(window_, 0);
  hist_.assign(bound_ ? sizes_.size() : 1024, 0);
}

std::uint32_t LruStackDistance::new_page(PageKey k) {
  ++distinct_;
  std::uint32_t id;
  if (bound_ && live_ == bound_) {
    // The K most recent pages are held: the least recent goes, as in an LRU cache of K.
    const std::uint64_t pos = oldest();
    id = page_at_[pos];
    live_bits_[pos >> 6] ^= 1ULL << (pos & 63);  // not a removal that counts: no live mark is older
    --live_;
    ids_.erase(keys_[id]);
    keys_[id] = k;
    forgot_ = true;
  } else {
    id = std::uint32_t(keys_.size());
    keys_.push_back(k);
    last_.push_back(0);
  }
  ids_.insert(k, id);
  return id;
}

std::uint64_t LruStackDistance::oldest() {
  // Marks are added at t_ only and removed anywhere, so the oldest moves forward
  // between compactions: each word is passed once per window.
  while (live_bits_[oldest_word_] == 0) ++oldest_word_;
  return 64 * oldest_word_ + std::uint64_t(__builtin_ctzll(live_bits_[oldest_word_]));
}

void LruStackDistance::compact() {
  // The live marks, oldest first, to positions 0..live-1.
  std::uint64_t m = 0;
  for (std::uint64_t w = oldest_word_; w < t_ / 64 + (t_ % 64 != 0); ++w) {
    for (std::uint64_t word = live_bits_[w]; word; word &= word - 1) {
      const std::uint32_t id = page_at_[64 * w + std::uint64_t(__builtin_ctzll(word))];
      page_at_[m] = id;
      last_[id] = std::uint32_t(m);
      ++m;
    }
  }
  live_ = m;
  oldest_word_ = 0;
  if (!bound_ && 2 * m > window_) {  // every size: let the window grow
    window_ *= 2;
    page_at_.resize(window_);
  }
  // Live marks at 0..m-1, none removed.
  live_bits_.assign(window_ / 64, 0);
  for (std::uint64_t w = 0; w < m / 64; ++w) live_bits_[w] = ~0ULL;
  if (m % 64) live_bits_[m / 64] = (1ULL << (m % 64)) - 1;
  removed_bits_.assign(window_ / 64, 0);
  tree_.assign(window_ / 64 + 1, 0);
  removed_ = 0;
  t_ = m;
}

std::uint64_t LruStackDistance::hits(std::uint64_t pages) const {
  std::uint64_t h = 0;
  if (!bound_) {
    const std::uint64_t top = std::min<std::uint64_t>(pages, hist_.size() - 1);
    for (std::uint64_t d = 1; d <= top; ++d) h += hist_[d];
    return h;
  }
  const auto it = std::lower_bound(sizes_.begin(), sizes_.end(), pages);
  if (it == sizes_.end() || *it != pages)
    throw std::invalid_argument("LruStackDistance::hits: " + std::to_string(pages) + " pages is not a size asked about");
  for (std::size_t b = 0; b <= std::size_t(it - sizes_.begin()); ++b) h += hist_[b];
  return h;
}

}  // namespace kiosim
