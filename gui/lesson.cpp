#include "gui/lesson.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <yaml-cpp/yaml.h>

namespace kiosim::gui {

namespace {

struct Bad {
  QString text;
};

QString q(const std::string& s) { return QString::fromStdString(s); }

// file:line: key: what was expected.
[[noreturn]] void bad(const QString& file, const YAML::Node& n, const QString& key, const QString& expected) {
  const int line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
  throw Bad{QStringLiteral("%1:%2: %3: %4").arg(file).arg(line).arg(key, expected)};
}

QString textOf(const QString& file, const YAML::Node& n, const QString& key) {
  if (!n.IsScalar()) bad(file, n, key, QStringLiteral("expected text"));
  return q(n.as<std::string>()).trimmed();
}

// "118us", "2.5 s", "900ns" in ns.
std::optional<double> timeNs(const QString& text) {
  static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s)$"));
  const auto m = re.match(text.trimmed());
  if (!m.hasMatch()) return std::nullopt;
  const QString u = m.captured(2);
  const double scale = u == "ns" ? 1 : u == "ms" ? 1e6 : u == "s" ? 1e9 : 1e3;
  return m.captured(1).toDouble() * scale;
}

LessonMoment momentOf(const QString& file, const YAML::Node& at) {
  if (!at.IsMap()) bad(file, at, QStringLiteral("at"), QStringLiteral("expected a map: { run, kind, nth } or { run, event } or { run, time }"));
  LessonMoment m;
  int named = 0;
  for (const auto& kv : at) {
    const QString key = q(kv.first.as<std::string>());
    const YAML::Node& v = kv.second;
    if (key == "run") m.run = textOf(file, v, "at.run");
    else if (key == "kind") m.kind = textOf(file, v, "at.kind"), ++named;
    else if (key == "nth") {
      bool ok = false;
      m.nth = textOf(file, v, "at.nth").toInt(&ok);
      if (!ok || m.nth < 1) bad(file, v, "at.nth", QStringLiteral("expected a whole number from 1"));
    } else if (key == "event") {
      bool ok = false;
      m.event = textOf(file, v, "at.event").toLongLong(&ok);
      if (!ok || *m.event < 0) bad(file, v, "at.event", QStringLiteral("expected an event index from 0"));
      ++named;
    } else if (key == "time") {
      m.timeNs = timeNs(textOf(file, v, "at.time"));
      if (!m.timeNs) bad(file, v, "at.time", QStringLiteral("expected a time such as 118us"));
      ++named;
    } else {
      bad(file, kv.first, "at." + key, QStringLiteral("unknown key; at: takes run, kind, nth, event, time"));
    }
  }
  if (named != 1) bad(file, at, QStringLiteral("at"), QStringLiteral("expected one of kind (with nth), event or time"));
  return m;
}

}  // namespace

const QStringList& lessonViews() {
  static const QStringList views = {"data-path", "compare", "timeline", "page-cache", "address-spaces", "tlb", "journal"};
  return views;
}

bool isLessonPath(const QString& path) {
  const QFileInfo fi(path);
  if (fi.isDir()) return QFileInfo::exists(QDir(path).filePath(QStringLiteral("lesson.yaml")));
  return fi.fileName() == QLatin1String("lesson.yaml");
}

std::optional<Lesson> loadLesson(const QString& path, QString* error) {
  const QFileInfo given(path);
  const QString file = given.isDir() ? QDir(path).filePath(QStringLiteral("lesson.yaml")) : path;
  Lesson l;
  l.file = file;
  try {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file.toStdString());
    } catch (const YAML::BadFile&) {
      throw Bad{QStringLiteral("%1: cannot read the lesson (a lesson folder holds lesson.yaml)").arg(file)};
    } catch (const YAML::Exception& e) {
      throw Bad{QStringLiteral("%1:%2: %3").arg(file).arg(e.mark.line + 1).arg(q(e.msg))};
    }
    if (!root.IsMap()) bad(file, root, QStringLiteral("lesson"), QStringLiteral("expected a map of lesson, title, scenario, ..."));
    for (const auto& kv : root) {
      const QString key = q(kv.first.as<std::string>());
      const YAML::Node& v = kv.second;
      if (key == "lesson") {
        bool ok = false;
        l.number = textOf(file, v, key).toInt(&ok);
        if (!ok) bad(file, v, key, QStringLiteral("expected the lesson's number"));
      } else if (key == "title") l.title = textOf(file, v, key);
      else if (key == "scenario") l.scenario = QFileInfo(QFileInfo(file).dir(), textOf(file, v, key)).absoluteFilePath();
      else if (key == "view") {
        l.view = textOf(file, v, key);
        if (!lessonViews().contains(l.view)) bad(file, v, key, QStringLiteral("expected one of ") + lessonViews().join(", "));
      } else if (key == "not_built") l.notBuilt = textOf(file, v, key);
      else if (key == "narration") l.narration = textOf(file, v, key);
      else if (key == "runs") {
        if (!v.IsSequence()) bad(file, v, key, QStringLiteral("expected a list of run names"));
        for (const auto& r : v) l.runs << textOf(file, r, key);
      } else if (key == "pauses") {
        if (!v.IsSequence()) bad(file, v, key, QStringLiteral("expected a list of pauses"));
        for (const auto& p : v) {
          if (!p.IsMap() || !p["at"]) bad(file, p, QStringLiteral("pauses"), QStringLiteral("a pause is a map with at:, say:, question:, answer:"));
          LessonPause pause;
          pause.line = p.Mark().line + 1;
          for (const auto& pk : p) {
            const QString k = q(pk.first.as<std::string>());
            if (k == "at") pause.at = momentOf(file, pk.second);
            else if (k == "say") pause.say = textOf(file, pk.second, "say");
            else if (k == "question") pause.question = textOf(file, pk.second, "question");
            else if (k == "answer") pause.answer = textOf(file, pk.second, "answer");
            else bad(file, pk.first, k, QStringLiteral("unknown key; a pause takes at, say, question, answer"));
          }
          l.pauses.push_back(pause);
        }
      } else {
        bad(file, kv.first, key, QStringLiteral("unknown key; see course/README.md, Lesson mode"));
      }
    }
    if (l.scenario.isEmpty()) bad(file, root, QStringLiteral("scenario"), QStringLiteral("missing: the scenario the lesson plays"));
    if (!QFileInfo::exists(l.scenario)) bad(file, root["scenario"], QStringLiteral("scenario"), QStringLiteral("no file %1").arg(l.scenario));
  } catch (const Bad& b) {
    if (error) *error = b.text;
    return std::nullopt;
  }
  return l;
}

}  // namespace kiosim::gui
