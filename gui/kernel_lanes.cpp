#include "gui/kernel_lanes.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <map>

namespace kiosim::gui {

namespace {

constexpr int kMaxMarks = 200000;  // a bound for any file; kiosim writes at most 20,000 a method

// Every `kernel_trace` object of a check or measure document: at the top, or under each
// of check --all's scenarios.
std::vector<QJsonObject> kernelTraces(const QJsonObject& root) {
  std::vector<QJsonObject> out;
  if (root.value("kernel_trace").isObject()) out.push_back(root.value("kernel_trace").toObject());
  for (const QJsonValue& s : root.value("scenarios").toArray())
    if (s.toObject().value("kernel_trace").isObject()) out.push_back(s.toObject().value("kernel_trace").toObject());
  return out;
}

// The run a measured method belongs to: its own name, "RUN/process", or the only run.
RunTrace* runOf(TraceData& t, const QString& method) {
  for (auto& r : t.runs)
    if (r.name == method || method.startsWith(r.name + '/')) return &r;
  return t.runs.size() == 1 ? &t.runs.front() : nullptr;
}

std::uint32_t intern(RunTrace& run, const QString& name) {
  const int at = run.names.indexOf(name);
  if (at >= 0) return static_cast<std::uint32_t>(at);
  run.names.append(name);
  return static_cast<std::uint32_t>(run.names.size() - 1);
}

}  // namespace

KernelLaneKind kernelLaneOf(const QString& e, double value) {
  if (e.startsWith(QLatin1String("page_cache_"))) return {QStringLiteral("readahead"), Kind::readahead};
  if (e == QLatin1String("mm_filemap_map_pages") || e == QLatin1String("page_fault_user"))
    return {QStringLiteral("faults"), Kind::page_fault_minor};
  if (e == QLatin1String("mm_filemap_add_to_page_cache")) return {QStringLiteral("page cache"), Kind::cache_insert};
  if (e == QLatin1String("mm_filemap_delete_from_page_cache")) return {QStringLiteral("page cache"), Kind::evict};
  if (e.startsWith(QLatin1String("jbd2")))
    return {QStringLiteral("journal"), e == QLatin1String("jbd2 commit") ? Kind::journal_commit : kOtherKind};
  if (e == QLatin1String("mm_vmscan_lru_shrink_inactive")) return {QStringLiteral("reclaim"), Kind::evict};
  if (e == QLatin1String("mm_vmscan_lru_shrink_active")) return {QStringLiteral("reclaim"), Kind::deactivate};
  if (e == QLatin1String("balance_dirty_pages"))
    return {QStringLiteral("writeback"), value > 0 ? Kind::block : kOtherKind};
  if (e == QLatin1String("tlb_flush")) return {QStringLiteral("tlb"), value < 0 ? Kind::tlb_flush : Kind::tlb_invalidate};
  if (e.startsWith(QLatin1String("ipi_"))) return {QStringLiteral("ipi"), Kind::tlb_shootdown};
  if (e == QLatin1String("net_dev_xmit")) return {QStringLiteral("net"), Kind::dma_copy};
  if (e.endsWith(QLatin1String("_skb")) || e.startsWith(QLatin1String("tcp_"))) return {QStringLiteral("net"), kOtherKind};
  if (e.startsWith(QLatin1String("io_uring"))) return {QStringLiteral("io_uring"), kOtherKind};
  return {QStringLiteral("other"), kOtherKind};
}

TracePtr withKernelLanes(const TracePtr& trace, const QByteArray& json, const QString& path, QString* error) {
  QJsonParseError pe;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
  if (doc.isNull()) {
    *error = QStringLiteral("%1 is not JSON: %2").arg(path, pe.errorString());
    return nullptr;
  }
  auto copy = std::make_shared<TraceData>(*trace);
  int methods = 0, matched = 0, marks = 0;
  QString whyNot;
  for (const QJsonObject& kt : kernelTraces(doc.object())) {
    if (!kt.value("active").toBool()) whyNot = kt.value("why_not").toString();
    for (const QJsonValue& mv : kt.value("methods").toArray()) {
      const QJsonObject m = mv.toObject();
      const QJsonObject timeline = m.value("events").toObject().value("timeline").toObject();
      if (!timeline.contains("marks")) continue;
      ++methods;
      const QString method = m.value("method").toString();
      RunTrace* run = runOf(*copy, method);
      if (!run) continue;
      ++matched;
      // "kernel: tlb", or "kernel: reader tlb" where the run has several processes.
      const QString who = (method == run->name || (copy->runs.size() == 1 && !method.contains('/')))
                              ? QString()
                              : method.section('/', -1) + ' ';
      std::map<QString, std::uint32_t> lanes;
      for (const QJsonValue& xv : timeline.value("marks").toArray()) {
        if (++marks > kMaxMarks) break;
        const QJsonObject x = xv.toObject();
        const QString event = x.value("event").toString();
        const double value = x.value("value").toDouble();
        const KernelLaneKind lk = kernelLaneOf(event, value);
        auto lane = lanes.find(lk.lane);
        if (lane == lanes.end()) {
          run->lanes.push_back(Lane{QStringLiteral("kernel: ") + who + lk.lane, LaneKind::kernel, -1});
          lane = lanes.emplace(lk.lane, static_cast<std::uint32_t>(run->lanes.size() - 1)).first;
        }
        Event e;
        e.observed = true;
        e.t = std::max<std::int64_t>(0, static_cast<std::int64_t>(x.value("t_us").toDouble() * 1e3));
        e.dur = std::max<std::int64_t>(0, static_cast<std::int64_t>(x.value("dur_us").toDouble() * 1e3));
        e.lane = lane->second;
        e.kind = lk.kind;
        e.name = intern(*run, QStringLiteral("kernel: ") + event);
        e.core = x.value("cpu").toInt(-1);
        const double size = std::max(0.0, value);
        if (lk.kind == Kind::dma_copy) e.bytes = static_cast<std::uint64_t>(size);
        else e.pages = static_cast<std::uint64_t>(std::min(size, 1e12));
        run->events.push_back(e);
        run->endNs = std::max(run->endNs, e.end());
      }
      std::stable_sort(run->events.begin(), run->events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    }
  }
  if (methods == 0) {
    *error = whyNot.isEmpty() ? QStringLiteral("%1 has no kernel trace timeline (run check or measure with "
                                               "--kernel-trace --json)")
                                    .arg(path)
                              : QStringLiteral("%1: the kernel was not traced: %2").arg(path, whyNot);
    return nullptr;
  }
  if (matched == 0) {
    *error = QStringLiteral("%1: no traced method matches a run of the trace").arg(path);
    return nullptr;
  }
  return copy;
}

TracePtr withKernelLanesFile(const TracePtr& trace, const QString& path, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot open %1: %2").arg(path, f.errorString());
    return nullptr;
  }
  return withKernelLanes(trace, f.readAll(), path, error);
}

}  // namespace kiosim::gui
