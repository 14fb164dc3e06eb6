// Opens a scenario by running the simulator CLI (`kiosim run FILE --trace T`) as a
// child process: the GUI never simulates. Reports the trace file, or the CLI's errors.
#pragma once
#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <memory>

namespace kiosim::gui {

// The kiosim binary: $KIOSIM_CLI, the build's own, beside this program, or on PATH.
QString findKiosimCli();

class ScenarioRunner : public QObject {
  Q_OBJECT
 public:
  explicit ScenarioRunner(QObject* parent = nullptr);
  ~ScenarioRunner() override;
  void start(const QString& scenarioPath);
  void cancel();
  bool running() const { return process_.state() != QProcess::NotRunning; }

 signals:
  void finished(const QString& tracePath);
  void failed(const QString& message);

 private:
  void onFinished(int code, QProcess::ExitStatus status);

  QProcess process_;
  std::unique_ptr<QTemporaryDir> dir_;  // holds the trace until the next run
  QString scenario_;
  bool cancelled_ = false;
};

}  // namespace kiosim::gui
