#include "gui/timeline_view.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace kiosim::gui {

namespace {
constexpr double kRulerHeight = 22;
}

TimelineView::TimelineView(PlaybackClock* clock, const Theme* theme, QWidget* parent)
    : QWidget(parent), clock_(clock), theme_(theme) {
  setObjectName(QStringLiteral("timeline"));
  setMouseTracking(true);
  setMinimumHeight(120);
  connect(clock_, &PlaybackClock::changed, this, qOverload<>(&QWidget::update));
}

void TimelineView::setPlayers(std::vector<RunPlayer*> players) {
  rows_.clear();
  for (RunPlayer* pl : players)
    for (std::uint32_t l = 0; l < pl->run().lanes.size(); ++l) {
      const QString lane = pl->run().lanes[l].name;
      rows_.push_back({pl, l, players.size() > 1 ? pl->run().name + " · " + lane : lane});
    }
  setView(0, std::max<double>(1, static_cast<double>(clock_->endNs())));
  updateGeometry();
}

QSize TimelineView::sizeHint() const {
  return {800, static_cast<int>(kRulerHeight + rowHeight() * static_cast<double>(std::max<std::size_t>(rows_.size(), 4)) + 4)};
}

double TimelineView::rowHeight() const { return 18 * theme_->fontScale; }
double TimelineView::labelWidth() const { return 150 * theme_->fontScale; }

void TimelineView::setView(double begin, double end) {
  const double total = std::max<double>(1, static_cast<double>(clock_->endNs()));
  const double span = std::clamp(end - begin, 10.0, total * 1.05);
  t0_ = std::clamp(begin, -total * 0.02, std::max(0.0, total * 1.03 - span));
  t1_ = t0_ + span;
  update();
}

void TimelineView::zoom(double factor, double aroundNs) {
  setView(aroundNs - (aroundNs - t0_) / factor, aroundNs + (t1_ - aroundNs) / factor);
}

double TimelineView::xOf(double ns, double width) const {
  return labelWidth() + (ns - t0_) / (t1_ - t0_) * (width - labelWidth());
}

double TimelineView::timeAt(double x) const {
  return t0_ + (x - labelWidth()) / (width() - labelWidth()) * (t1_ - t0_);
}

QColor TimelineView::eventColor(const Event& e) const {
  switch (e.kind) {
    case Kind::cpu_copy: case Kind::linearize: return theme_->cpu;
    case Kind::dma_copy: return theme_->dma;
    case Kind::page_ref_move: case Kind::skb_build: return theme_->pageRef;
    case Kind::page_fault_minor: case Kind::page_fault_major: return theme_->fault;
    case Kind::cow_fault: return theme_->cow;
    case Kind::tlb_miss: case Kind::tlb_invalidate: case Kind::tlb_flush: case Kind::tlb_shootdown: return theme_->tlb;
    case Kind::journal_commit: case Kind::device_flush: return theme_->journal;
    case Kind::block: return theme_->muted.lighter(130);
    default: return theme_->muted;
  }
}

void TimelineView::render(QPainter& p, const QRectF& target) const {
  const Theme& t = *theme_;
  p.save();
  p.translate(target.topLeft());
  const double w = target.width();
  p.fillRect(QRectF(0, 0, w, target.height()), t.background);
  p.setFont(t.font(7));
  // Ruler: about eight ticks at round values.
  const double span = t1_ - t0_;
  const double step = std::pow(10.0, std::floor(std::log10(span / 8)));
  const double tick = span / step > 40 ? step * 5 : span / step > 16 ? step * 2 : step;
  p.setPen(t.muted);
  double labelEnd = -1e9;  // a tick's label is left out where it would run into the last one
  for (double x = std::ceil(t0_ / tick) * tick; x <= t1_; x += tick) {
    const double px = xOf(x, w);
    p.drawLine(QPointF(px, kRulerHeight - 5), QPointF(px, target.height()));
    const QString label = formatNs(x);
    if (px + 2 > labelEnd) {
      p.setPen(t.foreground);
      p.drawText(QRectF(px + 2, 0, 120, kRulerHeight - 4), Qt::AlignLeft | Qt::AlignVCenter, label);
      labelEnd = px + 2 + p.fontMetrics().horizontalAdvance(label) + 8;
    }
    p.setPen(QPen(t.muted, 0.5));
  }
  const double rh = rowHeight();
  p.setClipRect(QRectF(0, 0, w, target.height()));
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const Row& row = rows_[r];
    const RunTrace& run = row.player->run();
    const RunIndex& idx = row.player->index();
    const double y = kRulerHeight + static_cast<double>(r) * rh;
    const Lane& lane = run.lanes[row.lane];
    const QRectF band(labelWidth(), y, w - labelWidth(), rh - 2);
    p.fillRect(band, lane.kind == LaneKind::user ? t.userBand : lane.kind == LaneKind::kernel ? t.kernelBand : t.hardwareBand);
    // Boxes closer than a pixel are merged: a 1 GiB trace has ~10^5 per lane.
    QRectF pending;
    QColor pendingColor;
    auto flush = [&] {
      if (!pending.isEmpty()) p.fillRect(pending, pendingColor);
      pending = QRectF();
    };
    auto box = [&](double x0, double x1, double top, double height, const QColor& c) {
      if (!pending.isEmpty() && c == pendingColor && x0 <= pending.right() + 1 && top == pending.top()) {
        pending.setRight(std::max(pending.right(), x1));
        return;
      }
      flush();
      pending = QRectF(x0, top, x1 - x0, height);
      pendingColor = c;
    };
    if (lane.kind == LaneKind::user) {  // kernel mode of a user thread: shaded
      const auto& iv = idx.kernelIntervals(row.lane);
      auto k = std::lower_bound(iv.begin(), iv.end(), t0_, [](const Interval& i, double v) { return static_cast<double>(i.end) < v; });
      const QColor shade = t.kernelBand.darker(125);
      for (; k != iv.end() && static_cast<double>(k->begin) <= t1_; ++k) {
        const double x0 = std::max(labelWidth(), xOf(static_cast<double>(k->begin), w));
        box(x0, std::max(x0 + 1, xOf(static_cast<double>(k->end), w)), y, rh - 2, shade);
      }
      flush();
    }
    // Events: those that may reach the view, merged when they fall in the same pixel.
    const auto& evs = idx.laneEvents(row.lane);
    const double from = t0_ - static_cast<double>(idx.laneMaxDur(row.lane));
    auto it = std::lower_bound(evs.begin(), evs.end(), from,
                               [&](std::uint32_t i, double v) { return static_cast<double>(run.events[i].t) < v; });
    double drawnTo = -1;
    auto drawEvent = [&](const Event& e) {
      const double x0 = xOf(static_cast<double>(e.t), w);
      const double x1 = std::max(x0 + 2, xOf(static_cast<double>(e.end()), w));
      const bool instant = e.dur == 0;
      box(std::max(x0, drawnTo), x1, y + (instant ? 1 : 3), rh - (instant ? 4 : 8), eventColor(e));
      drawnTo = std::max(drawnTo, x1);
    };
    while (it != evs.end()) {
      const Event& e = run.events[*it];
      if (static_cast<double>(e.t) > t1_) break;
      const bool hidden = static_cast<double>(e.end()) < t0_ || e.kind == Kind::syscall_enter || e.kind == Kind::syscall_exit;
      if (!hidden && xOf(static_cast<double>(std::max(e.end(), e.t)), w) + 2 > drawnTo) {
        drawEvent(e);
        ++it;
        continue;
      }
      // Within a drawn pixel: jump to the first event that starts after it (long ones are drawn below).
      const double after = t0_ + (drawnTo - labelWidth()) / (w - labelWidth()) * (t1_ - t0_);
      auto next = std::lower_bound(it + 1, evs.end(), after,
                                   [&](std::uint32_t i, double v) { return static_cast<double>(run.events[i].t) < v; });
      it = next;
    }
    flush();
    drawnTo = -1;
    for (std::uint32_t i : idx.laneLongEvents(row.lane)) {
      const Event& e = run.events[i];
      if (static_cast<double>(e.end()) < t0_ || static_cast<double>(e.t) > t1_) continue;
      drawnTo = -1;
      drawEvent(e);
    }
    flush();
    flush();
    // Labels last, over anything that slid under them.
    p.fillRect(QRectF(0, y, labelWidth(), rh - 2), t.boxFill);
    p.setPen(t.foreground);
    p.drawText(QRectF(4, y, labelWidth() - 8, rh - 2), Qt::AlignVCenter | Qt::AlignLeft,
               p.fontMetrics().elidedText(row.label, Qt::ElideMiddle, static_cast<int>(labelWidth() - 8)));
  }
  // Playhead.
  const double px = xOf(clock_->now(), w);
  if (px >= labelWidth()) {
    p.setPen(QPen(t.fault, 2 * t.lineWidth / 1.5));
    p.drawLine(QPointF(px, 0), QPointF(px, target.height()));
  }
  p.restore();
}

void TimelineView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  render(p, QRectF(rect()));
}

std::pair<int, long long> TimelineView::eventAt(QPointF pos) const {
  const int r = static_cast<int>(std::floor((pos.y() - kRulerHeight) / rowHeight()));
  if (r < 0 || r >= static_cast<int>(rows_.size()) || pos.x() < labelWidth()) return {-1, -1};
  const Row& row = rows_[static_cast<std::size_t>(r)];
  const RunTrace& run = row.player->run();
  const double ns = timeAt(pos.x());
  const double slack = 4 * (t1_ - t0_) / std::max(1.0, width() - labelWidth());  // 4 pixels
  long long best = -1;
  double bestDist = slack;
  for (std::uint32_t i : row.player->index().laneEvents(row.lane)) {
    const Event& e = run.events[i];
    if (static_cast<double>(e.t) > ns + slack) break;
    const double d = ns < static_cast<double>(e.t) ? static_cast<double>(e.t) - ns
                     : ns > static_cast<double>(e.end()) ? ns - static_cast<double>(e.end()) : 0;
    if (d <= bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return {r, best};
}

bool TimelineView::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    const auto [r, i] = eventAt(help->pos());
    if (r >= 0 && i >= 0) {
      const RunTrace& run = rows_[static_cast<std::size_t>(r)].player->run();
      QToolTip::showText(help->globalPos(), run.name + ": " + describeEvent(run, run.events[static_cast<std::size_t>(i)]), this);
    } else {
      QToolTip::hideText();
    }
    return true;
  }
  return QWidget::event(e);
}

void TimelineView::wheelEvent(QWheelEvent* e) {
  const double factor = std::pow(1.2, e->angleDelta().y() / 120.0);
  zoom(factor, timeAt(e->position().x()));
}

void TimelineView::mousePressEvent(QMouseEvent* e) {
  dragging_ = true;
  dragged_ = false;
  dragStart_ = e->position();
  dragT0_ = t0_;
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
  if (!dragging_) return;
  const double dx = e->position().x() - dragStart_.x();
  if (std::abs(dx) > 3) dragged_ = true;
  if (dragged_) {
    const double span = t1_ - t0_;
    const double t = dragT0_ - dx / std::max(1.0, width() - labelWidth()) * span;
    setView(t, t + span);
  }
}

void TimelineView::mouseReleaseEvent(QMouseEvent* e) {
  dragging_ = false;
  if (dragged_ || e->position().x() < labelWidth()) return;
  // A click jumps: to the event under the pointer, or to that moment.
  const auto [r, i] = eventAt(e->position());
  if (r >= 0 && i >= 0) clock_->seekTime(static_cast<double>(rows_[static_cast<std::size_t>(r)].player->run().events[static_cast<std::size_t>(i)].t));
  else clock_->seekTime(std::max(0.0, timeAt(e->position().x())));
}

}  // namespace kiosim::gui
