#include "gui/data_path_painter.h"

#include <QFontMetricsF>
#include <QPainterPath>
#include <QPolygonF>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace kiosim::gui {

namespace {

constexpr double kWidth = 1000, kHeight = 640;
constexpr double kUserTop = 30, kKernelTop = 150, kHardwareTop = 420, kLegendTop = 595;
const QRectF kDiskDma(215, 470, 130, 70);

// The route a transfer takes: DMA goes through its engine (disk controller, NIC).
QPolygonF route(Place from, Place to, TokenKind kind) {
  QPolygonF pts;
  pts << boxRect(from).center();
  if (kind == TokenKind::dma && (from == Place::disk || to == Place::disk)) pts << kDiskDma.center();
  if (kind == TokenKind::dma && to == Place::wire && from != Place::nic) pts << boxRect(Place::nic).center();
  pts << boxRect(to).center();
  return pts;
}

QPointF along(const QPolygonF& pts, double fraction) {
  double total = 0;
  for (int i = 1; i < pts.size(); ++i) total += QLineF(pts[i - 1], pts[i]).length();
  double want = total * fraction;
  for (int i = 1; i < pts.size(); ++i) {
    const QLineF seg(pts[i - 1], pts[i]);
    if (want <= seg.length() || i == pts.size() - 1) return seg.pointAt(seg.length() > 0 ? std::min(1.0, want / seg.length()) : 0);
    want -= seg.length();
  }
  return pts.isEmpty() ? QPointF() : pts.back();
}

// The drawing is scaled from 1000 x 640 to the widget: fonts are given in that space.
QFont viewFont(const Theme& t, double points, bool bold = false) { return t.canvasFont(points, bold); }

QColor tokenColor(TokenKind k, const Theme& t) {
  return k == TokenKind::cpu_copy ? t.cpu : k == TokenKind::dma ? t.dma : t.pageRef;
}

// Circle = CPU copy, square = DMA, hollow diamond = page reference (no data moved).
void drawTokenShape(QPainter& p, QPointF c, double r, TokenKind k, const Theme& t) {
  const QColor col = tokenColor(k, t);
  p.setPen(QPen(t.foreground, t.lineWidth * 0.7));
  if (k == TokenKind::cpu_copy) {
    p.setBrush(col);
    p.drawEllipse(c, r, r);
  } else if (k == TokenKind::dma) {
    p.setBrush(col);
    p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r));
  } else {
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(col, std::max(3.0, t.lineWidth * 1.5)));
    p.drawPolygon(QPolygonF{{c.x(), c.y() - r * 1.2}, {c.x() + r * 1.2, c.y()}, {c.x(), c.y() + r * 1.2}, {c.x() - r * 1.2, c.y()}});
  }
}

void drawBox(QPainter& p, const QRectF& r, const QString& label, const Theme& t, bool busy = false) {
  p.setPen(QPen(busy ? t.dma : t.boxBorder, busy ? t.lineWidth * 2 : t.lineWidth));
  p.setBrush(t.boxFill);
  p.drawRoundedRect(r, 6, 6);
  p.setPen(t.foreground);
  p.setFont(viewFont(t, 8, true));
  p.drawText(r.adjusted(6, 3, -6, -3), Qt::AlignTop | Qt::AlignLeft, label);
}

void drawPageCache(QPainter& p, const QRectF& r, const DataPathInput& in) {
  const Theme& t = *in.theme;
  const RunState& s = *in.state;
  drawBox(p, r, QStringLiteral("Page cache"), t);
  p.setFont(viewFont(t, 7));
  p.setPen(t.foreground);
  p.drawText(r.adjusted(6, 22, -6, 0), Qt::AlignTop | Qt::AlignLeft,
             QStringLiteral("%1 active · %2 inactive · %3 dirty · %4 pinned")
                 .arg(s.activePages()).arg(s.inactivePages()).arg(s.dirtyPages()).arg(s.pinnedPages()));
  // Every page of every file the run touches, in order; a big file shares cells.
  std::int64_t total = 0;
  for (std::size_t f = 0; f < in.index->files(); ++f) total += in.index->filePages(static_cast<std::uint32_t>(f));
  constexpr int kCells = 64;
  const std::int64_t perCell = std::max<std::int64_t>(1, (total + kCells - 1) / kCells);
  const int cells = static_cast<int>((total + perCell - 1) / perCell);
  // One pass over the pages: per cell and list, is any page there, dirty, pinned.
  struct Cell {
    bool present = false, dirty = false, pinned = false;
  };
  std::vector<std::array<Cell, 2>> summary(static_cast<std::size_t>(cells));
  std::vector<std::int64_t> base(in.index->files() + 1, 0);  // first cell-space page of each file
  for (std::uint32_t f = 0; f < in.index->files(); ++f) {
    const std::int64_t n = in.index->filePages(f);
    base[f + 1] = base[f] + n;
    for (std::int64_t pg = 0; pg < n; ++pg) {
      const std::uint8_t fl = s.pageFlags(f, pg);
      if (!(fl & kPresent)) continue;
      Cell& c = summary[static_cast<std::size_t>((base[f] + pg) / perCell)][(fl & kActive) ? 0 : 1];
      c.present = true;
      c.dirty = c.dirty || (fl & kDirty);
    }
  }
  // Pins from the held ranges, so the cost follows the pinned pages, not the cache size.
  for (const PinnedRange& pin : s.pinnedRanges()) {
    if (pin.file >= in.index->files()) continue;
    for (std::int64_t pg = pin.page; pg < std::min(pin.page + pin.pages, in.index->filePages(pin.file)); ++pg) {
      const std::uint8_t fl = s.pageFlags(pin.file, pg);
      if (fl & kPresent) summary[static_cast<std::size_t>((base[pin.file] + pg) / perCell)][(fl & kActive) ? 0 : 1].pinned = true;
    }
  }
  const double cw = (r.width() - 90) / 32.0;
  const double ch = 16;
  const QStringList rows = {QStringLiteral("active"), QStringLiteral("inactive")};
  for (int row = 0; row < 2; ++row) {
    const double y0 = r.top() + 48 + row * (2 * ch + 14);
    p.setPen(t.foreground);
    p.setFont(viewFont(t, 7));
    p.drawText(QRectF(r.left() + 4, y0, 80, 2 * ch), Qt::AlignVCenter | Qt::AlignLeft, rows[row]);
    for (int c = 0; c < std::max(cells, 32); ++c) {
      const QRectF cell(r.left() + 84 + (c % 32) * cw, y0 + (c / 32) * ch, cw - 1.5, ch - 1.5);
      const Cell k = c < cells ? summary[static_cast<std::size_t>(c)][static_cast<std::size_t>(row)] : Cell{};
      p.setPen(QPen(t.muted, 0.5));
      p.setBrush(k.present ? (row == 0 ? t.active : t.inactive) : Qt::transparent);
      p.drawRect(cell);
      if (k.dirty) {  // a dirty page: a vermillion corner triangle
        p.setPen(Qt::NoPen);
        p.setBrush(t.dirty);
        p.drawPolygon(QPolygonF{cell.topLeft(), cell.topLeft() + QPointF(cell.width() * 0.6, 0), cell.topLeft() + QPointF(0, cell.height() * 0.6)});
      }
      if (k.pinned) {  // a pinned page: a pin head in the middle
        p.setPen(Qt::NoPen);
        p.setBrush(t.pinned);
        p.drawEllipse(cell.center(), cell.width() * 0.22, cell.width() * 0.22);
      }
    }
  }
  if (perCell > 1) {
    p.setPen(t.muted);
    p.setFont(viewFont(t, 6.5));
    p.drawText(r.adjusted(6, 0, -6, -4), Qt::AlignBottom | Qt::AlignRight, QStringLiteral("one cell = %1 pages").arg(perCell));
  }
}

void drawSocketBuffer(QPainter& p, const QRectF& r, const DataPathInput& in) {
  const Theme& t = *in.theme;
  const auto& skbs = in.state->queuedSkbs();
  drawBox(p, r, QStringLiteral("Socket buffer"), t);
  p.setFont(viewFont(t, 6.5));
  p.setPen(t.foreground);
  p.drawText(r.adjusted(6, 0, -6, -4), Qt::AlignBottom | Qt::AlignRight,
             QStringLiteral("%1 skb%2 queued").arg(skbs.size()).arg(skbs.size() == 1 ? "" : "s"));
  const int shown = static_cast<int>(std::min<std::size_t>(skbs.size(), 5));
  for (int i = 0; i < shown; ++i) {
    const Skb& skb = skbs[static_cast<std::size_t>(i)];
    const QRectF sr(r.left() + 8 + i * 42, r.top() + 34, 36, r.height() - 58);
    p.setPen(QPen(t.boxBorder, 1));
    p.setBrush(t.background);
    p.drawRect(sr);
    p.setFont(viewFont(t, 6));
    p.setPen(t.foreground);
    p.drawText(sr.adjusted(1, 1, -1, -1), Qt::AlignTop | Qt::AlignHCenter, skb.frags ? QStringLiteral("frags") : QStringLiteral("linear"));
    // One tick per fragment (page reference), at most 17 (MAX_SKB_FRAGS).
    const int frags = static_cast<int>(std::min<std::uint64_t>(skb.frags, 17));
    for (int k = 0; k < frags; ++k) {
      p.setPen(QPen(t.pageRef, 2));
      const double y = sr.top() + 16 + k * (sr.height() - 20) / 17.0;
      p.drawLine(QPointF(sr.left() + 6, y), QPointF(sr.right() - 6, y));
    }
    if (!skb.frags) p.fillRect(sr.adjusted(5, 16, -5, -4), t.cpu);
  }
  if (skbs.size() > 5) {
    p.setPen(t.foreground);
    p.drawText(r.adjusted(0, 0, -6, -4), Qt::AlignRight | Qt::AlignBottom, QStringLiteral("+%1").arg(skbs.size() - 5));
  }
}

void drawNic(QPainter& p, const QRectF& r, const DataPathInput& in) {
  const Theme& t = *in.theme;
  drawBox(p, r, QStringLiteral("NIC"), t, in.frame->nicBusy > 0);
  // Descriptor slots: one filled per skb being sent.
  constexpr int kSlots = 8;
  for (int i = 0; i < kSlots; ++i) {
    const QRectF slot(r.left() + 10 + i * (r.width() - 20) / kSlots, r.bottom() - 30, (r.width() - 20) / kSlots - 3, 20);
    p.setPen(QPen(t.boxBorder, 1));
    p.setBrush(i < in.frame->nicBusy ? t.dma : t.background);
    p.drawRect(slot);
  }
  p.setPen(t.foreground);
  p.setFont(viewFont(t, 6.5));
  p.drawText(r.adjusted(6, 22, -6, 0), Qt::AlignTop | Qt::AlignLeft, QStringLiteral("descriptor slots"));
}

}  // namespace

// Up to three threads share the user band left of the user buffer, each in its own
// slot: a name too wide for its slot is set smaller, then elided, so none overlaps.
std::vector<ThreadLabel> threadLabels(const Frame& frame, const Theme& t) {
  std::vector<ThreadLabel> out;
  const std::size_t shown = std::min<std::size_t>(frame.threads.size(), 3);
  if (shown == 0) return out;
  const double left = 8, right = boxRect(Place::user_buffer).left() - 8, slot = (right - left) / static_cast<double>(shown);
  for (std::size_t i = 0; i < shown; ++i) {
    const ThreadPos& th = frame.threads[i];
    ThreadLabel l;
    const double x = left + slot * (static_cast<double>(i) + 0.5);
    l.centre = th.inKernel ? QPointF(x, kKernelTop + 60) : QPointF(x, (kUserTop + kKernelTop) / 2 + 10);
    double points = 7;
    QFont f = viewFont(t, points, true);
    while (points > 4.5 && QFontMetricsF(f).horizontalAdvance(th.name) > slot - 6) f = viewFont(t, points -= 0.5, true);
    l.font = f;
    l.text = QFontMetricsF(f).elidedText(th.name, Qt::ElideMiddle, slot - 6);
    const double h = QFontMetricsF(f).height();
    l.rect = QRectF(x - (slot - 6) / 2, l.centre.y() - h / 2, slot - 6, h);
    out.push_back(l);
  }
  return out;
}

namespace {

void drawThreads(QPainter& p, const DataPathInput& in) {
  const Theme& t = *in.theme;
  const auto labels = threadLabels(*in.frame, t);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const ThreadPos& th = in.frame->threads[i];
    const ThreadLabel& l = labels[i];
    const QPointF user(l.centre.x(), (kUserTop + kKernelTop) / 2 + 10), kernel(l.centre.x(), kKernelTop + 60);
    if (th.inKernel) {  // the mode switch: an arrow across the user/kernel line
      p.setPen(QPen(t.foreground, t.lineWidth, Qt::DotLine));
      p.drawLine(user, kernel - QPointF(0, 22));
    }
    p.setPen(QPen(t.foreground, t.lineWidth));
    p.setBrush(th.inKernel ? t.kernelBand.darker(130) : t.userBand.darker(115));
    p.drawEllipse(l.centre, 22, 22);
    p.setFont(l.font);
    p.drawText(l.rect, Qt::AlignCenter, l.text);
    p.setFont(viewFont(t, 6));
    p.drawText(QRectF(l.rect.left(), l.centre.y() + 22, l.rect.width(), 16), Qt::AlignCenter, th.inKernel ? "kernel mode" : "user mode");
  }
  if (in.frame->threads.size() > labels.size()) {
    p.setFont(viewFont(t, 6));
    p.setPen(t.muted);
    p.drawText(QRectF(8, kKernelTop - 22, 280, 16), Qt::AlignLeft,
               QStringLiteral("+%1 more threads: see the timeline").arg(in.frame->threads.size() - labels.size()));
  }
}

QPointF markAnchor(Kind k) {
  switch (k) {
    case Kind::page_fault_minor: case Kind::page_fault_major: case Kind::cow_fault:
      return boxRect(Place::mapping).topRight() + QPointF(-14, 14);
    case Kind::tlb_invalidate: case Kind::tlb_flush: case Kind::tlb_shootdown: return QPointF(150, kKernelTop + 30);
    case Kind::linearize: return boxRect(Place::socket_buffer).topRight() + QPointF(-14, 14);
    default: return boxRect(Place::disk).topRight() + QPointF(-14, 14);
  }
}

void drawLegend(QPainter& p, const Theme& t) {
  p.setFont(viewFont(t, 6));
  const std::array<std::pair<TokenKind, const char*>, 3> items = {
      {{TokenKind::cpu_copy, "CPU copy"}, {TokenKind::dma, "DMA"}, {TokenKind::page_ref, "page reference (no copy)"}}};
  double x = 20;
  for (const auto& [k, label] : items) {
    drawTokenShape(p, QPointF(x, kLegendTop + 22), 7, k, t);
    p.setPen(t.foreground);
    p.drawText(QRectF(x + 14, kLegendTop + 10, 230, 24), Qt::AlignVCenter | Qt::AlignLeft, QString::fromUtf8(label));
    x += 210;
  }
  p.drawText(QRectF(x - 20, kLegendTop + 2, kWidth - x + 20, 40), Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap,
             QStringLiteral("marks: F fault · C CoW · T TLB · L linearize · J journal · D device flush"));
}

}  // namespace

QRectF boxRect(Place place) {
  switch (place) {
    case Place::user_buffer: return {300, 45, 180, 80};
    case Place::mapping: return {510, 45, 180, 80};
    case Place::page_cache: return {150, 175, 370, 215};
    case Place::pipe: return {560, 175, 170, 70};
    case Place::socket_buffer: return {560, 265, 250, 125};
    case Place::disk: return {30, 460, 150, 100};
    case Place::nic: return {590, 460, 200, 100};
    case Place::wire: return {815, 460, 175, 100};
    default: return {};
  }
}

void paintDataPath(QPainter& p, const QRectF& target, const DataPathInput& in) {
  const Theme& t = *in.theme;
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(target, t.background);
  const double scale = std::min(target.width() / kWidth, target.height() / kHeight);
  p.translate(target.left() + (target.width() - kWidth * scale) / 2, target.top() + (target.height() - kHeight * scale) / 2);
  p.scale(scale, scale);

  // Bands: user space, kernel, hardware.
  p.fillRect(QRectF(0, kUserTop, kWidth, kKernelTop - kUserTop), t.userBand);
  p.fillRect(QRectF(0, kKernelTop, kWidth, kHardwareTop - kKernelTop), t.kernelBand);
  p.fillRect(QRectF(0, kHardwareTop, kWidth, kLegendTop - kHardwareTop), t.hardwareBand);
  p.setPen(QPen(t.foreground, t.lineWidth, Qt::DashLine));
  p.drawLine(QPointF(0, kKernelTop), QPointF(kWidth, kKernelTop));
  p.setFont(viewFont(t, 7));
  p.drawText(QRectF(kWidth - 210, kKernelTop - 20, 200, 18), Qt::AlignRight, QStringLiteral("user space ↑"));
  p.drawText(QRectF(kWidth - 210, kKernelTop + 2, 200, 18), Qt::AlignRight, QStringLiteral("kernel ↓"));
  p.drawText(QRectF(kWidth - 210, kHardwareTop + 2, 200, 18), Qt::AlignRight, QStringLiteral("hardware ↓"));
  p.setFont(viewFont(t, 10, true));
  const QRectF titleRect(8, 0, kWidth - 16, kUserTop);
  p.drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter, in.title);
  const double titleWidth = QFontMetricsF(p.font()).horizontalAdvance(in.title) + 20;
  p.setFont(viewFont(t, 6.5));
  p.drawText(titleRect.adjusted(titleWidth, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
             QFontMetricsF(p.font()).elidedText(in.frame->lastEvent, Qt::ElideRight, kWidth - 16 - titleWidth));

  const RunIndex& idx = *in.index;
  // Edges the run uses, faint; the active ones carry tokens below.
  for (const auto& [from, to] : idx.edges()) {
    p.setPen(QPen(t.muted, 1, Qt::DotLine));
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(route(from, to, (from == Place::disk || to == Place::wire) ? TokenKind::dma : TokenKind::cpu_copy));
  }

  if (idx.uses(Place::user_buffer)) drawBox(p, boxRect(Place::user_buffer), QStringLiteral("User buffer"), t);
  if (idx.uses(Place::mapping)) drawBox(p, boxRect(Place::mapping), QStringLiteral("Mapping (mmap)"), t);
  if (idx.uses(Place::page_cache)) drawPageCache(p, boxRect(Place::page_cache), in);
  if (idx.uses(Place::pipe)) {
    drawBox(p, boxRect(Place::pipe), QStringLiteral("Pipe"), t);
    p.setFont(viewFont(t, 7));
    p.drawText(boxRect(Place::pipe).adjusted(6, 0, -6, -6), Qt::AlignBottom | Qt::AlignLeft,
               QStringLiteral("%1 page references").arg(in.state->pipePages()));
  }
  if (idx.uses(Place::socket_buffer)) drawSocketBuffer(p, boxRect(Place::socket_buffer), in);
  if (idx.uses(Place::disk)) drawBox(p, boxRect(Place::disk), QStringLiteral("Disk"), t);
  if (idx.usesDiskDma()) drawBox(p, kDiskDma, QStringLiteral("Disk DMA"), t, in.frame->diskBusy);
  if (idx.uses(Place::nic)) drawNic(p, boxRect(Place::nic), in);
  if (idx.uses(Place::wire)) drawBox(p, boxRect(Place::wire), QStringLiteral("Wire / receiver"), t);

  // Tokens: grouped per edge; a count says how many transfers one token stands for.
  for (const Token& tok : in.frame->tokens) {
    const QPolygonF path = route(tok.from, tok.to, tok.kind);
    p.setPen(QPen(tokenColor(tok.kind, t), t.lineWidth * 1.5));
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(path);
    for (double f : tok.fractions) drawTokenShape(p, along(path, f), 11, tok.kind, t);
    const QPointF c = along(path, tok.fractions.empty() ? 0.5 : tok.fractions.front());
    p.setPen(t.foreground);
    p.setFont(viewFont(t, 7, true));
    QString label = formatBytes(static_cast<double>(tok.bytes));
    if (tok.count > 1) label = QStringLiteral("×%1  %2").arg(tok.count).arg(label);
    p.drawText(QRectF(c.x() + 14, c.y() - 22, 170, 18), Qt::AlignLeft | Qt::AlignVCenter, label);
  }

  // Marks: a letter in a coloured badge, with a count when several are on screen.
  std::map<std::pair<int, int>, int> stacked;
  for (const Mark& m : in.frame->marks) {
    QPointF a = markAnchor(m.kind);
    const int n = stacked[{static_cast<int>(a.x()), static_cast<int>(a.y())}]++;
    a += QPointF(-30.0 * n, 0);
    p.setPen(QPen(t.foreground, t.lineWidth));
    p.setBrush(t.markColor(m.kind));
    p.drawEllipse(a, 14, 14);
    p.setPen(m.kind == Kind::journal_commit || m.kind == Kind::device_flush ? t.background : QColor(Qt::black));
    p.setFont(viewFont(t, 8, true));
    p.drawText(QRectF(a.x() - 14, a.y() - 14, 28, 28), Qt::AlignCenter, markLetter(m.kind));
    if (m.count > 1) {
      p.setPen(t.foreground);
      p.drawText(QRectF(a.x() - 14, a.y() + 14, 28, 16), Qt::AlignCenter, QStringLiteral("×%1").arg(m.count));
    }
  }

  drawThreads(p, in);
  drawLegend(p, t);
  p.restore();
}

}  // namespace kiosim::gui
