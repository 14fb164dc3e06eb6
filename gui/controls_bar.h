// Play, pause, step, jump and speed: the presenter's controls, with keyboard
// shortcuts (space, arrows, Home/End, +/-) that work wherever the focus is.
#pragma once
#include <QToolBar>

#include "gui/playback_clock.h"

class QAction;
class QLabel;
class QSlider;

namespace kiosim::gui {

class ControlsBar : public QToolBar {
  Q_OBJECT
 public:
  ControlsBar(PlaybackClock* clock, QWidget* parent = nullptr);
  QAction* playAction() const { return play_; }
  QSlider* speedSlider() const { return speed_; }
  void refresh();  // position label

 private:
  PlaybackClock* clock_;
  QAction* play_;
  QSlider* speed_;
  QLabel* speedLabel_;
  QLabel* position_;
};

}  // namespace kiosim::gui
