#include "gui/page_lists_view.h"

#include <algorithm>

namespace kiosim::gui {

namespace {
constexpr double kW = kCanvasWidth, kH = kCanvasHeight;
const QColor kReclaim("#C00000");

QColor fileColor(std::uint32_t file, const Theme& t) {
  QColor c = seriesColor(file + 4);  // sky blue first: the active list is blue
  return t.presentation ? c.darker(110) : c.lighter(130);
}

struct Cell {
  std::uint32_t file = 0;
  bool dirty = false, writeback = false, pinned = false, reclaim = false, moved = false;
};
}  // namespace

PageListsPicture pageListsPicture(const PageListsState& lists, const RunState& state, const RunTrace& run) {
  PageListsPicture pic;
  pic.active = static_cast<std::int64_t>(lists.active().size());
  pic.inactive = static_cast<std::int64_t>(lists.inactive().size());
  pic.dirty = static_cast<std::int64_t>(lists.dirtyPages());
  pic.writeback = static_cast<std::int64_t>(lists.writebackPages());
  pic.pinned = state.pinnedPages();
  const std::int64_t most = std::max(pic.active, pic.inactive), cells = PageListsView::kCols * PageListsView::kRows;
  pic.pagesPerCell = std::max<std::int64_t>(1, (most + cells - 1) / cells);
  if (lists.movedAt() + 1 == lists.applied()) pic.moved = lists.moved();
  pic.readahead = lists.readahead();
  for (const Throttle& th : lists.throttled())
    pic.throttled << QStringLiteral("%1 (%2)").arg(th.lane < run.lanes.size() ? run.lanes[th.lane].name : QStringLiteral("?"),
                                                  th.reclaim ? QStringLiteral("reclaim_throttle") : QStringLiteral("balance_dirty_pages"));
  return pic;
}

PageListsView::PageListsView(RunPlayer* player, const Theme* theme, QWidget* parent) : RunView(player, theme, parent) {
  setObjectName(QStringLiteral("page-cache:") + player->run().name);
}

void PageListsView::render(QPainter& p, const QRectF& target) const {
  const Theme& t = *theme_;
  const PageListsState& lists = player_->pageLists();
  const RunState& state = player_->state();
  const RunTrace& run = player_->run();
  const PageListsPicture pic = pageListsPicture(lists, state, run);
  beginCanvas(p, target, t);
  auto font = [&](double pt, bool bold = false) { return t.canvasFont(pt, bold); };

  p.setPen(t.foreground);
  p.setFont(font(9, true));
  p.drawText(QRectF(20, 6, kW - 40, 30), Qt::AlignLeft | Qt::AlignVCenter, tr("The page cache's lists · %1").arg(run.name));
  p.setFont(font(7));
  p.drawText(QRectF(20, 34, kW - 40, 20), Qt::AlignLeft | Qt::AlignVCenter,
             tr("%1 active · %2 inactive · %3 dirty · %4 under writeback · %5 pinned · %6 evicted · %7 read ahead")
                 .arg(pic.active).arg(pic.inactive).arg(pic.dirty).arg(pic.writeback).arg(pic.pinned).arg(lists.evictions())
                 .arg(lists.readaheadPages()));

  auto isMoved = [&](const CachedPage& c) { return std::find(pic.moved.begin(), pic.moved.end(), c) != pic.moved.end(); };
  auto drawList = [&](const std::list<CachedPage>& list, const QRectF& r, const QString& title, const QColor& accent) {
    p.setPen(QPen(accent, t.lineWidth));
    p.setBrush(t.boxFill);
    p.drawRoundedRect(r, 6, 6);
    p.setPen(t.foreground);
    p.setFont(font(7.5, true));
    p.drawText(QRectF(r.left() + 10, r.top() + 2, r.width() - 20, 22), Qt::AlignLeft | Qt::AlignVCenter, title);
    p.setFont(font(6.5));
    p.setPen(t.muted);
    p.drawText(QRectF(r.left() + 10, r.top() + 2, r.width() - 20, 22), Qt::AlignRight | Qt::AlignVCenter,
               pic.pagesPerCell > 1 ? tr("head → tail · a cell is %1 pages").arg(pic.pagesPerCell) : tr("head → tail (reclaim's next)"));
    const QRectF grid = r.adjusted(10, 26, -10, -8);
    const double cw = grid.width() / kCols, ch = grid.height() / kRows;
    std::vector<Cell> cells;
    std::int64_t inCell = 0;
    for (const CachedPage& pg : list) {
      if (inCell == 0) cells.push_back(Cell{pg.file});
      Cell& c = cells.back();
      c.dirty = c.dirty || lists.dirty(pg);
      c.writeback = c.writeback || lists.underWriteback(pg);
      c.pinned = c.pinned || state.pinned(pg.file, pg.page);
      c.reclaim = c.reclaim || lists.markedForReclaim(pg);
      c.moved = c.moved || (!pic.moved.empty() && isMoved(pg));
      if (++inCell == pic.pagesPerCell) inCell = 0;
    }
    for (std::size_t i = 0; i < cells.size() && i < static_cast<std::size_t>(kCols * kRows); ++i) {
      const Cell& c = cells[i];
      const QRectF cell(grid.left() + (i % kCols) * cw, grid.top() + static_cast<double>(i / kCols) * ch, cw - 1.5, ch - 1.5);
      p.setPen(QPen(c.moved ? t.foreground : c.reclaim ? kReclaim : c.writeback ? t.dma : t.muted,
                    c.moved ? t.lineWidth * 1.6 : (c.reclaim || c.writeback) ? t.lineWidth * 1.2 : 0.4));
      p.setBrush(fileColor(c.file, t));
      p.drawRect(cell);
      if (c.dirty) {
        p.setPen(Qt::NoPen);
        p.setBrush(t.dirty);
        p.drawRect(QRectF(cell.left(), cell.top(), cell.width(), cell.height() * 0.35));
      }
      if (c.pinned) {
        p.setPen(Qt::NoPen);
        p.setBrush(t.pinned);
        p.drawEllipse(cell.center(), cell.width() * 0.22, cell.width() * 0.22);
      }
    }
  };
  drawList(lists.active(), QRectF(20, 58, kW - 40, 176), tr("Active list: %1 pages").arg(pic.active), t.active);
  drawList(lists.inactive(), QRectF(20, 242, kW - 40, 176), tr("Inactive list: %1 pages").arg(pic.inactive), t.inactive);

  // The file the last readahead read: its window and marker.
  const QRectF ra(20, 426, kW - 40, 72);
  p.setPen(QPen(t.boxBorder, t.lineWidth));
  p.setBrush(t.boxFill);
  p.drawRoundedRect(ra, 6, 6);
  const ReadaheadWindow& w = pic.readahead;
  p.setPen(t.foreground);
  p.setFont(font(7.5, true));
  p.drawText(QRectF(ra.left() + 10, ra.top() + 2, ra.width() - 20, 22), Qt::AlignLeft | Qt::AlignVCenter,
             w.first < 0 ? tr("Readahead: none yet")
                         : tr("Readahead (%1): file %2, pages %3 to %4%5")
                               .arg(w.async ? tr("async") : w.marker >= 0 ? tr("sync") : tr("read-around"))
                               .arg(w.file).arg(w.first).arg(w.first + w.pages - 1)
                               .arg(w.marker >= 0 ? tr(" · marker (PG_readahead) on page %1").arg(w.marker) : QString()));
  if (w.first >= 0) {
    constexpr int kCells = 96;
    const std::int64_t from = std::max<std::int64_t>(0, w.first - 16);
    const std::int64_t per = std::max<std::int64_t>(1, (w.pages + 32 + kCells - 1) / kCells);
    const double cw = (ra.width() - 20) / kCells;
    for (int i = 0; i < kCells; ++i) {
      const std::int64_t page = from + i * per;
      const QRectF cell(ra.left() + 10 + i * cw, ra.top() + 28, cw - 1, 26);
      const bool inWindow = page + per > w.first && page < w.first + w.pages;
      const bool cached = lists.cached({w.file, page});
      p.setPen(QPen(inWindow ? t.foreground : t.muted, inWindow ? t.lineWidth : 0.4));
      p.setBrush(cached ? fileColor(w.file, t) : t.background);
      p.drawRect(cell);
      if (w.marker >= page && w.marker < page + per) {
        p.setPen(QPen(kReclaim, t.lineWidth * 2));
        p.drawLine(cell.bottomLeft() + QPointF(0, 4), cell.bottomRight() + QPointF(0, 4));
        p.setFont(font(5.5, true));
        p.drawText(QRectF(cell.center().x() - 20, cell.bottom() + 4, 40, 12), Qt::AlignCenter, tr("RA"));
      }
    }
  }

  // Throttling: who sleeps now because of dirty pages or a reclaim that could not free.
  p.setFont(font(8, true));
  p.setPen(pic.throttled.isEmpty() ? t.muted : kReclaim);
  p.drawText(QRectF(20, 502, kW - 40, 26), Qt::AlignLeft | Qt::AlignVCenter,
             pic.throttled.isEmpty() ? tr("No thread throttled now (%1 throttles so far)").arg(lists.throttles())
                                     : tr("Throttled now: %1").arg(pic.throttled.join(QStringLiteral(", "))));
  drawLegend(p, t, tr("A cell is a page, coloured by its file: a top band marks it dirty, a blue outline under writeback, a red outline "
                "marked for reclaim (PG_reclaim), a dot pinned by a pipe or an skb; a bold outline: moved by the last event. "
                "%1 activations, %2 deactivations, %3 evictions replayed; %4 list moves disagree with where the page was")
                 .arg(lists.activations()).arg(lists.deactivations()).arg(lists.evictions()).arg(lists.mismatches()), 100);
  p.restore();
}

}  // namespace kiosim::gui
