// One clock for every run on screen: the runs' events merged in time order, a cursor
// (how many merged events have happened) and the simulated time `now`. Stepping moves
// by one event; playing moves by events per second or by simulated time per second.
#pragma once
#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <cstdint>
#include <functional>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

struct SpeedPreset {
  QString label;
  double eventsPerSecond = 0;  // > 0: event mode
  double nsPerSecond = 0;      // > 0: time mode (1e9 is simulated real time)
};
const std::vector<SpeedPreset>& speedPresets();

class PlaybackClock : public QObject {
  Q_OBJECT
 public:
  explicit PlaybackClock(QObject* parent = nullptr);

  // The runs on screen (indexes into trace->runs); resets to the start.
  void setRuns(TracePtr trace, std::vector<int> runs);
  const std::vector<int>& runs() const { return runs_; }
  const TracePtr& trace() const { return trace_; }

  std::size_t position() const { return pos_; }        // merged events that have happened
  std::size_t total() const { return merged_.size(); }
  double now() const { return now_; }
  std::int64_t endNs() const { return endNs_; }
  // Events of screen run `slot` that have happened.
  std::size_t applied(int slot) const;
  // The last event that happened: its screen slot and index, or slot -1.
  std::pair<int, std::size_t> lastEvent() const;
  // How long an instant (a page reference move, a fault) stays visible, in simulated ns.
  double linger() const;

  bool playing() const { return timer_.isActive(); }
  int speedIndex() const { return speed_; }
  // The merged position just after event `index` of screen run `slot` has happened.
  std::size_t positionAfter(int slot, std::size_t index) const;
  // The next merged position (after the current one) whose event passes `test`; total() if none.
  std::size_t nextWhere(const std::function<bool(const Event&)>& test) const;
  // Slow motion: playback at a tenth of the chosen speed, so a class can follow a burst.
  bool slowMotion() const { return slow_; }
  void setSlowMotion(bool on) { slow_ = on; }

 public slots:
  void play();
  void pause();
  void togglePlay();
  void stepForward();
  void stepBack();
  void toStart();
  void toEnd();
  void seekEvent(std::size_t position);
  void seekTime(double ns);
  void setSpeedIndex(int index);
  // Advances as if `seconds` of wall time had passed while playing (the timer calls it).
  void advance(double seconds);

 signals:
  void changed();
  void playingChanged(bool playing);

 private:
  struct Ref {
    std::int64_t t;
    std::uint32_t slot;
    std::uint32_t index;
  };
  void tick();

  TracePtr trace_;
  std::vector<int> runs_;
  std::vector<Ref> merged_;
  std::vector<std::vector<std::uint32_t>> mergedPos_;  // per slot: each event's merged position
  std::size_t pos_ = 0;
  double now_ = 0;
  std::int64_t endNs_ = 0;
  int speed_ = 3;
  bool slow_ = false;
  double eventsDue_ = 0;
  QTimer timer_;
  QElapsedTimer wall_;
};

}  // namespace kiosim::gui
