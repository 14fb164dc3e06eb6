#include "model/rand_policy.h"

#include <algorithm>

namespace kiosim {

void RandPolicy::draw() {  // splitmix64
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  draw_ = z ^ (z >> 31);
}

void RandPolicy::insert(Slot s) {
  if (s >= pos_.size()) pos_.resize(std::max<std::size_t>(std::size_t(s) + 1, 2 * pos_.size()), kNoSlot);
  pos_[s] = Slot(members_.size());
  members_.push_back(s);
}

void RandPolicy::remove(Slot s) {
  if (s >= pos_.size() || pos_[s] == kNoSlot) return;
  Slot last = members_.back();
  members_[pos_[s]] = last;  // the last member fills the hole
  pos_[last] = pos_[s];
  members_.pop_back();
  pos_[s] = kNoSlot;
}

}  // namespace kiosim
