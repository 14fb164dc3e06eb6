#include "model/opt_policy.h"

#include <algorithm>

namespace kiosim {

void OptPolicy::ensure(Slot s) {
  if (s < pos_.size()) return;
  std::size_t n = std::max<std::size_t>(std::size_t(s) + 1, 2 * pos_.size());
  pos_.resize(n, kNoSlot);
  when_.resize(n, kNever);
}

void OptPolicy::next_use(Slot s, std::uint64_t when) {
  ensure(s);
  const std::uint64_t was = when_[s];
  when_[s] = when;
  if (pos_[s] == kNoSlot) return;
  if (when > was) up(pos_[s]); else down(pos_[s]);
}

void OptPolicy::insert(Slot s) {
  ensure(s);
  heap_.push_back(s);
  pos_[s] = Slot(heap_.size() - 1);
  up(heap_.size() - 1);
}

void OptPolicy::remove(Slot s) {
  if (s >= pos_.size() || pos_[s] == kNoSlot) return;
  const std::size_t i = pos_[s];
  const Slot last = heap_.back();
  heap_.pop_back();
  pos_[s] = kNoSlot;
  if (i == heap_.size()) return;
  place(i, last);
  up(i);
  down(pos_[last]);
}

void OptPolicy::up(std::size_t i) {
  const Slot s = heap_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (when_[heap_[parent]] >= when_[s]) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, s);
}

void OptPolicy::down(std::size_t i) {
  const Slot s = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && when_[heap_[c + 1]] > when_[heap_[c]]) ++c;
    if (when_[heap_[c]] <= when_[s]) break;
    place(i, heap_[c]);
    i = c;
  }
  place(i, s);
}

std::vector<Slot> OptPolicy::order(LruList l) const {
  if (l != LruList::inactive) return {};
  std::vector<Slot> out = heap_;
  std::stable_sort(out.begin(), out.end(), [&](Slot a, Slot b) { return when_[a] > when_[b]; });
  return out;
}

}  // namespace kiosim
