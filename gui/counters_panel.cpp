#include "gui/counters_panel.h"

#include <QHeaderView>
#include <cmath>
#include <limits>

namespace kiosim::gui {

namespace {

// MODEL.md section 1, in its order.
const QStringList kModelCounters = {
    "syscalls", "mode_switches", "context_switches", "cpu_copies", "cpu_copy_bytes", "dma_copies", "dma_bytes",
    "cpu_copies_per_byte", "dma_copies_per_byte", "memory_bus_bytes", "page_faults_minor", "page_faults_major",
    "cow_faults", "tlb_hits", "tlb_misses", "tlb_invalidations", "tlb_flushes", "tlb_shootdowns", "page_cache_hits",
    "page_cache_misses", "readahead_pages", "activations", "deactivations", "evictions", "writeback_pages",
    "dirty_throttle_ns", "skbs", "sg_frags", "sg_overflows", "linearize_bytes", "interrupts", "journal_commits",
    "journal_bytes", "device_flushes", "fsync_wait_ns", "sim_time_ns"};

QString number(double v) {
  if (std::isnan(v)) return QStringLiteral("–");
  if (v == std::floor(v) && std::abs(v) < 1e15) return QLocale::c().toString(static_cast<qlonglong>(v));
  return QString::number(v, 'g', 4);
}

double lookup(const CounterSet& set, const QString& key) {
  for (const auto& [k, v] : set)
    if (k == key) return v;
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

CountersPanel::CountersPanel(QWidget* parent) : QTableWidget(parent) {
  setObjectName(QStringLiteral("counters"));
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
  // Sized once per trace: resizing to contents on every tick costs more than the frame.
  horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
}

void CountersPanel::setPlayers(std::vector<RunPlayer*> players) {
  players_ = std::move(players);
  split_ = players_.size() == 1;
  measured_ = false;
  keys_ = kModelCounters;
  for (RunPlayer* p : players_) {
    measured_ = measured_ || !p->run().measured.empty();
    for (const auto& [k, v] : p->run().counters)  // the header's breakdowns, after the MODEL.md set
      if (!keys_.contains(k) && (k.startsWith("time_breakdown_ns.") || k.startsWith("syscalls_by_name."))) keys_ << k;
  }
  QStringList headers;
  for (RunPlayer* p : players_) {
    if (split_) headers << QStringLiteral("now") << QStringLiteral("final");
    else headers << p->run().name + QStringLiteral("\nnow / final");
    if (measured_) headers << (split_ ? QStringLiteral("measured") : p->run().name + QStringLiteral("\nmeasured"));
  }
  clear();
  setRowCount(static_cast<int>(keys_.size()));
  setColumnCount(static_cast<int>(headers.size()));
  setHorizontalHeaderLabels(headers);
  setVerticalHeaderLabels(keys_);
  for (int r = 0; r < rowCount(); ++r)
    for (int c = 0; c < columnCount(); ++c) {
      auto* item = new QTableWidgetItem;
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      setItem(r, c, item);
    }
  refresh();
  for (int c = 0; c < columnCount(); ++c) {  // wide enough for the final values
    resizeColumnToContents(c);
    setColumnWidth(c, columnWidth(c) + 8);
  }
}

double CountersPanel::liveValue(int slot, const QString& counter) const {
  if (slot < 0 || slot >= static_cast<int>(players_.size())) return std::numeric_limits<double>::quiet_NaN();
  RunPlayer* p = players_[static_cast<std::size_t>(slot)];
  for (int c = 0; c < static_cast<int>(Live::count_); ++c)
    if (liveName(static_cast<Live>(c)) == counter) return p->state().live(static_cast<Live>(c));
  return std::numeric_limits<double>::quiet_NaN();
}

int CountersPanel::rowOf(const QString& counter) const { return static_cast<int>(keys_.indexOf(counter)); }

QString CountersPanel::text(const QString& counter, int column) const {
  const QTableWidgetItem* it = item(rowOf(counter), column);
  return it ? it->text() : QString();
}

void CountersPanel::refresh() {
  const int perRun = (split_ ? 2 : 1) + (measured_ ? 1 : 0);
  for (std::size_t s = 0; s < players_.size(); ++s) {
    RunPlayer* p = players_[s];
    const bool atEnd = p->state().applied() == p->run().events.size();
    for (int r = 0; r < static_cast<int>(keys_.size()); ++r) {
      const QString& key = keys_[r];
      const double fin = lookup(p->run().counters, key);
      double now = liveValue(static_cast<int>(s), key);
      if (std::isnan(now) && atEnd) now = fin;  // not derivable from events: known once the run is over
      const int col = static_cast<int>(s) * perRun;
      QTableWidgetItem* nowItem = item(r, col);
      if (split_) {
        nowItem->setText(number(now));
        item(r, col + 1)->setText(number(fin));
      } else {
        nowItem->setText(number(now) + QStringLiteral(" / ") + number(fin));
      }
      // A value that still differs from its final one is in bold: it is still moving.
      QFont f = nowItem->font();
      f.setBold(!std::isnan(now) && !std::isnan(fin) && now != fin);
      nowItem->setFont(f);
      if (measured_) item(r, col + perRun - 1)->setText(number(lookup(p->run().measured, key)));
    }
  }
}

}  // namespace kiosim::gui
