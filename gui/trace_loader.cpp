#include "gui/trace_loader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QThread>
#include <algorithm>

namespace kiosim::gui {

namespace {

void flatten(const QJsonObject& o, const QString& prefix, CounterSet& out) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    const QString key = prefix.isEmpty() ? it.key() : prefix + '.' + it.key();
    if (it->isDouble()) out.emplace_back(key, it->toDouble());
    else if (it->isBool()) out.emplace_back(key, it->toBool() ? 1 : 0);
    else if (it->isObject()) flatten(it->toObject(), key, out);
  }
}

// A failed check names the run and the event, so a broken trace can be found by hand.
struct Problem {
  QString text;
};

std::int64_t integer(const QJsonObject& o, const char* key, std::int64_t fallback) {
  const QJsonValue v = o.value(QLatin1String(key));
  return v.isDouble() ? static_cast<std::int64_t>(v.toDouble()) : fallback;
}

RunTrace parseRun(const QJsonObject& r, int index) {
  RunTrace run;
  run.name = r.value("name").toString(QStringLiteral("run %1").arg(index + 1));
  const QString where = QStringLiteral("run `%1`").arg(run.name);
  flatten(r.value("counters").toObject(), {}, run.counters);

  const QJsonValue lanes = r.value("lanes");
  if (!lanes.isArray()) throw Problem{where + ": `lanes` is missing or not a list"};
  for (const QJsonValue& l : lanes.toArray()) {
    Lane lane;
    lane.name = l.toObject().value("name").toString();
    const QString kind = l.toObject().value("kind").toString();
    lane.kind = kind == "user" ? LaneKind::user : kind == "kernel" ? LaneKind::kernel : LaneKind::device;
    run.lanes.push_back(lane);
  }

  const QJsonValue events = r.value("events");
  if (!events.isArray()) throw Problem{where + ": `events` is missing or not a list"};
  const QJsonArray arr = events.toArray();
  run.events.reserve(static_cast<std::size_t>(arr.size()));
  run.names.append(QString());
  QHash<QString, std::uint32_t> nameIndex{{QString(), 0}};
  for (qsizetype i = 0; i < arr.size(); ++i) {
    const QJsonObject o = arr.at(i).toObject();
    const QString at = QStringLiteral("%1, event %2").arg(where).arg(i);
    if (!o.value("t").isDouble()) throw Problem{at + ": `t` is missing or not a number"};
    if (!o.value("kind").isString()) throw Problem{at + ": `kind` is missing"};
    Event e;
    e.t = integer(o, "t", 0);
    e.dur = std::max<std::int64_t>(0, integer(o, "dur", 0));
    const std::int64_t lane = integer(o, "lane", -1);
    if (lane < 0 || lane >= static_cast<std::int64_t>(run.lanes.size()))
      throw Problem{at + QStringLiteral(": lane %1 is not one of the %2 lanes").arg(lane).arg(run.lanes.size())};
    e.lane = static_cast<std::uint32_t>(lane);
    e.kind = kindFromString(o.value("kind").toString());
    e.from = placeFromString(o.value("from").toString());
    e.to = placeFromString(o.value("to").toString());
    e.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, integer(o, "bytes", 0)));
    e.pages = static_cast<std::uint64_t>(std::max<std::int64_t>(0, integer(o, "pages", 0)));
    e.req = static_cast<std::uint64_t>(std::max<std::int64_t>(0, integer(o, "req", 0)));
    e.page = integer(o, "page", -1);
    e.file = static_cast<std::uint32_t>(std::max<std::int64_t>(0, integer(o, "file", 0)));
    e.userMode = o.value("user_mode").toBool(false);
    const QString name = o.value("name").toString();
    auto found = nameIndex.find(name);
    if (found == nameIndex.end()) {
      found = nameIndex.insert(name, static_cast<std::uint32_t>(run.names.size()));
      run.names.append(name);
    }
    e.name = *found;
    run.events.push_back(e);
    run.endNs = std::max(run.endNs, e.end());
  }
  // The format promises sorted events; a hand-edited file may not keep the promise.
  std::stable_sort(run.events.begin(), run.events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
  return run;
}

}  // namespace

TracePtr parseTrace(const QByteArray& json, const QString& sourcePath, QString* error) {
  QJsonParseError pe;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
  if (pe.error != QJsonParseError::NoError) {
    *error = QStringLiteral("%1 is not JSON: %2 (at byte %3)").arg(sourcePath, pe.errorString()).arg(pe.offset);
    return nullptr;
  }
  const QJsonObject root = doc.object();
  if (root.value("format").toString() != "kiosim-trace") {
    *error = QStringLiteral("%1 is not a kiosim trace (no \"format\": \"kiosim-trace\")").arg(sourcePath);
    return nullptr;
  }
  if (root.value("version").toInt() != 1) {
    *error = QStringLiteral("%1: trace version %2 is not supported (this GUI reads version 1)")
                 .arg(sourcePath).arg(root.value("version").toInt());
    return nullptr;
  }
  auto data = std::make_shared<TraceData>();
  data->sourcePath = sourcePath;
  const QJsonObject sc = root.value("scenario").toObject();
  data->scenarioPath = sc.value("path").toString();
  data->title = sc.value("title").toString();
  data->description = sc.value("description").toString();
  data->machine = root.value("machine").toObject().value("name").toString();
  const QJsonArray runs = root.value("runs").toArray();
  if (runs.isEmpty()) {
    *error = QStringLiteral("%1 has no runs").arg(sourcePath);
    return nullptr;
  }
  try {
    for (qsizetype i = 0; i < runs.size(); ++i) data->runs.push_back(parseRun(runs.at(i).toObject(), static_cast<int>(i)));
  } catch (const Problem& p) {
    *error = sourcePath + ": " + p.text;
    return nullptr;
  }
  return data;
}

TracePtr loadTraceFile(const QString& path, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot open %1: %2").arg(path, f.errorString());
    return nullptr;
  }
  return parseTrace(f.readAll(), path, error);
}

TracePtr withMeasured(const TracePtr& trace, const QString& path, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot open %1: %2").arg(path, f.errorString());
    return nullptr;
  }
  const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
  const QJsonArray runs = doc.object().value("runs").toArray();
  if (runs.isEmpty()) {
    *error = QStringLiteral("%1 has no \"runs\" with measured counters").arg(path);
    return nullptr;
  }
  auto copy = std::make_shared<TraceData>(*trace);
  int matched = 0;
  for (const QJsonValue& v : runs) {
    const QJsonObject r = v.toObject();
    const QString name = r.contains("method") ? r.value("method").toString() : r.value("name").toString();
    const QJsonObject counters = r.contains("measured") ? r.value("measured").toObject() : r.value("counters").toObject();
    for (auto& run : copy->runs) {
      if (run.name != name && !(copy->runs.size() == 1 && runs.size() == 1)) continue;
      run.measured.clear();
      flatten(counters, {}, run.measured);
      ++matched;
    }
  }
  if (matched == 0) {
    *error = QStringLiteral("%1: no run name matches a run of the trace").arg(path);
    return nullptr;
  }
  return copy;
}

void TraceLoadJob::start(const QString& path) {
  busy_ = true;
  QPointer<TraceLoadJob> self(this);
  QThread* worker = QThread::create([self, path] {
    QString error;
    TracePtr trace = loadTraceFile(path, &error);
    // Back to the job's thread: the views are only touched there.
    if (self)
      QMetaObject::invokeMethod(self.data(), [self, trace, path, error] {
        if (!self) return;
        self->busy_ = false;
        if (trace) emit self->loaded(trace);
        else emit self->failed(path, error);
      }, Qt::QueuedConnection);
  });
  connect(worker, &QThread::finished, worker, &QObject::deleteLater);
  worker->start();
}

}  // namespace kiosim::gui
