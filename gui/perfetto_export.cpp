#include "gui/perfetto_export.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace kiosim::gui {

bool writePerfettoTrace(const TraceData& trace, const std::vector<int>& runs, const QString& path, QString* error) {
  QJsonArray events;
  int pid = 0;
  for (int r : runs) {
    const RunTrace& run = trace.runs[static_cast<std::size_t>(r)];
    ++pid;
    events.append(QJsonObject{{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", QJsonObject{{"name", run.name}}}});
    for (std::size_t l = 0; l < run.lanes.size(); ++l)
      events.append(QJsonObject{{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", static_cast<int>(l) + 1},
                                {"args", QJsonObject{{"name", run.lanes[l].name}}}});
    for (const Event& e : run.events) {
      QJsonObject o;
      const QString& name = run.nameOf(e);
      o["name"] = name.isEmpty() ? kindName(e.kind) : kindName(e.kind) + ' ' + name;
      o["cat"] = kindName(e.kind);
      o["pid"] = pid;
      o["tid"] = static_cast<int>(e.lane) + 1;
      o["ts"] = static_cast<double>(e.t) / 1000.0;  // the format counts microseconds
      if (e.dur > 0) {
        o["ph"] = "X";
        o["dur"] = static_cast<double>(e.dur) / 1000.0;
      } else {
        o["ph"] = "i";
        o["s"] = "t";
      }
      QJsonObject args;
      if (e.from != Place::none) args["from"] = placeName(e.from);
      if (e.to != Place::none) args["to"] = placeName(e.to);
      if (e.bytes) args["bytes"] = static_cast<double>(e.bytes);
      if (e.pages) args["pages"] = static_cast<double>(e.pages);
      if (e.req) args["req"] = static_cast<double>(e.req);
      if (!args.isEmpty()) o["args"] = args;
      events.append(o);
    }
  }
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    return false;
  }
  f.write(QJsonDocument(QJsonObject{{"traceEvents", events}, {"displayTimeUnit", "ns"}}).toJson(QJsonDocument::Compact));
  if (!f.commit()) {
    *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    return false;
  }
  return true;
}

}  // namespace kiosim::gui
