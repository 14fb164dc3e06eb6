// The replay loop of kiosim cache-replay: one access at a time through an
// open-addressing index, a fixed pool of slots and a
// replacement policy of a known class (a template parameter, so the calls in the
// loop are direct and inline), with no allocation per access once the cache is
// full (the index: replay_index.h). It follows model/PageCache's rules for the path a replay takes
// (PageCache::access, make_room, evict; mm/filemap.c filemap_get_folio and
// mm/vmscan.c shrink_folio_list): a hit touches the page; a miss takes the
// page's shadow, makes room if the cache is full (age_active, then victims from
// the tail) and inserts the page, whose first use the missing access is. Where
// it simplifies: there is no disk, so a dirty victim is written back at once
// (counted in `writebacks`), goes round once more (rotate) and is clean when it
// comes back; PageCache keeps it under writeback until the access ends, which
// differs only when every page in the cache is dirty at once. No pins, no
// mappings, no readahead, no events.
#pragma once
#include <cstdint>
#include <type_traits>
#include <vector>

#include "model/replacement_policy.h"
#include "sim/run/replay_index.h"
#include "sim/run/shadow_store.h"

namespace kiosim {

// What a replay counts (one cache size, one policy).
struct ReplayResult {
  std::uint64_t accesses = 0, reads = 0, writes = 0;
  std::uint64_t hits = 0, misses = 0;
  std::uint64_t activations = 0, deactivations = 0, evictions = 0, writebacks = 0;
  std::uint64_t files = 0;  // distinct file names seen
  double hit_ratio() const { return accesses ? double(hits) / double(accesses) : 0.0; }
  double miss_ratio() const { return accesses ? double(misses) / double(accesses) : 0.0; }
};

// Counts the list moves a policy reports (the Observer the policy is built with).
struct MoveCounter final : ReplacementPolicy::Observer {
  std::uint64_t activations = 0, deactivations = 0;
  void on_activate(Slot) override { ++activations; }
  void on_deactivate(Slot) override { ++deactivations; }
};

// Which of ReplacementPolicy's optional hooks a policy class overrides: the loop
// skips the others at compile time.
template <class P>
struct PolicyHooks {
  static constexpr bool future =
      !std::is_same_v<decltype(&P::next_use), void (ReplacementPolicy::*)(Slot, std::uint64_t)>;
  static constexpr bool before_insert =
      !std::is_same_v<decltype(&P::before_insert), void (ReplacementPolicy::*)(std::uint64_t)>;
  static constexpr bool shadows =
      !std::is_same_v<decltype(&P::eviction_shadow), std::uint64_t (ReplacementPolicy::*)(Slot)>;
};

template <class P>
class ReplayEngine {
  using Hooks = PolicyHooks<P>;

 public:
  ReplayEngine(P& policy, const MoveCounter& moves, std::uint64_t capacity_pages)
      : policy_(policy), moves_(moves), capacity_(capacity_pages),
        shadows_(Hooks::shadows ? policy.shadow_limit(capacity_pages) : 0) {}

  // One access; `next` is when the page is accessed next (only `opt` looks).
  void access(PageKey k, bool write, std::uint64_t next = ReplacementPolicy::kNever) {
    if (keys_.size() == capacity_) {  // full: a miss will erase the victim's bucket, start loading it
      const Slot v = policy_.victim();
      if (v != kNoSlot) index_.prefetch(keys_[v]);
    }
    Slot s = index_.find(k);
    if (s != ReplayIndex::kNone) {
      ++hits_;
      if constexpr (Hooks::future) policy_.next_use(s, next);
      policy_.touch(s);
    } else {
      s = miss(k, next);
    }
    if (write) {
      ++writes_;
      dirty_[s] = 1;
    }
  }

  ReplayResult result() const {
    ReplayResult r;
    r.hits = hits_;
    r.misses = misses_;
    r.accesses = hits_ + misses_;
    r.writes = writes_;
    r.reads = r.accesses - writes_;
    r.activations = moves_.activations;
    r.deactivations = moves_.deactivations;
    r.evictions = evictions_;
    r.writebacks = writebacks_;
    return r;
  }
  std::size_t resident() const { return index_.size(); }

 private:
  Slot miss(PageKey k, std::uint64_t next) {
    ++misses_;
    std::uint64_t shadow = kNoShadow;
    if constexpr (Hooks::before_insert) {  // ARC decides before it evicts
      if constexpr (Hooks::shadows) shadow = shadows_.take(k);
      policy_.before_insert(shadow);
    }
    Slot s;
    if (index_.size() < capacity_) {
      s = Slot(keys_.size());
      keys_.push_back(k);
      dirty_.push_back(0);
    } else {
      s = make_room();
      keys_[s] = k;
      dirty_[s] = 0;
    }
    index_.insert(k, s);
    if constexpr (Hooks::shadows && !Hooks::before_insert) shadow = shadows_.take(k);  // as PageCache::add
    if constexpr (Hooks::future) policy_.next_use(s, next);
    if (shadow != kNoShadow) policy_.insert_refault(s, shadow); else policy_.insert(s);
    policy_.first_use(s);  // the access that missed uses the page it brought in
    return s;
  }

  // PageCache::make_room for a cache without pins or mappings: the freed slot.
  Slot make_room() {
    policy_.age_active();
    for (;;) {
      const Slot s = policy_.victim();
      if (dirty_[s]) {  // pageout(), done at once: clean now, one more trip round
        dirty_[s] = 0;
        ++writebacks_;
        policy_.rotate(s);
        continue;
      }
      ++evictions_;
      if constexpr (Hooks::shadows) {
        const std::uint64_t shadow = policy_.eviction_shadow(s);
        policy_.remove(s);
        if (shadow != kNoShadow) shadows_.put(keys_[s], shadow);
      } else {
        policy_.remove(s);
      }
      index_.erase(keys_[s]);
      return s;
    }
  }

  P& policy_;
  const MoveCounter& moves_;
  std::uint64_t capacity_;
  ReplayIndex index_;
  std::vector<PageKey> keys_;        // slot -> its page
  std::vector<std::uint8_t> dirty_;  // slot -> dirty
  ShadowStore shadows_;
  std::uint64_t hits_ = 0, misses_ = 0, writes_ = 0, evictions_ = 0, writebacks_ = 0;
};

}  // namespace kiosim
