// The page-cache lists view: the active and the inactive list as rows of cells, head
// on the left, tail (reclaim's next) on the right; each cell a page coloured by its
// file, marked dirty, under writeback, pinned (held by a pipe or an skb) or marked for
// reclaim; the pages the last event moved are outlined. Below: the file the last
// readahead read, with the window and its marker, and the threads throttled now
// (balance_dirty_pages, reclaim_throttle). Drawn from PageListsState and RunState.
#pragma once
#include <vector>

#include "gui/run_view.h"

namespace kiosim::gui {

// What the view draws, as data (the tests check it without pixels).
struct PageListsPicture {
  std::int64_t active = 0, inactive = 0, dirty = 0, writeback = 0, pinned = 0;
  std::int64_t pagesPerCell = 1;
  std::vector<CachedPage> moved;      // outlined: what the last event moved
  ReadaheadWindow readahead;
  QStringList throttled;              // the threads asleep, throttled, now
};

PageListsPicture pageListsPicture(const PageListsState& lists, const RunState& state, const RunTrace& run);

class PageListsView : public RunView {
  Q_OBJECT
 public:
  PageListsView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  ViewKind kind() const override { return ViewKind::page_cache; }
  PageListsPicture picture() const { return pageListsPicture(player_->pageLists(), player_->state(), player_->run()); }
  void render(QPainter& p, const QRectF& target) const override;
  static constexpr int kCols = 64, kRows = 8;  // cells per list
};

}  // namespace kiosim::gui
