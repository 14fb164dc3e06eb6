#include "gui/run_view.h"

#include <algorithm>

namespace kiosim::gui {

RunView::RunView(RunPlayer* player, const Theme* theme, QWidget* parent) : QWidget(parent), player_(player), theme_(theme) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void RunView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  render(p, QRectF(rect()));
}

void beginCanvas(QPainter& p, const QRectF& target, const Theme& t) {
  p.save();
  p.fillRect(target, t.background);
  p.translate(target.topLeft());
  const double scale = std::min(target.width() / kCanvasWidth, target.height() / kCanvasHeight);
  p.translate((target.width() - kCanvasWidth * scale) / 2, 0);
  p.scale(scale, scale);
  p.setRenderHint(QPainter::Antialiasing);
}

void drawLegend(QPainter& p, const Theme& t, const QString& text, double height) {
  p.setFont(t.canvasFont(6.5));
  p.setPen(t.muted);
  p.drawText(QRectF(20, kCanvasHeight - height - 6, kCanvasWidth - 40, height), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, text);
}

QString viewName(ViewKind k) {
  switch (k) {
    case ViewKind::address_spaces: return QStringLiteral("address-spaces");
    case ViewKind::tlb: return QStringLiteral("tlb");
    case ViewKind::journal: return QStringLiteral("journal");
    case ViewKind::page_cache: return QStringLiteral("page-cache");
    default: return QStringLiteral("data-path");
  }
}

ViewKind viewFromLessonName(const QString& name) {
  if (name == QLatin1String("address-spaces")) return ViewKind::address_spaces;
  if (name == QLatin1String("tlb")) return ViewKind::tlb;
  if (name == QLatin1String("journal")) return ViewKind::journal;
  if (name == QLatin1String("page-cache")) return ViewKind::page_cache;
  return ViewKind::data_path;
}

ViewKind pickView(const RunTrace& run) {
  bool fork = false, cow = false, shootdown = false, commit = false, lists = false;
  for (const Event& e : run.events) {
    if (e.observed) continue;
    fork = fork || (e.kind == Kind::syscall_exit && e.child >= 0);
    cow = cow || (e.kind == Kind::cow_fault && e.frame >= 0);
    shootdown = shootdown || (e.kind == Kind::tlb_shootdown && e.cpus != 0);
    commit = commit || e.kind == Kind::journal_commit;
    // The lists move (reclaim, a second access), readahead reads ahead, or a writer is
    // throttled (balance_dirty_pages, reclaim_throttle).
    lists = lists || e.kind == Kind::evict || e.kind == Kind::activate || e.kind == Kind::deactivate ||
            e.kind == Kind::readahead || (e.kind == Kind::block && run.nameOf(e).contains(QLatin1String("throttl")));
  }
  if (fork && cow) return ViewKind::address_spaces;
  if (shootdown) return ViewKind::tlb;
  if (commit) return ViewKind::journal;
  if (lists) return ViewKind::page_cache;
  return ViewKind::data_path;
}

}  // namespace kiosim::gui
