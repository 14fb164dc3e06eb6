#include "model/replacement_policy.h"

#include "model/lru_policy.h"
#include "model/two_list_policy.h"

namespace kiosim {

std::string_view to_string(CachePolicy p) { return p == CachePolicy::lru ? "lru" : "two_list"; }

std::optional<CachePolicy> parse_cache_policy(std::string_view s) {
  if (s == "two_list") return CachePolicy::two_list;
  if (s == "lru") return CachePolicy::lru;
  return std::nullopt;
}

std::unique_ptr<ReplacementPolicy> make_policy(CachePolicy p, ReplacementPolicy::Observer* obs) {
  if (p == CachePolicy::lru) return std::make_unique<LruPolicy>();
  return std::make_unique<TwoListPolicy>(obs);
}

void SlotLists::ensure(Slot s) {
  if (s < list_.size()) return;
  std::size_t n = std::max<std::size_t>(s + 1, list_.size() * 2);
  prev_.resize(n, kNoSlot);
  next_.resize(n, kNoSlot);
  list_.resize(n, LruList::none);
}

void SlotLists::push_head(LruList l, Slot s) {
  ensure(s);
  int i = int(l);
  prev_[s] = kNoSlot;
  next_[s] = head_[i];
  if (head_[i] != kNoSlot) prev_[head_[i]] = s; else tail_[i] = s;
  head_[i] = s;
  list_[s] = l;
  ++size_[i];
}

void SlotLists::unlink(Slot s) {
  if (s >= list_.size() || list_[s] == LruList::none) return;
  int i = int(list_[s]);
  if (prev_[s] != kNoSlot) next_[prev_[s]] = next_[s]; else head_[i] = next_[s];
  if (next_[s] != kNoSlot) prev_[next_[s]] = prev_[s]; else tail_[i] = prev_[s];
  prev_[s] = next_[s] = kNoSlot;
  list_[s] = LruList::none;
  --size_[i];
}

std::vector<Slot> SlotLists::order(LruList l) const {
  std::vector<Slot> out;
  out.reserve(size(l));
  for (Slot s = head(l); s != kNoSlot; s = next_[s]) out.push_back(s);
  return out;
}

}  // namespace kiosim
