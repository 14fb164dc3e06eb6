#include "gui/tlb_view.h"

#include <algorithm>
#include <QPainterPath>
#include <cmath>

namespace kiosim::gui {

namespace {
constexpr double kW = kCanvasWidth, kH = kCanvasHeight;

QColor asidColor(std::uint32_t asid, const Theme& t) {
  static const QColor colors[] = {QColor("#0072B2"), QColor("#009E73"), QColor("#CC79A7"), QColor("#E69F00"),
                                  QColor("#56B4E9"), QColor("#D55E00"), QColor("#F0E442")};
  QColor c = colors[asid % 7];
  return t.presentation ? c : c.lighter(150);
}
}  // namespace

TlbView::TlbView(RunPlayer* player, const Theme* theme, QWidget* parent) : RunView(player, theme, parent) {
  setObjectName(QStringLiteral("tlb:") + player->run().name);
}

const Shootdown* TlbView::arrowsShown() const {
  const TlbState& s = player_->tlbs();
  if (s.shootdowns().empty() || s.applied() == 0) return nullptr;
  const Shootdown& last = s.shootdowns().back();
  return last.event + 1 == s.applied() ? &last : nullptr;
}

void TlbView::render(QPainter& p, const QRectF& target) const {
  const Theme& t = *theme_;
  const TlbState& s = player_->tlbs();
  const RunTrace& run = player_->run();
  beginCanvas(p, target, t);
  auto font = [&](double pt, bool bold = false) { return t.canvasFont(pt, bold); };

  const auto& cores = s.cores();
  const std::uint32_t sets = cores.empty() ? 1 : cores.front().tlb.sets(), ways = cores.empty() ? 1 : cores.front().tlb.ways();
  p.setPen(t.foreground);
  p.setFont(font(9, true));
  p.drawText(QRectF(20, 6, kW - 40, 30), Qt::AlignLeft | Qt::AlignVCenter,
             tr("TLBs · %1 · %2 sets × %3 ways per core").arg(run.name).arg(sets).arg(ways));
  const int n = std::max<int>(1, static_cast<int>(cores.size()));
  const int perRow = std::min(n, 4), rowsOfCores = (n + perRow - 1) / perRow;
  const double gap = 40, panelW = (kW - 40 - gap * (perRow - 1)) / perRow;
  const double top = 84, panelH = (kH - top - 70) / rowsOfCores - 10;
  std::vector<QRectF> panels;
  for (int i = 0; i < n; ++i)
    panels.emplace_back(20 + (i % perRow) * (panelW + gap), top + (i / perRow) * (panelH + 10), panelW, panelH);

  for (int i = 0; i < static_cast<int>(cores.size()); ++i) {
    const CoreTlb& c = cores[static_cast<std::size_t>(i)];
    const QRectF& r = panels[static_cast<std::size_t>(i)];
    const bool recent = c.lastChange >= 0 && static_cast<std::size_t>(c.lastChange) + 1 == s.applied();
    p.setPen(QPen(recent ? t.tlb : t.boxBorder, recent ? t.lineWidth * 2 : t.lineWidth));
    p.setBrush(t.boxFill);
    p.drawRoundedRect(r, 6, 6);
    QStringList lanes;
    for (std::uint32_t l : c.lanes)
      if (l < run.lanes.size() && run.lanes[l].kind == LaneKind::user) lanes << run.lanes[l].name;
    p.setPen(t.foreground);
    p.setFont(font(7.5, true));
    p.drawText(QRectF(r.left() + 8, r.top() + 4, r.width() - 16, 22), Qt::AlignLeft | Qt::AlignVCenter,
               tr("core %1").arg(i) + (lanes.isEmpty() ? QString() : QStringLiteral(" · ") + lanes.join(QStringLiteral(", "))));
    p.setFont(font(6.5));
    p.drawText(QRectF(r.left() + 8, r.top() + 26, r.width() - 16, 18), Qt::AlignLeft | Qt::AlignVCenter,
               tr("%1 filled · %2 invalidated · %3 flushes · %4 IPIs in").arg(c.fills).arg(c.invalidations).arg(c.flushes).arg(c.ipisReceived));
    // The grid: a row per set, a column per way.
    const QRectF grid = r.adjusted(8, 50, -8, -8);
    const double cw = grid.width() / ways, ch = grid.height() / sets;
    p.setFont(font(std::clamp(ch / 3.2, 4.0, 6.5)));
    for (std::uint32_t set = 0; set < sets; ++set)
      for (std::uint32_t w = 0; w < ways; ++w) {
        const QRectF cell(grid.left() + w * cw, grid.top() + set * ch, cw - 2, ch - 2);
        const auto slot = c.tlb.slot(set, w);
        const bool changed = recent && std::find(c.changed.begin(), c.changed.end(), std::make_pair(set, w)) != c.changed.end();
        p.setPen(QPen(changed ? t.foreground : t.muted, changed ? t.lineWidth * 1.5 : 0.5));
        p.setBrush(slot.valid ? QBrush(asidColor(slot.asid, t)) : QBrush(t.background));
        p.drawRect(cell);
        if (slot.valid) {
          p.setPen(t.presentation ? t.background : t.foreground);
          p.drawText(cell, Qt::AlignCenter, QStringLiteral("%1").arg(slot.vpage, 0, 16));
        }
      }
    if (recent && c.flushedLast) {
      p.setPen(t.tlb);
      p.setFont(font(8, true));
      p.drawText(grid, Qt::AlignCenter, tr("flushed"));
    }
  }
  // Shootdown IPIs: arrows from the initiator to every target core.
  if (const Shootdown* sd = arrowsShown()) {
    const QRectF from = panels[static_cast<std::size_t>(std::clamp(sd->from, 0, n - 1))];
    for (int c = 0; c < n; ++c) {
      if (!(sd->to >> c & 1)) continue;
      const QRectF to = panels[static_cast<std::size_t>(c)];
      const QPointF a(from.center().x(), from.top() - 2), b(to.center().x(), to.top() - 2);
      QPainterPath path(a);
      path.quadTo(QPointF((a.x() + b.x()) / 2, a.y() - 44), b);
      p.setPen(QPen(t.tlb, t.lineWidth * 2));
      p.setBrush(Qt::NoBrush);
      p.drawPath(path);
      const QPointF d = b.x() > a.x() ? QPointF(-14, -8) : QPointF(14, -8);
      p.setBrush(t.tlb);
      p.drawPolygon(QPolygonF{b, b + d, b + QPointF(d.x() * 0.2, -16)});
      p.setFont(font(7.5, true));
      p.setPen(t.foreground);
      p.drawText(QRectF((a.x() + b.x()) / 2 - 120, a.y() - 44, 240, 20), Qt::AlignCenter, tr("shootdown IPI"));
    }
  }
  p.setFont(font(6.5));
  p.setPen(t.muted);
  p.drawText(QRectF(20, kH - 56, kW - 40, 50), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
             tr("Each cell: one way of one set, the virtual page it translates (hex), coloured by address space. "
                "Outlined: filled or dropped by the last event. %1 misses replayed; %2 touches disagree with the trace")
                 .arg(s.replayedMisses()).arg(s.mismatches()));
  p.restore();
}

}  // namespace kiosim::gui
