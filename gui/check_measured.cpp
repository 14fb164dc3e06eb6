#include "gui/check_measured.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonArray>
#include <QStringList>
#include <algorithm>

namespace kiosim::gui {

namespace {

// "scenarios/fsync-logger.yaml", "fsync-logger.yaml" and "fsync-logger" all name one scenario.
bool sameScenario(const QString& path, const QString& name) {
  if (name.isEmpty() || path.isEmpty()) return false;
  const QFileInfo p(path), n(name);
  return path == name || p.fileName() == n.fileName() || p.completeBaseName() == name;
}

// The figure a cell names, as the trace calls it ("" : no usable cell).
QString figureOf(const QJsonObject& c) {
  if (!c.value(QStringLiteral("measured")).isDouble()) return {};
  const QString figure = c.value(QStringLiteral("figure")).toString();
  return figure == QLatin1String("wall_time_ns") ? QStringLiteral("sim_time_ns") : figure;
}

// Adds `v` to `set` under `key`: summed, or for a ratio kept as first seen.
void addTo(CounterSet& set, const QString& key, double v) {
  auto it = std::find_if(set.begin(), set.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == set.end()) set.emplace_back(key, v);
  else if (!key.contains(QLatin1String("ratio"))) it->second += v;
}

// Adds a document's cells to `out`: counts summed, a ratio kept as first seen.
void addCells(const QJsonArray& cells, MeasuredRun& out) {
  for (const QJsonValue& v : cells) {
    const QJsonObject c = v.toObject();
    const QString figure = figureOf(c);
    if (figure.isEmpty()) continue;
    addTo(out.measured, figure, c.value(QStringLiteral("measured")).toDouble());
    if (c.value(QStringLiteral("predicted")).isDouble())
      addTo(out.predicted, figure, c.value(QStringLiteral("predicted")).toDouble());
    if (c.value(QStringLiteral("inconclusive")).toBool() && !out.inconclusive.contains(figure))
      out.inconclusive << figure;
  }
}

// How many usable cells (a figure and a measured number) a scenario's document has.
int usableCells(const QJsonObject& doc) {
  int n = 0;
  for (const char* list : {"rows", "processes"})
    for (const QJsonValue& r : doc.value(QLatin1String(list)).toArray())
      for (const QJsonValue& c : r.toObject().value(QStringLiteral("cells")).toArray())
        n += !figureOf(c.toObject()).isEmpty();
  return n;
}

// One scenario's document: the root itself, or the one of --all's named `wanted`. False and why.
bool scenarioDoc(const QJsonObject& root, const QString& wanted, bool mustMatch, QJsonObject* doc, QString* error) {
  if (root.value(QStringLiteral("scenarios")).isArray()) {
    QStringList names;
    for (const QJsonValue& v : root.value(QStringLiteral("scenarios")).toArray()) {
      const QJsonObject s = v.toObject();
      const QString path = s.value(QStringLiteral("scenario")).toString();
      names << QFileInfo(path).fileName();
      if (doc->isEmpty() && sameScenario(path, wanted)) *doc = s;
    }
    if (!doc->isEmpty()) return true;
    for (const QJsonValue& v : root.value(QStringLiteral("skipped")).toArray()) {
      const QJsonObject s = v.toObject();
      if (sameScenario(s.value(QStringLiteral("scenario")).toString(), wanted)) {
        *error = QStringLiteral("check skipped %1 on that host: %2")
                     .arg(wanted, s.value(QStringLiteral("reason")).toString());
        return false;
      }
    }
    *error = wanted.isEmpty()
                 ? QStringLiteral("the trace names no scenario: say which of %1 (--measured-scenario NAME)")
                       .arg(names.join(QStringLiteral(", ")))
                 : QStringLiteral("no scenario `%1` among the %2 checked: %3")
                       .arg(wanted)
                       .arg(names.size())
                       .arg(names.join(QStringLiteral(", ")));
    return false;
  }
  if (!isCheckResult(root)) {
    *error = QStringLiteral("expected the output of kiosim check --json: {\"scenario\", \"rows\" or \"processes\"} "
                            "of one scenario, or check --all's {\"command\": \"check\", \"scenarios\": [...]}");
    return false;
  }
  *doc = root;
  const QString path = doc->value(QStringLiteral("scenario")).toString();
  // One scenario's result: only a named scenario must match it (a trace may come from a copy).
  if (mustMatch && !sameScenario(path, wanted)) {
    *error = QStringLiteral("it checked %1, not %2").arg(path, wanted);
    return false;
  }
  return true;
}

// The run of the trace a process row of a program check belongs to (-1: none): the run
// of its own name (a run of one process) or "RUN/process" (one of several); a bare name
// under the run "program"; else a forked child, which check lists right after its
// parent's row (sim/cli/check_processes.cpp): the run of the row before (`previous`).
int runOfProcess(const QString& process, const TraceData& trace, int previous) {
  int program = -1;
  for (std::size_t i = 0; i < trace.runs.size(); ++i) {
    const QString& run = trace.runs[i].name;
    if (process == run || process.startsWith(run + QLatin1Char('/'))) return static_cast<int>(i);
    if (run == QLatin1String("program")) program = static_cast<int>(i);
  }
  if (program >= 0 && !process.contains(QLatin1Char('/'))) return program;
  return previous;
}

bool fromScenario(const QJsonObject& doc, const TraceData& trace, std::vector<MeasuredRun>& perRun) {
  perRun.assign(trace.runs.size(), {});
  bool any = false;
  for (std::size_t i = 0; i < trace.runs.size(); ++i) {
    const RunTrace& run = trace.runs[i];
    if (doc.contains(QStringLiteral("rows"))) {
      // A transfer: the method's row at the trace's size, else its first.
      QJsonObject pick;
      const double size = run.counter(QStringLiteral("payload_bytes"));
      for (const QJsonValue& v : doc.value(QStringLiteral("rows")).toArray()) {
        const QJsonObject row = v.toObject();
        if (row.value(QStringLiteral("method")).toString() != run.name) continue;
        if (pick.isEmpty() || row.value(QStringLiteral("size")).toDouble() == size) pick = row;
      }
      addCells(pick.value(QStringLiteral("cells")).toArray(), perRun[i]);
    }
    any = any || !perRun[i].empty();
  }
  if (doc.contains(QStringLiteral("rows"))) return any;
  int previous = -1;
  for (const QJsonValue& v : doc.value(QStringLiteral("processes")).toArray()) {
    const QJsonObject p = v.toObject();
    previous = runOfProcess(p.value(QStringLiteral("process")).toString(), trace, previous);
    if (previous < 0) continue;
    MeasuredRun& out = perRun[static_cast<std::size_t>(previous)];
    addCells(p.value(QStringLiteral("cells")).toArray(), out);
    any = any || !out.empty();
  }
  return any;
}

}  // namespace

bool isCheckResult(const QJsonObject& root) {
  if (root.value(QStringLiteral("scenarios")).isArray()) return true;
  return root.value(QStringLiteral("scenario")).isString() &&
         (root.value(QStringLiteral("rows")).isArray() || root.value(QStringLiteral("processes")).isArray());
}

bool readJsonObject(const QString& path, QJsonObject* root, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot open %1: %2").arg(path, f.errorString());
    return false;
  }
  QJsonParseError parse{};
  const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parse);
  if (parse.error != QJsonParseError::NoError) {
    *error = QStringLiteral("%1 is not JSON: %2 at byte %3").arg(path, parse.errorString()).arg(parse.offset);
    return false;
  }
  if (!doc.isObject()) {
    *error = QStringLiteral("%1 is not a JSON object: expected kiosim check --json or measure --json output").arg(path);
    return false;
  }
  *root = doc.object();
  return true;
}

bool validateMeasuredFile(const QString& path, const QString& scenario, QString* error) {
  QJsonObject root;
  if (!readJsonObject(path, &root, error)) return false;
  if (!isCheckResult(root)) {
    if (!scenario.isEmpty()) {
      QJsonObject none;
      QString why;
      scenarioDoc(root, scenario, true, &none, &why);  // not check's: says what was expected
      *error = QStringLiteral("%1: --measured-scenario needs check's output; %2").arg(path, why);
      return false;
    }
    if (root.value(QStringLiteral("runs")).toArray().isEmpty()) {
      *error = QStringLiteral("%1: expected kiosim check --json output (\"scenario\" with \"rows\" or \"processes\", "
                              "or check --all's \"scenarios\") or measure --json's non-empty \"runs\"; found neither")
                   .arg(path);
      return false;
    }
    return true;
  }
  if (root.value(QStringLiteral("scenarios")).isArray()) {
    if (!scenario.isEmpty()) {
      QJsonObject doc;
      if (!scenarioDoc(root, scenario, true, &doc, error)) {
        *error = path + QStringLiteral(": ") + *error;
        return false;
      }
      if (usableCells(doc) == 0) {
        *error = QStringLiteral("%1: scenario %2 has no cell with a \"figure\" and a measured number")
                     .arg(path, doc.value(QStringLiteral("scenario")).toString());
        return false;
      }
      return true;
    }
    int cells = 0;
    for (const QJsonValue& v : root.value(QStringLiteral("scenarios")).toArray()) cells += usableCells(v.toObject());
    if (cells == 0) {
      *error = QStringLiteral("%1: check --all's output with no scenario that has a cell with a \"figure\" and a "
                              "measured number (all skipped?)")
                   .arg(path);
      return false;
    }
    return true;
  }
  QJsonObject doc;
  if (!scenarioDoc(root, scenario, !scenario.isEmpty(), &doc, error)) {
    *error = path + QStringLiteral(": ") + *error;
    return false;
  }
  if (usableCells(doc) == 0) {
    *error = QStringLiteral("%1: check's output of %2 with no cell that has a \"figure\" and a measured number")
                 .arg(path, doc.value(QStringLiteral("scenario")).toString());
    return false;
  }
  return true;
}

bool measuredFromCheck(const QJsonObject& root, const TraceData& trace, const QString& scenario,
                       std::vector<MeasuredRun>& perRun, QString* error) {
  const QString wanted = scenario.isEmpty() ? trace.scenarioPath : scenario;
  QJsonObject doc;
  if (!scenarioDoc(root, wanted, !scenario.isEmpty(), &doc, error)) return false;
  if (!fromScenario(doc, trace, perRun)) {
    QStringList runs;
    for (const auto& r : trace.runs) runs << r.name;
    *error = QStringLiteral("no measured row of %1 matches a run of the trace (%2)")
                 .arg(doc.value(QStringLiteral("scenario")).toString(), runs.join(QStringLiteral(", ")));
    return false;
  }
  return true;
}

}  // namespace kiosim::gui
