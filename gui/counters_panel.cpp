#include "gui/counters_panel.h"

#include <QHeaderView>
#include <cmath>
#include <limits>

namespace kiosim::gui {

namespace {

// The table's counter a row shows: the row's key, or for a header breakdown
// ("time_breakdown_ns.copy") the counter it breaks down; null for neither.
const schema::CounterInfo* counterOf(const QString& key) {
  const QByteArray k = key.section(QLatin1Char('.'), 0, 0).toUtf8();
  const auto i = schema::counter_index(std::string_view(k.constData(), static_cast<std::size_t>(k.size())));
  return i ? &schema::kCounters[*i] : nullptr;
}

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// Meaning, unit and how the events determine it: the row's tooltip.
QString tooltipOf(const QString& key) {
  const schema::CounterInfo* c = counterOf(key);
  if (!c)
    return QStringLiteral("not in sim/trace/schema.h: shown from the trace header, or a figure kiosim check measured "
                          "(its prediction is in check's output)");
  const QString how = c->source == schema::Source::final_only
                          ? QStringLiteral("final only: no event carries it; its value appears when the run ends")
                          : QStringLiteral("from the events: ") + qs(schema::how_determined(c->name));
  return qs(c->meaning) + QStringLiteral(" (") + qs(c->unit) + QStringLiteral(")\n") + how;
}

// The table's counters in its order; one that the header breaks down ("time_breakdown_ns"
// has "time_breakdown_ns.copy", ...) by its parts as the headers name them.
const QString kMore = QStringLiteral("more");

QString humanName(const QString& key) {
  static const QHash<QString, QString> names = {
      {"syscalls", "System calls"}, {"mode_switches", "Mode switches"},
      {"cpu_copies", "CPU copies"}, {"dma_copies", "DMA copies"}, {"sim_time_ns", "Time"}};
  return names.value(key, key);
}

QStringList rowKeys(const std::vector<RunPlayer*>& players) {
  QStringList keys = CountersPanel::firstCounters();
  keys << kMore;
  for (const auto& c : schema::kCounters) {
    const QString name = qs(c.name), prefix = name + QLatin1Char('.');
    if (keys.contains(name)) continue;
    QStringList parts;
    for (RunPlayer* p : players)
      for (const auto& [k, v] : p->run().counters)
        if (k.startsWith(prefix) && !parts.contains(k)) parts << k;
    if (parts.isEmpty()) keys << name;
    else keys << parts;
  }
  // What kiosim check measured that is no counter of the table (pages_dirtied, write_blocked_ns): measured only.
  for (RunPlayer* p : players)
    for (const auto& [k, v] : p->run().measured)
      if (!keys.contains(k) && !counterOf(k)) keys << k;
  return keys;
}

bool finalOnly(const QString& key) {
  const schema::CounterInfo* c = counterOf(key);
  return !c || c->source == schema::Source::final_only;
}

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

const QStringList& CountersPanel::firstCounters() {
  static const QStringList first = {"syscalls", "mode_switches", "cpu_copies", "dma_copies", "sim_time_ns"};
  return first;
}

void CountersPanel::setMoreShown(bool on) {
  moreShown_ = on;
  const int more = rowOf(kMore);
  for (int r = more + 1; r < rowCount(); ++r) setRowHidden(r, !on);
  if (QTableWidgetItem* head = verticalHeaderItem(more))
    head->setText((on ? QStringLiteral("▾ ") : QStringLiteral("▸ ")) + tr("more (%1 counters)").arg(rowCount() - more - 1));
}

void CountersPanel::setCompact(bool on) {
  compact_ = on;
  setPlayers(players_);
}

void CountersPanel::setWidthCap(int pixels) {
  widthCap_ = std::max(200, pixels);
  if (wanted_ > 0) setMinimumWidth(std::min(wanted_, widthCap_));
}

CountersPanel::CountersPanel(QWidget* parent) : QTableWidget(parent) {
  setTextElideMode(Qt::ElideNone);  // a value is shown whole or scrolled to, never cut
  setObjectName(QStringLiteral("counters"));
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
  // Sized once per trace: resizing to contents on every tick costs more than the frame.
  horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  connect(verticalHeader(), &QHeaderView::sectionClicked, this, [this](int r) {
    if (r == rowOf(kMore)) setMoreShown(!moreShown_);
  });
  connect(this, &QTableWidget::cellClicked, this, [this](int r, int) {
    if (r == rowOf(kMore)) setMoreShown(!moreShown_);
  });
}

void CountersPanel::setPlayers(std::vector<RunPlayer*> players) {
  players_ = std::move(players);
  split_ = players_.size() == 1;
  measured_ = false;
  for (RunPlayer* p : players_) measured_ = measured_ || !p->run().measured.empty();
  keys_ = rowKeys(players_);
  QStringList headers;
  for (RunPlayer* p : players_) {
    if (split_) headers << QStringLiteral("now") << QStringLiteral("final");
    else headers << p->run().name + (compact_ ? QString() : QStringLiteral("\nnow / final"));
    if (measured_) headers << (split_ ? QStringLiteral("measured") : p->run().name + QStringLiteral("\nmeasured"));
  }
  clear();
  setRowCount(static_cast<int>(keys_.size()));
  setColumnCount(static_cast<int>(headers.size()));
  setHorizontalHeaderLabels(headers);
  for (int r = 0; r < rowCount(); ++r) {
    // Final-only rows are in grey italics: they stand still until the run ends.
    const QString& key = keys_[r];
    auto* head = new QTableWidgetItem(humanName(key));
    head->setToolTip(key == kMore ? tr("click: show or hide the other counters") : tooltipOf(key));
    if (firstCounters().contains(key)) {
      QFont f = head->font();
      f.setBold(true);
      head->setFont(f);
    }
    if (finalOnly(key)) {
      QFont f = head->font();
      f.setItalic(true);
      head->setFont(f);
      head->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
    }
    setVerticalHeaderItem(r, head);
    for (int c = 0; c < columnCount(); ++c) {
      auto* item = new QTableWidgetItem;
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      item->setToolTip(head->toolTip());
      item->setFont(head->font());
      if (finalOnly(key)) item->setForeground(head->foreground());
      setItem(r, c, item);
    }
  }
  if (measured_) markMeasured();
  fill(true);  // sized once, as at the end: wide enough for every value a column will show
  setMoreShown(moreShown_);
  for (int r = 0; r < rowCount(); ++r) setRowHidden(r, false);  // every row counts for the widths
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  verticalHeader()->resizeSections(QHeaderView::ResizeToContents);
  // The names in the panel's font now (a header keeps a stale size hint after a font change).
  int names = 0;
  for (int r = 0; r < rowCount(); ++r) {
    QFont f = font();
    f.setBold(verticalHeaderItem(r)->font().bold());
    f.setItalic(verticalHeaderItem(r)->font().italic());
    names = std::max(names, QFontMetrics(f).horizontalAdvance(verticalHeaderItem(r)->text() + QStringLiteral("  ")));
  }
  verticalHeader()->setMinimumWidth(names);
  int width = std::max(names, verticalHeader()->sizeHint().width()) + frameWidth() * 2 + 24;
  for (int c = 0; c < columnCount(); ++c) {
    resizeColumnToContents(c);
    setColumnWidth(c, columnWidth(c) + 8);
    width += columnWidth(c);
  }
  setMoreShown(moreShown_);
  wanted_ = width;
  setMinimumWidth(std::min(wanted_, widthCap_));  // the dock grows with it: values are never cut off
  refresh();
}

void CountersPanel::markMeasured() {
  const int perRun = (split_ ? 2 : 1) + 1;
  for (std::size_t s = 0; s < players_.size(); ++s) {
    const RunTrace& run = players_[s]->run();
    for (int r = 0; r < static_cast<int>(keys_.size()); ++r) {
      const QString& key = keys_[r];
      QTableWidgetItem* m = item(r, static_cast<int>(s) * perRun + perRun - 1);
      if (key == kMore || !m) continue;
      const double measured = lookup(run.measured, key), predicted = lookup(run.checkPredicted, key);
      QString tip = tr("measured on the host");
      if (!std::isnan(predicted) && !std::isnan(measured))
        tip += tr("; kiosim check predicted %1 with its own machine profile (ratio %2)")
                   .arg(key == QLatin1String("sim_time_ns") ? formatNs(predicted) : number(predicted), measured > 0 ? QString::number(predicted / measured, 'f', 2) : tr("none"));
      if (run.inconclusive.contains(key)) {
        tip += tr("\n? inconclusive: the host's spread over the repeats, (max - min) / median, exceeds |predicted / "
                  "measured - 1|; check counts it apart, neither hit nor miss");
        QFont f = m->font();
        f.setItalic(true);
        m->setFont(f);
      }
      m->setToolTip(tip + QStringLiteral("\n") + m->toolTip());
    }
  }
}

double CountersPanel::liveValue(int slot, const QString& counter) const {
  if (slot < 0 || slot >= static_cast<int>(players_.size())) return std::numeric_limits<double>::quiet_NaN();
  if (finalOnly(counter) || counter.contains(QLatin1Char('.'))) return std::numeric_limits<double>::quiet_NaN();
  const QByteArray k = counter.toUtf8();
  const auto i = schema::counter_index(std::string_view(k.constData(), static_cast<std::size_t>(k.size())));
  return players_[static_cast<std::size_t>(slot)]->state().live(*i);
}

int CountersPanel::rowOf(const QString& counter) const { return static_cast<int>(keys_.indexOf(counter)); }

QString CountersPanel::text(const QString& counter, int column) const {
  const QTableWidgetItem* it = item(rowOf(counter), column);
  return it ? it->text() : QString();
}

void CountersPanel::refresh() { fill(false); }

void CountersPanel::fill(bool asAtEnd) {
  const int perRun = (split_ ? 2 : 1) + (measured_ ? 1 : 0);
  for (std::size_t s = 0; s < players_.size(); ++s) {
    RunPlayer* p = players_[s];
    const bool atEnd = asAtEnd || p->state().applied() == p->run().events.size();
    for (int r = 0; r < static_cast<int>(keys_.size()); ++r) {
      const QString& key = keys_[r];
      if (key == kMore) continue;
      const double fin = lookup(p->run().counters, key);
      double now = asAtEnd ? fin : liveValue(static_cast<int>(s), key);
      if (std::isnan(now) && atEnd) now = fin;  // not derivable from events: known once the run is over
      const bool isTime = key == QLatin1String("sim_time_ns");
      // The time so far is the clock's (it is no counter the events sum).
      if (isTime && !atEnd) now = std::min(p->now(), static_cast<double>(p->run().endNs));
      auto number = [isTime](double v) { return isTime && !std::isnan(v) ? formatNs(v) : ::kiosim::gui::number(v); };
      const int col = static_cast<int>(s) * perRun;
      QTableWidgetItem* nowItem = item(r, col);
      if (split_) {
        nowItem->setText(number(now));
        item(r, col + 1)->setText(number(fin));
      } else if (compact_) {
        nowItem->setText(number(now));  // the final value is in the tooltip
        nowItem->setToolTip(QStringLiteral("final: ") + number(fin));
      } else {
        nowItem->setText(number(now) + QStringLiteral(" / ") + number(fin));
      }
      // A value that still differs from its final one is in bold: it is still moving.
      // (Sized in bold, the widest it gets.)
      QFont f = nowItem->font();
      f.setBold(asAtEnd || (!std::isnan(now) && !std::isnan(fin) && now != fin && !finalOnly(key)));
      nowItem->setFont(f);
      // "?": check marked the cell inconclusive (its repeats spread more than it errs).
      if (measured_)
        item(r, col + perRun - 1)
            ->setText(number(lookup(p->run().measured, key)) +
                      (p->run().inconclusive.contains(key) ? QStringLiteral(" ?") : QString()));
    }
  }
}

}  // namespace kiosim::gui
