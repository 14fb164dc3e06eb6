#include "gui/perfetto_export.h"

#include <QSaveFile>

#include "sim/export/perfetto.h"

namespace kiosim::gui {

namespace {

std::string utf8(const QString& s) { return s.toStdString(); }

// What the GUI plays, as the exports read it: the same fields the trace file had.
exports::TraceRun toExportRun(const RunTrace& run) {
  exports::TraceRun out;
  out.name = utf8(run.name);
  for (const Lane& l : run.lanes)
    out.lanes.push_back({utf8(l.name), l.kind == LaneKind::user ? "user" : l.kind == LaneKind::kernel ? "kernel" : "device"});
  out.events.reserve(run.events.size());
  for (const Event& e : run.events) {
    exports::RunEvent x;
    x.t = e.t;
    x.dur = e.dur;
    x.lane = e.lane;
    x.kind = e.kind;
    x.kind_name = utf8(kindName(e.kind));
    x.name = utf8(run.nameOf(e));
    x.from = utf8(placeKey(e.from));
    x.to = utf8(placeKey(e.to));
    x.bytes = e.bytes;
    x.pages = e.pages;
    x.req = e.req;
    x.page = e.page;
    x.user_mode = e.userMode;
    out.events.push_back(std::move(x));
  }
  for (const auto& [k, v] : run.counters) out.counters.emplace_back(utf8(k), v);
  return out;
}

}  // namespace

bool writePerfettoTrace(const TraceData& trace, const std::vector<int>& runs, const QString& path, QString* error) {
  std::vector<exports::TraceRun> selected;
  for (int r : runs) selected.push_back(toExportRun(trace.runs[static_cast<std::size_t>(r)]));
  const std::string json = exports::perfetto_trace(selected).dump();
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    return false;
  }
  f.write(json.data(), static_cast<qint64>(json.size()));
  if (!f.commit()) {
    *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    return false;
  }
  return true;
}

}  // namespace kiosim::gui
