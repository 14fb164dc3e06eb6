#include "gui/scenario_runner.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>

namespace kiosim::gui {

QString findKiosimCli() {
  const QString env = qEnvironmentVariable("KIOSIM_CLI");
  if (!env.isEmpty()) return env;
#ifdef KIOSIM_CLI_PATH
  if (QFileInfo(QStringLiteral(KIOSIM_CLI_PATH)).isExecutable()) return QStringLiteral(KIOSIM_CLI_PATH);
#endif
  const QString dir = QCoreApplication::applicationDirPath();
  for (const QString& candidate : {dir + "/kiosim", dir + "/../sim/kiosim"})
    if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).canonicalFilePath();
  return QStandardPaths::findExecutable(QStringLiteral("kiosim"));
}

ScenarioRunner::ScenarioRunner(QObject* parent) : QObject(parent) {
  connect(&process_, &QProcess::finished, this, &ScenarioRunner::onFinished);
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      emit failed(QStringLiteral("could not start `%1`: %2").arg(process_.program(), process_.errorString()));
  });
}

ScenarioRunner::~ScenarioRunner() {
  if (running()) {
    process_.kill();
    process_.waitForFinished(2000);
  }
}

void ScenarioRunner::start(const QString& scenarioPath) {
  const QString cli = findKiosimCli();
  if (cli.isEmpty()) {
    emit failed(QStringLiteral("cannot find the `kiosim` program (set KIOSIM_CLI, or put it on PATH)"));
    return;
  }
  dir_ = std::make_unique<QTemporaryDir>();
  scenario_ = scenarioPath;
  cancelled_ = false;
  // `run` without --method runs every method of a compare: scenario, so all appear.
  process_.start(cli, {QStringLiteral("run"), scenarioPath, QStringLiteral("--trace"), dir_->filePath("trace.json")});
}

void ScenarioRunner::cancel() {
  cancelled_ = true;
  process_.kill();
}

void ScenarioRunner::onFinished(int code, QProcess::ExitStatus status) {
  if (cancelled_) return;
  const QString trace = dir_->filePath("trace.json");
  if (status == QProcess::NormalExit && code == 0 && QFileInfo::exists(trace)) {
    emit finished(trace);
    return;
  }
  QString err = QString::fromUtf8(process_.readAllStandardError()).trimmed();
  if (err.isEmpty()) err = QString::fromUtf8(process_.readAllStandardOutput()).trimmed().right(2000);
  if (status == QProcess::CrashExit)
    emit failed(QStringLiteral("kiosim crashed while simulating %1:\n\n%2").arg(scenario_, err));
  else
    emit failed(QStringLiteral("kiosim could not run %1 (exit code %2):\n\n%3").arg(scenario_).arg(code).arg(err));
}

}  // namespace kiosim::gui
