#include "gui/address_space_view.h"

#include <QPainterPath>
#include <algorithm>
#include <set>

namespace kiosim::gui {

namespace {

constexpr double kW = kCanvasWidth, kH = kCanvasHeight;

QString hex(std::int64_t v) { return QStringLiteral("0x") + QString::number(v, 16); }

QString frameLabel(std::int64_t f) { return f >= 0 ? QStringLiteral("frame %1").arg(f) : QStringLiteral("frame ?"); }

QString permText(Perm p) {
  return p == Perm::writable ? QStringLiteral("rw") : p == Perm::read_only ? QStringLiteral("r-") : QStringLiteral("··");
}

}  // namespace

AddressSpacePicture addressSpacePicture(const AddressSpaceState& s, int maxRows) {
  AddressSpacePicture pic;
  const Space* p = s.space(s.focus());
  if (!p && !s.spaces().empty()) p = &s.spaces().begin()->second;
  if (!p) return pic;
  if (p->parent >= 0 && s.space(p->parent)) p = s.space(p->parent);
  const Space* c = p->child >= 0 ? s.space(p->child) : nullptr;
  pic.parentName = p->name;
  if (c) {
    pic.childName = c->name.isEmpty() ? QStringLiteral("child") : c->name;
    pic.childExited = c->exited;
  }
  // The window of rows: around the page the last fault named, in either space.
  std::set<std::int64_t> keys;
  for (const auto& [vp, r] : p->rows) keys.insert(vp);
  if (c && !c->exited)
    for (const auto& [vp, r] : c->rows) keys.insert(vp);
  std::int64_t centre = p->lastVpage;
  if (c && c->lastEvent > p->lastEvent) centre = c->lastVpage;
  std::vector<std::int64_t> sorted(keys.begin(), keys.end());
  const auto at = std::lower_bound(sorted.begin(), sorted.end(), centre);
  std::ptrdiff_t first = centre < 0 ? 0 : (at - sorted.begin()) - maxRows / 2;
  first = std::clamp<std::ptrdiff_t>(first, 0, std::max<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(sorted.size()) - maxRows));
  const std::int64_t lastEvent = std::max(p->lastEvent, c ? c->lastEvent : -1);
  for (std::ptrdiff_t i = first; i < static_cast<std::ptrdiff_t>(sorted.size()) && i < first + maxRows; ++i) {
    PteDrawn d;
    d.vpage = sorted[static_cast<std::size_t>(i)];
    if (auto it = p->rows.find(d.vpage); it != p->rows.end()) d.inParent = true, d.parent = it->second;
    if (c && !c->exited)
      if (auto it = c->rows.find(d.vpage); it != c->rows.end()) d.inChild = true, d.child = it->second;
    d.sharedFrame = d.inParent && d.inChild && d.parent.shared && d.child.shared;
    d.copyShown = d.inParent && d.parent.copied && d.parent.changedAt == lastEvent && d.parent.changedAt >= 0;
    pic.rows.push_back(d);
  }
  for (const auto& [mm, sp] : s.spaces()) {
    if (sp.parent >= 0) continue;  // told with its parent
    QString line = sp.name.isEmpty() ? QStringLiteral("mm %1").arg(mm) : sp.name;
    if (const Space* ch = sp.child >= 0 ? s.space(sp.child) : nullptr) {
      const auto shared = std::count_if(sp.rows.begin(), sp.rows.end(), [](const auto& kv) { return kv.second.shared; });
      line += QStringLiteral(" ⇄ %1%2: %3 PTEs shared read-only · %4 CoW copies · %5 made writable again")
                  .arg(ch->name, ch->exited ? QStringLiteral(" (exited)") : QString())
                  .arg(shared).arg(sp.cows).arg(sp.reuses);
    } else {
      line += QStringLiteral(": %1 PTEs seen, not forked").arg(sp.rows.size());
    }
    pic.summaries << line;
  }
  return pic;
}

AddressSpaceView::AddressSpaceView(RunPlayer* player, const Theme* theme, QWidget* parent) : RunView(player, theme, parent) {
  setObjectName(QStringLiteral("addressSpaces:") + player->run().name);
}

void AddressSpaceView::render(QPainter& p, const QRectF& target) const {
  const Theme& t = *theme_;
  const AddressSpacePicture pic = picture();
  beginCanvas(p, target, t);
  auto font = [&](double pt, bool bold = false) { return t.canvasFont(pt, bold); };

  p.setPen(t.foreground);
  p.setFont(font(9, true));
  p.drawText(QRectF(20, 6, kW - 40, 30), Qt::AlignLeft | Qt::AlignVCenter,
             QStringLiteral("Address spaces · %1").arg(player_->run().name));
  if (pic.parentName.isEmpty()) {
    p.setFont(font(8));
    p.drawText(QRectF(20, 60, kW - 40, 40), Qt::AlignLeft, tr("No page-table events yet."));
    p.restore();
    return;
  }
  const QRectF parentCol(20, 70, 300, 0), frameCol(370, 70, 260, 0), childCol(680, 70, 300, 0);
  p.setFont(font(7.5, true));
  p.drawText(QRectF(parentCol.x(), 38, parentCol.width(), 28), Qt::AlignLeft | Qt::AlignVCenter, pic.parentName + tr(" · page table"));
  p.drawText(QRectF(frameCol.x(), 38, frameCol.width(), 28), Qt::AlignHCenter | Qt::AlignVCenter, tr("physical frames"));
  if (!pic.childName.isEmpty())
    p.drawText(QRectF(childCol.x(), 38, childCol.width(), 28), Qt::AlignRight | Qt::AlignVCenter,
               pic.childName + (pic.childExited ? tr(" · exited") : tr(" · page table")));

  const double rowH = 50, boxH = 36;
  auto permColor = [&](Perm pm) { return pm == Perm::writable ? t.pageRef : pm == Perm::read_only ? t.fault : t.muted; };
  auto pteBox = [&](const QRectF& r, std::int64_t vp, const PteRow& row, bool right) {
    p.setPen(QPen(t.boxBorder, t.lineWidth));
    p.setBrush(t.boxFill);
    p.drawRoundedRect(r, 5, 5);
    p.setPen(t.foreground);
    p.setFont(font(7));
    const QRectF text = r.adjusted(8, 0, -8, 0);
    p.drawText(text, (right ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, QStringLiteral("page ") + hex(vp));
    const QRectF badge = right ? QRectF(r.left() + 8, r.top() + 6, 46, r.height() - 12) : QRectF(r.right() - 54, r.top() + 6, 46, r.height() - 12);
    p.setPen(Qt::NoPen);
    p.setBrush(permColor(row.perm));
    p.drawRoundedRect(badge, 4, 4);
    p.setPen(t.background);
    p.setFont(font(7, true));
    p.drawText(badge, Qt::AlignCenter, permText(row.perm));
  };
  auto frameBox = [&](const QRectF& r, std::int64_t frame, bool shared, bool fresh) {
    p.setPen(QPen(shared ? t.cow : fresh ? t.cpu : t.boxBorder, shared || fresh ? t.lineWidth * 2 : t.lineWidth));
    p.setBrush(shared ? QBrush(t.cow, Qt::BDiagPattern) : QBrush(t.boxFill));
    p.drawRect(r);
    p.setPen(t.foreground);
    p.setFont(font(6.5, shared));
    p.drawText(r, Qt::AlignCenter, shared ? frameLabel(frame) + tr(" · shared") : frameLabel(frame));
  };
  auto arrow = [&](QPointF a, QPointF b, const QColor& c, Qt::PenStyle style = Qt::SolidLine) {
    p.setPen(QPen(c, t.lineWidth, style));
    p.drawLine(a, b);
    const QLineF l(b, a);
    const QLineF u = l.unitVector();
    const QPointF d = (u.p2() - u.p1()) * 10, n(-d.y() * 0.5, d.x() * 0.5);
    p.setBrush(c);
    p.drawPolygon(QPolygonF{b, b + d + n, b + d - n});
  };

  double y = parentCol.top();
  for (const PteDrawn& d : pic.rows) {
    const QRectF pr(parentCol.left(), y, parentCol.width(), boxH), cr(childCol.left(), y, childCol.width(), boxH);
    if (d.inParent) pteBox(pr, d.vpage, d.parent, false);
    if (d.inChild) pteBox(cr, d.vpage, d.child, true);
    if (d.sharedFrame) {
      const QRectF f(frameCol.left() + 40, y, frameCol.width() - 80, boxH);
      frameBox(f, std::max(d.parent.frame, d.child.frame), true, false);
      arrow(QPointF(pr.right(), pr.center().y()), QPointF(f.left(), f.center().y()), t.foreground);
      arrow(QPointF(cr.left(), cr.center().y()), QPointF(f.right(), f.center().y()), t.foreground);
    } else {
      const QRectF fp(frameCol.left(), y, frameCol.width() / 2 - 8, boxH), fc(frameCol.center().x() + 8, y, frameCol.width() / 2 - 8, boxH);
      if (d.inParent) {
        frameBox(fp, d.parent.frame, false, d.copyShown);
        arrow(QPointF(pr.right(), pr.center().y()), QPointF(fp.left(), fp.center().y()), d.copyShown ? t.cpu : t.foreground);
      }
      if (d.inChild) {
        frameBox(fc, d.child.frame, false, false);
        arrow(QPointF(cr.left(), cr.center().y()), QPointF(fc.right(), fc.center().y()), t.foreground);
      }
      if (d.copyShown) {
        // The copy (old frame -> new) and the parent's old pointer, crossed out.
        arrow(QPointF(fc.left(), fc.center().y() - 6), QPointF(fp.right(), fp.center().y() - 6), t.cpu);
        p.setPen(QPen(t.muted, t.lineWidth, Qt::DashLine));
        p.drawLine(QPointF(pr.right(), pr.bottom() - 4), QPointF(fc.left() + 10, fc.bottom() - 2));
        p.setPen(t.cpu);
        p.setFont(font(6.5, true));
        p.drawText(QRectF(frameCol.left() - 80, y + boxH - 1, frameCol.width() + 160, 16), Qt::AlignCenter,
                   tr("CoW: copied to a new frame, PTE re-pointed"));
      }
    }
    y += rowH;
  }
  // The legend and one line per process.
  double ly = kH - 20.0 * (pic.summaries.size() + 3) - 10;
  p.setFont(font(6.5));
  p.setPen(t.muted);
  p.drawText(QRectF(20, ly, kW - 40, 38), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
             tr("rw writable · r- read-only (a write faults) · hatched: one frame mapped by both · orange: the CoW copy · "
                "frame ?: no event has named it yet"));
  ly += 44;
  p.setPen(t.foreground);
  for (const QString& line : pic.summaries) {
    p.drawText(QRectF(20, ly, kW - 40, 18), Qt::AlignLeft | Qt::AlignVCenter, line);
    ly += 20;
  }
  p.restore();
}

}  // namespace kiosim::gui
