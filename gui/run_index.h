// Facts about one run that every frame asks for, computed once when it is loaded:
// which boxes it uses, when each user thread is in the kernel, the events per lane.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

struct Interval {
  std::int64_t begin = 0, end = 0;
};

class RunIndex {
 public:
  explicit RunIndex(const RunTrace& run);

  bool uses(Place p) const { return used_[static_cast<int>(p)]; }
  bool usesDiskDma() const { return diskDma_; }
  // Kernel-mode intervals of a user lane (syscalls and user-mode faults), sorted, merged.
  const std::vector<Interval>& kernelIntervals(std::uint32_t lane) const { return kernel_[lane]; }
  bool inKernel(std::uint32_t lane, double ns) const;
  // Event indexes per lane, in time order, and the longest duration there (for range searches).
  const std::vector<std::uint32_t>& laneEvents(std::uint32_t lane) const { return laneEvents_[lane]; }
  std::int64_t laneMaxDur(std::uint32_t lane) const { return laneMaxDur_[lane]; }
  // The lane's events longer than 1/4096 of the run: few, and drawn even where short ones are thinned.
  const std::vector<std::uint32_t>& laneLongEvents(std::uint32_t lane) const { return laneLong_[lane]; }
  // The events that move data (CPU copy, DMA, page reference), in time order.
  const std::vector<std::uint32_t>& moves() const { return moves_; }
  std::int64_t maxMoveDur() const { return maxMoveDur_; }
  // The events drawn as marks (faults, CoW, TLB, linearize, journal), in time order.
  const std::vector<std::uint32_t>& marks() const { return marks_; }
  std::int64_t maxMarkDur() const { return maxMarkDur_; }
  std::int64_t filePages(std::uint32_t file) const { return file < filePages_.size() ? filePages_[file] : 0; }
  std::size_t files() const { return filePages_.size(); }
  // Each (from, to) pair that data moves along in this run: the edges to draw.
  const std::vector<std::pair<Place, Place>>& edges() const { return edges_; }

 private:
  std::array<bool, static_cast<int>(Place::count_)> used_{};
  bool diskDma_ = false;
  std::vector<std::vector<Interval>> kernel_;
  std::vector<std::vector<std::uint32_t>> laneEvents_;
  std::vector<std::int64_t> laneMaxDur_;
  std::vector<std::vector<std::uint32_t>> laneLong_;
  std::vector<std::uint32_t> moves_, marks_;
  std::int64_t maxMoveDur_ = 0, maxMarkDur_ = 0;
  std::vector<std::int64_t> filePages_;
  std::vector<std::pair<Place, Place>> edges_;
};

bool isMove(Kind k);
bool isMark(Kind k);

}  // namespace kiosim::gui
