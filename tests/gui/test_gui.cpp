// Offscreen tests of kiosim-gui: they drive the real window and check what it holds
// (counters, tokens, lanes), not pixels; a few screenshots are saved for a person.
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <string>

#include "gui/check_measured.h"
#include "gui/trace_stream_parser.h"
#include "gui_test_support.h"
#include "sendfile_trace.h"

using namespace kiosim::gui;
using namespace kiosim::gui::test;

class GuiTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window() { return shownWindow(); }
  static double finalOf(MainWindow& w, int slot, const char* key) {
    return w.trace()->runs[static_cast<std::size_t>(w.clock()->runs()[static_cast<std::size_t>(slot)])].counter(key);
  }

 private slots:
  // fuzz_gui_trace's first finding (tests/fuzz/seeds/gui-huge-number.json): a number
  // past an integer field's range was cast from double, undefined behaviour. Each
  // field is clamped to its range now.
  void streamParserClampsHugeNumbers() {
    const std::string text =
        R"({"runs": [{"events": [{"t": 8.88889e44, "kind": "cpu_copy", "bytes": 1e30, "pages": -5.5,)"
        R"( "req": 3.0, "dur": -1e300, "page": -1e19}]}]})";
    StreamedTrace t;
    QString error;
    QVERIFY(streamParseTrace(text.data(), text.data() + text.size(), t, &error));
    QCOMPARE(t.runs.size(), std::size_t{1});
    QCOMPARE(t.runs[0].events.size(), std::size_t{1});
    const Event& e = t.runs[0].events[0];
    QCOMPARE(e.t, std::numeric_limits<std::int64_t>::max());
    QCOMPARE(e.bytes, std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(e.pages, std::uint64_t{0});
    QCOMPARE(e.req, std::uint64_t{3});
    QCOMPARE(e.dur, std::int64_t{0});
    QCOMPARE(e.page, std::numeric_limits<std::int64_t>::min());
  }

  void loadsCompareTrace() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    QCOMPARE(w->stage()->views().size(), std::size_t{4});
    QCOMPARE(w->timeline()->rows().size(), std::size_t{16});  // 4 lanes x 4 runs
    QCOMPARE(w->timeline()->rows().front().label, QStringLiteral("read_write · disk"));
    QCOMPARE(w->counters()->columnCount(), 4);  // one "now / final" column per run
    QCOMPARE(w->counters()->text("syscalls", 0), QStringLiteral("0 / 2"));
  }

  void stepsReadWrite() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    w->showTrace(w->trace(), "read_write");
    QCOMPARE(w->stage()->views().size(), std::size_t{1});
    DataPathView* v = w->stage()->views().front();

    // The disk DMA into the page cache: a DMA token through the disk controller.
    w->clock()->seekEvent(positionAfter(*w, 0, Kind::dma_copy, 0));
    Frame f = v->currentFrame();
    QVERIFY(f.token(Place::disk, Place::page_cache));
    QCOMPARE(f.token(Place::disk, Place::page_cache)->kind, TokenKind::dma);
    QVERIFY(f.diskBusy);
    QCOMPARE(v->player()->state().inactivePages(), std::int64_t{16});  // cold misses land on the inactive list

    // read()'s copy to the user buffer: a CPU token, the thread in the kernel.
    w->clock()->seekEvent(positionAfter(*w, 0, Kind::cpu_copy, 0));
    f = v->currentFrame();
    QVERIFY(f.token(Place::page_cache, Place::user_buffer));
    QCOMPARE(f.token(Place::page_cache, Place::user_buffer)->kind, TokenKind::cpu_copy);
    QCOMPARE(f.tokenCount(TokenKind::cpu_copy), 1);
    QCOMPARE(f.threads.size(), std::size_t{1});
    QVERIFY(f.threads.front().inKernel);
    QCOMPARE(w->counters()->liveValue(0, "cpu_copies"), 1.0);
    QCOMPARE(w->counters()->liveValue(0, "syscalls"), 1.0);
    QCOMPARE(w->counters()->text("cpu_copies", 0), QStringLiteral("1"));
    QCOMPARE(w->counters()->text("cpu_copies", 1), QStringLiteral("2"));  // the final value beside it

    // Between the calls the thread is back in user mode.
    w->clock()->seekEvent(positionAfter(*w, 0, Kind::syscall_exit, 0));
    QVERIFY(!v->currentFrame().threads.front().inKernel);
    QCOMPARE(w->counters()->liveValue(0, "mode_switches"), 2.0);

    // write()'s copy into the socket buffer, then one step back undoes it.
    const std::size_t second = positionAfter(*w, 0, Kind::cpu_copy, 1);
    w->clock()->seekEvent(second);
    QVERIFY(v->currentFrame().token(Place::user_buffer, Place::socket_buffer));
    QCOMPARE(w->counters()->liveValue(0, "cpu_copies"), 2.0);
    w->clock()->stepBack();
    QCOMPARE(w->clock()->position(), second - 1);
    QCOMPARE(w->counters()->liveValue(0, "cpu_copies"), 1.0);

    // At the end, every counter the events determine equals the header's final value.
    w->clock()->toEnd();
    for (const auto& c : kiosim::schema::kCounters) {
      if (c.source != kiosim::schema::Source::events) continue;
      const QString key = QString::fromUtf8(c.name.data(), static_cast<qsizetype>(c.name.size()));
      const double fin = w->trace()->runs[0].counter(key, -1);
      if (fin >= 0) QCOMPARE(w->counters()->liveValue(0, key), fin);
    }
    QCOMPARE(w->counters()->text("mode_switches", 0), QStringLiteral("4"));
    QVERIFY(v->currentFrame().tokens.empty());  // every transfer has finished
  }

  void sendfileMovesPageReferences() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("sendfile.json")));
    DataPathView* v = w->stage()->views().front();
    // Only the boxes sendfile uses: no user buffer, no mapping, no pipe.
    QVERIFY(!v->player()->index().uses(Place::user_buffer));
    QVERIFY(!v->player()->index().uses(Place::pipe));
    QVERIFY(v->player()->index().uses(Place::socket_buffer));

    w->clock()->seekEvent(positionAfter(*w, 0, Kind::page_ref_move, 0));
    Frame f = v->currentFrame();
    QVERIFY(f.token(Place::page_cache, Place::socket_buffer));
    QCOMPARE(f.token(Place::page_cache, Place::socket_buffer)->kind, TokenKind::page_ref);
    QCOMPARE(v->player()->state().pinnedPages(), std::int64_t{16});  // held as skb fragments

    // Gather DMA straight from the page cache to the wire, through the NIC.
    w->clock()->seekEvent(positionAfter(*w, 0, Kind::dma_copy, 1));
    f = v->currentFrame();
    QVERIFY(f.token(Place::page_cache, Place::wire));
    QCOMPARE(f.nicBusy, 1);
    QCOMPARE(v->player()->state().queuedSkbs().size(), std::size_t{0});  // the NIC has the skb

    w->clock()->toEnd();
    QCOMPARE(w->counters()->liveValue(0, "cpu_copies"), 0.0);
    QCOMPARE(w->counters()->liveValue(0, "dma_copies"), 2.0);
    QCOMPARE(v->player()->state().pinnedPages(), std::int64_t{0});  // released at the NIC's completion
  }

  void compareRunsShareOneClock() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    const int rw = slotOf(*w, "read_write"), sf = slotOf(*w, "sendfile");
    QVERIFY(rw >= 0 && sf >= 0);
    // When sendfile's last event has happened, read+write still has events to come.
    const RunTrace& sendfile = w->trace()->runs[static_cast<std::size_t>(sf)];
    w->clock()->seekTime(static_cast<double>(sendfile.events.back().t));
    QCOMPARE(w->clock()->applied(sf), sendfile.events.size());
    QVERIFY(w->clock()->applied(rw) < w->trace()->runs[static_cast<std::size_t>(rw)].events.size());
    // At 118 µs read+write is copying with the CPU while sendfile's NIC gathers pages.
    w->clock()->seekTime(118000);
    QCOMPARE(w->stage()->views()[static_cast<std::size_t>(rw)]->currentFrame().tokenCount(TokenKind::cpu_copy), 1);
    QCOMPARE(w->stage()->views()[static_cast<std::size_t>(sf)]->currentFrame().tokenCount(TokenKind::cpu_copy), 0);
    QCOMPARE(w->stage()->views()[static_cast<std::size_t>(sf)]->currentFrame().tokenCount(TokenKind::dma), 1);
  }

  void keyboardDrivesPlayback() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    QVERIFY(QTest::qWaitForWindowActive(w.get()));
    QTest::keyClick(w.get(), Qt::Key_Right);
    QTest::keyClick(w.get(), Qt::Key_Right);
    QCOMPARE(w->clock()->position(), std::size_t{2});
    QTest::keyClick(w.get(), Qt::Key_Left);
    QCOMPARE(w->clock()->position(), std::size_t{1});
    QTest::keyClick(w.get(), Qt::Key_End);
    QCOMPARE(w->clock()->position(), w->clock()->total());
    QTest::keyClick(w.get(), Qt::Key_Home);
    QCOMPARE(w->clock()->position(), std::size_t{0});
    QTest::keyClick(w.get(), Qt::Key_Space);
    QVERIFY(w->clock()->playing());
    QTest::keyClick(w.get(), Qt::Key_Space);
    QVERIFY(!w->clock()->playing());
    const int speed = w->clock()->speedIndex();
    QTest::keyClick(w.get(), Qt::Key_Up);
    QCOMPARE(w->clock()->speedIndex(), speed + 1);
  }

  void playbackAdvancesBySpeed() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    PlaybackClock* c = w->clock();
    c->setSpeedIndex(0);  // 1 event per second
    QCOMPARE(speedPresets()[0].eventsPerSecond, 1.0);
    c->advance(1.0);
    QCOMPARE(c->position(), std::size_t{1});
    c->advance(2.5);
    QCOMPARE(c->position(), std::size_t{3});
    c->setSpeedIndex(static_cast<int>(speedPresets().size()) - 1);  // simulated real time
    QCOMPARE(speedPresets().back().nsPerSecond, 1e9);
    c->advance(50e-6);  // 50 µs of wall time = 50 µs simulated
    QCOMPARE(c->now(), static_cast<double>(w->trace()->runs[0].events[0].t) + 50000.0);
    c->advance(1.0);
    QCOMPARE(c->position(), c->total());
  }

  void presentationModeEnlarges() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    const int before = w->timeline()->sizeHint().height();
    w->setPresentationMode(true);
    QVERIFY(w->timeline()->sizeHint().height() > before);
    QVERIFY(w->font().pointSizeF() > QFont().pointSizeF());
    w->setPresentationMode(false);
    QCOMPARE(w->timeline()->sizeHint().height(), before);
  }

  void exportWritesFiles() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    w->clock()->seekTime(118000);
    QTemporaryDir dir;
    QVERIFY(w->exportPng(dir.filePath("v.png")));
    QVERIFY(w->exportSvg(dir.filePath("v.svg")));
    QVERIFY(w->exportPerfetto(dir.filePath("p.json")));
    const QImage png(dir.filePath("v.png"));
    QVERIFY(!png.isNull());
    QVERIFY(png.width() > 500 && png.height() > 500);
    QFile svg(dir.filePath("v.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("Page cache"));
    QFile pf(dir.filePath("p.json"));
    QVERIFY(pf.open(QIODevice::ReadOnly));
    const QJsonArray events = QJsonDocument::fromJson(pf.readAll()).object().value("traceEvents").toArray();
    int slices = 0;
    for (const auto& e : events) slices += e.toObject().value("ph").toString() == "X";
    QVERIFY(slices > 0);
    QVERIFY(events.size() > 100);  // 4 runs of ~25 events plus names
  }

  void measuredCountersAppearBeside() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    QTemporaryDir dir;
    QFile f(dir.filePath("measured.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"runs": [{"method": "read_write", "measured": {"syscalls": 2, "cpu_copies": 3}}]})");
    f.close();
    QVERIFY(w->loadMeasured(f.fileName()));
    QCOMPARE(w->counters()->columnCount(), 8);  // now / final and measured, per run
    QCOMPARE(w->counters()->horizontalHeaderItem(1)->text(), QStringLiteral("read_write\nmeasured"));
    QCOMPARE(w->counters()->text("cpu_copies", 1), QStringLiteral("3"));
    QCOMPARE(w->counters()->text("cpu_copies", 3), QStringLiteral("–"));  // mmap_write: nothing measured
    QFile bad(dir.filePath("bad.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(R"({"runs": [{"method": "nosuch", "measured": {}}]})");
    bad.close();
    QVERIFY(!w->loadMeasured(bad.fileName()));
    QVERIFY(w->lastError().contains("no run name matches"));
  }

  // kiosim check --json (issue 14, item 6): check --all's result, of which the trace's own
  // scenario is taken by its file name. The fixture's values are hand-written
  // (tests/gui/data/check-all.json), each different from the trace's where it can be.
  void checkResultAppearsBeside() {
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    QVERIFY(w->loadMeasured(dataFile("check-all.json")));
    const CountersPanel* c = w->counters();
    QCOMPARE(c->columnCount(), 8);  // four runs: now / final, measured
    // read_write at the trace's size (payload_bytes 65536), not the 1 MiB row: 2 calls, not 32.
    QCOMPARE(c->text("syscalls", 1), QStringLiteral("2"));
    QCOMPARE(c->text("page_faults_minor", 1), QStringLiteral("3"));
    QCOMPARE(c->text("syscalls", 3), QStringLiteral("–"));           // mmap_write: not in the result
    QCOMPARE(c->text("syscalls", 5), QStringLiteral("1"));           // sendfile
    QCOMPARE(c->text("page_faults_minor", 5), QStringLiteral("–"));  // "not a number" is no figure
    QVERIFY(c->rowOf("pages_dirtied") >= 0);                         // check's own figure: measured only
    QCOMPARE(c->text("pages_dirtied", 1), QStringLiteral("7"));
    double wall = -1;  // a cell's wall_time_ns is the run's sim_time_ns
    for (const auto& [k, v] : w->trace()->runs[0].measured)
      if (k == "sim_time_ns") wall = v;
    QCOMPARE(wall, 200000.0);
    // Inconclusive (the fixture's wall cell at 64 KiB): " ?" after the value, in italics, and why in the tooltip.
    QVERIFY2(c->text("sim_time_ns", 1).endsWith(QStringLiteral(" ?")), qPrintable(c->text("sim_time_ns", 1)));
    QVERIFY(!c->text("syscalls", 1).endsWith(QStringLiteral(" ?")));
    const QTableWidgetItem* time = c->item(c->rowOf("sim_time_ns"), 1);
    QVERIFY(time->font().italic());
    QVERIFY(time->toolTip().contains("inconclusive"));
    // Check's own prediction beside the measured value: 191154 / 200000 = 0.96.
    QVERIFY2(time->toolTip().contains("predicted " + formatNs(191154)) && time->toolTip().contains("ratio 0.96"),
             qPrintable(time->toolTip()));
    // A scenario named: one not there, one skipped, one whose runs are not the trace's.
    QVERIFY(!w->loadMeasured(dataFile("check-all.json"), "nosuch"));
    QVERIFY(w->lastError().contains("no scenario `nosuch` among the 2 checked: copy-table.yaml, fsync-logger.yaml"));
    QVERIFY(!w->loadMeasured(dataFile("check-all.json"), "crash"));
    QVERIFY(w->lastError().contains("check skipped crash on that host: crash_at: real mode cannot stop the machine"));
    QVERIFY(!w->loadMeasured(dataFile("check-all.json"), "fsync-logger.yaml"));
    QVERIFY(w->lastError().contains("no measured row of scenarios/fsync-logger.yaml matches a run of the trace "
                                    "(read_write, mmap_write, sendfile, splice)"));
    // Malformed files: a clear error each, no crash.
    QTemporaryDir dir;
    const QList<QPair<QByteArray, QString>> bad = {
        {R"({"command": "check", "scenarios": [{"scenario": )", "is not JSON"},
        {"[1, 2]", "is not a JSON object"},
        {R"({"command": "check", "scenarios": 3, "rows": {"x": 1}})", "found neither"},
        {R"({"scenario": 5, "processes": [7, "x", {"process": 1, "cells": 2}]})", "found neither"},
        {R"({"scenario": "scenarios/copy-table.yaml", "processes": [7, "x", {"process": 1, "cells": 2}]})",
         "no measured row of scenarios/copy-table.yaml matches"}};
    for (const auto& [text, words] : bad) {
      QFile f(dir.filePath("bad.json"));
      QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
      f.write(text);
      f.close();
      QVERIFY(!w->loadMeasured(f.fileName()));
      QVERIFY2(w->lastError().contains(words), qPrintable(w->lastError()));
    }
  }

  // A program scenario's processes, each measured alone, summed per run of the trace; a
  // forked child's row (bare name, right after its parent's) goes to its parent's run.
  void checkProcessesSumPerRun() {
    TraceData t;
    t.scenarioPath = QStringLiteral("scenarios/fsync-logger.yaml");
    for (const char* n : {"program[journal.mode=ordered]", "program[journal.mode=journal]", "program[journal.mode=writeback]"}) {
      RunTrace r;
      r.name = QString::fromLatin1(n);
      t.runs.push_back(r);
    }
    QFile f(dataFile("check-all.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    std::vector<MeasuredRun> per;
    QString error;
    QVERIFY2(measuredFromCheck(root, t, {}, per, &error), qPrintable(error));
    auto value = [](const CounterSet& s, const char* k) {
      for (const auto& [key, v] : s)
        if (key == QLatin1String(k)) return v;
      return -1.0;
    };
    QCOMPARE(per.size(), std::size_t{3});
    // ordered: the logger's 123 calls and the syncer's 37 = 160; their syncs 61 + 4 = 65 ms.
    QCOMPARE(value(per[0].measured, "syscalls"), 160.0);
    QCOMPARE(value(per[0].measured, "fsync_wait_ns"), 65e6);
    QCOMPARE(value(per[0].predicted, "fsync_wait_ns"), 59e6);  // 50 + 9 ms, check's prediction
    // Every family: I/Os 96 + 24 = 120 requests, commits 41 + 10 = 51; a ratio (cache
    // states) is not summed: the logger's 0.5 is kept; the child's 11 faults are its parent's run's.
    QCOMPARE(value(per[0].measured, "disk_requests"), 120.0);
    QCOMPARE(value(per[0].measured, "journal_commits"), 51.0);
    QCOMPARE(value(per[0].measured, "page_cache_hit_ratio"), 0.5);
    QCOMPARE(value(per[0].measured, "page_faults_minor"), 11.0);
    // One inconclusive cell of a sum (the logger's commits) marks the sum.
    QCOMPARE(per[0].inconclusive, QStringList{QStringLiteral("journal_commits")});
    QCOMPARE(value(per[1].measured, "syscalls"), 124.0);  // journal: its logger alone
    QVERIFY(per[1].inconclusive.isEmpty());
    QVERIFY(per[2].empty());                              // writeback: not measured
  }

  // kiosim-gui --measured FILE refuses a file that is no measured result before any window:
  // the file and what was expected on stderr, exit 2. Each case is hand-written here.
  void badMeasuredFileExitsWith2() {
    QTemporaryDir dir;
    struct Case {
      QByteArray text;  // empty: the file is not there
      QString scenario;
      QString words;
    };
    const QList<Case> cases = {
        {{}, {}, "cannot open"},
        {R"({"command": "check", "scenarios": [)", {}, "is not JSON"},
        {"[1, 2]", {}, "is not a JSON object: expected kiosim check --json"},
        {R"({"kiosim_machine": 1, "cpu": {}})", {}, "expected kiosim check --json output"},
        {R"({"runs": []})", {}, "found neither"},
        {R"({"scenario": "scenarios/readahead.yaml", "processes": [{"process": "reader", "cells": [{"figure": "syscalls"}]}]})",
         {}, "with no cell that has a \"figure\" and a measured number"},
        {R"({"command": "check", "scenarios": [], "skipped": [{"scenario": "scenarios/crash.yaml", "reason": "r"}]})", {},
         "all skipped?"},
        {R"({"runs": [{"method": "read_write", "measured": {"syscalls": 2}}]})", "copy-table",
         "--measured-scenario needs check's output"}};
    int i = 0;
    for (const Case& c : cases) {
      const QString path = dir.filePath(QStringLiteral("m%1.json").arg(i++));
      if (!c.text.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(c.text);
      }
      QStringList args = {QStringLiteral("--measured"), path};
      if (!c.scenario.isEmpty()) args << QStringLiteral("--measured-scenario") << c.scenario;
      args << dataFile("copy-table.json");
      QProcess gui;
      gui.start(qEnvironmentVariable("KIOSIM_GUI"), args);
      QVERIFY(gui.waitForFinished(60000));
      const QString err = QString::fromUtf8(gui.readAllStandardError());
      QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
      QVERIFY2(gui.exitCode() == 2, qPrintable(err));
      QVERIFY2(err.contains(path) && err.contains(c.words), qPrintable(err));
    }
    // check --all's output naming a scenario it did not check, or skipped.
    for (const auto& [name, words] : QList<QPair<QString, QString>>{
             {"nosuch", "no scenario `nosuch` among the 2 checked"},
             {"crash.yaml", "check skipped crash.yaml on that host: crash_at"}}) {
      QProcess gui;
      gui.start(qEnvironmentVariable("KIOSIM_GUI"),
                {"--measured", dataFile("check-all.json"), "--measured-scenario", name, dataFile("copy-table.json")});
      QVERIFY(gui.waitForFinished(60000));
      const QString err = QString::fromUtf8(gui.readAllStandardError());
      QVERIFY2(gui.exitCode() == 2 && err.contains(words), qPrintable(err));
    }
  }

  void badTraceShowsErrorDialog() {
    QTemporaryDir dir;
    const QList<QPair<QByteArray, QString>> cases = {
        {"this is not json", "not JSON"},
        {R"({"format": "something-else", "version": 1})", "not a kiosim trace"},
        {R"({"format": "kiosim-trace", "version": 1, "runs": [{"name": "x", "lanes": [], "events": [{"t": 0, "lane": 3, "kind": "cpu_copy"}]}]})",
         "lane 3"},
        {R"({"format": "kiosim-trace", "version": 1, "runs": [{"name": "x", "lanes": [{"name":"a"}], "events": [{"lane": 0, "kind": "cpu_copy"}]}]})",
         "`t`"},
    };
    for (const auto& [content, expected] : cases) {
      auto w = window();
      const QString path = dir.filePath("bad.json");
      QFile f(path);
      QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
      f.write(content);
      f.close();
      QVERIFY(!openAndWait(*w, path));
      auto* box = w->findChild<QMessageBox*>("errorDialog");
      QVERIFY(box);
      QVERIFY(box->isVisible());
      QVERIFY2(box->text().contains(expected), qPrintable(box->text()));
      QVERIFY(!w->trace());
    }
    auto w = window();
    QVERIFY(!openAndWait(*w, dir.filePath("missing.json")));
    QVERIFY(w->lastError().contains("cannot open"));
  }

  void openScenarioRunsTheCli() {
    auto w = window();
    const QString scenario = qEnvironmentVariable("KIOSIM_SOURCE_DIR") + "/scenarios/copy-table.yaml";
    QVERIFY2(openAndWait(*w, scenario, 110000), qPrintable(w->lastError()));
    QCOMPARE(w->stage()->views().size(), std::size_t{4});  // a compare: scenario shows all its methods
    QCOMPARE(w->trace()->runs[0].name, QStringLiteral("read_write"));
  }

  void badScenarioShowsCliError() {
    auto w = window();
    QTemporaryDir dir;
    QFile f(dir.filePath("bad.yaml"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("kiosim: 1\ntitle: broken\nfiles: [ {name: a, size: lots} ]\n");
    f.close();
    QVERIFY(!openAndWait(*w, f.fileName(), 110000));
    QVERIFY(w->findChild<QMessageBox*>("errorDialog"));
    QVERIFY2(w->lastError().contains("bad.yaml"), qPrintable(w->lastError()));
  }

  void largeTraceIsAggregated() {
    // A 1 GiB sendfile in 64 KiB chunks: 16384 overlapping NIC transfers.
    QTemporaryDir dir;
    const QString path = dir.filePath("big.json");
    const int chunks = 16384;
    QVERIFY(writeSendfileTrace(path, chunks));

    auto w = window();
    w->open(path);
    QVERIFY(!w->trace());  // open() returned before parsing finished: the UI thread was not blocked
    QVERIFY(openAndWait(*w, path, 110000));
    QCOMPARE(w->clock()->total(), std::size_t{5 * chunks});
    // Mid-transfer, ~26 NIC transfers overlap: one token stands for all of them.
    w->clock()->seekTime(20000.0 * chunks / 2);
    const Frame frame = w->stage()->views().front()->currentFrame();
    const Token* nic = frame.token(Place::page_cache, Place::wire);
    QVERIFY(nic);
    QVERIFY(nic->count > 20);
    QVERIFY(nic->fractions.size() <= 3);
    QVERIFY(frame.tokens.size() <= 3);
    // The page cache shares cells: 262144 pages in at most 64.
    QCOMPARE(w->stage()->views().front()->player()->index().filePages(0), std::int64_t{16LL * chunks});
    // Playing at real time moves ~1 ms of trace per 1 ms.
    w->clock()->setSpeedIndex(static_cast<int>(speedPresets().size()) - 1);
    const double before = w->clock()->now();
    w->clock()->advance(0.001);
    QCOMPARE(w->clock()->now(), before + 1e6);
    QImage img(1200, 400, QImage::Format_ARGB32);
    QPainter p(&img);
    w->timeline()->render(p, QRectF(0, 0, 1200, 400));  // draws ~width boxes per lane, not 80k
  }

  void savesScreenshots() {
    // For a person to look at (and for the README); each view at a telling moment.
    auto w = window();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    w->showTrace(w->trace(), "read_write");
    w->clock()->seekEvent(positionAfter(*w, 0, Kind::cpu_copy, 0));
    QVERIFY(w->grab().save(screenshotDir() + "/read-write.png"));
    w->showTrace(w->trace());
    w->clock()->seekTime(118000);
    QVERIFY(w->grab().save(screenshotDir() + "/compare.png"));
    w->setPresentationMode(true);
    QVERIFY(w->grab().save(screenshotDir() + "/compare-presentation.png"));

    auto s = window();
    QVERIFY(openAndWait(*s, dataFile("sendfile.json")));
    s->clock()->seekEvent(positionAfter(*s, 0, Kind::page_ref_move, 0));
    QVERIFY(s->grab().save(screenshotDir() + "/sendfile.png"));
    for (const char* name : {"read-write.png", "compare.png", "sendfile.png"}) {
      const QImage img(screenshotDir() + "/" + name);
      QCOMPARE(img.size(), QSize(1600, 1000));
    }
  }
};

QTEST_MAIN(GuiTest)
#include "test_gui.moc"
