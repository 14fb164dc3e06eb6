#include "gui/trace_loader.h"

#include "gui/check_measured.h"
#include "gui/trace_stream_parser.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <algorithm>
#include <memory>

namespace kiosim::gui {

namespace {

using json = nlohmann::json;

void flatten(const QJsonObject& o, const QString& prefix, CounterSet& out) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    const QString key = prefix.isEmpty() ? it.key() : prefix + '.' + it.key();
    if (it->isDouble()) out.emplace_back(key, it->toDouble());
    else if (it->isBool()) out.emplace_back(key, it->toBool() ? 1 : 0);
    else if (it->isObject()) flatten(it->toObject(), key, out);
  }
}

void flatten(const json& o, const QString& prefix, CounterSet& out) {
  if (!o.is_object()) return;
  for (auto it = o.begin(); it != o.end(); ++it) {
    const QString key = prefix.isEmpty() ? QString::fromStdString(it.key()) : prefix + '.' + QString::fromStdString(it.key());
    if (it->is_number()) out.emplace_back(key, it->get<double>());
    else if (it->is_boolean()) out.emplace_back(key, it->get<bool>() ? 1 : 0);
    else if (it->is_object()) flatten(*it, key, out);
  }
}

QString text(const json& o, const char* key, const QString& fallback = {}) {
  if (!o.is_object()) return fallback;
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : fallback;
}

// A failed check names the run and the event, so a broken trace can be found by hand.
struct Problem {
  QString text;
};

RunTrace makeRun(const json& r, StreamedRun&& streamed, int index) {
  RunTrace run;
  run.name = text(r, "name", QStringLiteral("run %1").arg(index + 1));
  const QString where = QStringLiteral("run `%1`").arg(run.name);
  if (r.contains("counters")) flatten(r["counters"], {}, run.counters);
  // The run's counters are the sender's path; a local receiver's are apart. The trace
  // plays every lane, the receiver's too, so its final values include them.
  if (r.contains("receiver") && r["receiver"].contains("counters")) {
    CounterSet rc;
    flatten(r["receiver"]["counters"], {}, rc);
    for (const auto& [k, v] : rc)
      for (auto& [key, value] : run.counters)
        if (key == k && !k.endsWith("_per_byte") && k != "sim_time_ns" && k != "payload_bytes") value += v;
  }
  if (!r.contains("lanes") || !r["lanes"].is_array()) throw Problem{where + ": `lanes` is missing or not a list"};
  for (const json& l : r["lanes"]) {
    Lane lane;
    lane.name = text(l, "name");
    const QString kind = text(l, "kind");
    lane.kind = kind == "user" ? LaneKind::user : kind == "kernel" ? LaneKind::kernel : LaneKind::device;
    run.lanes.push_back(lane);
  }
  if (r.contains("threads") && r["threads"].is_array())
    for (const json& th : r["threads"]) {
      const QString name = text(th, "name");
      auto end = th.is_object() ? th.find("end_ns") : th.end();
      if (end == th.end() || !end->is_number()) continue;
      for (Lane& lane : run.lanes)
        if (lane.kind == LaneKind::user && lane.name == name) lane.endNs = end->get<std::int64_t>();
    }
  // A crash point (`kiosim run --crash-at`, a scenario's crash_at): the run's `crash`.
  if (r.contains("crash") && r["crash"].is_object() && r["crash"].contains("at_ns") && r["crash"]["at_ns"].is_number())
    run.crashNs = static_cast<std::int64_t>(r["crash"]["at_ns"].get<double>());
  if (!r.contains("events") || !r["events"].is_array()) throw Problem{where + ": `events` is missing or not a list"};
  run.events = std::move(streamed.events);
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const Event& e = run.events[i];
    if (e.lane >= run.lanes.size())
      throw Problem{QStringLiteral("%1, event %2: lane %3 is not one of the %4 lanes")
                        .arg(where).arg(i).arg(e.lane == ~0u ? QStringLiteral("(none)") : QString::number(e.lane)).arg(run.lanes.size())};
    run.endNs = std::max(run.endNs, e.end());
  }
  run.names.reserve(static_cast<qsizetype>(streamed.names.size()));
  for (const auto& n : streamed.names) run.names.append(QString::fromStdString(n));
  // The format promises sorted events; a hand-edited file may not keep the promise.
  if (!std::is_sorted(run.events.begin(), run.events.end(), [](const Event& a, const Event& b) { return a.t < b.t; }))
    std::stable_sort(run.events.begin(), run.events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
  return run;
}

}  // namespace

TracePtr parseTrace(const QByteArray& bytes, const QString& sourcePath, QString* error) {
  StreamedTrace st;
  QString parseError;
  if (!streamParseTrace(bytes.constData(), bytes.constData() + bytes.size(), st, &parseError)) {
    *error = QStringLiteral("%1 is not JSON: %2").arg(sourcePath, parseError);
    return nullptr;
  }
  const json& root = st.header;
  if (!root.is_object() || text(root, "format") != "kiosim-trace") {
    *error = QStringLiteral("%1 is not a kiosim trace (no \"format\": \"kiosim-trace\")").arg(sourcePath);
    return nullptr;
  }
  const int version = root.contains("version") && root["version"].is_number_integer() ? root["version"].get<int>() : 0;
  if (version != 1) {
    *error = QStringLiteral("%1: trace version %2 is not supported (this GUI reads version 1)").arg(sourcePath).arg(version);
    return nullptr;
  }
  if (!st.badEvent.isEmpty()) {
    *error = QStringLiteral("%1: %2").arg(sourcePath, st.badEvent);
    return nullptr;
  }
  auto data = std::make_shared<TraceData>();
  data->sourcePath = sourcePath;
  if (root.contains("scenario")) {
    data->scenarioPath = text(root["scenario"], "path");
    data->title = text(root["scenario"], "title");
    data->description = text(root["scenario"], "description");
  }
  if (root.contains("machine")) {
    data->machine = text(root["machine"], "name");
    const json& keys = root["machine"].is_object() && root["machine"].contains("keys") ? root["machine"]["keys"] : json();
    if (keys.is_object())
      for (auto it = keys.begin(); it != keys.end(); ++it)
        if (it->is_string()) data->machineKeys.insert(QString::fromStdString(it.key()), QString::fromStdString(it->get<std::string>()));
  }
  if (!root.contains("runs") || !root["runs"].is_array() || root["runs"].empty()) {
    *error = QStringLiteral("%1 has no runs").arg(sourcePath);
    return nullptr;
  }
  const json& runs = root["runs"];
  try {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      // Every run object got a StreamedRun, in order, whether or not it had events.
      StreamedRun streamed = i < st.runs.size() ? std::move(st.runs[i]) : StreamedRun{};
      if (streamed.names.empty()) streamed.names.emplace_back();
      data->runs.push_back(makeRun(runs[i], std::move(streamed), static_cast<int>(i)));
    }
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

TracePtr withMeasured(const TracePtr& trace, const QString& path, QString* error, const QString& scenario) {
  QJsonObject root;
  if (!readJsonObject(path, &root, error)) return nullptr;
  if (isCheckResult(root) || !scenario.isEmpty()) {
    std::vector<MeasuredRun> perRun;
    if (!measuredFromCheck(root, *trace, scenario, perRun, error)) {
      *error = path + QStringLiteral(": ") + *error;
      return nullptr;
    }
    auto copy = std::make_shared<TraceData>(*trace);
    for (std::size_t i = 0; i < copy->runs.size(); ++i) {
      copy->runs[i].measured = perRun[i].measured;
      copy->runs[i].checkPredicted = perRun[i].predicted;
      copy->runs[i].inconclusive = perRun[i].inconclusive;
    }
    return copy;
  }
  const QJsonArray runs = root.value("runs").toArray();
  if (runs.isEmpty()) {
    *error = QStringLiteral("%1: expected kiosim check --json output (\"scenario\" with \"rows\" or \"processes\", "
                            "or check --all's \"scenarios\") or measure --json's non-empty \"runs\"; found neither")
                 .arg(path);
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
      run.checkPredicted.clear();
      run.inconclusive.clear();
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
  struct Result {
    TracePtr trace;
    QString error;
  };
  auto result = std::make_shared<Result>();  // the worker's only output, read once it has finished
  const quint64 number = ++newest_;
  QThread* worker = QThread::create([result, path] { result->trace = loadTraceFile(path, &result->error); });
  workers_.append(worker);
  // `finished` comes from the worker; with this job as the context Qt queues the slot to
  // the job's thread and drops it if the job is gone by then.
  connect(worker, &QThread::finished, this, [this, worker, result, number, path] {
    workers_.removeOne(worker);
    worker->deleteLater();
    if (number != newest_) return;  // a newer open() supersedes this one
    if (result->trace) emit loaded(result->trace);
    else emit failed(path, result->error);
  });
  worker->start();
}

TraceLoadJob::~TraceLoadJob() {
  for (QThread* worker : workers_) {
    worker->wait();  // a parse in flight ends first: it reads only its file and its result
    delete worker;
  }
}

}  // namespace kiosim::gui
