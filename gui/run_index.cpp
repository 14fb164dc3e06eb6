#include "gui/run_index.h"

#include <algorithm>
#include <map>

namespace kiosim::gui {

bool isMove(Kind k) { return k == Kind::cpu_copy || k == Kind::dma_copy || k == Kind::page_ref_move; }

bool isMark(Kind k) {
  switch (k) {
    case Kind::page_fault_minor: case Kind::page_fault_major: case Kind::cow_fault: case Kind::tlb_invalidate:
    case Kind::tlb_flush: case Kind::tlb_shootdown: case Kind::linearize: case Kind::journal_commit:
    case Kind::device_flush:
      return true;
    default:
      return false;
  }
}

RunIndex::RunIndex(const RunTrace& run)
    : kernel_(run.lanes.size()), laneEvents_(run.lanes.size()), laneMaxDur_(run.lanes.size(), 0) {
  std::map<std::uint32_t, std::int64_t> openSyscall;  // lane -> enter time
  std::vector<std::vector<Interval>> raw(run.lanes.size());
  for (std::uint32_t i = 0; i < run.events.size(); ++i) {
    const Event& e = run.events[i];
    if (e.observed) {  // the kernel's lanes: on the timeline only
      laneEvents_[e.lane].push_back(i);
      laneMaxDur_[e.lane] = std::max(laneMaxDur_[e.lane], e.dur);
      continue;
    }
    used_[static_cast<int>(e.from)] = true;
    used_[static_cast<int>(e.to)] = true;
    if (e.page >= 0 || e.kind == Kind::cache_insert) used_[static_cast<int>(Place::page_cache)] = true;
    if (e.kind == Kind::dma_copy && (e.from == Place::disk || e.to == Place::disk)) diskDma_ = true;
    if (e.kind == Kind::dma_copy && e.to == Place::wire) used_[static_cast<int>(Place::nic)] = true;
    if (e.kind == Kind::skb_build) used_[static_cast<int>(Place::socket_buffer)] = true;
    if (e.page >= 0) {
      if (e.file >= filePages_.size()) filePages_.resize(e.file + 1, 0);
      filePages_[e.file] = std::max(filePages_[e.file], e.page + static_cast<std::int64_t>(std::max<std::uint64_t>(e.pages, 1)));
    }
    laneEvents_[e.lane].push_back(i);
    laneMaxDur_[e.lane] = std::max(laneMaxDur_[e.lane], e.dur);
    if (isMove(e.kind)) {
      moves_.push_back(i);
      maxMoveDur_ = std::max(maxMoveDur_, e.dur);
      const std::pair<Place, Place> edge{e.from, e.to};
      if (e.from != Place::none && e.to != Place::none && std::find(edges_.begin(), edges_.end(), edge) == edges_.end())
        edges_.push_back(edge);
    }
    if (isMark(e.kind)) {
      marks_.push_back(i);
      maxMarkDur_ = std::max(maxMarkDur_, e.dur);
    }
    if (run.lanes[e.lane].kind != LaneKind::user) continue;
    if (e.kind == Kind::syscall_enter) openSyscall[e.lane] = e.t;
    if (e.kind == Kind::syscall_exit) {
      auto it = openSyscall.find(e.lane);
      if (it != openSyscall.end()) raw[e.lane].push_back({it->second, e.t});
      if (it != openSyscall.end()) openSyscall.erase(it);
    }
    if (e.userMode && e.dur > 0) raw[e.lane].push_back({e.t, e.end()});
  }
  for (const auto& [lane, t] : openSyscall) raw[lane].push_back({t, run.endNs});  // still inside at the end
  used_[static_cast<int>(Place::none)] = false;
  if (diskDma_) used_[static_cast<int>(Place::disk)] = true;

  laneLong_.resize(run.lanes.size());
  for (std::uint32_t i = 0; i < run.events.size(); ++i)
    if (run.events[i].dur * 4096 > run.endNs) laneLong_[run.events[i].lane].push_back(i);

  // Sort and merge, so "in the kernel at t" is one binary search.
  for (std::size_t l = 0; l < raw.size(); ++l) {
    auto& v = raw[l];
    std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
    for (const Interval& x : v) {
      if (!kernel_[l].empty() && x.begin <= kernel_[l].back().end) kernel_[l].back().end = std::max(kernel_[l].back().end, x.end);
      else kernel_[l].push_back(x);
    }
  }
}

bool RunIndex::inKernel(std::uint32_t lane, double ns) const {
  if (lane >= kernel_.size()) return false;
  const auto& v = kernel_[lane];
  auto it = std::upper_bound(v.begin(), v.end(), ns, [](double t, const Interval& i) { return t < static_cast<double>(i.begin); });
  if (it == v.begin()) return false;
  --it;
  // Zero-length syscalls still count at their instant, so stepping onto them shows the crossing.
  return ns < static_cast<double>(it->end) || (it->begin == it->end && ns == static_cast<double>(it->begin));
}

}  // namespace kiosim::gui
