// A lesson of the course as the GUI plays it: course/NN-*/lesson.yaml, in the format
// course/README.md ("Lesson mode: lesson.yaml") documents. The scenario is simulated by
// the CLI like any other; the pauses name moments of its trace.
#pragma once
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

namespace kiosim::gui {

// `at:` of a pause: after the nth event of a kind, after event `event`, or at `time`.
struct LessonMoment {
  QString run;                 // empty: the lesson's only run
  QString kind;                // with nth (1 = the first)
  int nth = 1;
  std::optional<std::int64_t> event;  // an index into the run's events
  std::optional<double> timeNs;       // simulated time
};

struct LessonPause {
  LessonMoment at;
  QString say, question, answer;
  int line = 0;  // in lesson.yaml, for errors
};

struct Lesson {
  QString file;        // the lesson.yaml
  int number = 0;
  QString title;
  QString scenario;    // absolute path
  QStringList runs;    // empty: all
  QString view;        // data-path, compare, timeline, page-cache, address-spaces, tlb, journal
  QString notBuilt;
  QString narration;
  std::vector<LessonPause> pauses;
};

// The views lesson.yaml may name (course/README.md).
const QStringList& lessonViews();

// `path` is a lesson folder or its lesson.yaml. On an error, `error` says file:line,
// the key, and what was expected.
std::optional<Lesson> loadLesson(const QString& path, QString* error);
// A folder with a lesson.yaml, or a file named lesson.yaml.
bool isLessonPath(const QString& path);

}  // namespace kiosim::gui
