// The seam between the page cache and its replacement policy, after gem5's
// replacement_policies/ and Linux's LRU lists (mm/swap.c, mm/vmscan.c).
// The cache owns the pages; a policy only orders them by slot number.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace kiosim {

using Slot = std::uint32_t;
inline constexpr Slot kNoSlot = 0xffffffffu;
inline constexpr std::uint64_t kNoShadow = ~0ULL;  // a policy that keeps no shadow entries

enum class LruList : std::uint8_t { none, inactive, active };

// Every policy, once: X(enumerator, name). The order is the enum's (machine
// profiles store the number): append. model/policy_registry.cpp maps each to its
// class. linux_lru is the policy named "linux" (GCC predefines a macro `linux`).
#define KIOSIM_CACHE_POLICIES(X) \
  X(two_list, "two_list")        \
  X(lru, "lru")                  \
  X(linux_lru, "linux")          \
  X(fifo, "fifo")                \
  X(rand, "rand")                \
  X(clock, "clock")              \
  X(opt, "opt")                  \
  X(arc, "arc")

enum class CachePolicy : std::uint8_t {
#define KIOSIM_X(e, name) e,
  KIOSIM_CACHE_POLICIES(KIOSIM_X)
#undef KIOSIM_X
};
std::string_view to_string(CachePolicy p);
std::optional<CachePolicy> parse_cache_policy(std::string_view s);
std::vector<std::string_view> cache_policy_names();  // in enum order

class ReplacementPolicy {
 public:
  // Told about list moves that the course counts (activation, deactivation).
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void on_activate(Slot s) = 0;
    virtual void on_deactivate(Slot s) = 0;
  };

  virtual ~ReplacementPolicy() = default;
  virtual void insert(Slot s) = 0;  // a page enters the cache (after a miss)
  virtual void touch(Slot s) = 0;   // a hit
  // The first access of a page that readahead brought in (it has not been used
  // yet, so this is its first use, not a re-use). Default: a hit like any other.
  virtual void first_use(Slot s) { touch(s); }
  virtual void remove(Slot s) = 0;  // eviction or invalidation
  // The next reclaim candidate (the tail), or kNoSlot when the cache is empty.
  virtual Slot victim() const = 0;
  // A candidate that cannot go now (pinned, referenced) goes back to the head of its list.
  virtual void rotate(Slot s) = 0;
  // folio_rotate_reclaimable (mm/swap.c lru_move_tail): the writeback of a page reclaim
  // marked PG_reclaim has ended: it moves to the inactive *tail*, PG_active cleared, to
  // be reclaimed next. No activation or deactivation is counted (Linux: PGROTATED).
  // Only the page cache's policies (two_list, lru, linux) see it: cache-replay writes a
  // dirty victim back at once and marks nothing PG_reclaim, so fifo, rand, clock, opt and
  // arc keep this default, which a page cache with them would need replaced.
  virtual void rotate_reclaimable(Slot s) { rotate(s); }
  virtual LruList list_of(Slot s) const = 0;
  virtual std::size_t size(LruList l) const = 0;
  // Head first; for tests, the trace and the GUI.
  virtual std::vector<Slot> order(LruList l) const = 0;

  // What reclaim asks of a policy that models more of mm/vmscan.c and mm/workingset.c
  // (linux_policy.h). The defaults suit a policy without these ideas.
  // folio_check_references found a mapped page referenced through its PTEs: activate it.
  virtual void activate(Slot s) { touch(s); }
  // PG_referenced: folio_test_clear_referenced / folio_set_referenced.
  virtual bool test_clear_referenced(Slot) { return false; }
  virtual void set_referenced(Slot) {}
  // Reclaim is about to take a victim (shrink_lruvec: shrink_active_list first).
  virtual void age_active() {}
  // workingset_eviction: the shadow entry a page leaves behind, or kNoShadow.
  virtual std::uint64_t eviction_shadow(Slot) { return kNoShadow; }
  // A page enters the cache where it left a shadow entry (workingset_refault).
  virtual void insert_refault(Slot s, std::uint64_t /*shadow*/) { insert(s); }

  // What a trace replay can tell a policy that studies replacement (cache-replay).
  // The time of the next access to `s` after the current one (kNever: none), told
  // before insert or touch: the future that Belady's `opt` needs.
  static constexpr std::uint64_t kNever = ~0ULL;
  virtual void next_use(Slot, std::uint64_t /*when*/) {}
  // A miss is about to make room for a page whose shadow is `shadow` (kNoShadow:
  // none): ARC adapts its target and picks its victim list before reclaim runs.
  virtual void before_insert(std::uint64_t /*shadow*/) {}
  // How many shadow entries the cache should keep, at most (0: every one until
  // it refaults). The page cache keeps twice its capacity (page_cache.h).
  virtual std::uint64_t shadow_limit(std::uint64_t capacity_pages) const { return 2 * capacity_pages; }
};

// `capacity_pages` is the cache's size; two_list takes its inactive ratio from it,
// arc its target bounds; `seed` seeds rand.
std::unique_ptr<ReplacementPolicy> make_policy(CachePolicy p, ReplacementPolicy::Observer* obs,
                                               std::uint64_t capacity_pages, std::uint64_t seed = 1);

// Intrusive doubly-linked lists over slot numbers: O(1) moves, no allocation per move.
class SlotLists {
 public:
  static constexpr int kLists = 3;  // indexed by LruList
  // Inline: a replay moves a page tens of millions of times a second.
  void ensure(Slot s) {
    if (s >= links_.size()) grow(s);
  }
  void push_head(LruList l, Slot s) {
    ensure(s);
    const int i = int(l);
    Link& n = links_[s];
    n.prev = kNoSlot;
    n.next = head_[i];
    if (head_[i] != kNoSlot) links_[head_[i]].prev = s; else tail_[i] = s;
    head_[i] = s;
    n.list = l;
    ++size_[i];
  }
  void push_tail(LruList l, Slot s) {
    ensure(s);
    const int i = int(l);
    Link& n = links_[s];
    n.next = kNoSlot;
    n.prev = tail_[i];
    if (tail_[i] != kNoSlot) links_[tail_[i]].next = s; else head_[i] = s;
    tail_[i] = s;
    n.list = l;
    ++size_[i];
  }
  void unlink(Slot s) {
    if (s >= links_.size() || links_[s].list == LruList::none) return;
    Link& n = links_[s];
    const int i = int(n.list);
    if (n.prev != kNoSlot) links_[n.prev].next = n.next; else head_[i] = n.next;
    if (n.next != kNoSlot) links_[n.next].prev = n.prev; else tail_[i] = n.prev;
    n.prev = n.next = kNoSlot;
    n.list = LruList::none;
    --size_[i];
  }
  Slot head(LruList l) const { return head_[int(l)]; }
  Slot tail(LruList l) const { return tail_[int(l)]; }
  Slot next(Slot s) const { return links_[s].next; }
  LruList list_of(Slot s) const { return s < links_.size() ? links_[s].list : LruList::none; }
  std::size_t size(LruList l) const { return size_[int(l)]; }
  std::vector<Slot> order(LruList l) const;

 private:
  void grow(Slot s);
  struct Link {  // one cache line holds five of these: a move touches few lines
    Slot prev = kNoSlot, next = kNoSlot;
    LruList list = LruList::none;
  };
  std::vector<Link> links_;
  Slot head_[kLists] = {kNoSlot, kNoSlot, kNoSlot};
  Slot tail_[kLists] = {kNoSlot, kNoSlot, kNoSlot};
  std::size_t size_[kLists] = {0, 0, 0};
};

}  // namespace kiosim
