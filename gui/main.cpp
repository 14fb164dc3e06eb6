// kiosim-gui [SCENARIO | TRACE | LESSON]: plays kiosim traces (docs/TRACE.md); a scenario
// is first simulated by the kiosim CLI; a lesson folder (course/NN-*/) is played in
// lesson mode (its lesson.yaml, course/README.md).
#include <QApplication>
#include <QCommandLineParser>

#include "gui/main_window.h"
#include "gui/quit_on_signal.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("kiosim-gui"));
  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Plays kiosim traces: data path, timeline, counters."));
  cli.addHelpOption();
  cli.addPositionalArgument(QStringLiteral("file"), QStringLiteral("a scenario (.yaml), a trace (.json) or a lesson folder (course/06-cow-tlb/)"),
                           QStringLiteral("[SCENARIO | TRACE | LESSON]"));
  QCommandLineOption measured(QStringLiteral("measured"), QStringLiteral("measured counters (JSON) to show beside the predicted ones"), QStringLiteral("FILE"));
  QCommandLineOption present(QStringLiteral("present"), QStringLiteral("start in presentation mode (large fonts, high contrast)"));
  QCommandLineOption kernel(QStringLiteral("kernel-trace"),
                            QStringLiteral("the kernel's events (check or measure --kernel-trace --json) as lanes"),
                            QStringLiteral("FILE"));
  cli.addOption(measured);
  cli.addOption(present);
  cli.addOption(kernel);
  cli.process(app);

  kiosim::gui::MainWindow w;
  if (cli.isSet(present)) w.setPresentationMode(true);
  if (cli.isSet(measured))
    QObject::connect(&w, &kiosim::gui::MainWindow::traceShown, &w, [&w, file = cli.value(measured)] {
      static bool done = false;  // once: loading it shows the trace again
      if (!done) {
        done = true;
        w.loadMeasured(file);
      }
    });
  if (cli.isSet(kernel))
    QObject::connect(&w, &kiosim::gui::MainWindow::traceShown, &w, [&w, file = cli.value(kernel)] {
      static bool done = false;  // once: loading it shows the trace again
      if (!done) {
        done = true;
        w.loadKernelLanes(file);
      }
    });
  if (!cli.positionalArguments().isEmpty()) w.open(cli.positionalArguments().front());
  w.show();
  kiosim::gui::quitOnSignals();  // SIGTERM leaves nothing behind
  return app.exec();
}
