// Menus and their shortcuts; the playback keys live on the controls bar.
#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>

#include "gui/main_window.h"

#include "gui/kernel_lanes.h"

namespace kiosim::gui {

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open trace or scenario…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open"), {},
                                                      tr("Traces and scenarios (*.json *.yaml *.yml);;All files (*)"));
    if (!path.isEmpty()) open(path);
  });
  file->addAction(tr("Load &measured counters…"), QKeySequence(tr("Ctrl+M")), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Measured result"), {}, tr("JSON (*.json)"));
    if (!path.isEmpty()) loadMeasured(path);
  });
  file->addAction(tr("Load &kernel trace as lanes…"), QKeySequence(tr("Ctrl+K")), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("check/measure --kernel-trace --json"), {}, tr("JSON (*.json)"));
    if (!path.isEmpty()) loadKernelLanes(path);
  });
  file->addSeparator();
  file->addAction(tr("Export view as &PNG…"), QKeySequence(tr("Ctrl+E")), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export PNG"), QStringLiteral("kiosim.png"), tr("PNG (*.png)"));
    if (!path.isEmpty()) exportPng(path);
  });
  file->addAction(tr("Export view as &SVG…"), QKeySequence(tr("Ctrl+Shift+E")), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export SVG"), QStringLiteral("kiosim.svg"), tr("SVG (*.svg)"));
    if (!path.isEmpty()) exportSvg(path);
  });
  file->addAction(tr("Export timeline as Per&fetto trace…"), QKeySequence(tr("Ctrl+Shift+P")), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Perfetto trace"), QStringLiteral("kiosim-perfetto.json"),
                                                      tr("Chrome/Perfetto JSON (*.json)"));
    if (!path.isEmpty()) exportPerfetto(path);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* present = view->addAction(tr("&Presentation mode (large, high contrast)"));
  present->setCheckable(true);
  present->setShortcut(QKeySequence(Qt::Key_F5));
  connect(present, &QAction::toggled, this, &MainWindow::setPresentationMode);
  view->addAction(tr("Zoom timeline &in"), QKeySequence::ZoomIn, this, [this] {
    timeline_->zoom(2, clock_.now());
  });
  view->addAction(tr("Zoom timeline &out"), QKeySequence::ZoomOut, this, [this] {
    timeline_->zoom(0.5, clock_.now());
  });
  view->addAction(tr("&Fit timeline"), QKeySequence(tr("Ctrl+0")), this, [this] {
    timeline_->setView(0, static_cast<double>(clock_.endNs()));
  });
  QAction* full = view->addAction(tr("F&ull screen"));
  full->setShortcut(QKeySequence(Qt::Key_F11));
  connect(full, &QAction::triggered, this, [this] { isFullScreen() ? showNormal() : showFullScreen(); });

  QMenu* play = menuBar()->addMenu(tr("&Playback"));
  play->addAction(tr("Next &copy"), QKeySequence(Qt::Key_C), this, &MainWindow::stepToNextCopy);
  play->addAction(tr("Next &mode switch"), QKeySequence(Qt::Key_M), this, &MainWindow::stepToNextModeSwitch);
  play->addAction(tr("Next &fault"), QKeySequence(Qt::Key_F), this, &MainWindow::stepToNextFault);
  QAction* slow = play->addAction(tr("&Slow motion (a tenth of the speed)"));
  slow->setObjectName(QStringLiteral("slowMotion"));
  slow->setCheckable(true);
  slow->setShortcut(QKeySequence(Qt::Key_S));
  connect(slow, &QAction::toggled, this, [this](bool on) { clock_.setSlowMotion(on); });
  play->addSeparator();
  QAction* answer = play->addAction(tr("Lesson: &answer, then play on"));
  answer->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter), QKeySequence(Qt::Key_A)});
  connect(answer, &QAction::triggered, &lesson_, &LessonPlayer::advance);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Keys"), QKeySequence::HelpContents, this, [this] {
    QMessageBox::information(this, tr("Keys"),
                             tr("Space  play / pause\n→  step forward one event\n←  step back one event\n"
                                "Home / End  jump to start / end\n↑ / +  faster    ↓ / −  slower    S  slow motion\n"
                                "C / M / F  next copy / mode switch / fault\n"
                                "Enter or A  lesson: the answer, then play on\n"
                                "F5  presentation mode    F11  full screen\n"
                                "Ctrl+O  open    Ctrl+E  export PNG    Ctrl+Shift+E  export SVG\n"
                                "Timeline: wheel zooms, drag pans, hover names an event, click jumps to it"));
  });
}

// The kernel's events of a check/measure --kernel-trace --json result, as lanes beside
// the prediction (kernel_lanes.h); the runs shown stay as they were.
bool MainWindow::loadKernelLanes(const QString& path) {
  if (!trace_) return false;
  QString error;
  TracePtr with = withKernelLanesFile(trace_, path, &error);
  if (!with) {
    showError(tr("Cannot load the kernel trace"), error);
    return false;
  }
  const QString only = players_.size() == 1 && trace_->runs.size() > 1 ? players_.front()->run().name : QString();
  showTrace(with, only);
  return true;
}

}  // namespace kiosim::gui
