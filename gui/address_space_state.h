// The address spaces of a run as its trace tells them (docs/TRACE.md: `mm`, `child`,
// `frame`, `old_frame`, `span`): each process's PTEs (virtual page -> frame, read-only
// or writable), which frames a parent and its forked child share, and the CoW copies
// and re-pointings (mm/memory.c wp_page_copy, wp_page_reuse; kernel/fork.c
// copy_page_range). Built by applying events in order; the GUI's address-spaces view
// draws it. Only what events say is known: a frame number appears when a fault names it.
#pragma once
#include <QString>
#include <cstdint>
#include <map>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

enum class Perm : std::uint8_t { unknown, read_only, writable };

struct PteRow {
  std::int64_t frame = -1;       // -1: not named by any event yet
  Perm perm = Perm::unknown;
  bool shared = false;           // the frame is mapped by the parent and the child
  bool copied = false;           // a CoW gave this PTE a new frame
  std::int64_t copiedFrom = -1;  // the frame it was copied from
  std::int64_t changedAt = -1;   // the event (index in the run) that last changed it
};

struct Space {
  std::int32_t mm = -1;
  QString name;                  // the process (its first thread's lane, "/0" dropped)
  std::vector<std::uint32_t> lanes;
  std::int32_t parent = -1, child = -1;
  std::map<std::int64_t, PteRow> rows;  // by virtual page
  std::int64_t lastVpage = -1, lastEvent = -1;
  std::int64_t forkedPtes = 0;   // PTEs write-protected and shared by fork (known rows)
  int cows = 0, reuses = 0;
  bool exited = false;
};

class AddressSpaceState {
 public:
  void apply(const Event& e, std::size_t index, const RunTrace& run);
  std::size_t applied() const { return applied_; }
  const std::map<std::int32_t, Space>& spaces() const { return spaces_; }
  const Space* space(std::int32_t mm) const;
  // The space of the most recent event that changed a PTE (or -1).
  std::int32_t focus() const { return focus_; }
  bool usesFork() const { return forks_ > 0; }

 private:
  Space& spaceOf(const Event& e, const RunTrace& run);
  PteRow& row(Space& s, std::int64_t vpage);
  Space* counterpart(const Space& s);
  void exitEnded(std::int64_t t, const RunTrace& run);

  std::size_t applied_ = 0;
  std::map<std::int32_t, Space> spaces_;
  std::int32_t focus_ = -1;
  int forks_ = 0;
};

}  // namespace kiosim::gui
