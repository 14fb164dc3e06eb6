#include "model/replacement_policy.h"

#include <algorithm>

#include "model/linux_policy.h"
#include "model/lru_policy.h"
#include "model/two_list_policy.h"

namespace kiosim {

std::string_view to_string(CachePolicy p) {
  switch (p) {
    case CachePolicy::lru: return "lru";
    case CachePolicy::linux_lru: return "linux";
    case CachePolicy::two_list: break;
  }
  return "two_list";
}

std::optional<CachePolicy> parse_cache_policy(std::string_view s) {
  if (s == "two_list") return CachePolicy::two_list;
  if (s == "lru") return CachePolicy::lru;
  if (s == "linux") return CachePolicy::linux_lru;
  return std::nullopt;
}

std::unique_ptr<ReplacementPolicy> make_policy(CachePolicy p, ReplacementPolicy::Observer* obs,
                                               std::uint64_t capacity_pages) {
  if (p == CachePolicy::lru) return std::make_unique<LruPolicy>();
  if (p == CachePolicy::linux_lru) return std::make_unique<LinuxPolicy>(obs);
  return std::make_unique<TwoListPolicy>(obs, capacity_pages);
}

void SlotLists::ensure(Slot s) {
  if (s < links_.size()) return;
  links_.resize(std::max<std::size_t>(std::size_t(s) + 1, links_.size() * 2));
}

void SlotLists::push_head(LruList l, Slot s) {
  ensure(s);
  int i = int(l);
  Link& n = links_[s];
  n.prev = kNoSlot;
  n.next = head_[i];
  if (head_[i] != kNoSlot) links_[head_[i]].prev = s; else tail_[i] = s;
  head_[i] = s;
  n.list = l;
  ++size_[i];
}

void SlotLists::push_tail(LruList l, Slot s) {
  ensure(s);
  int i = int(l);
  Link& n = links_[s];
  n.next = kNoSlot;
  n.prev = tail_[i];
  if (tail_[i] != kNoSlot) links_[tail_[i]].next = s; else head_[i] = s;
  tail_[i] = s;
  n.list = l;
  ++size_[i];
}

void SlotLists::unlink(Slot s) {
  if (s >= links_.size() || links_[s].list == LruList::none) return;
  Link& n = links_[s];
  int i = int(n.list);
  if (n.prev != kNoSlot) links_[n.prev].next = n.next; else head_[i] = n.next;
  if (n.next != kNoSlot) links_[n.next].prev = n.prev; else tail_[i] = n.prev;
  n.prev = n.next = kNoSlot;
  n.list = LruList::none;
  --size_[i];
}

std::vector<Slot> SlotLists::order(LruList l) const {
  std::vector<Slot> out;
  out.reserve(size(l));
  for (Slot s = head(l); s != kNoSlot; s = links_[s].next) out.push_back(s);
  return out;
}

}  // namespace kiosim
