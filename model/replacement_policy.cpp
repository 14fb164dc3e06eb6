#include "model/replacement_policy.h"

#include <algorithm>


namespace kiosim {

void SlotLists::grow(Slot s) {
  links_.resize(std::max<std::size_t>(std::size_t(s) + 1, links_.size() * 2));
}

std::vector<Slot> SlotLists::order(LruList l) const {
  std::vector<Slot> out;
  out.reserve(size(l));
  for (Slot s = head(l); s != kNoSlot; s = links_[s].next) out.push_back(s);
  return out;
}

}  // namespace kiosim
