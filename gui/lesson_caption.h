// The caption under the view in lesson mode: the lesson's title, the narration or
// the pause's `say:`, the question when playback stops, and the answer after a key.
#pragma once
#include <QFrame>

class QLabel;

namespace kiosim::gui {

class LessonPlayer;

class LessonCaption : public QFrame {
  Q_OBJECT
 public:
  explicit LessonCaption(LessonPlayer* lesson, QWidget* parent = nullptr);
  void refresh();
  QString captionText() const;
  QString questionText() const;  // empty when no question is shown
  QString answerText() const;    // empty until the key is pressed

 private:
  LessonPlayer* lesson_;
  QLabel *title_, *caption_, *question_, *answer_;
};

}  // namespace kiosim::gui
