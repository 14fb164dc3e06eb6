#include "sim/kernel/invariants.h"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/kernel/kernel.h"

namespace kiosim {

std::string page_cache_problem(const PageCache& c) {
  if (c.stats().put_underflows)
    return fmt::format("a page reference count went below zero ({} put() of a page nobody held)",
                       c.stats().put_underflows);
  const std::uint64_t listed =
      c.list_size(LruList::inactive) + c.list_size(LruList::active) + c.list_size(LruList::none);
  if (listed != c.size())
    return fmt::format("the LRU lists hold {} pages and the cache {}", listed, c.size());
  if (c.size() > c.capacity()) return fmt::format("the cache holds {} pages, above its {}", c.size(), c.capacity());
  if (c.pinned_pages() > c.size() || c.dirty_pages() > c.size() || c.writeback_pages() > c.size())
    return fmt::format("{} pinned, {} dirty and {} writeback pages in a cache of {}", c.pinned_pages(),
                       c.dirty_pages(), c.writeback_pages(), c.size());
  return "";
}

std::string eviction_problem(const PageCache& c, PageKey k) {
  std::string page = fmt::format("page {}:{}", k.file, k.index);
  if (c.refcount(k) > 0) return page + " was evicted while a DMA, a pipe or an skb held it";
  if (c.is_dirty(k)) return page + " was evicted dirty, before it was written";
  if (c.under_writeback(k)) return page + " was evicted while being written";
  return "";
}

std::string counters_problem(const Counters& c) {
  if (c.memory_bus_bytes != 2 * c.cpu_copy_bytes + c.dma_bytes)
    return fmt::format("memory_bus_bytes {} is not 2 x cpu_copy_bytes {} + dma_bytes {}", c.memory_bus_bytes,
                       c.cpu_copy_bytes, c.dma_bytes);
  std::uint64_t by_name = 0;
  for (const auto& kv : c.syscalls_by_name) by_name += kv.second;
  if (by_name != c.syscalls) return fmt::format("syscalls by name sum to {}, not syscalls {}", by_name, c.syscalls);
  if (c.cpu_copies > c.cpu_copy_bytes || (c.cpu_copies == 0) != (c.cpu_copy_bytes == 0))
    return fmt::format("{} CPU copies of {} bytes", c.cpu_copies, c.cpu_copy_bytes);
  if (c.dma_copies > c.dma_bytes || (c.dma_copies == 0) != (c.dma_bytes == 0))
    return fmt::format("{} DMA copies of {} bytes", c.dma_copies, c.dma_bytes);
  // 2 per system call, 2 per fault taken in user mode (a fault inside a call adds none).
  const std::uint64_t faults = c.page_faults_minor + c.page_faults_major + c.cow_faults;
  if (c.mode_switches < 2 * c.syscalls || (c.mode_switches - 2 * c.syscalls) % 2 ||
      c.mode_switches - 2 * c.syscalls > 2 * faults)
    return fmt::format("{} mode switches for {} system calls and {} faults", c.mode_switches, c.syscalls, faults);
  return "";
}

std::string counters_json_problem(const nlohmann::ordered_json& c) {
  auto num = [&](const char* k) { return c.at(k).get<double>(); };
  const double payload = num("payload_bytes");
  for (auto [ratio, bytes] : {std::pair{"cpu_copies_per_byte", "cpu_copy_bytes"}, {"dma_copies_per_byte", "dma_bytes"}}) {
    double want = payload > 0 ? num(bytes) / payload : 0;
    if (std::fabs(num(ratio) - want) > 1e-9 * std::max(1.0, want))
      return fmt::format("{} is {}, and {} / payload_bytes is {}", ratio, num(ratio), bytes, want);
  }
  if (num("context_switches") != num("context_switches_voluntary") + num("context_switches_involuntary"))
    return "context_switches is not voluntary + involuntary";
  return "";
}

std::string end_of_run_problem(const Kernel& k) {
  for (const auto& t : k.threads()) {
    for (double p : t->pending)
      if (p != 0) return fmt::format("thread `{}` ended with CPU work never executed", t->name);
  }
  const PageCache& c = k.page_cache();
  if (k.pipes_empty() && c.pinned_pages())
    return fmt::format("{} pages are still pinned when the run ends: a DMA, an skb or a copy that never completed",
                       c.pinned_pages());
  return page_cache_problem(c);
}

}  // namespace kiosim
