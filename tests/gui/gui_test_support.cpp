#include "gui_test_support.h"

#include <QDir>
#include <QSignalSpy>
#include <QTest>

namespace kiosim::gui::test {

QString dataFile(const QString& name) { return qEnvironmentVariable("KIOSIM_GUI_TEST_DATA") + "/" + name; }

QString screenshotDir() {
  const QString dir = qEnvironmentVariable("KIOSIM_GUI_SCREENSHOTS", QDir::tempPath() + "/kiosim-gui-screenshots");
  QDir().mkpath(dir);
  return dir;
}

std::unique_ptr<MainWindow> shownWindow(int width, int height) {
  auto w = std::make_unique<MainWindow>();
  w->resize(width, height);
  w->show();
  return w;
}

bool openAndWait(MainWindow& w, const QString& path, int timeoutMs) {
  QSignalSpy shown(&w, &MainWindow::traceShown);
  QSignalSpy failed(&w, &MainWindow::errorShown);
  w.open(path);
  // Loading runs on a worker thread (or in the CLI); the UI thread keeps serving events.
  if (!QTest::qWaitFor([&] { return !shown.isEmpty() || !failed.isEmpty(); }, timeoutMs)) return false;
  return !shown.isEmpty();
}

int slotOf(MainWindow& w, const QString& run) {
  const auto& runs = w.clock()->runs();
  for (std::size_t s = 0; s < runs.size(); ++s)
    if (w.trace()->runs[static_cast<std::size_t>(runs[s])].name == run) return static_cast<int>(s);
  return -1;
}

std::size_t positionAfter(MainWindow& w, int slot, Kind kind, int nth) {
  // Step from the start until the run's applied count passes the wanted event.
  const RunTrace& run = w.trace()->runs[static_cast<std::size_t>(w.clock()->runs()[static_cast<std::size_t>(slot)])];
  std::size_t want = run.events.size();
  for (std::size_t i = 0, seen = 0; i < run.events.size(); ++i)
    if (run.events[i].kind == kind && static_cast<int>(seen++) == nth) {
      want = i + 1;
      break;
    }
  if (want > run.events.size()) return 0;
  PlaybackClock* c = w.clock();
  for (std::size_t k = 0; k <= c->total(); ++k) {
    c->seekEvent(k);
    if (c->applied(slot) == want) return k;
  }
  return 0;
}

}  // namespace kiosim::gui::test
