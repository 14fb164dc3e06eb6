#include "model/arc_policy.h"

#include <algorithm>

namespace kiosim {

ArcPolicy::Seen ArcPolicy::ghost_of(std::uint64_t shadow) const {
  if (shadow == kNoShadow) return Seen::none;
  const std::uint32_t node = std::uint32_t(shadow), gen = std::uint32_t(shadow >> 32);
  if (node >= gen_.size() || gen_[node] != gen) return Seen::none;
  switch (ghosts_.list_of(node)) {
    case LruList::inactive: return Seen::b1;
    case LruList::active: return Seen::b2;
    case LruList::none: break;
  }
  return Seen::none;
}

void ArcPolicy::drop_ghost_tail(LruList l) {
  const Slot g = ghosts_.tail(l);
  if (g == kNoSlot) return;
  ghosts_.unlink(g);
  ++gen_[g];  // its shadow is stale from now on
  free_.push_back(g);
}

void ArcPolicy::before_insert(std::uint64_t shadow) {
  pending_ = ghost_of(shadow);
  evict_t1_plain_ = false;
  const double b1 = double(ghosts_b1()), b2 = double(ghosts_b2());
  if (pending_ == Seen::b1) {  // case II
    p_ = std::min(double(c_), p_ + std::max(b2 / b1, 1.0));
  } else if (pending_ == Seen::b2) {  // case III
    p_ = std::max(0.0, p_ - std::max(b1 / b2, 1.0));
  } else if (t1() + ghosts_b1() >= c_) {  // case IV-A: L1 holds c pages
    if (t1() < c_) drop_ghost_tail(LruList::inactive);
    else evict_t1_plain_ = true;
  } else if (t1() + t2() + ghosts_b1() + ghosts_b2() >= 2 * c_) {  // case IV-B
    drop_ghost_tail(LruList::active);
  }
  if (pending_ != Seen::none) {  // the ghost becomes a page again: out of B1 or B2
    const std::uint32_t node = std::uint32_t(shadow);
    ghosts_.unlink(node);
    ++gen_[node];
    free_.push_back(node);
  }
}

void ArcPolicy::insert_refault(Slot s, std::uint64_t) {
  // before_insert already took the ghost out; cases II and III fetch into T2.
  pages_.push_head(pending_ == Seen::none ? LruList::inactive : LruList::active, s);
  pending_ = Seen::none;
}

void ArcPolicy::touch(Slot s) {  // case I
  if (pages_.list_of(s) == LruList::active && pages_.head(LruList::active) == s) return;
  pages_.unlink(s);
  pages_.push_head(LruList::active, s);
}

// REPLACE(x, p).
Slot ArcPolicy::victim() const {
  const Slot a = pages_.tail(LruList::inactive), b = pages_.tail(LruList::active);
  if (evict_t1_plain_ || b == kNoSlot) return a;
  if (a == kNoSlot) return b;
  const double n1 = double(t1());
  const bool from_t1 = n1 > p_ || (pending_ == Seen::b2 && n1 == p_);
  return from_t1 ? a : b;
}

std::uint64_t ArcPolicy::eviction_shadow(Slot s) {
  const LruList l = pages_.list_of(s);
  if (l == LruList::none || (evict_t1_plain_ && l == LruList::inactive)) return kNoShadow;
  std::uint32_t node;
  if (!free_.empty()) {
    node = free_.back();
    free_.pop_back();
  } else {
    node = std::uint32_t(gen_.size());
    gen_.push_back(0);
  }
  ghosts_.push_head(l, node);  // T1 -> B1, T2 -> B2
  return (std::uint64_t(gen_[node]) << 32) | node;
}

void ArcPolicy::rotate(Slot s) {
  const LruList l = pages_.list_of(s);
  pages_.unlink(s);
  pages_.push_head(l == LruList::none ? LruList::inactive : l, s);
}

}  // namespace kiosim
