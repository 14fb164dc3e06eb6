// Offscreen tests of the journal and page-cache-lists views: their state classes on
// small hand-built traces (outcomes worked out by hand from the rules in
// gui/journal_state.h and gui/page_lists_state.h), each check shown failing on a
// doctored trace, the views picked for the runs and lessons that use them, and the
// scenarios they serve stepped through (commit steps, list moves, agreement with the
// trace's counters).
#include <QTest>

#include "gui/journal_view.h"
#include "gui/page_lists_view.h"
#include "gui_test_support.h"

using namespace kiosim::gui;
using namespace kiosim::gui::test;

namespace {

QString source(const QString& rel) { return qEnvironmentVariable("KIOSIM_SOURCE_DIR") + "/" + rel; }

// A run built by hand: lanes, then events appended in time order.
struct HandRun {
  RunTrace run;
  HandRun(std::initializer_list<std::pair<const char*, LaneKind>> lanes) {
    run.names << QString();
    for (const auto& [n, k] : lanes) run.lanes.push_back({QString::fromLatin1(n), k, -1});
  }
  Event& add(std::int64_t t, std::uint32_t lane, Kind k, const QString& name = {}) {
    Event e;
    e.t = t;
    e.lane = lane;
    e.kind = k;
    if (!name.isEmpty()) {
      run.names << name;
      e.name = static_cast<std::uint32_t>(run.names.size() - 1);
    }
    run.events.push_back(e);
    return run.events.back();
  }
};

template <class State>
void replay(State& s, const RunTrace& run, std::size_t upTo) {
  while (s.applied() < upTo) s.apply(run.events[s.applied()], s.applied(), run);
}

std::vector<std::int64_t> pagesOf(const std::list<CachedPage>& l) {
  std::vector<std::int64_t> v;
  for (const CachedPage& p : l) v.push_back(p.page);
  return v;
}

std::int64_t nthEvent(const RunTrace& run, Kind kind, int nth) {
  for (std::size_t i = 0, seen = 0; i < run.events.size(); ++i)
    if (run.events[i].kind == kind && static_cast<int>(seen++) == nth) return static_cast<std::int64_t>(i);
  return -1;
}

bool saveShot(QWidget& w, const QString& name) {
  QCoreApplication::processEvents();
  return w.grab().save(screenshotDir() + "/" + name);
}

// A commit of two writes (careful's, fsync'ed, and hasty's), the disk events carrying
// its req 7, and a third write that lands in the next transaction.
HandRun journalRun(const char* commitName) {
  HandRun h({{"disk", LaneKind::device}, {"jbd2", LaneKind::kernel}, {"careful", LaneKind::user}, {"hasty", LaneKind::user}});
  auto write = [&](std::int64_t t, std::uint32_t lane, std::uint32_t file) {
    Event& e = h.add(t, lane, Kind::cache_insert);
    e.bytes = 4096, e.pages = 1, e.file = file, e.page = 0;
  };
  write(100, 2, 0);                                                            // 0
  write(150, 3, 1);                                                            // 1
  h.add(200, 2, Kind::block, fsyncWaitNote()).dur = 800;                       // 2: careful sleeps until 1000
  Event& ordered = h.add(200, 0, Kind::writeback_start);                       // 3: recorded before the commit
  ordered.req = 7, ordered.pages = 1, ordered.file = 0, ordered.page = 0;
  Event& c = h.add(200, 1, Kind::journal_commit, QString::fromLatin1(commitName));  // 4
  c.req = 7, c.dur = 800, c.bytes = 12288, c.pages = 3;
  write(250, 3, 1);                                                            // 5
  Event& data = h.add(300, 0, Kind::writeback);                                // 6: the ordered page written
  data.req = 7, data.pages = 1, data.dur = 100, data.file = 0, data.page = 0;
  Event& blocks = h.add(400, 0, Kind::writeback, QStringLiteral("journal"));   // 7: the journal blocks
  blocks.req = 7, blocks.pages = 2;
  h.add(600, 0, Kind::device_flush, QStringLiteral("cache flush before the commit record (REQ_PREFLUSH)"));  // 8
  Event& record = h.add(700, 0, Kind::writeback, QStringLiteral("journal"));   // 9: the commit record
  record.req = 7, record.pages = 1;
  h.add(1100, 0, Kind::interrupt, QStringLiteral("disk"));                     // 10
  h.run.crashNs = 1050;
  return h;
}

}  // namespace

class MechanismViewsTest : public QObject {
  Q_OBJECT

 private slots:
  // By the rules of gui/journal_state.h, step by step.
  void journalStateByHand() {
    const HandRun h = journalRun("commit of transaction 1: 2 writes, 1 metadata + 0 data blocks");
    const RunTrace& run = h.run;
    JournalState s(run);
    replay(s, run, 2);  // both writes are in the running transaction
    QCOMPARE(s.running().size(), std::size_t{2});
    QVERIFY(!s.committing());
    replay(s, run, 5);  // the commit takes them, with the ordered page submitted at its start
    QCOMPARE(s.running().size(), std::size_t{0});
    QVERIFY(s.committing());
    QCOMPARE(s.committing()->number, 1);
    QCOMPARE(s.committing()->writes.size(), std::size_t{2});
    QCOMPARE(s.committing()->orderedSubmitted, std::uint64_t{1});
    QCOMPARE(s.committing()->step(), CommitStep::ordered_data);  // 0 of 1 pages written
    QCOMPARE(s.asleep().size(), std::size_t{1});
    QCOMPARE(s.asleep()[0].commit, 1);  // careful's sleep ends (1000) with the commit (200 + 800)
    replay(s, run, 6);  // hasty's next write joins the new running transaction
    QCOMPARE(s.running().size(), std::size_t{1});
    replay(s, run, 7);
    QCOMPARE(s.committing()->step(), CommitStep::journal_blocks);  // 1 of 1 written, no journal write yet
    replay(s, run, 8);
    QCOMPARE(s.committing()->step(), CommitStep::flush);
    replay(s, run, 9);
    QCOMPARE(s.committing()->step(), CommitStep::commit_record);
    replay(s, run, 10);
    QCOMPARE(s.committing()->journalWrites, 2);
    QVERIFY(!s.crashed());
    replay(s, run, 11);  // t = 1100: past the commit's end (1000) and the crash (1050)
    QVERIFY(!s.committing());
    QCOMPARE(s.committed().size(), std::size_t{1});
    QCOMPARE(s.commits(), std::uint64_t{1});
    QCOMPARE(s.journalBytes(), std::uint64_t{12288});
    QCOMPARE(s.wokenCallers(), std::uint64_t{1});
    QVERIFY(s.asleep().empty());
    QVERIFY(s.crashed());
    QCOMPARE(s.running().size(), std::size_t{1});  // hasty's third write: lost at the crash
    QCOMPARE(s.mismatches(), std::uint64_t{0});
    const JournalPicture pic = journalPicture(s, run, 1100);
    QVERIFY(pic.crashShown);
    QCOMPARE(pic.lostWrites, 1);
    QCOMPARE(pic.committed, 1);
  }

  // The write-count check fails when the commit names another count than was replayed.
  void journalCheckCatchesAWrongWriteCount() {
    const HandRun h = journalRun("commit of transaction 1: 3 writes, 1 metadata + 0 data blocks");
    JournalState s(h.run);
    replay(s, h.run, h.run.events.size());
    QCOMPARE(s.mismatches(), std::uint64_t{1});
  }

  // By the rules of gui/page_lists_state.h: head first, tail last.
  void pageListsByHand() {
    HandRun h({{"disk", LaneKind::device}, {"reader", LaneKind::user}});
    auto ev = [&](Kind k, std::int64_t page, std::uint64_t pages = 1, const QString& name = {}) -> Event& {
      Event& e = h.add(static_cast<std::int64_t>(h.run.events.size()) * 10, 1, k, name);
      e.file = 0, e.page = page, e.pages = pages;
      return e;
    };
    ev(Kind::cache_insert, 0, 3);   // 0: each to the inactive head: [2 1 0]
    ev(Kind::activate, 0);          // 1: active [0], inactive [2 1]
    ev(Kind::activate, 1);          // 2: active [1 0], inactive [2]
    ev(Kind::deactivate, 0);        // 3: active [1], inactive [0 2]
    ev(Kind::readahead, 3, 4, QStringLiteral("sync"));  // 4: window 3..6, marker on 3
    Event& wr = ev(Kind::cache_insert, 3, 4);  // 5: a write of pages 3..6: inactive [6 5 4 3 0 2], all 4 dirty
    wr.bytes = 16384, wr.to = Place::page_cache;
    ev(Kind::writeback_start, 4);   // 6: 4 under writeback
    ev(Kind::evict, 2);             // 7: the tail goes: inactive [6 5 4 3 0]
    ev(Kind::reclaim_marked, 0);    // 8: marked PG_reclaim, not moved
    ev(Kind::activate, 0);          // 9: activated out of the way (activate_locked): active [0 1]
    ev(Kind::writeback, 4);         // 10: written
    ev(Kind::reclaim_rotate, 0);    // 11: to the inactive tail: inactive [6 5 4 3 0], active [1]
    Event& th = h.add(120, 1, Kind::block, QStringLiteral("dirty throttling (balance_dirty_pages): 32 pages dirtied"));
    th.dur = 100;                   // 12: asleep until 220
    ev(Kind::evict, 6, 1, QStringLiteral("fadvise DONTNEED"));  // 13 (t 130): dropped, not an eviction
    const RunTrace& run = h.run;
    PageListsState s;
    replay(s, run, 1);
    QCOMPARE(pagesOf(s.inactive()), (std::vector<std::int64_t>{2, 1, 0}));
    replay(s, run, 4);
    QCOMPARE(pagesOf(s.active()), (std::vector<std::int64_t>{1}));
    QCOMPARE(pagesOf(s.inactive()), (std::vector<std::int64_t>{0, 2}));
    replay(s, run, 5);
    QCOMPARE(s.readahead().first, std::int64_t{3});
    QCOMPARE(s.readahead().marker, std::int64_t{3});
    replay(s, run, 7);
    QCOMPARE(pagesOf(s.inactive()), (std::vector<std::int64_t>{6, 5, 4, 3, 0, 2}));
    QVERIFY(s.underWriteback({0, 4}));
    QCOMPARE(s.dirtyPages(), std::size_t{4});
    replay(s, run, 8);
    QCOMPARE(pagesOf(s.inactive()), (std::vector<std::int64_t>{6, 5, 4, 3, 0}));
    QCOMPARE(s.evictions(), std::uint64_t{1});
    QCOMPARE(s.moved().size(), std::size_t{1});
    replay(s, run, 9);
    QVERIFY(s.markedForReclaim({0, 0}));
    QCOMPARE(pagesOf(s.active()), (std::vector<std::int64_t>{1}));
    replay(s, run, 10);
    QCOMPARE(pagesOf(s.active()), (std::vector<std::int64_t>{0, 1}));
    replay(s, run, 12);
    QCOMPARE(s.writebackPages(), std::size_t{0});
    QCOMPARE(s.dirtyPages(), std::size_t{3});  // 4 written back: clean
    QCOMPARE(pagesOf(s.active()), (std::vector<std::int64_t>{1}));
    QCOMPARE(pagesOf(s.inactive()), (std::vector<std::int64_t>{6, 5, 4, 3, 0}));
    QVERIFY(!s.markedForReclaim({0, 0}));
    replay(s, run, 14);
    QCOMPARE(s.throttled().size(), std::size_t{1});  // t 130 < 220
    QCOMPARE(s.throttles(), std::uint64_t{1});
    QCOMPARE(pagesOf(s.inactive()), (std::vector<std::int64_t>{5, 4, 3, 0}));
    QCOMPARE(s.dirtyPages(), std::size_t{2});  // 6 dropped
    QCOMPARE(s.evictions(), std::uint64_t{1});
    QCOMPARE(s.activations(), std::uint64_t{3});
    QCOMPARE(s.deactivations(), std::uint64_t{1});
    QCOMPARE(s.mismatches(), std::uint64_t{0});
    // The check fails: an activation of a page not cached, a deactivation of an inactive one.
    ev(Kind::activate, 9);
    ev(Kind::deactivate, 3);
    replay(s, h.run, h.run.events.size());
    QCOMPARE(s.mismatches(), std::uint64_t{2});
  }

  // Lessons 5, 7 and 8 open on the views they name (view: page-cache, journal).
  void lessonsPickTheNewViews() {
    const std::pair<const char*, ViewKind> lessons[] = {
        {"course/05-page-cache/", ViewKind::page_cache}, {"course/07-durability/", ViewKind::journal}, {"course/08-backpressure/", ViewKind::page_cache}};
    for (const auto& [path, kind] : lessons) {
      auto w = shownWindow(1280, 720);
      QVERIFY2(openAndWait(*w, source(path), 110000), qPrintable(w->lastError()));
      QVERIFY(w->lesson()->active());
      QCOMPARE(w->view(), kind);
      QCOMPARE(w->stage()->runViews().front()->kind(), kind);
      // ... and the same runs, opened as scenarios, pick them by themselves.
      w->lesson()->stop();
      w->setAutoView();
      QCOMPARE(w->view(), kind);
    }
  }

  // crash.yaml: careful's fsync'ed writes commit one by one while it sleeps; the view
  // agrees with the trace's counters (the scenario's expect: 5 commits, 118784 bytes);
  // at the crash, the running transaction (hasty's buffered writes) is lost.
  void crashCommitsAndLoses() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/crash.yaml"), 110000), qPrintable(w->lastError()));
    QCOMPARE(w->view(), ViewKind::journal);
    auto* v = qobject_cast<JournalView*>(w->stage()->runViews().front());
    QVERIFY(v);
    const RunTrace& run = v->player()->run();
    QCOMPARE(run.crashNs, std::int64_t{2500000000});
    // careful's first fsync: its data written, the commit started, it goes to sleep.
    std::int64_t first = -1;
    for (std::size_t i = 0; i < run.events.size() && first < 0; ++i)
      if (run.events[i].kind == Kind::block && run.nameOf(run.events[i]) == fsyncWaitNote()) first = static_cast<std::int64_t>(i);
    QVERIFY(first > nthEvent(run, Kind::journal_commit, 0));
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(first)));
    JournalPicture pic = v->picture();
    QCOMPARE(pic.committing, 1);
    QCOMPARE(pic.committed, 0);
    QCOMPARE(pic.asleep.size(), 1);  // careful, in its first fsync
    QVERIFY2(pic.asleep[0].startsWith("careful") && pic.asleep[0].endsWith("commit 1"), qPrintable(pic.asleep[0]));
    // Step on to the commit record: the steps go in their order, never back.
    int last = 0;
    for (int i = 0; i < 40 && v->picture().committing == 1; ++i) {
      const int step = static_cast<int>(v->picture().step);
      QVERIFY(step >= last);
      last = step;
      if (v->picture().step == CommitStep::flush) QVERIFY(saveShot(*w, "journal-commit.png"));
      w->clock()->stepForward();
    }
    QCOMPARE(last, static_cast<int>(CommitStep::commit_record));
    w->clock()->toEnd();
    const JournalState& s = v->player()->journal();
    QCOMPARE(static_cast<double>(s.commits()), run.counter("journal_commits"));
    QCOMPARE(static_cast<double>(s.journalBytes()), run.counter("journal_bytes"));
    QCOMPARE(s.mismatches(), std::uint64_t{0});
    QCOMPARE(s.wokenCallers(), std::uint64_t{5});  // one per fsync of careful's 5
    pic = v->picture();
    QVERIFY(pic.crashShown);
    QCOMPARE(pic.committing, 0);
    QVERIFY(saveShot(*w, "journal-crash.png"));
  }

  // pollution.yaml: every list move replays where the trace says the page was; the
  // first eviction takes the inactive list's tail; the counts agree with the header.
  void pollutionListsAgreeWithTheTrace() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/pollution.yaml"), 110000), qPrintable(w->lastError()));
    QCOMPARE(w->view(), ViewKind::page_cache);
    auto* v = qobject_cast<PageListsView*>(w->stage()->runViews().front());
    QVERIFY(v);
    RunPlayer* player = v->player();
    const RunTrace& run = player->run();
    const std::int64_t evict = nthEvent(run, Kind::evict, 0);
    QVERIFY(evict > 0);
    const Event& e = run.events[static_cast<std::size_t>(evict)];
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(evict - 1)));
    QVERIFY(!player->pageLists().inactive().empty());
    QCOMPARE(player->pageLists().inactive().back(), (CachedPage{e.file, e.page}));  // reclaim takes the tail
    w->clock()->stepForward();
    QVERIFY(!player->pageLists().cached({e.file, e.page}));
    QCOMPARE(v->picture().moved.size(), std::size_t{1});
    w->clock()->seekEvent(w->clock()->total() / 2);  // the scan under way: the hot file's pages stay active
    QVERIFY(saveShot(*w, "page-cache-pollution.png"));
    w->clock()->toEnd();
    const PageListsState& s = player->pageLists();
    QCOMPARE(s.mismatches(), std::uint64_t{0});
    QCOMPARE(static_cast<double>(s.evictions()), run.counter("evictions"));
    QCOMPARE(static_cast<double>(s.activations()), run.counter("activations"));
    QCOMPARE(static_cast<double>(s.deactivations()), run.counter("deactivations"));
    QCOMPARE(static_cast<std::int64_t>(s.active().size()), player->state().activePages());
    QCOMPARE(static_cast<std::int64_t>(s.inactive().size()), player->state().inactivePages());
  }

  // Every run of the scenarios these views serve: picked, and replayed to the end with
  // no commit or list move disagreeing with the trace.
  void servedScenariosAgree() {
    const std::pair<const char*, ViewKind> scenarios[] = {
        {"fsync-logger.yaml", ViewKind::journal},         {"crash.yaml", ViewKind::journal},
        {"pollution.yaml", ViewKind::page_cache},         {"readahead.yaml", ViewKind::page_cache},
        {"reclaim-throttle.yaml", ViewKind::page_cache},  {"reclaim-writeback.yaml", ViewKind::page_cache},
        {"backpressure.yaml", ViewKind::page_cache}};
    for (const auto& [name, kind] : scenarios) {
      auto w = shownWindow();
      QVERIFY2(openAndWait(*w, source(QStringLiteral("scenarios/") + name), 110000), qPrintable(w->lastError()));
      for (const RunTrace& run : w->trace()->runs) {
        QVERIFY2(pickView(run) == kind, qPrintable(QStringLiteral("%1 %2").arg(name, run.name)));
        JournalState j(run);
        PageListsState l;
        replay(j, run, run.events.size());
        replay(l, run, run.events.size());
        QVERIFY2(j.mismatches() == 0 && l.mismatches() == 0,
                 qPrintable(QStringLiteral("%1 %2: %3 commits, %4 list moves disagree").arg(name, run.name).arg(j.mismatches()).arg(l.mismatches())));
        QCOMPARE(static_cast<double>(j.commits()), run.counter("journal_commits"));
        QCOMPARE(static_cast<double>(l.evictions()), run.counter("evictions"));
      }
    }
  }

  // readahead.yaml and backpressure.yaml: the window and its marker; a writer throttled.
  void readaheadAndThrottling() {
    auto w = shownWindow();
    QVERIFY2(openAndWait(*w, source("scenarios/readahead.yaml"), 110000), qPrintable(w->lastError()));
    QCOMPARE(w->view(), ViewKind::page_cache);
    auto* v = qobject_cast<PageListsView*>(w->stage()->runViews().front());
    const RunTrace& run = v->player()->run();
    const std::int64_t ra = nthEvent(run, Kind::readahead, 0);
    QVERIFY(ra >= 0);
    w->clock()->seekEvent(w->clock()->positionAfter(0, static_cast<std::size_t>(ra)));
    const Event& e = run.events[static_cast<std::size_t>(ra)];
    const PageListsPicture pic = v->picture();
    QCOMPARE(pic.readahead.first, e.page);
    QCOMPARE(pic.readahead.pages, static_cast<std::int64_t>(e.pages));
    QCOMPARE(pic.readahead.marker, e.page);  // sync or async: the marker is on the event's first page
    QVERIFY(saveShot(*w, "page-cache-readahead.png"));
    w->clock()->toEnd();
    QCOMPARE(static_cast<double>(v->player()->pageLists().readaheadPages()), run.counter("readahead_pages"));

    auto b = shownWindow();
    QVERIFY2(openAndWait(*b, source("scenarios/backpressure.yaml"), 110000), qPrintable(b->lastError()));
    QCOMPARE(b->view(), ViewKind::page_cache);
    auto* bv = qobject_cast<PageListsView*>(b->stage()->runViews().front());
    const RunTrace& br = bv->player()->run();
    std::int64_t throttle = -1;
    for (std::size_t i = 0; i < br.events.size() && throttle < 0; ++i)
      if (br.events[i].kind == Kind::block && br.nameOf(br.events[i]).startsWith("dirty throttling")) throttle = static_cast<std::int64_t>(i);
    QVERIFY(throttle >= 0);
    b->clock()->seekEvent(b->clock()->positionAfter(0, static_cast<std::size_t>(throttle)));
    QCOMPARE(bv->picture().throttled.size(), 1);
    QVERIFY(bv->picture().dirty > 0);
    QVERIFY(saveShot(*b, "page-cache-throttled.png"));
  }
};

QTEST_MAIN(MechanismViewsTest)
#include "test_mechanism_views.moc"
