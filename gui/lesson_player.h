// Lesson mode: plays a lesson.yaml (gui/lesson.h) on the shared clock. Each pause's
// `at:` becomes a clock position; playing or stepping across it stops there and
// shows its question; a key shows the answer, the next key plays on. The caption
// is the narration until the first pause, then the `say:` of the last pause passed.
#pragma once
#include <QObject>
#include <vector>

#include "gui/lesson.h"
#include "gui/playback_clock.h"

namespace kiosim::gui {

class LessonPlayer : public QObject {
  Q_OBJECT
 public:
  explicit LessonPlayer(PlaybackClock* clock, QObject* parent = nullptr);

  // After the clock has the lesson's runs; false (and `error`) if a pause names no event.
  bool start(const Lesson& lesson, QString* error);
  void stop();
  bool active() const { return active_; }
  const Lesson& lesson() const { return lesson_; }

  // The clock position of each pause (after its event).
  const std::vector<std::size_t>& positions() const { return positions_; }
  int current() const { return current_; }        // the pause shown, -1 none
  bool asking() const { return current_ >= 0 && stopped_; }
  bool answerShown() const { return answerShown_; }
  QString caption() const;

 public slots:
  // The key: the answer, then on.
  void advance();

 signals:
  void changed();

 private:
  void onClock();

  PlaybackClock* clock_;
  Lesson lesson_;
  std::vector<std::size_t> positions_;
  bool active_ = false, stopped_ = false, answerShown_ = false;
  int current_ = -1;
  std::size_t lastPos_ = 0;
};

// The clock position after the event `m` names in the clock's runs; false if none.
bool resolveMoment(const PlaybackClock& clock, const LessonMoment& m, std::size_t* position, QString* error);

}  // namespace kiosim::gui
