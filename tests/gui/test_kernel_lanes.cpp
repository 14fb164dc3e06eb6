// Offscreen tests of the kernel's events as lanes beside the prediction (gui/kernel_lanes.h):
// a check --kernel-trace --json document's timeline becomes one lane per group of
// tracepoints on the run its method names, drawn as the simulator's kinds but never
// counted; a document without a kernel trace, or for no run of the trace, is refused
// with its reason.
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "gui/kernel_lanes.h"
#include "gui/timeline_view.h"
#include "gui_test_support.h"

using namespace kiosim::gui;
using namespace kiosim::gui::test;

namespace {

// tests/gui/data/kernel-check.json: a check --kernel-trace --json of copy-table's read_write, cut to its kernel_trace:
// a readahead window of 16 pages at 10 us, a whole-mm TLB flush at 20 us, a 4 ms
// throttle pause at 30 us, a 65,549-byte transmit at 40 us, a 16-page flush at 50 us.
QByteArray checkJson() {
  QFile f(dataFile("kernel-check.json"));
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString write(QTemporaryDir& dir, const char* name, const QByteArray& text) {
  QFile f(dir.filePath(name));
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(text);
  return f.fileName();
}

const RunTrace& runNamed(MainWindow& w, const QString& name) {
  for (const auto& r : w.trace()->runs)
    if (r.name == name) return r;
  return w.trace()->runs.front();
}

}  // namespace

class KernelLanesTest : public QObject {
  Q_OBJECT

 private slots:
  void kernelEventsBecomeLanesBesideThePrediction() {
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    const std::size_t lanesBefore = runNamed(*w, "read_write").lanes.size();
    const std::size_t eventsBefore = runNamed(*w, "read_write").events.size();
    const double copiesFinal = runNamed(*w, "read_write").counter("cpu_copies");
    const std::size_t rowsBefore = w->timeline()->rows().size();
    QTemporaryDir dir;
    QVERIFY(w->loadKernelLanes(write(dir, "check.json", checkJson())));

    const RunTrace& run = runNamed(*w, "read_write");
    // Four groups: readahead, tlb (both flushes), writeback, net; each a kernel lane.
    QCOMPARE(run.lanes.size(), lanesBefore + 4);
    QStringList added;
    for (std::size_t i = lanesBefore; i < run.lanes.size(); ++i) {
      added << run.lanes[i].name;
      QVERIFY(run.lanes[i].kind == LaneKind::kernel);
    }
    QCOMPARE(added, (QStringList{"kernel: readahead", "kernel: tlb", "kernel: writeback", "kernel: net"}));
    QCOMPARE(run.events.size(), eventsBefore + 5);
    int observed = 0;
    for (const Event& e : run.events) {
      if (!e.observed) continue;
      ++observed;
      if (run.nameOf(e) == QLatin1String("kernel: balance_dirty_pages")) {
        QVERIFY(e.kind == Kind::block);
        QCOMPARE(e.t, std::int64_t(30000));
        QCOMPARE(e.dur, std::int64_t(4000000));
      }
      if (run.nameOf(e) == QLatin1String("kernel: net_dev_xmit")) QCOMPARE(e.bytes, std::uint64_t(65549));
      if (run.nameOf(e) == QLatin1String("kernel: tlb_flush"))
        QVERIFY(e.kind == (e.pages == 16 ? Kind::tlb_invalidate : Kind::tlb_flush));
    }
    QCOMPARE(observed, 5);
    // The timeline draws them: four more rows (the compare view shows every run).
    QCOMPARE(w->timeline()->rows().size(), rowsBefore + 4);
    // Never counted: played to the end, the live counters are the simulated run's.
    w->clock()->toEnd();
    QCOMPARE(runNamed(*w, "read_write").counter("cpu_copies"), copiesFinal);
    const int slot = slotOf(*w, "read_write");
    QVERIFY(slot >= 0);
    // "now / final": the transmit drawn as a DMA is no DMA of the run's.
    const QStringList dma = w->counters()->text("dma_copies", slot).split(QStringLiteral(" / "));
    QCOMPARE(dma.size(), 2);
    QCOMPARE(dma[0], dma[1]);
  }

  void refusesADocumentWithoutAKernelTrace() {
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    QTemporaryDir dir;
    QVERIFY(!w->loadKernelLanes(write(dir, "none.json", R"({"runs": []})")));
    QVERIFY(w->lastError().contains("no kernel trace timeline"));
    QVERIFY(!w->loadKernelLanes(write(dir, "refused.json", R"({"kernel_trace": {"requested": true, "active": false,
      "why_not": "--kernel-trace needs root or CAP_PERFMON/CAP_SYS_ADMIN"}})")));
    QVERIFY(w->lastError().contains("needs root"));
    QByteArray other = checkJson();
    other.replace("\"method\": \"read_write\"", "\"method\": \"nosuch\"");
    QVERIFY(!w->loadKernelLanes(write(dir, "other.json", other)));
    QVERIFY(w->lastError().contains("no traced method matches"));
    QVERIFY(!w->loadKernelLanes(write(dir, "bad.json", "not json")));
    QVERIFY(w->lastError().contains("not JSON"));
  }

  void everyKernelEventHasALane() {
    // The lanes of kernel_lanes.h for the events kiosim enables.
    QCOMPARE(kernelLaneOf("page_cache_sync_ra", 0).lane, QStringLiteral("readahead"));
    QCOMPARE(kernelLaneOf("mm_filemap_map_pages", 16).lane, QStringLiteral("faults"));
    QVERIFY(kernelLaneOf("mm_filemap_delete_from_page_cache", 1).kind == Kind::evict);
    QVERIFY(kernelLaneOf("jbd2 commit", 0).kind == Kind::journal_commit);
    QVERIFY(kernelLaneOf("mm_vmscan_lru_shrink_active", 32).kind == Kind::deactivate);
    QVERIFY(kernelLaneOf("balance_dirty_pages", 0).kind == kOtherKind);  // no pause: a look, not a sleep
    QVERIFY(kernelLaneOf("ipi_send_cpumask", 2).kind == Kind::tlb_shootdown);
    QCOMPARE(kernelLaneOf("consume_skb", 1).lane, QStringLiteral("net"));
    QCOMPARE(kernelLaneOf("io_uring_complete", 4096).lane, QStringLiteral("io_uring"));
  }
};

QTEST_MAIN(KernelLanesTest)
#include "test_kernel_lanes.moc"
