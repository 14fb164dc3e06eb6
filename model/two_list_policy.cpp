#include "model/two_list_policy.h"

#include "model/int_sqrt.h"

namespace kiosim {

std::uint64_t TwoListPolicy::inactive_ratio(std::uint64_t pages) {
  std::uint64_t gb = pages >> (30 - 12);  // pages -> whole GiB
  return gb ? int_sqrt(10 * gb) : 1;
}

void TwoListPolicy::insert(Slot s) {
  lists_.push_head(LruList::inactive, s);
  balance();
}

void TwoListPolicy::touch(Slot s) {
  LruList was = lists_.list_of(s);
  if (was == LruList::active && lists_.head(LruList::active) == s) return;  // already first: no change
  lists_.unlink(s);
  lists_.push_head(LruList::active, s);
  if (was == LruList::inactive && obs_) obs_->on_activate(s);
  balance();
}

void TwoListPolicy::remove(Slot s) {
  lists_.unlink(s);
  balance();
}

Slot TwoListPolicy::victim() const {
  // balance() keeps the inactive list non-empty while the active one is not.
  Slot s = lists_.tail(LruList::inactive);
  return s != kNoSlot ? s : lists_.tail(LruList::active);
}

void TwoListPolicy::rotate(Slot s) {
  lists_.unlink(s);
  lists_.push_head(LruList::inactive, s);
  balance();
}

// Off the active list it can only make inactive * ratio >= active hold: no balance needed.
void TwoListPolicy::rotate_reclaimable(Slot s) {
  lists_.unlink(s);
  lists_.push_tail(LruList::inactive, s);
}

void TwoListPolicy::balance() {
  while (lists_.size(LruList::inactive) * ratio_ < lists_.size(LruList::active)) {
    Slot t = lists_.tail(LruList::active);
    lists_.unlink(t);
    lists_.push_head(LruList::inactive, t);
    if (obs_) obs_->on_deactivate(t);
  }
}

}  // namespace kiosim
