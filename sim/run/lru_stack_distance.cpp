#include "sim/run/lru_stack_distance.h"

#include <algorithm>

namespace kiosim {

namespace {
std::uint64_t round64(std::uint64_t n) { return (n + 63) & ~std::uint64_t(63); }
}  // namespace

LruStackDistance::LruStackDistance(std::uint64_t max_pages)
    : max_pages_(max_pages), window_(round64(max_pages ? 2 * max_pages + 4096 : 1 << 16)) {
  bits_.assign(window_ / 64, 0);
  tree_.assign(window_ / 64 + 1, 0);
  page_at_.assign(window_, 0);
  hist_.assign(max_pages ? max_pages + 1 : 1024, 0);
}

std::uint32_t LruStackDistance::new_page(PageKey k) {
  ++distinct_;
  std::uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    keys_[id] = k;
  } else {
    id = std::uint32_t(keys_.size());
    keys_.push_back(k);
    last_.push_back(0);
  }
  ids_.insert(k, id);
  return id;
}

void LruStackDistance::add_distance(std::uint64_t d) {
  if (max_pages_) return;  // past every size asked about: a miss at all of them
  hist_.resize(std::max<std::size_t>(d + 1, 2 * hist_.size()), 0);
  ++hist_[d];
}

void LruStackDistance::compact() {
  // The live marks, oldest first; keep the newest max_pages_ (all when 0).
  std::uint64_t drop = max_pages_ && live_ > max_pages_ ? live_ - max_pages_ : 0;
  std::uint64_t m = 0;
  for (std::uint64_t w = 0; w < t_ / 64 + (t_ % 64 != 0); ++w) {
    for (std::uint64_t word = bits_[w]; word; word &= word - 1) {
      const std::uint32_t id = page_at_[64 * w + std::uint64_t(__builtin_ctzll(word))];
      if (drop) {  // further back than any size asked about: forget the page
        --drop;
        ids_.erase(keys_[id]);
        free_.push_back(id);
        forgot_ = true;
        continue;
      }
      page_at_[m] = id;
      last_[id] = std::uint32_t(m);
      ++m;
    }
  }
  live_ = m;
  if (!max_pages_ && 2 * m > window_) {  // every size: let the window grow
    window_ *= 2;
    page_at_.resize(window_);
  }
  // Marks at 0..m-1; the tree rebuilt from the words' counts in O(W/64).
  bits_.assign(window_ / 64, 0);
  for (std::uint64_t w = 0; w < m / 64; ++w) bits_[w] = ~0ULL;
  if (m % 64) bits_[m / 64] = (1ULL << (m % 64)) - 1;
  tree_.assign(window_ / 64 + 1, 0);
  for (std::uint64_t i = 1; i < tree_.size(); ++i) {
    tree_[i] += __builtin_popcountll(bits_[i - 1]);
    const std::uint64_t up = i + (i & (~i + 1));
    if (up < tree_.size()) tree_[up] += tree_[i];
  }
  t_ = m;
}

std::uint64_t LruStackDistance::hits(std::uint64_t pages) const {
  std::uint64_t h = 0;
  const std::uint64_t top = std::min<std::uint64_t>(pages, hist_.size() - 1);
  for (std::uint64_t d = 1; d <= top; ++d) h += hist_[d];
  return h;
}

}  // namespace kiosim
