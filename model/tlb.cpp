#include "model/tlb.h"

#include <algorithm>

namespace kiosim {

Tlb::Tlb(TlbParams p) : p_(p) {
  ways_ = std::max<std::uint32_t>(1, std::min(p.ways, std::max<std::uint32_t>(1, p.entries)));
  sets_ = std::max<std::uint32_t>(1, p.entries / ways_);
  e_.assign(std::size_t(sets_) * ways_, Entry{});
}

Tlb::Entry* Tlb::find(std::uint32_t asid, std::uint64_t vpage) {
  Entry* set = &e_[std::size_t(set_of(vpage)) * ways_];
  for (std::uint32_t w = 0; w < ways_; ++w)
    if (set[w].valid && set[w].asid == asid && set[w].vpage == vpage) return &set[w];
  return nullptr;
}

bool Tlb::holds(std::uint32_t asid, std::uint64_t vpage) const {
  return const_cast<Tlb*>(this)->find(asid, vpage) != nullptr;
}

bool Tlb::access(std::uint32_t asid, std::uint64_t vpage) {
  ++clock_;
  if (Entry* hit = find(asid, vpage)) {
    hit->last_use = clock_;
    return true;
  }
  // Fill: an invalid way if there is one, else the least recently used.
  Entry* set = &e_[std::size_t(set_of(vpage)) * ways_];
  Entry* victim = &set[0];
  for (std::uint32_t w = 0; w < ways_; ++w) {
    if (!set[w].valid) {
      victim = &set[w];
      break;
    }
    if (set[w].last_use < victim->last_use) victim = &set[w];
  }
  *victim = Entry{true, asid, vpage, clock_};
  return false;
}

bool Tlb::invalidate(std::uint32_t asid, std::uint64_t vpage) {
  Entry* e = find(asid, vpage);
  if (!e) return false;
  e->valid = false;
  return true;
}

std::uint32_t Tlb::flush(std::uint32_t asid) {
  std::uint32_t n = 0;
  for (auto& e : e_)
    if (e.valid && e.asid == asid) {
      e.valid = false;
      ++n;
    }
  return n;
}

std::uint32_t Tlb::size() const {
  return std::uint32_t(std::count_if(e_.begin(), e_.end(), [](const Entry& e) { return e.valid; }));
}

}  // namespace kiosim
