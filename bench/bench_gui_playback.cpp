// Frames per second of kiosim-gui playing a 1-million-event trace (offscreen): each
// iteration advances the clock by one timer tick (1/30 s of wall time, at 10 ms of
// simulated time per second or real time) and paints the whole window (views, timeline, counters),
// as the screen would. items_per_second is the frame rate; the parse time is printed
// once. Run on purpose (`make bench`), never in tests.
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <cstdio>

#include "gui/main_window.h"
#include "gui/trace_loader.h"
#include "tests/gui/sendfile_trace.h"

namespace {

kiosim::gui::TracePtr trace() {
  static kiosim::gui::TracePtr t = [] {
    static QTemporaryDir dir;
    const QString path = dir.filePath("1m.json");
    kiosim::gui::test::writeSendfileTrace(path, 200000);  // 1,000,000 events
    QElapsedTimer timer;
    timer.start();
    QString error;
    auto loaded = kiosim::gui::loadTraceFile(path, &error);
    std::fprintf(stderr, "parsed %zu events in %.2f s%s\n", loaded ? loaded->runs[0].events.size() : 0,
                 static_cast<double>(timer.elapsed()) / 1000.0, loaded ? "" : qPrintable(" " + error));
    return loaded;
  }();
  return t;
}

void BM_PlaybackFrame(benchmark::State& state) {
  kiosim::gui::MainWindow w;
  w.resize(1600, 1000);
  w.show();
  w.showTrace(trace());
  w.clock()->setSpeedIndex(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    w.clock()->advance(1.0 / 30);
    if (w.clock()->position() >= w.clock()->total()) w.clock()->toStart();
    benchmark::DoNotOptimize(w.grab());  // paints every widget
  }
  state.SetItemsProcessed(state.iterations());  // frames
  state.SetLabel(kiosim::gui::speedPresets()[static_cast<std::size_t>(state.range(0))].label.toStdString());
}
// 10 ms of simulated time per second, and real time (1,667 chunks, 8,333 events per frame).
BENCHMARK(BM_PlaybackFrame)->Arg(10)->Arg(12)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
