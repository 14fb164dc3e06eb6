#include "model/clock_policy.h"

#include <algorithm>

namespace kiosim {

std::uint8_t& ClockPolicy::bit(Slot s) {
  if (s >= bits_.size()) bits_.resize(std::max<std::size_t>(std::size_t(s) + 1, 2 * bits_.size()));
  return bits_[s];
}

void ClockPolicy::insert(Slot s) {
  bit(s) = 0;
  OneListPolicy::insert(s);
}

void ClockPolicy::rotate(Slot s) {
  to_head(s);
  advance_hand();
}

// Clock_evict: while the tail's bit is set, clear it and move the page to the head.
// Ends: each step clears one bit, so after one lap every bit is clear.
void ClockPolicy::advance_hand() {
  for (Slot t = lists_.tail(LruList::inactive); t != kNoSlot && bits_[t]; t = lists_.tail(LruList::inactive)) {
    bits_[t] = 0;
    to_head(t);
  }
}

}  // namespace kiosim
