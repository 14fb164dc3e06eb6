#include "model/linux_policy.h"

#include "model/two_list_policy.h"

namespace kiosim {

std::uint8_t& LinuxPolicy::ref(Slot s) {
  if (s >= ref_.size()) ref_.resize(std::size_t(s) + 1 > 2 * ref_.size() ? std::size_t(s) + 1 : 2 * ref_.size());
  return ref_[s];
}

void LinuxPolicy::insert(Slot s) {
  ref(s) = 0;
  lists_.push_head(LruList::inactive, s);
}

// workingset_refault: a refault within the distance is activated before it is added.
void LinuxPolicy::insert_refault(Slot s, std::uint64_t shadow) {
  const std::uint64_t distance = age_ - shadow;
  if (distance > lists_.size(LruList::active)) return insert(s);
  ref(s) = 0;
  lists_.push_head(LruList::active, s);
  ++age_;
  if (obs_) obs_->on_activate(s);
}

void LinuxPolicy::to_active(Slot s) {
  lists_.unlink(s);
  lists_.push_head(LruList::active, s);
  ++age_;  // workingset_activation
  if (obs_) obs_->on_activate(s);
}

void LinuxPolicy::touch(Slot s) {
  std::uint8_t& r = ref(s);
  if (!r) {
    r = 1;
  } else if (lists_.list_of(s) == LruList::inactive) {
    to_active(s);
    r = 0;
  }
}

void LinuxPolicy::remove(Slot s) {
  lists_.unlink(s);
  ref(s) = 0;
}

Slot LinuxPolicy::victim() const {
  Slot s = lists_.tail(LruList::inactive);
  return s != kNoSlot ? s : lists_.tail(LruList::active);
}

void LinuxPolicy::rotate(Slot s) {
  lists_.unlink(s);
  lists_.push_head(LruList::inactive, s);
}

// lru_move_tail: folio_clear_active, lruvec_add_folio_tail; PG_referenced stays.
void LinuxPolicy::rotate_reclaimable(Slot s) {
  lists_.unlink(s);
  lists_.push_tail(LruList::inactive, s);
}

// shrink_folio_list's activate_locked: PG_referenced stays as folio_check_references left it.
void LinuxPolicy::activate(Slot s) {
  if (lists_.list_of(s) != LruList::active) to_active(s);
}

bool LinuxPolicy::test_clear_referenced(Slot s) {
  std::uint8_t& r = ref(s);
  bool was = r;
  r = 0;
  return was;
}

void LinuxPolicy::set_referenced(Slot s) { ref(s) = 1; }

bool LinuxPolicy::inactive_is_low() const {
  const std::uint64_t inactive = lists_.size(LruList::inactive), active = lists_.size(LruList::active);
  return inactive * TwoListPolicy::inactive_ratio(inactive + active) < active;
}

void LinuxPolicy::age_active() {
  if (!inactive_is_low()) return;
  for (std::size_t i = 0; i < kSwapClusterMax; ++i) {
    Slot t = lists_.tail(LruList::active);
    if (t == kNoSlot) break;
    lists_.unlink(t);
    lists_.push_head(LruList::inactive, t);
    if (obs_) obs_->on_deactivate(t);
  }
}

// workingset_eviction: the age before this eviction, then one more.
std::uint64_t LinuxPolicy::eviction_shadow(Slot) { return age_++; }

}  // namespace kiosim
