#include "gui/journal_view.h"

#include <algorithm>
#include <map>

namespace kiosim::gui {

namespace {
constexpr double kW = kCanvasWidth, kH = kCanvasHeight;
const QColor kCrash("#D55E00");

QColor laneColor(std::uint32_t lane, const Theme& t) {
  QColor c = seriesColor(lane);
  return t.presentation ? c : c.lighter(140);
}

QString ms(double ns) { return QStringLiteral("%1 ms").arg(ns / 1e6, 0, 'f', ns < 1e7 ? 3 : 1); }

QString bytesText(std::uint64_t b) {
  return b >= 1 << 20 ? QStringLiteral("%1 MiB").arg(b / 1048576.0, 0, 'f', 1) : QStringLiteral("%1 KiB").arg(b / 1024.0, 0, 'f', 0);
}
}  // namespace

QString commitStepName(CommitStep s) {
  switch (s) {
    case CommitStep::ordered_data: return QObject::tr("ordered data to its place");
    case CommitStep::journal_blocks: return QObject::tr("journal blocks written");
    case CommitStep::flush: return QObject::tr("cache flush (REQ_PREFLUSH)");
    case CommitStep::commit_record: return QObject::tr("commit record (REQ_FUA)");
    default: return QObject::tr("committed");
  }
}

JournalPicture journalPicture(const JournalState& s, const RunTrace& run, double now) {
  JournalPicture pic;
  pic.runningWrites = static_cast<int>(s.running().size());
  const Transaction* c = s.committing();
  // The clock may stand past the commit's end with no event since: it has committed.
  const bool ended = c && c->end <= now;
  if (c && !ended) {
    pic.committing = c->number;
    pic.step = c->step();
  }
  pic.committed = static_cast<int>(s.commits()) - (pic.committing ? 1 : 0);
  pic.lastCommitted = pic.committed;
  for (const FsyncWaiter& w : s.asleep())
    if (w.end > now)
      pic.asleep << QStringLiteral("%1 → %2").arg(w.lane < run.lanes.size() ? run.lanes[w.lane].name : QStringLiteral("?"),
                                                  w.commit ? QObject::tr("commit %1").arg(w.commit) : QObject::tr("its commit"));
  // The run stops at its crash: after its last event, the crash has come.
  pic.crashShown = s.crashNs() >= 0 && (now >= static_cast<double>(s.crashNs()) || s.applied() == run.events.size());
  if (pic.crashShown) pic.lostWrites = pic.runningWrites + (pic.committing ? static_cast<int>(c->writes.size()) : 0);
  return pic;
}

JournalView::JournalView(RunPlayer* player, const Theme* theme, QWidget* parent) : RunView(player, theme, parent) {
  setObjectName(QStringLiteral("journal:") + player->run().name);
  for (const Event& e : player->run().events)
    if (e.kind == Kind::journal_commit && !e.observed) commits_.emplace_back(e.t, e.end());
}

void JournalView::render(QPainter& p, const QRectF& target) const {
  const Theme& t = *theme_;
  const JournalState& s = player_->journal();
  const RunTrace& run = player_->run();
  const double now = player_->now();
  const JournalPicture pic = journalPicture(s, run, now);
  beginCanvas(p, target, t);
  auto font = [&](double pt, bool bold = false) { return t.canvasFont(pt, bold); };
  auto box = [&](const QRectF& r, const QString& title, bool hot) {
    p.setPen(QPen(hot ? t.journal : t.boxBorder, hot ? t.lineWidth * 2 : t.lineWidth));
    p.setBrush(t.boxFill);
    p.drawRoundedRect(r, 6, 6);
    p.setPen(t.foreground);
    p.setFont(font(8, true));
    p.drawText(QRectF(r.left() + 10, r.top() + 4, r.width() - 20, 24), Qt::AlignLeft | Qt::AlignVCenter, title);
  };
  auto line = [&](const QRectF& r, double y, const QString& text, const QColor& c, bool bold = false, double pt = 7) {
    p.setPen(c);
    p.setFont(font(pt, bold));
    p.drawText(QRectF(r.left() + 10, y, r.width() - 20, 20), Qt::AlignLeft | Qt::AlignVCenter,
               QFontMetrics(font(pt, bold)).elidedText(text, Qt::ElideRight, static_cast<int>(r.width() - 20)));
  };

  p.setPen(t.foreground);
  p.setFont(font(9, true));
  p.drawText(QRectF(20, 6, kW - 40, 30), Qt::AlignLeft | Qt::AlignVCenter, tr("The journal (jbd2) · %1").arg(run.name));

  // The running transaction: a cell per write, coloured by the writer.
  const QRectF running(20, 44, 300, 290);
  box(running, tr("Running transaction"), pic.runningWrites > 0 && !pic.crashShown);
  std::map<std::uint32_t, int> byLane;
  std::uint64_t runningBytes = 0;
  for (const JournalWrite& w : s.running()) ++byLane[w.lane], runningBytes += w.bytes;
  line(running, running.top() + 28, tr("%1 writes · %2 of buffers").arg(pic.runningWrites).arg(bytesText(runningBytes)), t.foreground);
  const int cols = 8, shown = std::min<int>(pic.runningWrites, 48);
  const double cw = (running.width() - 20) / cols;
  for (int i = 0; i < shown; ++i) {
    const JournalWrite& w = s.running()[static_cast<std::size_t>(pic.runningWrites - shown + i)];
    const QRectF cell(running.left() + 10 + (i % cols) * cw, running.top() + 54 + (i / cols) * 28, cw - 4, 24);
    p.setPen(QPen(t.muted, 0.5));
    p.setBrush(laneColor(w.lane, t));
    p.drawRect(cell);
  }
  double y = running.top() + 54 + 6 * 28 + 4;
  for (const auto& [lane, n] : byLane) {
    if (y > running.bottom() - 22) break;
    p.setBrush(laneColor(lane, t));
    p.setPen(Qt::NoPen);
    p.drawRect(QRectF(running.left() + 10, y + 5, 10, 10));
    line(running.adjusted(14, 0, 0, 0), y, tr("%1: %2 writes").arg(lane < run.lanes.size() ? run.lanes[lane].name : QString()).arg(n), t.foreground);
    y += 20;
  }

  // The committing transaction: its steps, the current one highlighted.
  const QRectF committing(340, 44, 320, 290);
  const Transaction* c = s.committing();
  box(committing, pic.committing ? tr("Committing: transaction %1").arg(pic.committing) : tr("Committing: none"), pic.committing != 0);
  if (pic.committing) {
    line(committing, committing.top() + 28,
         tr("%1 writes · %2 blocks · %3").arg(c->writes.size()).arg(c->blocks).arg(bytesText(c->bytes)), t.foreground);
    const CommitStep steps[] = {CommitStep::ordered_data, CommitStep::journal_blocks, CommitStep::flush, CommitStep::commit_record};
    for (int i = 0; i < 4; ++i) {
      const QRectF r(committing.left() + 10, committing.top() + 60 + i * 52, committing.width() - 20, 44);
      const bool current = steps[i] == pic.step, done = static_cast<int>(steps[i]) < static_cast<int>(pic.step);
      p.setPen(QPen(current ? t.journal : t.muted, current ? t.lineWidth * 2 : 0.8));
      QColor tint = t.journal;
      tint.setAlphaF(0.25);
      p.setBrush(current ? QBrush(tint) : QBrush(t.background));
      p.drawRoundedRect(r, 4, 4);
      QString detail;
      if (steps[i] == CommitStep::ordered_data)
        detail = c->orderedSubmitted ? tr("%1 of %2 pages written").arg(c->orderedWritten).arg(c->orderedSubmitted) : tr("no data pages");
      else if (steps[i] == CommitStep::journal_blocks) detail = tr("%1 blocks, one sequential write").arg(c->blocks > 0 ? c->blocks - 1 : 0);
      else if (steps[i] == CommitStep::flush) detail = tr("the disk's cache to the medium");
      else detail = tr("durable when it completes (at %1)").arg(ms(static_cast<double>(c->end)));
      line(r.adjusted(0, -2, 0, 0), r.top(), QStringLiteral("%1%2. %3").arg(done ? QStringLiteral("✓ ") : QString()).arg(i + 1).arg(commitStepName(steps[i])),
           done || current ? t.foreground : t.muted, current, 7.5);
      line(r, r.top() + 20, detail, done || current ? t.foreground : t.muted, false, 6.5);
    }
  }

  // The committed transactions, newest first.
  const QRectF committed(680, 44, 300, 290);
  box(committed, tr("Committed: %1").arg(pic.committed), false);
  y = committed.top() + 30;
  for (auto it = s.committed().rbegin(); it != s.committed().rend() && y < committed.bottom() - 24; ++it) {
    line(committed, y, tr("%1: %2 writes, %3, at %4").arg(it->number).arg(it->writes.size()).arg(bytesText(it->bytes)).arg(ms(static_cast<double>(it->end))),
         t.foreground, it->number == pic.lastCommitted, 7);
    y += 24;
  }
  if (c && !pic.committing && y < committed.bottom() - 24)  // ended, with no event since
    line(committed, y, tr("%1: %2 writes, %3, at %4").arg(c->number).arg(c->writes.size()).arg(bytesText(c->bytes)).arg(ms(static_cast<double>(c->end))),
         t.foreground, true, 7);

  // The fsync callers asleep until their commit.
  const QRectF asleep(20, 344, kW - 40, 76);
  box(asleep, tr("Asleep in fsync until their commit (jbd2_log_wait_commit): %1").arg(pic.asleep.size()), !pic.asleep.isEmpty());
  line(asleep, asleep.top() + 30, pic.asleep.isEmpty() ? tr("none") : pic.asleep.join(QStringLiteral("   ·   ")), t.foreground, false, 7.5);

  // The time strip: every commit as a bar, the clock, the crash.
  const QRectF strip(20, 432, kW - 40, 90);
  const double span = std::max<double>({1.0, static_cast<double>(run.endNs), static_cast<double>(s.crashNs())});
  auto xOf = [&](double ns) { return strip.left() + 10 + (strip.width() - 20) * std::clamp(ns / span, 0.0, 1.0); };
  p.setPen(QPen(t.boxBorder, t.lineWidth));
  p.setBrush(Qt::NoBrush);
  p.drawLine(QPointF(strip.left() + 10, strip.top() + 50), QPointF(strip.right() - 10, strip.top() + 50));
  p.setBrush(t.journal);
  for (const auto& [a, b] : commits_) {
    const double x0 = xOf(static_cast<double>(a)), x1 = std::max(x0 + 3, xOf(static_cast<double>(b)));
    p.setPen(Qt::NoPen);
    p.setBrush(static_cast<double>(a) <= now ? t.journal : t.journal.lighter(t.presentation ? 50 : 160));
    p.drawRect(QRectF(x0, strip.top() + 36, x1 - x0, 28));
  }
  p.setPen(QPen(t.foreground, t.lineWidth * 1.5));
  p.drawLine(QPointF(xOf(now), strip.top() + 26), QPointF(xOf(now), strip.top() + 74));
  line(strip, strip.top(), tr("commits over time: 0 to %1 · now %2").arg(ms(span)).arg(ms(now)), t.muted, false, 6.5);
  if (s.crashNs() >= 0) {
    const double x = xOf(static_cast<double>(s.crashNs()));
    p.setPen(QPen(kCrash, t.lineWidth * 2.5));
    p.drawLine(QPointF(x, strip.top() + 20), QPointF(x, strip.top() + 80));
    p.setFont(font(7, true));
    p.drawText(QRectF(x - 304, strip.top() + 72, 300, 18), Qt::AlignRight | Qt::AlignVCenter, tr("crash at %1").arg(ms(static_cast<double>(s.crashNs()))));
  }
  if (pic.crashShown) {
    p.setPen(QPen(kCrash, t.lineWidth * 2));
    p.setBrush(Qt::NoBrush);
    for (const QRectF& r : {running, committing}) p.drawLine(r.topLeft() + QPointF(6, 30), r.bottomRight() - QPointF(6, 6));
    p.setFont(font(9, true));
    p.setPen(kCrash);
    p.drawText(running.adjusted(0, 0, 0, -8), Qt::AlignHCenter | Qt::AlignBottom, tr("lost at the crash"));
    p.drawText(committing.adjusted(0, 0, 0, -8), Qt::AlignHCenter | Qt::AlignBottom, pic.committing ? tr("lost at the crash") : QString());
    p.drawText(committed.adjusted(0, 0, 0, -8), Qt::AlignHCenter | Qt::AlignBottom, tr("replayed by recovery"));
  }
  drawLegend(p, t, tr("A write() joins the running transaction; a commit (fsync, O_DSYNC, or the commit interval) makes it the committing one: "
                "its ordered data to its place, its blocks to the journal, a cache flush, then the commit record. "
                "%1 commits, %2 journal bytes, %3 fsync callers woken; %4 commits disagree with the trace's write counts")
                 .arg(s.commits()).arg(s.journalBytes()).arg(s.wokenCallers()).arg(s.mismatches()), 104);
  p.restore();
}

}  // namespace kiosim::gui
