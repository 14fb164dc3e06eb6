#include "gui/lesson_player.h"

#include <algorithm>

namespace kiosim::gui {

bool resolveMoment(const PlaybackClock& clock, const LessonMoment& m, std::size_t* position, QString* error) {
  const TracePtr& trace = clock.trace();
  const auto& runs = clock.runs();
  int slot = -1;
  for (std::size_t s = 0; s < runs.size(); ++s)
    if (m.run.isEmpty() ? runs.size() == 1 : trace->runs[static_cast<std::size_t>(runs[s])].name == m.run) slot = static_cast<int>(s);
  if (slot < 0) {
    *error = m.run.isEmpty() ? QStringLiteral("at: names no run, and the lesson shows more than one")
                             : QStringLiteral("at.run `%1` is not a run on screen").arg(m.run);
    return false;
  }
  const RunTrace& run = trace->runs[static_cast<std::size_t>(runs[static_cast<std::size_t>(slot)])];
  if (!m.kind.isEmpty()) {
    int seen = 0;
    for (std::size_t i = 0; i < run.events.size(); ++i)
      if (kindName(run.events[i].kind) == m.kind && ++seen == m.nth) {
        *position = clock.positionAfter(slot, i);
        return true;
      }
    *error = QStringLiteral("run `%1` has %2 `%3` events; nth %4 is not one of them").arg(run.name).arg(seen).arg(m.kind).arg(m.nth);
    return false;
  }
  if (m.event) {
    if (*m.event >= static_cast<std::int64_t>(run.events.size())) {
      *error = QStringLiteral("event %1 is not one of run `%2`'s %3 events").arg(*m.event).arg(run.name).arg(run.events.size());
      return false;
    }
    *position = clock.positionAfter(slot, static_cast<std::size_t>(*m.event));
    return true;
  }
  // time: after the last event that started by then.
  const double t = m.timeNs.value_or(0);
  const auto it = std::upper_bound(run.events.begin(), run.events.end(), t,
                                   [](double x, const Event& e) { return x < static_cast<double>(e.t); });
  *position = it == run.events.begin() ? 0 : clock.positionAfter(slot, static_cast<std::size_t>(it - run.events.begin()) - 1);
  return true;
}

LessonPlayer::LessonPlayer(PlaybackClock* clock, QObject* parent) : QObject(parent), clock_(clock) {
  connect(clock_, &PlaybackClock::changed, this, &LessonPlayer::onClock);
}

bool LessonPlayer::start(const Lesson& lesson, QString* error) {
  stop();
  lesson_ = lesson;
  positions_.clear();
  for (const LessonPause& p : lesson_.pauses) {
    std::size_t pos = 0;
    QString why;
    if (!resolveMoment(*clock_, p.at, &pos, &why)) {
      *error = QStringLiteral("%1:%2: pause: %3").arg(lesson_.file).arg(p.line).arg(why);
      return false;
    }
    positions_.push_back(pos);
  }
  active_ = true;
  lastPos_ = clock_->position();
  emit changed();
  return true;
}

void LessonPlayer::stop() {
  active_ = stopped_ = answerShown_ = false;
  current_ = -1;
  emit changed();
}

QString LessonPlayer::caption() const {
  if (!active_) return {};
  if (current_ < 0) return lesson_.narration;
  const QString& say = lesson_.pauses[static_cast<std::size_t>(current_)].say;
  return say.isEmpty() ? lesson_.narration : say;
}

void LessonPlayer::onClock() {
  if (!active_) return;
  const std::size_t pos = clock_->position();
  if (pos < lastPos_) {
    // Moved back: the pauses ahead may stop it again; the one passed is the caption.
    current_ = -1;
    for (std::size_t i = 0; i < positions_.size(); ++i)
      if (positions_[i] <= pos) current_ = static_cast<int>(i);
    stopped_ = current_ >= 0 && positions_[static_cast<std::size_t>(current_)] == pos;
    answerShown_ = false;
    lastPos_ = pos;
    emit changed();
    return;
  }
  // Moving forward: the first pause crossed stops the clock on it.
  for (std::size_t i = 0; i < positions_.size(); ++i) {
    if (positions_[i] <= lastPos_ || positions_[i] > pos) continue;
    current_ = static_cast<int>(i);
    stopped_ = true;
    answerShown_ = false;
    lastPos_ = positions_[i];
    clock_->pause();
    if (pos != positions_[i]) clock_->seekEvent(positions_[i]);  // re-enters onClock with pos == lastPos_
    emit changed();
    return;
  }
  lastPos_ = pos;
  if (stopped_ && current_ >= 0 && pos != positions_[static_cast<std::size_t>(current_)]) stopped_ = false;
  emit changed();
}

void LessonPlayer::advance() {
  if (!active_) return;
  if (asking() && !answerShown_) {
    answerShown_ = true;
    emit changed();
    return;
  }
  stopped_ = false;
  answerShown_ = false;
  emit changed();
  clock_->play();
}

}  // namespace kiosim::gui
