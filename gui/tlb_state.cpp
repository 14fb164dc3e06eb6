#include "gui/tlb_state.h"

#include <algorithm>

namespace kiosim::gui {

namespace {
constexpr std::int64_t kMaxSpan = 1 << 22;  // pages of one touch replayed

std::uint32_t key(const TraceData& t, const char* name, std::uint32_t fallback) {
  bool ok = false;
  const std::uint32_t v = t.machineKeys.value(QString::fromLatin1(name)).toUInt(&ok);
  return ok && v > 0 ? v : fallback;
}
}  // namespace

TlbState::TlbState(const TraceData& trace) {
  params_.entries = key(trace, "tlb.entries", params_.entries);
  params_.ways = key(trace, "tlb.ways", params_.ways);
  const std::uint32_t n = std::min<std::uint32_t>(64, key(trace, "cpu.cores", 1));
  for (std::uint32_t i = 0; i < n; ++i) cores_.emplace_back(params_);
}

CoreTlb& TlbState::core(std::int32_t c) {
  const auto i = static_cast<std::size_t>(std::max(0, c));
  while (cores_.size() <= i && cores_.size() < 64) cores_.emplace_back(params_);
  return cores_[std::min(i, cores_.size() - 1)];
}

void TlbState::note(CoreTlb& c, std::size_t index, std::uint32_t lane) {
  if (c.lastChange != static_cast<std::int64_t>(index)) {
    c.changed.clear();
    c.flushedLast = false;
  }
  c.lastChange = static_cast<std::int64_t>(index);
  if (lane != ~0u && std::find(c.lanes.begin(), c.lanes.end(), lane) == c.lanes.end()) c.lanes.push_back(lane);
}

void TlbState::invalidate(CoreTlb& c, const Op& op) {
  if (op.mm < 0) return;
  const auto asid = static_cast<std::uint32_t>(op.mm);
  if (op.flush) {
    c.tlb.flush(asid);
    ++c.flushes;
    c.flushedLast = true;
    return;
  }
  for (const auto& [first, n] : op.ranges)
    for (std::int64_t vp = first; vp < first + n; ++vp) {
      const auto v = static_cast<std::uint64_t>(vp);
      for (std::uint32_t w = 0; w < c.tlb.ways(); ++w) {
        const auto s = c.tlb.slot(static_cast<std::uint32_t>(v % c.tlb.sets()), w);
        if (s.valid && s.asid == asid && s.vpage == v) c.changed.emplace_back(static_cast<std::uint32_t>(v % c.tlb.sets()), w);
      }
      c.invalidations += c.tlb.invalidate(asid, v);
    }
}

// exit_mmap drops an address space's translations everywhere (when all its threads ended).
void TlbState::dropEnded(std::int64_t t, const RunTrace& run) {
  for (std::size_t l = 0; l < laneMm_.size() && l < run.lanes.size(); ++l) {
    if (laneDropped_[l] || laneMm_[l] < 0 || run.lanes[l].endNs < 0 || run.lanes[l].endNs > t) continue;
    bool all = true;
    for (std::size_t o = 0; o < laneMm_.size() && o < run.lanes.size(); ++o)
      if (laneMm_[o] == laneMm_[l] && (run.lanes[o].endNs < 0 || run.lanes[o].endNs > t)) all = false;
    if (!all) continue;
    for (std::size_t o = 0; o < laneMm_.size(); ++o)
      if (laneMm_[o] == laneMm_[l]) laneDropped_[o] = true;
    for (CoreTlb& c : cores_) c.tlb.flush(static_cast<std::uint32_t>(laneMm_[l]));
  }
}

void TlbState::apply(const Event& e, std::size_t index, const RunTrace& run) {
  ++applied_;
  if (e.observed) return;  // the kernel's own events (kernel_lanes.h)
  if (laneMm_.size() < run.lanes.size()) {
    laneMm_.resize(run.lanes.size(), -1);
    laneDropped_.resize(run.lanes.size(), false);
    lastOp_.resize(run.lanes.size());
  }
  dropEnded(e.t, run);
  if (e.mm < 0 || e.core < 0 || e.lane >= laneMm_.size()) return;
  laneMm_[e.lane] = e.mm;
  const auto asid = static_cast<std::uint32_t>(e.mm);
  switch (e.kind) {
    case Kind::tlb_miss: {
      if (e.page < 0) return;
      CoreTlb& c = core(e.core);
      note(c, index, e.lane);
      std::uint64_t misses = 0;
      const std::int64_t n = std::min<std::int64_t>(e.span, kMaxSpan);
      for (std::int64_t vp = e.page; vp < e.page + n; ++vp) {
        const auto v = static_cast<std::uint64_t>(vp);
        if (c.tlb.access(asid, v)) continue;
        ++misses;
        const auto set = static_cast<std::uint32_t>(v % c.tlb.sets());
        for (std::uint32_t w = 0; w < c.tlb.ways(); ++w) {
          const auto s = c.tlb.slot(set, w);
          if (s.valid && s.asid == asid && s.vpage == v) c.changed.emplace_back(set, w);
        }
      }
      if (c.changed.size() > 256) c.changed.erase(c.changed.begin(), c.changed.end() - 256);
      c.fills += misses;
      replayedMisses_ += misses;
      if (misses != e.pages) ++mismatches_;
      return;
    }
    case Kind::tlb_invalidate: {
      if (e.page < 0) return;
      Op& op = lastOp_[e.lane];
      const bool continues = index > 0 && run.events[index - 1].kind == Kind::tlb_invalidate && run.events[index - 1].lane == e.lane;
      if (!continues || op.flush) op = Op{};
      op.mm = e.mm;
      op.ranges.emplace_back(e.page, std::max<std::int64_t>(1, static_cast<std::int64_t>(e.pages)));
      CoreTlb& c = core(e.core);
      note(c, index, e.lane);
      invalidate(c, Op{false, e.mm, {op.ranges.back()}});
      return;
    }
    case Kind::tlb_flush: {
      lastOp_[e.lane] = Op{true, e.mm, {}};
      CoreTlb& c = core(e.core);
      note(c, index, e.lane);
      invalidate(c, lastOp_[e.lane]);
      return;
    }
    case Kind::tlb_shootdown: {
      shootdowns_.push_back({e.core, e.cpus, index});
      for (int t = 0; t < 64; ++t) {
        if (!(e.cpus >> t & 1)) continue;
        CoreTlb& c = core(t);
        note(c, index, ~0u);  // the initiator's lane does not run there
        ++c.ipisReceived;
        invalidate(c, lastOp_[e.lane]);
      }
      return;
    }
    default: {
      CoreTlb& c = core(e.core);
      if (std::find(c.lanes.begin(), c.lanes.end(), e.lane) == c.lanes.end()) c.lanes.push_back(e.lane);
      return;
    }
  }
}

}  // namespace kiosim::gui
