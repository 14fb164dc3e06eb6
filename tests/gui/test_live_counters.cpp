// The GUI's live counters come from sim/trace/schema.h's rules. Played to its end,
// every run of every scenario in scenarios/ (traced by the CLI, as File > Open does)
// must show, for each counter the events determine, the header's final value; and
// for a final-only counter, the final value once the run is over.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <limits>

#include "gui_test_support.h"

using namespace kiosim::gui;
using namespace kiosim::gui::test;

namespace {

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// Plays each run of the open trace alone to its end; for every counter whose value at
// the end is not the header's: "LABEL:RUN COUNTER" -> what was shown and what is final.
QMap<QString, QString> mismatchesAtEnd(MainWindow& w, const QString& label) {
  QMap<QString, QString> out;
  const TracePtr trace = w.trace();
  for (const RunTrace& run : trace->runs) {
    w.showTrace(trace, run.name);
    w.clock()->toEnd();
    for (const auto& c : kiosim::schema::kCounters) {
      const QString key = qs(c.name), what = label + ":" + run.name + " " + key;
      const double fin = run.counter(key, std::numeric_limits<double>::quiet_NaN());
      if (std::isnan(fin)) continue;  // an object in the header (time_breakdown_ns ...), shown by its parts
      if (c.source == kiosim::schema::Source::events) {
        const double live = w.counters()->liveValue(0, key);
        if (live != fin) out[what] = QStringLiteral("live %1, final %2").arg(live).arg(fin);
      } else if (w.counters()->text(key, 0) != w.counters()->text(key, 1)) {  // now column vs final column
        out[what] = "final-only, shown " + w.counters()->text(key, 0) + " at the end";
      }
    }
  }
  return out;
}

// The stage shows something: more than a few colours, and more than 2% of its
// pixels differ from the background's colour (the top-left pixel).
bool notBlank(const QImage& img) {
  if (img.isNull()) return false;
  QSet<QRgb> colours;
  const QRgb bg = img.pixel(0, 0);
  long long differ = 0, seen = 0;
  for (int y = 0; y < img.height(); y += 3)
    for (int x = 0; x < img.width(); x += 3, ++seen) {
      const QRgb c = img.pixel(x, y);
      colours.insert(c);
      differ += c != bg;
    }
  return colours.size() > 8 && differ * 50 > seen;
}

// One line per mismatch, for the failure message.
QString described(const QMap<QString, QString>& found) {
  QStringList lines;
  for (auto it = found.cbegin(); it != found.cend(); ++it) lines << it.key() + ": " + it.value();
  return lines.join('\n');
}

}  // namespace

class LiveCountersTest : public QObject {
  Q_OBJECT

 private slots:
  void liveCountersEndAtTheFinalValues() {
    const QDir dir(qEnvironmentVariable("KIOSIM_SOURCE_DIR") + "/scenarios");
    const QStringList scenarios = dir.entryList({"*.yaml"}, QDir::Files, QDir::Name);
    QVERIFY(scenarios.size() > 10);
    QMap<QString, QString> found;
    for (const QString& name : scenarios) {
      auto w = shownWindow();
      QVERIFY2(openAndWait(*w, dir.filePath(name), 110000), qPrintable(name + ": " + w->lastError()));
      found.insert(mismatchesAtEnd(*w, name));
    }
    QVERIFY2(found.isEmpty(), qPrintable("live != final:\n" + described(found)));
  }

  // Every lesson (kiosim-gui course/NN-name/) on its view at 1280 x 720: a screenshot
  // halfway through, saved and not blank; then played (as the timer plays, lesson
  // pauses off) to its end, where every run's live counters are the header's.
  void everyLessonPlaysToItsFinalCounters_data() {
    QTest::addColumn<QString>("folder");
    const QDir course(qEnvironmentVariable("KIOSIM_SOURCE_DIR") + "/course");
    for (const QString& f : course.entryList({"[0-9][0-9]-*"}, QDir::Dirs, QDir::Name)) QTest::newRow(qPrintable(f.left(2))) << course.filePath(f);
  }
  void everyLessonPlaysToItsFinalCounters() {
    QFETCH(QString, folder);
    auto w = shownWindow(1280, 720);
    QVERIFY2(openAndWait(*w, folder + "/", 110000), qPrintable(w->lastError()));
    QVERIFY(w->lesson()->active());
    w->lesson()->stop();
    w->clock()->seekEvent(w->clock()->total() / 2);
    QCoreApplication::processEvents();
    const QImage stage = w->stage()->grab().toImage();
    QVERIFY2(notBlank(stage), qPrintable(folder));
    QVERIFY(w->grab().save(screenshotDir() + "/lesson-" + QDir(folder).dirName() + ".png"));
    w->clock()->toStart();
    w->clock()->setSpeedIndex(static_cast<int>(speedPresets().size()) - 1);  // real time
    w->clock()->play();
    for (int i = 0; i < 100000 && w->clock()->position() < w->clock()->total(); ++i) w->clock()->advance(0.25);
    QCOMPARE(w->clock()->position(), w->clock()->total());
    QStringList wrong;
    for (std::size_t slot = 0; slot < w->clock()->runs().size(); ++slot) {
      const RunTrace& run = w->trace()->runs[static_cast<std::size_t>(w->clock()->runs()[slot])];
      for (const auto& c : kiosim::schema::kCounters) {
        if (c.source != kiosim::schema::Source::events) continue;
        const QString key = qs(c.name);
        const double fin = run.counter(key, std::numeric_limits<double>::quiet_NaN());
        if (std::isnan(fin)) continue;
        const double live = w->counters()->liveValue(static_cast<int>(slot), key);
        if (live != fin) wrong << QStringLiteral("%1 %2: live %3, final %4").arg(run.name, key).arg(live).arg(fin);
      }
    }
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join('\n')));
  }

  // net.receiver: local (a socket pair) counts the receiver's read() calls and wake-ups
  // too: they are traced on a lane of their own, so they end at their final values.
  void liveCountersOfALocalReceiver() {
    QTemporaryDir dir;
    const QString trace = dir.filePath("local.json");
    QProcess cli;
    cli.start(qEnvironmentVariable("KIOSIM_CLI"),
              {"compare", qEnvironmentVariable("KIOSIM_SOURCE_DIR") + "/scenarios/copy-table.yaml", "--set",
               "net.receiver=local", "--trace", trace});
    QVERIFY(cli.waitForFinished(110000));
    QCOMPARE(cli.exitCode(), 0);
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, trace));
    const auto found = mismatchesAtEnd(*w, "copy-table.yaml[net.receiver=local]");
    QVERIFY2(found.isEmpty(), qPrintable("live != final:\n" + described(found)));
  }

  // Each row says what it counts and how; a final-only row is marked and stands still until the end.
  void finalOnlyRowsAreMarked() {
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, dataFile("copy-table.json")));
    w->showTrace(w->trace(), "read_write");
    CountersPanel* c = w->counters();
    const QTableWidgetItem* syscalls = c->verticalHeaderItem(c->rowOf("syscalls"));
    QCOMPARE(syscalls->toolTip(), QStringLiteral("system calls made (calls)\nfrom the events: +1 per `syscall_enter`"));
    QVERIFY(!syscalls->font().italic());
    const QTableWidgetItem* hits = c->verticalHeaderItem(c->rowOf("page_cache_hits"));
    QVERIFY(hits->toolTip().startsWith("page-cache lookups that found the page (lookups)\nfinal only"));
    QVERIFY(hits->font().italic());
    QVERIFY(c->item(c->rowOf("page_cache_hits"), 0)->font().italic());
    QVERIFY(c->rowOf("time_breakdown_ns.copy") >= 0);  // an object counter, by its parts
    QVERIFY(c->verticalHeaderItem(c->rowOf("time_breakdown_ns.copy"))->toolTip().contains("final only"));
    w->clock()->seekEvent(1);
    QVERIFY(std::isnan(c->liveValue(0, "page_cache_hits")));
    QCOMPARE(c->text("page_cache_hits", 0), QStringLiteral("–"));
    QCOMPARE(c->text("page_cache_misses", 1), QStringLiteral("16"));
    w->clock()->toEnd();
    QCOMPARE(c->text("page_cache_misses", 0), QStringLiteral("16"));  // the final value, once the run is over
  }

  // A check must be able to fail: the same check on a trace whose header was doctored
  // finds exactly the one counter that no longer agrees with the events.
  void doctoredHeaderIsCaught() {
    QFile f(dataFile("copy-table.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray json = f.readAll();
    const QByteArray from = R"("cpu_copies":2,)", to = R"("cpu_copies":3,)";
    QVERIFY(json.contains(from));
    json.replace(json.indexOf(from), from.size(), to);  // the first run's: read_write
    QTemporaryDir dir;
    QFile doctored(dir.filePath("doctored.json"));
    QVERIFY(doctored.open(QIODevice::WriteOnly));
    doctored.write(json);
    doctored.close();
    auto w = shownWindow();
    QVERIFY(openAndWait(*w, f.fileName()));
    const QMap<QString, QString> before = mismatchesAtEnd(*w, "copy-table");
    QVERIFY(openAndWait(*w, doctored.fileName()));
    const QMap<QString, QString> after = mismatchesAtEnd(*w, "copy-table");
    QStringList added;
    for (const QString& k : after.keys())
      if (!before.contains(k)) added << k;
    QCOMPARE(added, QStringList{"copy-table:read_write cpu_copies"});
    QCOMPARE(after.value(added.first()), QStringLiteral("live 2, final 3"));
  }
};

QTEST_MAIN(LiveCountersTest)
#include "test_live_counters.moc"
