#include "sim/kernel/tlbs.h"

#include <algorithm>

namespace kiosim {

Tlbs::Tlbs(Accounting& acct) : acct_(acct) {
  tlbs_.assign(std::max<std::uint32_t>(1, acct.machine().cpu.cores), Tlb(acct.machine().tlb));
}

void Tlbs::access(Thread& t, std::uint64_t vpage) {
  if (t.setup) return;
  if (of(t.core).access(t.proc->mm.asid, vpage)) {
    acct_.count(t, &Counters::tlb_hits, 1);
    return;
  }
  acct_.count(t, &Counters::tlb_misses, 1);
  acct_.cpu(t, TimeCat::tlb, acct_.machine().cpu.tlb_miss_ns);
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
  } else {
    acct_.count(t, &Counters::tlb_invalidations, vpages.size());
    acct_.cpu(t, TimeCat::tlb, double(vpages.size()) * m.cpu.tlb_invalidate_ns);
  }
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) flush_core(of(c));
  if (!targets.empty()) {
    acct_.count(t, &Counters::tlb_shootdowns, targets.size());
    acct_.cpu(t, TimeCat::tlb, double(targets.size()) * m.cpu.ipi_ns);
    if (!t.setup && acct_.tracing()) {
      acct_.flush_cpu(t);
      TraceEvent e;
      e.t_ns = std::int64_t(acct_.now());
      e.kind = EventKind::tlb_flush;
      e.name = "shootdown IPI";
      e.pages = vpages.size();
      acct_.trace(t, e);
    }
  }
}

void Tlbs::flush_mm(Thread& t) {
  const Machine& m = acct_.machine();
  AddressSpace& mm = t.proc->mm;
  of(t.core).flush(mm.asid);
  acct_.count(t, &Counters::tlb_flushes, 1);
  acct_.cpu(t, TimeCat::tlb, m.cpu.tlb_invalidate_ns);
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) of(c).flush(mm.asid);
  acct_.count(t, &Counters::tlb_shootdowns, targets.size());
  acct_.cpu(t, TimeCat::tlb, double(targets.size()) * m.cpu.ipi_ns);
}

void Tlbs::drop_asid(std::uint32_t asid) {
  for (auto& tlb : tlbs_) tlb.flush(asid);
}

}  // namespace kiosim
