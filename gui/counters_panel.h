// The counters of sim/trace/schema.h, for each run on screen: the value so far (from
// the events played, by the table's rules), the final value (from the trace header)
// and, when a measured result is loaded, the measured value beside it. Final-only
// counters are in grey italics and show their value when the run ends (a measured value
// check marked inconclusive is in italics with " ?"); each row's
// tooltip gives the meaning, the unit and how the events determine it.
#pragma once
#include <QTableWidget>
#include <vector>

#include "gui/run_player.h"

namespace kiosim::gui {

class CountersPanel : public QTableWidget {
  Q_OBJECT
 public:
  explicit CountersPanel(QWidget* parent = nullptr);
  void setPlayers(std::vector<RunPlayer*> players);
  const std::vector<RunPlayer*>& players() const { return players_; }
  // The five that matter first (system calls, mode switches, CPU copies, DMA copies,
  // time), by human names with units; the rest fold under "more".
  static const QStringList& firstCounters();
  bool moreShown() const { return moreShown_; }
  void setMoreShown(bool on);
  // The widest the panel asks to be; past it the columns scroll (never elided).
  void setWidthCap(int pixels);
  // Presentation: several runs show their value so far only (the final in the tooltip).
  void setCompact(bool on);
  void refresh();  // re-reads the value so far of each run

  // The value so far of `counter` in screen run `slot`; NaN if the events do not determine it.
  double liveValue(int slot, const QString& counter) const;
  // The text shown for `counter` in `column` (for tests and export).
  QString text(const QString& counter, int column) const;
  int rowOf(const QString& counter) const;

 private:
  void fill(bool asAtEnd);
  void markMeasured();  // tooltips of the measured cells: check's prediction, "?" = inconclusive  // the texts now, or as they will be at the end of every run

  std::vector<RunPlayer*> players_;
  QStringList keys_;
  bool split_ = true;      // one run: now / final / measured in their own columns
  bool measured_ = false;
  bool moreShown_ = false;
  int widthCap_ = 1100, wanted_ = 0;
  bool compact_ = false;
};

}  // namespace kiosim::gui
