// Accesses handed on a few steps late, so that the index bucket each one will look
// up is prefetched when it is parsed and is in the cache when it is used: the
// replay's lookups miss the CPU cache on most accesses of a large trace, and a
// parse fused with the replay gives the lookahead for free. The one-pass curve
// uses it; a single replay does not (at 16,384 pages its index is mostly in the L2
// cache and the ring measured slower).
#pragma once
#include <cstddef>

namespace kiosim {

template <class Item, std::size_t N = 8>
class Lookahead {
 public:
  // prefetch(item) now; use(item) of the one N pushes ago.
  template <class Prefetch, class Use>
  void push(const Item& item, Prefetch&& prefetch, Use&& use) {
    prefetch(item);
    Item& slot = ring_[held_ % N];
    if (held_ >= N) use(slot);
    slot = item;
    ++held_;
  }
  // use() of the ones still held, in order.
  template <class Use>
  void drain(Use&& use) {
    for (std::size_t i = held_ > N ? held_ - N : 0; i < held_; ++i) use(ring_[i % N]);
    held_ = 0;
  }

 private:
  Item ring_[N];
  std::size_t held_ = 0;
};

}  // namespace kiosim
