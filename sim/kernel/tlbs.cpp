#include "sim/kernel/tlbs.h"

#include <algorithm>

namespace kiosim {

Tlbs::Tlbs(Accounting& acct) : acct_(acct) {
  tlbs_.assign(std::max<std::uint32_t>(1, acct.machine().cpu.cores), Tlb(acct.machine().tlb));
}

bool Tlbs::access(Thread& t, std::uint64_t vpage) {
  if (t.setup) return true;
  if (of(t.core).access(t.proc->mm.asid, vpage)) {
    acct_.count(t, &Counters::tlb_hits, 1);
    return true;
  }
  acct_.count(t, &Counters::tlb_misses, 1);
  acct_.cpu(t, TimeCat::tlb, acct_.machine().cpu.tlb_miss_ns);
  return false;
}

// `vpage` (first page), `mm`, `cpus` and `span` let a player of the trace (the GUI's
// TLB view) follow each core's entries.
void Tlbs::trace_tlb(Thread& t, EventKind kind, std::uint64_t pages, const char* why, std::int64_t vpage,
                     std::int64_t mm, std::uint64_t cpus, std::uint64_t span) {
  if (t.setup || !acct_.tracing()) return;
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = kind;
  e.name = why;
  e.pages = pages;
  e.page = vpage;
  e.mm = mm;
  e.cpus = cpus;
  e.span = span;
  acct_.trace(t, e);
}

std::uint64_t Tlbs::mask(const std::vector<std::uint32_t>& cores) {
  std::uint64_t m = 0;
  for (auto c : cores) m |= 1ULL << (c % 64);
  return m;
}

void Tlbs::trace_misses(Thread& t, std::uint64_t misses, std::uint64_t first, std::uint64_t span) {
  if (misses) trace_tlb(t, EventKind::tlb_miss, misses, "page walks of a touch", std::int64_t(first), -1, 0, span);
}

void Tlbs::flush_pages(Thread& t, const std::vector<std::uint64_t>& vpages) {
  if (vpages.empty()) return;
  const Machine& m = acct_.machine();
  AddressSpace& mm = t.proc->mm;
  const bool full = vpages.size() > m.mm.flush_threshold;
  auto flush_core = [&](Tlb& tlb) {
    if (full) tlb.flush(mm.asid);
    else
      for (auto vp : vpages) tlb.invalidate(mm.asid, vp);
  };
  flush_core(of(t.core));
  if (full) {
    acct_.count(t, &Counters::tlb_flushes, 1);
    acct_.cpu(t, TimeCat::tlb, m.cpu.tlb_invalidate_ns);
    trace_tlb(t, EventKind::tlb_flush, vpages.size(), "more pages than mm.flush_threshold: a full flush");
  } else {
    acct_.count(t, &Counters::tlb_invalidations, vpages.size());
    acct_.cpu(t, TimeCat::tlb, double(vpages.size()) * m.cpu.tlb_invalidate_ns);
    // One event per run of consecutive pages, so each names its pages by `page`.
    std::vector<std::uint64_t> sorted = vpages;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size();) {
      std::size_t j = i + 1;
      while (j < sorted.size() && sorted[j] == sorted[j - 1] + 1) ++j;
      trace_tlb(t, EventKind::tlb_invalidate, j - i, "invlpg", std::int64_t(sorted[i]));
      i = j;
    }
  }
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) flush_core(of(c));
  if (!targets.empty()) {
    acct_.count(t, &Counters::tlb_shootdowns, targets.size());
    acct_.cpu(t, TimeCat::tlb, double(targets.size()) * m.cpu.ipi_ns);
    if (!t.setup && acct_.tracing()) {
      acct_.flush_cpu(t);  // the initiator waited for the acknowledgements
      trace_tlb(t, EventKind::tlb_shootdown, targets.size(), "shootdown IPIs to the mm's other cores", -1, -1,
                mask(targets));
    }
  }
}

void Tlbs::flush_mm(Thread& t) {
  const Machine& m = acct_.machine();
  AddressSpace& mm = t.proc->mm;
  of(t.core).flush(mm.asid);
  acct_.count(t, &Counters::tlb_flushes, 1);
  acct_.cpu(t, TimeCat::tlb, m.cpu.tlb_invalidate_ns);
  trace_tlb(t, EventKind::tlb_flush, 0, "flush_tlb_mm");
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) of(c).flush(mm.asid);
  acct_.count(t, &Counters::tlb_shootdowns, targets.size());
  acct_.cpu(t, TimeCat::tlb, double(targets.size()) * m.cpu.ipi_ns);
  if (!targets.empty())
    trace_tlb(t, EventKind::tlb_shootdown, targets.size(), "shootdown IPIs to the mm's other cores", -1, -1,
              mask(targets));
}

void Tlbs::invalidate_everywhere(AddressSpace& mm, std::uint64_t vpage) {
  for (auto& tlb : tlbs_) tlb.invalidate(mm.asid, vpage);
}

void Tlbs::unmap_page(Thread& t, AddressSpace& mm, std::uint64_t vpage, const char* why) {
  const Machine& m = acct_.machine();
  of(t.core).invalidate(mm.asid, vpage);
  acct_.count(t, &Counters::tlb_invalidations, 1);
  acct_.cpu(t, TimeCat::tlb, m.cpu.tlb_invalidate_ns);
  trace_tlb(t, EventKind::tlb_invalidate, 1, why, std::int64_t(vpage), mm.asid);
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) of(c).invalidate(mm.asid, vpage);
  if (targets.empty()) return;
  acct_.count(t, &Counters::tlb_shootdowns, targets.size());
  acct_.cpu(t, TimeCat::tlb, double(targets.size()) * m.cpu.ipi_ns);
  trace_tlb(t, EventKind::tlb_shootdown, targets.size(), (std::string(why) + ": shootdown IPIs").c_str(), -1, mm.asid,
            mask(targets));
}

void Tlbs::drop_asid(std::uint32_t asid) {
  for (auto& tlb : tlbs_) tlb.flush(asid);
}

}  // namespace kiosim
