// Offscreen tests of lesson mode and the mechanism views: every lesson.yaml loads,
// lesson 6 pauses where it says, the address-spaces view of fork-cow shows frames
// shared and then copied, the TLB view of tlb-shootdown fills and drops entries as
// the trace says, labels do not overlap, and presentation mode reads at 1280 x 720.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include "gui/address_space_view.h"
#include "gui/lesson.h"
#include "gui/tlb_view.h"
#include "gui_test_support.h"

using namespace kiosim::gui;
using namespace kiosim::gui::test;

namespace {

QString source(const QString& rel) { return qEnvironmentVariable("KIOSIM_SOURCE_DIR") + "/" + rel; }

// The index of the nth (0-based) event of `kind` in `run`, or -1.
std::int64_t nthEvent(const RunTrace& run, Kind kind, int nth) {
  for (std::size_t i = 0, seen = 0; i < run.events.size(); ++i)
    if (run.events[i].kind == kind && static_cast<int>(seen++) == nth) return static_cast<std::int64_t>(i);
  return -1;
}

const RunTrace& runOf(MainWindow& w, int slot) {
  return w.trace()->runs[static_cast<std::size_t>(w.clock()->runs()[static_cast<std::size_t>(slot)])];
}

int validEntries(const CoreTlb& c) {
  int n = 0;
  for (std::uint32_t s = 0; s < c.tlb.sets(); ++s)
    for (std::uint32_t w = 0; w < c.tlb.ways(); ++w) n += c.tlb.slot(s, w).valid;
  return n;
}

// The window as a person sees it (layouts settled), saved for the README and review.
bool saveShot(QWidget& w, const QString& name) {
  QCoreApplication::processEvents();
  return w.grab().save(screenshotDir() + "/" + name);
}

// Plays (as the timer would) until the clock stops or reaches the end.
void playUntilStopped(MainWindow& w) {
  w.clock()->play();
  for (int i = 0; i < 1000 && w.clock()->playing(); ++i) w.clock()->advance(1.0);
}

}  // namespace

class ViewsTest : public QObject {
  Q_OBJECT

 private slots:
  // All ten lessons load in the documented format; a wrong key is reported with file:line.
  void everyLessonLoads() {
    const QStringList folders = QDir(source("course")).entryList({"[0-9][0-9]-*"}, QDir::Dirs, QDir::Name);
    QCOMPARE(folders.size(), 10);
    for (const QString& f : folders) {
      const QString path = source("course/" + f);
      QVERIFY2(isLessonPath(path), qPrintable(path));
      QString error;
      const auto l = loadLesson(path, &error);
      QVERIFY2(l, qPrintable(error));
      QCOMPARE(l->number, f.left(2).toInt());
      QVERIFY2(QFile::exists(l->scenario), qPrintable(l->scenario));
      QVERIFY(lessonViews().contains(l->view));
      QVERIFY(!l->narration.isEmpty());
      QVERIFY(!l->pauses.empty());
      for (const LessonPause& p : l->pauses) QVERIFY(!p.question.isEmpty() && !p.answer.isEmpty());
    }
    QTemporaryDir dir;
    QFile bad(dir.filePath("lesson.yaml"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("lesson: 1\ntitle: t\nscenario: " + source("scenarios/fork-cow.yaml").toUtf8() +
              "\npauses:\n  - at: { run: program, kind: cow_fault, nht: 1 }\n");
    bad.close();
    QString error;
    QVERIFY(!loadLesson(dir.path(), &error));
    QVERIFY2(error.contains("lesson.yaml:5") && error.contains("at.nht"), qPrintable(error));
  }

  // kiosim-gui course/06-cow-tlb/: the narration, then each pause stops playback after
  // the event its `at:` names, with the question; the answer comes after a key.
  void lessonPausesWhereItSays() {
    auto w = shownWindow(1280, 720);
    QVERIFY2(openAndWait(*w, source("course/06-cow-tlb/"), 110000), qPrintable(w->lastError()));
    QVERIFY(w->lesson()->active());
    QCOMPARE(w->view(), ViewKind::address_spaces);  // lesson.yaml's view: address-spaces
    const Lesson lesson = w->lesson()->lesson();
    QCOMPARE(w->caption()->captionText(), lesson.narration);
    // Where each pause must stop, found by stepping (lesson mode off meanwhile):
    // syscall_enter 1, cow_fault 1, tlb_invalidate 1 of run `program` (lesson.yaml).
    w->lesson()->stop();
    const std::vector<std::size_t> want = {positionAfter(*w, 0, Kind::syscall_enter, 0), positionAfter(*w, 0, Kind::cow_fault, 0),
                                           positionAfter(*w, 0, Kind::tlb_invalidate, 0)};
    QCOMPARE(lesson.pauses.size(), want.size());
    w->clock()->toStart();
    QString error;
    QVERIFY2(w->lesson()->start(lesson, &error), qPrintable(error));
    w->activateWindow();  // the run's progress dialog had the focus
    QVERIFY(QTest::qWaitForWindowActive(w.get()));
    w->clock()->setSpeedIndex(5);  // 500 events/s: a second of play crosses every pause
    for (std::size_t i = 0; i < want.size(); ++i) {
      playUntilStopped(*w);
      QCOMPARE(w->clock()->position(), want[i]);
      QVERIFY(w->lesson()->asking());
      QCOMPARE(w->caption()->captionText(), lesson.pauses[i].say);
      QVERIFY(w->caption()->questionText().contains(lesson.pauses[i].question));
      QVERIFY(w->caption()->answerText().isEmpty());
      QTest::keyClick(w.get(), Qt::Key_A);
      QVERIFY(w->caption()->answerText().contains(lesson.pauses[i].answer));
      if (i == 1) {  // the CoW pause: the view shows the copy just made
        auto* v = qobject_cast<AddressSpaceView*>(w->stage()->runViews().front());
        QVERIFY(v);
        const auto pic = v->picture();
        QVERIFY(std::any_of(pic.rows.begin(), pic.rows.end(), [](const PteDrawn& d) { return d.copyShown; }));
        QVERIFY(saveShot(*w, "lesson-06-cow.png"));
      }
      QTest::keyClick(w.get(), Qt::Key_Return);
      QVERIFY(w->clock()->playing());
      QVERIFY(!w->lesson()->asking());
    }
    playUntilStopped(*w);
    QCOMPARE(w->clock()->position(), w->clock()->total());
    // Stepping back over a pause and forward again stops on it once more.
    w->clock()->seekEvent(want[0] - 1);
    w->clock()->stepForward();
    QVERIFY(w->lesson()->asking());
    QCOMPARE(w->lesson()->current(), 0);
  }

  // fork-cow: after fork the heap's PTEs are read-only in parent and child and point
  // at one shared frame; the first CoW fault gives the parent a new frame (writable)
  // and leaves the child on the old one (read-only, no longer shared).
  void forkCowSharesThenCopies() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/fork-cow.yaml"), 110000), qPrintable(w->lastError()));
    QCOMPARE(w->view(), ViewKind::address_spaces);  // picked: the run forks and copies on write
    auto* v = qobject_cast<AddressSpaceView*>(w->stage()->runViews().front());
    QVERIFY(v);
    const RunTrace& run = runOf(*w, 0);
    const std::int64_t fork = nthEvent(run, Kind::syscall_exit, 0);
    QVERIFY(fork >= 0 && run.events[static_cast<std::size_t>(fork)].child >= 0);
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(fork)));
    auto pic = v->picture();
    QCOMPARE(pic.parentName, QStringLiteral("redis-fast"));
    QCOMPARE(pic.childName, QStringLiteral("bgsave-fast"));
    QCOMPARE(static_cast<int>(pic.rows.size()), AddressSpaceView::kRows);
    for (const PteDrawn& d : pic.rows) {
      QVERIFY(d.inParent && d.inChild && d.sharedFrame);
      QCOMPARE(d.parent.perm, Perm::read_only);
      QCOMPARE(d.child.perm, Perm::read_only);
    }
    QVERIFY(saveShot(*w, "fork-cow-shared.png"));

    const std::int64_t cow = nthEvent(run, Kind::cow_fault, 0);
    const Event& e = run.events[static_cast<std::size_t>(cow)];
    QVERIFY(e.frame >= 0 && e.oldFrame >= 0 && e.frame != e.oldFrame);
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(cow)));
    pic = v->picture();
    const auto row = std::find_if(pic.rows.begin(), pic.rows.end(), [&](const PteDrawn& d) { return d.vpage == e.page; });
    QVERIFY(row != pic.rows.end());
    QVERIFY(row->copyShown && !row->sharedFrame);
    QCOMPARE(row->parent.frame, e.frame);
    QCOMPARE(row->parent.perm, Perm::writable);
    QCOMPARE(row->child.frame, e.oldFrame);
    QCOMPARE(row->child.perm, Perm::read_only);
    QVERIFY(saveShot(*w, "fork-cow-copied.png"));

    // At the end: each of the 3 x 1024 writes faulted once (every heap page was
    // read-only after fork): a copy while the child lived, a reuse after; the copies
    // are the run's cow_faults, copies + reuses its minor faults (scenario comment).
    w->clock()->toEnd();
    const AddressSpaceState& s = w->stage()->runViews().front()->player()->addressSpaces();
    int cows = 0, reuses = 0, forked = 0;
    for (const auto& [mm, sp] : s.spaces()) {
      cows += sp.cows, reuses += sp.reuses;
      if (sp.parent >= 0) {
        ++forked;
        QVERIFY2(sp.exited, qPrintable(sp.name));
      }
    }
    QCOMPARE(forked, 3);
    QCOMPARE(cows, static_cast<int>(run.counter("cow_faults")));
    QCOMPARE(cows + reuses, 3 * 1024);
    QCOMPARE(cows + reuses, static_cast<int>(run.counter("page_faults_minor")));
  }

  // tlb-shootdown: the view's TLBs (model/tlb.h fed the trace's touches) agree with
  // every miss count of the trace; entries fill and go; a shootdown draws its IPI.
  void tlbShootdownFillsAndDrops() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/tlb-shootdown.yaml"), 110000), qPrintable(w->lastError()));
    QCOMPARE(w->view(), ViewKind::tlb);
    QCOMPARE(w->stage()->runViews().size(), std::size_t{2});  // flush threshold 33 and 8
    auto* v = qobject_cast<TlbView*>(w->stage()->runViews().front());
    QVERIFY(v);
    RunPlayer* player = v->player();
    const RunTrace& run = runOf(*w, 0);
    QCOMPARE(run.name, QStringLiteral("program[mm.flush_threshold=33]"));
    // The first touch of app/0 is the 16-page hot buffer (setup touches are not in the
    // TLB): 16 misses, 16 consecutive pages, one in each of the 16 sets.
    const std::int64_t miss = nthEvent(run, Kind::tlb_miss, 0);
    const Event& m = run.events[static_cast<std::size_t>(miss)];
    QCOMPARE(m.pages, std::uint64_t{16});
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(miss)));
    const CoreTlb& c = player->tlbs().cores()[static_cast<std::size_t>(m.core)];
    QCOMPARE(validEntries(c), 16);
    for (std::uint32_t set = 0; set < 16; ++set) QVERIFY(c.tlb.slot(set, 0).valid || c.tlb.slot(set, 1).valid);
    // The first munmap: its 16 tmp pages go by INVLPG (16 <= 33) here, and one IPI goes
    // to the other core. Hot (16) + tmp (16) fit without eviction, so 16 stay.
    const std::int64_t sd = nthEvent(run, Kind::tlb_shootdown, 0);
    const Event& s = run.events[static_cast<std::size_t>(sd)];
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(sd)));
    const Shootdown* arrows = v->arrowsShown();
    QVERIFY(arrows);
    QCOMPARE(arrows->from, s.core);
    QCOMPARE(arrows->to, std::uint64_t{1} << (1 - s.core));
    QCOMPARE(validEntries(player->tlbs().cores()[static_cast<std::size_t>(s.core)]), 16);
    QVERIFY(saveShot(*w, "tlb-shootdown.png"));
    w->clock()->stepForward();
    QVERIFY(!v->arrowsShown() || player->tlbs().shootdowns().back().event != static_cast<std::size_t>(sd));
    // Threshold 8: the munmap flushes app's whole address space on its core.
    auto* v8 = qobject_cast<TlbView*>(w->stage()->runViews()[1]);
    const RunTrace& run8 = runOf(*w, 1);
    const std::int64_t flush = nthEvent(run8, Kind::tlb_flush, 0);
    w->clock()->seekEvent(w->clock()->positionAfter(1, static_cast<std::size_t>(flush)));
    const Event& f = run8.events[static_cast<std::size_t>(flush)];
    QCOMPARE(validEntries(v8->player()->tlbs().cores()[static_cast<std::size_t>(f.core)]), 0);
    // Every touch replayed gives the trace's miss count, in both runs.
    w->clock()->toEnd();
    for (RunView* rv : w->stage()->runViews()) {
      QCOMPARE(rv->player()->tlbs().mismatches(), std::uint64_t{0});
      QCOMPARE(static_cast<double>(rv->player()->tlbs().replayedMisses()), rv->player()->run().counter("tlb_misses"));
    }
  }

  // The replay check can fail: a trace whose miss count was doctored is caught.
  void tlbReplayCatchesAWrongMissCount() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/tlb-shootdown.yaml"), 110000), qPrintable(w->lastError()));
    auto doctored = std::make_shared<TraceData>(*w->trace());
    RunTrace& run = doctored->runs[0];
    run.events[static_cast<std::size_t>(nthEvent(run, Kind::tlb_miss, 0))].pages += 1;
    TlbState s(*doctored);
    for (std::size_t i = 0; i < run.events.size(); ++i) s.apply(run.events[i], i, run);
    QCOMPARE(s.mismatches(), std::uint64_t{1});
  }

  // fork-cow's data-path view: the thread names sit in rectangles that do not meet.
  void forkCowThreadLabelsDoNotOverlap() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/fork-cow.yaml"), 110000), qPrintable(w->lastError()));
    w->setView(ViewKind::data_path);
    DataPathView* v = w->stage()->views().front();
    for (const Theme& theme : {Theme::normal(), Theme::presentationMode()})
      for (std::size_t pos : {std::size_t{0}, w->clock()->total() / 3, w->clock()->total() / 2, w->clock()->total()}) {
        w->clock()->seekEvent(pos);
        const Frame frame = v->currentFrame();
        QVERIFY(frame.threads.size() >= 3);  // redis-fast, redis-medium, redis-slow and their children
        const auto labels = threadLabels(frame, theme);
        QCOMPARE(labels.size(), std::size_t{3});
        for (std::size_t i = 0; i < labels.size(); ++i) {
          QVERIFY(!labels[i].text.isEmpty());
          for (std::size_t j = i + 1; j < labels.size(); ++j)
            QVERIFY2(!labels[i].rect.intersects(labels[j].rect), qPrintable(labels[i].text + " / " + labels[j].text));
        }
      }
    QVERIFY(saveShot(*w, "fork-cow-data-path.png"));
  }

  // The five counters that matter come first with human names; the rest fold under "more".
  void countersShowFiveFirst() {
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    CountersPanel* c = w->counters();
    const QStringList first = CountersPanel::firstCounters();
    QCoreApplication::processEvents();
    QVERIFY(c->parentWidget()->width() >= c->minimumWidth());  // the dock made room for it
    QCOMPARE(first, QStringList({"syscalls", "mode_switches", "cpu_copies", "dma_copies", "sim_time_ns"}));
    for (int r = 0; r < first.size(); ++r) {
      QCOMPARE(c->rowOf(first[r]), r);
      QVERIFY(!c->verticalHeaderItem(r)->text().contains('_'));  // a human name, not the key
      QVERIFY(!c->isRowHidden(r));
    }
    const int more = c->rowOf("cpu_copy_bytes");
    QVERIFY(more > 5 && c->isRowHidden(more));
    c->setMoreShown(true);
    QVERIFY(!c->isRowHidden(more));
    // The time row runs with the clock and ends at the run's time.
    w->clock()->toEnd();
    QCOMPARE(c->text("sim_time_ns", 0).section(" / ", 0, 0), c->text("sim_time_ns", 0).section(" / ", 1, 1));
  }

  // 1280 x 720, presentation mode: dark, nothing white on white, values and the run
  // chooser not cut; the screenshot is saved.
  void presentationReadsAt1280x720() {
    auto w = shownWindow(1280, 720);
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    w->setPresentationMode(true);
    w->clock()->seekTime(118000);
    QCoreApplication::processEvents();
    CountersPanel* c = w->counters();
    const QPalette pal = c->palette();
    QVERIFY(qGray(pal.color(QPalette::Base).rgb()) < 60);
    QVERIFY(qGray(pal.color(QPalette::Text).rgb()) > 200);
    auto* runs = w->findChild<QComboBox*>("runChoice");
    QVERIFY(qGray(runs->palette().color(QPalette::Button).rgb()) < 100);
    QVERIFY(runs->width() >= runs->fontMetrics().horizontalAdvance(runs->currentText()));
    const QFontMetrics fm(c->font());
    QFont bold = c->font();
    bold.setBold(true);
    for (const QString& key : CountersPanel::firstCounters()) {
      const QString name = c->verticalHeaderItem(c->rowOf(key))->text();
      QVERIFY2(c->verticalHeader()->width() >= QFontMetrics(bold).horizontalAdvance(name), qPrintable(name));
    }
    for (const QString& key : CountersPanel::firstCounters())
      for (int col = 0; col < c->columnCount(); ++col)
        QVERIFY2(c->columnWidth(col) >= fm.horizontalAdvance(c->text(key, col)), qPrintable(key + ": " + c->text(key, col)));
    QCoreApplication::processEvents();
    const QImage shot = w->grab().toImage();
    QCOMPARE(shot.size(), QSize(1280, 720));
    const QImage stage = w->stage()->grab().toImage();
    double sum = 0;
    for (int y = 0; y < stage.height(); y += 7)
      for (int x = 0; x < stage.width(); x += 7) sum += qGray(stage.pixel(x, y));
    QVERIFY(sum / ((stage.height() / 7 + 1) * (stage.width() / 7 + 1)) < 80);  // the view is dark
    QVERIFY(shot.save(screenshotDir() + "/presentation-1280x720.png"));
  }

  // Step to the next copy, mode switch or fault; slow motion plays at a tenth.
  void stepsToTheNextMechanism() {
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    w->showTrace(w->trace(), "read_write");
    const RunTrace& run = runOf(*w, 0);
    auto last = [&] { return run.events[w->clock()->lastEvent().second].kind; };
    w->stepToNextModeSwitch();
    QCOMPARE(last(), Kind::syscall_enter);
    w->stepToNextCopy();
    QVERIFY(last() == Kind::cpu_copy || last() == Kind::dma_copy);
    QCOMPARE(w->clock()->position(), w->clock()->positionAfter(0, static_cast<std::size_t>(nthEvent(run, last(), 0))));
    w->clock()->toStart();
    w->clock()->setSpeedIndex(3);  // 10 events/s: a second plays 10 events
    w->clock()->advance(1.0);
    QCOMPARE(w->clock()->position(), std::size_t{10});
    w->clock()->toStart();
    w->clock()->setSlowMotion(true);  // a tenth: one event
    w->clock()->advance(1.0);
    QCOMPARE(w->clock()->position(), std::size_t{1});
    w->clock()->setSlowMotion(false);

    auto f = shownWindow();
    QVERIFY2(openAndWait(*f, source("scenarios/fork-cow.yaml"), 110000), qPrintable(f->lastError()));
    f->stepToNextFault();
    const RunTrace& fr = runOf(*f, 0);
    QCOMPARE(fr.events[f->clock()->lastEvent().second].kind, Kind::cow_fault);
  }
};

QTEST_MAIN(ViewsTest)
#include "test_views.moc"
