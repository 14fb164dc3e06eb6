#include "gui/main_window.h"

#include <QComboBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QProgressDialog>
#include <QScrollArea>
#include <QSplitter>
#include <QStatusBar>

#include "gui/perfetto_export.h"

namespace kiosim::gui {

namespace {
constexpr std::size_t kMaxRunsOnScreen = 4;
}

MainWindow::MainWindow() {
  setWindowTitle(QStringLiteral("kiosim"));
  stage_ = new StageView;
  timeline_ = new TimelineView(&clock_, &theme_);
  timelineScroll_ = new QScrollArea;
  timelineScroll_->setWidget(timeline_);
  timelineScroll_->setWidgetResizable(true);
  timelineScroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(stage_);
  split->addWidget(timelineScroll_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);  // the data path must never vanish behind the timeline
  split->setSizes({640, 300});
  setCentralWidget(split);

  counters_ = new CountersPanel;
  auto* dock = new QDockWidget(tr("Counters"));
  dock->setObjectName(QStringLiteral("countersDock"));
  dock->setWidget(counters_);
  counters_->setMinimumWidth(420);  // room for a counter's name and four runs' values
  addDockWidget(Qt::RightDockWidgetArea, dock);

  controls_ = new ControlsBar(&clock_, this);
  addToolBar(controls_);
  runChoice_ = new QComboBox;
  runChoice_->setObjectName(QStringLiteral("runChoice"));
  runChoice_->setFocusPolicy(Qt::NoFocus);
  controls_->addSeparator();
  controls_->addWidget(new QLabel(tr(" Show ")));
  controls_->addWidget(runChoice_);
  connect(runChoice_, &QComboBox::currentIndexChanged, this, &MainWindow::onRunChoice);

  buildMenus();
  statusBar()->showMessage(tr("Open a trace (.json) or a scenario (.yaml): Ctrl+O"));
  connect(&clock_, &PlaybackClock::changed, this, &MainWindow::refresh);

  connect(&loader_, &TraceLoadJob::loaded, this, [this](TracePtr t) {
    statusBar()->clearMessage();
    showTrace(std::move(t));
  });
  connect(&loader_, &TraceLoadJob::failed, this, [this](const QString&, const QString& error) {
    statusBar()->clearMessage();
    showError(tr("Cannot open the trace"), error);
  });
  connect(&runner_, &ScenarioRunner::finished, this, [this](const QString& trace) {
    if (progress_) progress_->close();
    openTrace(trace);
  });
  connect(&runner_, &ScenarioRunner::failed, this, [this](const QString& message) {
    if (progress_) progress_->close();
    showError(tr("Cannot run the scenario"), message);
  });
  resize(1400, 900);
}

MainWindow::~MainWindow() {
  // Views hold pointers into players_: let them go first.
  stage_->setViews({});
  timeline_->setPlayers({});
  counters_->setPlayers({});
}

void MainWindow::open(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == "yaml" || suffix == "yml") openScenario(path);
  else openTrace(path);
}

void MainWindow::openTrace(const QString& path) {
  statusBar()->showMessage(tr("Loading %1 …").arg(path));
  loader_.start(path);  // parsing happens on a worker thread; the window stays live
}

void MainWindow::openScenario(const QString& path) {
  if (!progress_) {
    progress_ = new QProgressDialog(this);
    progress_->setObjectName(QStringLiteral("runProgress"));
    progress_->setRange(0, 0);  // the CLI reports no progress: a busy bar
    progress_->setMinimumDuration(300);
    connect(progress_, &QProgressDialog::canceled, &runner_, &ScenarioRunner::cancel);
  }
  progress_->setLabelText(tr("Simulating %1 …").arg(QFileInfo(path).fileName()));
  progress_->reset();
  progress_->setRange(0, 0);
  progress_->show();
  runner_.start(path);
}

void MainWindow::showTrace(TracePtr trace, const QString& onlyRun) {
  if (!trace) return;
  std::vector<int> runs;
  for (std::size_t i = 0; i < trace->runs.size() && runs.size() < kMaxRunsOnScreen; ++i)
    if (onlyRun.isEmpty() || trace->runs[i].name == onlyRun) runs.push_back(static_cast<int>(i));
  if (runs.empty()) runs.push_back(0);

  // Views first, then the players they point to.
  stage_->setViews({});
  timeline_->setPlayers({});
  counters_->setPlayers({});
  const bool sameTrace = trace_ == trace;
  trace_ = std::move(trace);
  clock_.setRuns(trace_, runs);
  players_.clear();
  std::vector<RunPlayer*> raw;
  std::vector<DataPathView*> views;
  for (std::size_t s = 0; s < runs.size(); ++s) {
    players_.push_back(std::make_unique<RunPlayer>(trace_, runs[s], static_cast<int>(s), &clock_));
    raw.push_back(players_.back().get());
    views.push_back(new DataPathView(raw.back(), &theme_));
  }
  stage_->setViews(views);
  timeline_->setPlayers(raw);
  counters_->setPlayers(raw);

  if (!sameTrace) {
    rebuildingChoice_ = true;
    runChoice_->clear();
    if (trace_->runs.size() > 1)
      runChoice_->addItem(trace_->runs.size() > kMaxRunsOnScreen ? tr("First four runs") : tr("All runs (compare)"));
    for (const RunTrace& r : trace_->runs) runChoice_->addItem(r.name);
    rebuildingChoice_ = false;
  }
  const QString title = trace_->title.isEmpty() ? QFileInfo(trace_->sourcePath).fileName() : trace_->title;
  setWindowTitle(QStringLiteral("kiosim — %1").arg(title));
  refresh();
  emit traceShown();
}

void MainWindow::onRunChoice(int index) {
  if (rebuildingChoice_ || !trace_ || index < 0) return;
  const bool hasAll = trace_->runs.size() > 1;
  showTrace(trace_, hasAll && index == 0 ? QString() : runChoice_->itemText(index));
}

bool MainWindow::loadMeasured(const QString& path) {
  if (!trace_) return false;
  QString error;
  TracePtr with = withMeasured(trace_, path, &error);
  if (!with) {
    showError(tr("Cannot load measured counters"), error);
    return false;
  }
  const QString only = players_.size() == 1 && trace_->runs.size() > 1 ? players_.front()->run().name : QString();
  showTrace(with, only);
  return true;
}

void MainWindow::showError(const QString& title, const QString& message) {
  lastError_ = message;
  // Not exec(): a modal loop would stall playback and the offscreen tests.
  auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
  box->setObjectName(QStringLiteral("errorDialog"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
  emit errorShown(message);
}

void MainWindow::refresh() {
  for (DataPathView* v : stage_->views()) v->update();
  counters_->refresh();
}

void MainWindow::setPresentationMode(bool on) {
  theme_ = on ? Theme::presentationMode() : Theme::normal();
  QFont f = font();
  f.setPointSizeF(QFont().pointSizeF() * theme_.fontScale);
  setFont(f);  // toolbar, counters, menus follow
  QPalette pal = on ? QPalette(theme_.foreground, theme_.background) : QPalette();
  if (on) {
    pal.setColor(QPalette::Base, theme_.background);
    pal.setColor(QPalette::Text, theme_.foreground);
    pal.setColor(QPalette::WindowText, theme_.foreground);
  }
  setPalette(pal);
  timeline_->updateGeometry();
  update();
  refresh();
}

bool MainWindow::exportPerfetto(const QString& path) {
  if (!trace_) return false;
  QString error;
  if (!writePerfettoTrace(*trace_, clock_.runs(), path, &error)) {
    showError(tr("Export failed"), error);
    return false;
  }
  return true;
}

}  // namespace kiosim::gui
