// The journal view: the running transaction filling with the buffers of each write,
// the committing one going through its steps (ordered data to its place, the journal
// blocks, the cache flush, the commit record), the committed ones, the fsync callers
// asleep until their commit, and a time strip of every commit with the crash point.
// Drawn from JournalState (gui/journal_state.h), replayed from the trace's events.
#pragma once
#include <vector>

#include "gui/run_view.h"

namespace kiosim::gui {

// What the view draws, as data (the tests check it without pixels).
struct JournalPicture {
  int runningWrites = 0;
  int committing = 0;                 // its number, 0 for none
  CommitStep step = CommitStep::committed;
  int committed = 0;                  // commits ended so far
  int lastCommitted = 0;              // its number
  QStringList asleep;                 // the callers asleep in fsync, "name → commit k"
  bool crashShown = false;           // the clock is past the crash, or the run has ended (at it)
  int lostWrites = 0;                 // at the crash: running + committing writes
};

JournalPicture journalPicture(const JournalState& s, const RunTrace& run, double now);
QString commitStepName(CommitStep s);

class JournalView : public RunView {
  Q_OBJECT
 public:
  JournalView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  ViewKind kind() const override { return ViewKind::journal; }
  JournalPicture picture() const { return journalPicture(player_->journal(), player_->run(), player_->now()); }
  void render(QPainter& p, const QRectF& target) const override;

 private:
  std::vector<std::pair<std::int64_t, std::int64_t>> commits_;  // every commit's [start, end), for the strip
};

}  // namespace kiosim::gui
