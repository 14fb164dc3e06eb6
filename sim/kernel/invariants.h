// Model invariants (issue 17): what must hold of the page cache after every engine
// activity, of an eviction when it happens, of a run's counters, and of the kernel
// when a run ends. Each check returns "" when it holds, else what broke, so that a
// test can show each one failing (tests/unit/test_invariants.cpp). They use only
// the mechanisms' public state, so they stay true whatever policy or page lifetime
// the kernel paths choose: refcounts, pins, list sizes, flags, counter sums.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "model/page_cache.h"
#include "sim/trace/counters.h"

namespace kiosim {

class Kernel;

// Reference counts never below zero; the LRU lists add up to the cache's pages;
// no more pages than the capacity; pinned, dirty and writeback pages among them.
std::string page_cache_problem(const PageCache& c);
// Reclaim may evict a page only when nothing holds it (a DMA, a pipe, an skb) and
// it is written (clean, not under writeback): shrink_folio_list's rules.
std::string eviction_problem(const PageCache& c, PageKey k);
// The counter identities: memory bus = 2 x CPU copy bytes + DMA bytes, syscalls by
// name sum to syscalls, each copy moved at least one byte, a mode switch pair per
// system call plus one per fault taken in user mode.
std::string counters_problem(const Counters& c);
// The derived figures of a run's JSON counters: copies per byte = bytes / payload,
// context switches = voluntary + involuntary.
std::string counters_json_problem(const nlohmann::ordered_json& c);
// At the end of a run: every thread finished with no CPU work left pending, no page
// still pinned by a DMA or an skb (pages a pipe holds aside), no dirty page counted
// twice. `pipe_pages` is how many page references pipes still hold.
std::string end_of_run_problem(const Kernel& k);

}  // namespace kiosim
