// Every replacement policy with its class, for code that wants the concrete type
// (cache-replay's engine is a template over it, so the hot loop calls no virtual
// function). The names and enumerators are KIOSIM_CACHE_POLICIES in
// replacement_policy.h; here each gets its class and its constructor's arguments.
#pragma once
#include <cstdint>
#include <utility>

#include "model/arc_policy.h"
#include "model/clock_policy.h"
#include "model/fifo_policy.h"
#include "model/linux_policy.h"
#include "model/lru_policy.h"
#include "model/opt_policy.h"
#include "model/rand_policy.h"
#include "model/two_list_policy.h"

namespace kiosim {

struct PolicyParams {
  ReplacementPolicy::Observer* obs = nullptr;
  std::uint64_t capacity_pages = 0;
  std::uint64_t seed = 1;
};

// X(enumerator, class, constructor arguments from `p`, a PolicyParams).
#define KIOSIM_POLICY_CLASSES(X)                          \
  X(two_list, TwoListPolicy, (p.obs, p.capacity_pages))   \
  X(lru, LruPolicy, ())                                   \
  X(linux_lru, LinuxPolicy, (p.obs))                      \
  X(fifo, FifoPolicy, ())                                 \
  X(rand, RandPolicy, (p.seed))                           \
  X(clock, ClockPolicy, ())                               \
  X(opt, OptPolicy, ())                                   \
  X(arc, ArcPolicy, (p.capacity_pages))

// Calls f(policy) with a new policy of kind `c`, of its own class; returns f's result.
template <class F>
decltype(auto) with_policy(CachePolicy c, const PolicyParams& p, F&& f) {
  switch (c) {
#define KIOSIM_X(e, Class, args) \
  case CachePolicy::e: {         \
    Class policy = Class args;   \
    return std::forward<F>(f)(policy); \
  }
    KIOSIM_POLICY_CLASSES(KIOSIM_X)
#undef KIOSIM_X
  }
  TwoListPolicy policy(p.obs, p.capacity_pages);
  return std::forward<F>(f)(policy);
}

}  // namespace kiosim
