#include "gui/lesson_caption.h"

#include <QLabel>
#include <QVBoxLayout>

#include "gui/lesson_player.h"

namespace kiosim::gui {

LessonCaption::LessonCaption(LessonPlayer* lesson, QWidget* parent) : QFrame(parent), lesson_(lesson) {
  setObjectName(QStringLiteral("lessonCaption"));
  setFrameShape(QFrame::StyledPanel);
  auto* box = new QVBoxLayout(this);
  box->setContentsMargins(12, 6, 12, 6);
  title_ = new QLabel;
  caption_ = new QLabel;
  question_ = new QLabel;
  answer_ = new QLabel;
  for (QLabel* l : {title_, caption_, question_, answer_}) {
    l->setWordWrap(true);
    l->setTextFormat(Qt::PlainText);
    box->addWidget(l);
  }
  QFont f = title_->font();
  f.setBold(true);
  title_->setFont(f);
  question_->setFont(f);
  connect(lesson_, &LessonPlayer::changed, this, &LessonCaption::refresh);
  refresh();
}

void LessonCaption::refresh() {
  setVisible(lesson_->active());
  if (!lesson_->active()) return;
  const Lesson& l = lesson_->lesson();
  QString head = tr("Lesson %1: %2").arg(l.number).arg(l.title);
  if (!l.notBuilt.isEmpty()) head += tr("  (not built yet: %1)").arg(l.notBuilt);
  title_->setText(head);
  caption_->setText(lesson_->caption());
  const int i = lesson_->current();
  const bool ask = lesson_->asking();
  question_->setVisible(ask);
  answer_->setVisible(ask);
  if (!ask) return;
  const LessonPause& p = l.pauses[static_cast<std::size_t>(i)];
  question_->setText(tr("Pause %1 of %2 — %3").arg(i + 1).arg(l.pauses.size()).arg(p.question));
  answer_->setText(lesson_->answerShown() ? tr("Answer: %1   (Enter: play on)").arg(p.answer)
                                          : tr("(Enter or A: the answer)"));
}

QString LessonCaption::captionText() const { return caption_->text(); }
QString LessonCaption::questionText() const { return lesson_->asking() ? question_->text() : QString(); }
QString LessonCaption::answerText() const {
  return lesson_->asking() && lesson_->answerShown() ? answer_->text() : QString();
}

}  // namespace kiosim::gui
