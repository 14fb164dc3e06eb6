// kiosim-gui [SCENARIO | TRACE | LESSON]: plays kiosim traces (docs/TRACE.md); a scenario
// is first simulated by the kiosim CLI; a lesson folder (course/NN-*/) is played in
// lesson mode (its lesson.yaml, course/README.md).
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

#include "gui/check_measured.h"
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
  QCommandLineOption measured(QStringLiteral("measured"),
                              QStringLiteral("measured counters to show beside the predicted ones: kiosim check --json "
                                             "(one scenario, or check --all's: the trace's scenario is taken) or "
                                             "measure --json"),
                              QStringLiteral("FILE"));
  QCommandLineOption measuredScenario(QStringLiteral("measured-scenario"),
                                      QStringLiteral("the scenario of a check --all --json FILE to take, by file name "
                                                     "(default: the trace's)"),
                                      QStringLiteral("NAME"));
  QCommandLineOption present(QStringLiteral("present"), QStringLiteral("start in presentation mode (large fonts, high contrast)"));
  QCommandLineOption kernel(QStringLiteral("kernel-trace"),
                            QStringLiteral("the kernel's events (check or measure --kernel-trace --json) as lanes"),
                            QStringLiteral("FILE"));
  cli.addOption(measured);
  cli.addOption(measuredScenario);
  cli.addOption(present);
  cli.addOption(kernel);
  cli.process(app);

  if (cli.isSet(measuredScenario) && !cli.isSet(measured)) {
    std::fprintf(stderr, "kiosim-gui: --measured-scenario NAME picks a scenario of --measured FILE; no --measured given\n");
    return 2;
  }
  if (cli.isSet(measured)) {
    // A file that is no measured result, or names no checked scenario, is refused before
    // any window: on stderr, with the file and what was expected, exit 2.
    QString error;
    if (!kiosim::gui::validateMeasuredFile(cli.value(measured), cli.value(measuredScenario), &error)) {
      std::fprintf(stderr, "kiosim-gui: --measured %s\n", qPrintable(error));
      return 2;
    }
  }
  kiosim::gui::MainWindow w;
  if (cli.isSet(present)) w.setPresentationMode(true);
  if (cli.isSet(measured)) {
    QObject::connect(&w, &kiosim::gui::MainWindow::traceShown, &w,
                     [&w, file = cli.value(measured), scenario = cli.value(measuredScenario)] {
                       static bool done = false;  // once: loading it shows the trace again
                       if (!done) {
                         done = true;
                         if (!w.loadMeasured(file, scenario))  // no run of the trace matches: the dialog says it too
                           std::fprintf(stderr, "kiosim-gui: --measured %s\n", qPrintable(w.lastError()));
                       }
                     });
  }
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
