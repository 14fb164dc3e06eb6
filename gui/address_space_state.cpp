#include "gui/address_space_state.h"

#include <algorithm>

namespace kiosim::gui {

namespace {
// Rows kept per address space: a touch may name millions of pages; the view shows a window.
constexpr std::size_t kMaxRows = 1 << 16;

QString processName(const QString& lane) {
  const int slash = lane.lastIndexOf(QLatin1Char('/'));
  return slash > 0 ? lane.left(slash) : lane;
}
}  // namespace

const Space* AddressSpaceState::space(std::int32_t mm) const {
  auto it = spaces_.find(mm);
  return it == spaces_.end() ? nullptr : &it->second;
}

Space& AddressSpaceState::spaceOf(const Event& e, const RunTrace& run) {
  Space& s = spaces_[e.mm];
  s.mm = e.mm;
  if (std::find(s.lanes.begin(), s.lanes.end(), e.lane) == s.lanes.end()) {
    s.lanes.push_back(e.lane);
    if (s.name.isEmpty() && e.lane < run.lanes.size()) s.name = processName(run.lanes[e.lane].name);
  }
  return s;
}

PteRow& AddressSpaceState::row(Space& s, std::int64_t vpage) {
  auto it = s.rows.find(vpage);
  if (it != s.rows.end()) return it->second;
  static PteRow overflow;  // past the cap: written, never drawn
  if (s.rows.size() >= kMaxRows) return overflow = PteRow{};
  return s.rows[vpage];
}

Space* AddressSpaceState::counterpart(const Space& s) {
  const std::int32_t other = s.parent >= 0 ? s.parent : s.child;
  auto it = spaces_.find(other);
  return other >= 0 && it != spaces_.end() && !it->second.exited ? &it->second : nullptr;
}

// A process whose threads have all ended (the header's `threads`) has gone: exit_mmap.
void AddressSpaceState::exitEnded(std::int64_t t, const RunTrace& run) {
  for (auto& [mm, s] : spaces_) {
    if (s.exited || s.lanes.empty()) continue;
    const bool ended = std::all_of(s.lanes.begin(), s.lanes.end(), [&](std::uint32_t l) {
      return l < run.lanes.size() && run.lanes[l].endNs >= 0 && run.lanes[l].endNs <= t;
    });
    if (!ended) continue;
    s.exited = true;
    if (auto it = spaces_.find(s.parent); s.parent >= 0 && it != spaces_.end())
      for (auto& [vp, r] : it->second.rows) r.shared = false;  // the frames have one mapper again
  }
}

void AddressSpaceState::apply(const Event& e, std::size_t index, const RunTrace& run) {
  ++applied_;
  exitEnded(e.t, run);
  if (e.observed) return;  // the kernel's own events (kernel_lanes.h)
  if (e.mm < 0 || e.lane >= run.lanes.size() || run.lanes[e.lane].kind != LaneKind::user) return;
  Space& s = spaceOf(e, run);
  const auto idx = static_cast<std::int64_t>(index);
  switch (e.kind) {
    case Kind::syscall_exit: {
      if (e.child < 0) break;
      // fork: the child gets the page table; private PTEs become read-only in both.
      ++forks_;
      Space& c = spaces_[e.child];
      c.mm = e.child;
      c.parent = s.mm;
      Space& p = spaces_[e.mm];  // s may have moved: re-find
      p.child = e.child;
      // The child may have run already (its thread starts inside fork): both ways.
      for (auto* from : {&p, &c})
        for (auto& [vp, r] : from->rows) {
          r.perm = Perm::read_only;
          r.shared = true;
          r.changedAt = idx;
          Space& to = from == &p ? c : p;
          if (!to.rows.count(vp) && to.rows.size() < kMaxRows) to.rows[vp] = r;
        }
      p.forkedPtes = static_cast<std::int64_t>(p.rows.size());
      focus_ = p.mm;
      break;
    }
    case Kind::tlb_miss: {
      if (e.page < 0) break;
      // A touch of `span` pages: each has a PTE now. After fork, one the fault did not
      // just map is the one fork shared (read-only in both).
      Space* o = counterpart(s);
      const std::int64_t n = std::min<std::int64_t>(e.span, static_cast<std::int64_t>(kMaxRows));
      for (std::int64_t vp = e.page; vp < e.page + n; ++vp) {
        if (s.rows.count(vp)) continue;
        PteRow& r = row(s, vp);
        if (o) {
          r.perm = Perm::read_only;
          r.shared = true;
          PteRow& twin = row(*o, vp);
          if (twin.perm == Perm::unknown) twin = r;
        }
      }
      break;
    }
    case Kind::page_fault_minor:
    case Kind::page_fault_major:
    case Kind::cow_fault: {
      if (e.page < 0) break;
      const bool reuse = e.kind == Kind::page_fault_minor && run.nameOf(e) == QLatin1String(schema::note::wp_page_reuse.data());
      if (e.kind == Kind::cow_fault && e.frame >= 0) {
        // wp_page_copy: a new frame for this PTE, writable; the old one keeps its other mapper.
        PteRow& r = row(s, e.page);
        r = PteRow{e.frame, Perm::writable, false, true, e.oldFrame, idx};
        ++s.cows;
        if (Space* o = counterpart(s)) {
          PteRow& twin = row(*o, e.page);
          if (twin.frame < 0) twin.frame = e.oldFrame;
          if (twin.perm == Perm::unknown) twin.perm = Perm::read_only;
          twin.shared = false;
          twin.changedAt = idx;
        }
      } else if (reuse && e.frame >= 0) {
        // wp_page_reuse: the last mapper of the frame gets write permission back.
        PteRow& r = row(s, e.page);
        r.frame = e.frame;
        r.perm = Perm::writable;
        r.shared = false;
        r.changedAt = idx;
        ++s.reuses;
      } else if (e.kind != Kind::cow_fault) {
        // A new mapping (fault-around maps `pages`).
        const std::int64_t n = std::clamp<std::int64_t>(static_cast<std::int64_t>(e.pages), 1, 4096);
        for (std::int64_t vp = e.page; vp < e.page + n; ++vp) row(s, vp).changedAt = idx;
      } else {
        break;
      }
      s.lastVpage = e.page;
      s.lastEvent = idx;
      focus_ = s.mm;
      break;
    }
    default: break;
  }
}

}  // namespace kiosim::gui
