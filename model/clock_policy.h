// CLOCK, second chance with one reference bit (Corbató 1968; OSTEP ch. 22
// "Approximating LRU"; libCacheSim cache/eviction/Clock.c with its default
// one-bit counter). The clock is a list: new pages enter at the head with the
// bit clear, a hit sets the bit, and the hand is the tail: a page found with
// its bit set has it cleared and goes to the head (its second chance); the
// first page found with a clear bit is the victim.
#pragma once
#include <vector>

#include "model/one_list_policy.h"

namespace kiosim {

class ClockPolicy final : public OneListPolicy {
 public:
  void insert(Slot s) override;
  void touch(Slot s) override { bit(s) = 1; }
  // The access that brought the page in is not a reference: its bit stays clear (Clock_insert).
  void first_use(Slot) override {}
  // The hand: reclaim first moves it past the referenced pages (age_active, called
  // before victims are taken), so the victim is the tail (OneListPolicy::victim).
  void rotate(Slot s) override;
  void age_active() override { advance_hand(); }
  bool referenced(Slot s) const { return s < bits_.size() && bits_[s]; }

 private:
  void advance_hand();
  std::uint8_t& bit(Slot s);
  std::vector<std::uint8_t> bits_;  // the reference bit, by slot
};

}  // namespace kiosim
