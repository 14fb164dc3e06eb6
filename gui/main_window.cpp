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
#include <QToolBar>

#include "gui/address_space_view.h"
#include "gui/journal_view.h"
#include "gui/page_lists_view.h"
#include "gui/perfetto_export.h"
#include "gui/tlb_view.h"

namespace kiosim::gui {

namespace {
constexpr std::size_t kMaxRunsOnScreen = 4;
// The view menu's entries after "Automatic", in order.
constexpr ViewKind kChoiceViews[] = {ViewKind::data_path, ViewKind::data_path, ViewKind::address_spaces, ViewKind::tlb,
                                     ViewKind::journal, ViewKind::page_cache};
}

MainWindow::MainWindow() {
  setWindowTitle(QStringLiteral("kiosim"));
  stage_ = new StageView;
  timeline_ = new TimelineView(&clock_, &theme_);
  timelineScroll_ = new QScrollArea;
  timelineScroll_->setWidget(timeline_);
  timelineScroll_->setWidgetResizable(true);
  timelineScroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  caption_ = new LessonCaption(&lesson_);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(stage_);
  split->addWidget(caption_);
  split->addWidget(timelineScroll_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 0);
  split->setStretchFactor(2, 1);
  split->setChildrenCollapsible(false);  // the data path must never vanish behind the timeline
  split->setSizes({640, 120, 300});
  setCentralWidget(split);

  counters_ = new CountersPanel;
  auto* dock = countersDock_ = new QDockWidget(tr("Counters"));
  dock->setObjectName(QStringLiteral("countersDock"));
  dock->setWidget(counters_);
  counters_->setWidthCap(1400 * 42 / 100);  // the default size's; resizeEvent follows the window
  addDockWidget(Qt::RightDockWidgetArea, dock);

  controls_ = new ControlsBar(&clock_, this);
  addToolBar(controls_);
  runChoice_ = new QComboBox;
  runChoice_->setObjectName(QStringLiteral("runChoice"));
  runChoice_->setFocusPolicy(Qt::NoFocus);
  // On a row of their own, so a large font (presentation) cuts none of them.
  auto* choices = new QToolBar(tr("Runs and views"));
  choices->setObjectName(QStringLiteral("choices"));
  addToolBarBreak();
  addToolBar(choices);
  choices->addWidget(new QLabel(tr(" Show ")));
  choices->addWidget(runChoice_);
  runChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);  // "All runs (compare)", never cut
  connect(runChoice_, &QComboBox::currentIndexChanged, this, &MainWindow::onRunChoice);
  choices->addWidget(new QLabel(tr("  View ")));
  viewChoice_ = new QComboBox;
  viewChoice_->setObjectName(QStringLiteral("viewChoice"));
  viewChoice_->setFocusPolicy(Qt::NoFocus);
  viewChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  viewChoice_->addItems({tr("Automatic"), tr("Data path"), tr("Address spaces"), tr("TLBs"), tr("Journal"), tr("Page-cache lists")});
  choices->addWidget(viewChoice_);
  connect(viewChoice_, &QComboBox::activated, this, [this](int i) {
    if (i == 0) setAutoView();
    else setView(kChoiceViews[static_cast<std::size_t>(i)]);
  });
  connect(&lesson_, &LessonPlayer::changed, this, [this] { caption_->refresh(); });

  buildMenus();
  statusBar()->showMessage(tr("Open a trace (.json) or a scenario (.yaml): Ctrl+O"));
  connect(&clock_, &PlaybackClock::changed, this, &MainWindow::refresh);

  connect(&loader_, &TraceLoadJob::loaded, this, [this](TracePtr t) {
    statusBar()->clearMessage();
    if (!pendingLesson_) {
      lesson_.stop();
      showTrace(std::move(t));
      return;
    }
    const Lesson l = *pendingLesson_;
    pendingLesson_.reset();
    autoView_ = false;
    view_ = viewFromLessonName(l.view);
    showRuns(std::move(t), l.runs);
    QString error;
    if (!lesson_.start(l, &error)) showError(tr("Cannot play the lesson"), error);
    setWindowTitle(tr("kiosim — lesson %1: %2").arg(l.number).arg(l.title));
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
  if (isLessonPath(path)) {
    openLesson(path);
    return;
  }
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == "yaml" || suffix == "yml") openScenario(path);
  else openTrace(path);
}

// The counters take at most 42% of the window; wider, their columns scroll.
void MainWindow::resizeEvent(QResizeEvent* e) {
  QMainWindow::resizeEvent(e);
  if (!counters_ || !countersDock_) return;
  counters_->setWidthCap(width() * 42 / 100);
  fitCounters();
}

// The dock keeps its width when its widget asks for more: tell it.
void MainWindow::fitCounters() {
  if (countersDock_->width() < counters_->minimumWidth() + 8)
    resizeDocks({countersDock_}, {counters_->minimumWidth() + 8}, Qt::Horizontal);
}

void MainWindow::openLesson(const QString& path) {
  QString error;
  std::optional<Lesson> l = loadLesson(path, &error);
  if (!l) {
    showError(tr("Cannot open the lesson"), error);
    return;
  }
  pendingLesson_ = *l;
  openScenario(l->scenario);
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
  showRuns(std::move(trace), onlyRun.isEmpty() ? QStringList() : QStringList{onlyRun});
}

void MainWindow::showRuns(TracePtr trace, const QStringList& names) {
  if (!trace) return;
  std::vector<int> runs;
  for (std::size_t i = 0; i < trace->runs.size() && runs.size() < kMaxRunsOnScreen; ++i)
    if (names.isEmpty() || names.contains(trace->runs[i].name)) runs.push_back(static_cast<int>(i));
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
  for (std::size_t s = 0; s < runs.size(); ++s) {
    players_.push_back(std::make_unique<RunPlayer>(trace_, runs[s], static_cast<int>(s), &clock_));
    raw.push_back(players_.back().get());
  }
  if (autoView_) view_ = pickView(players_.front()->run());
  rebuildViews();
  timeline_->setPlayers(raw);
  counters_->setPlayers(raw);
  fitCounters();

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

void MainWindow::rebuildViews() {
  std::vector<RunView*> views;
  for (auto& p : players_) {
    if (view_ == ViewKind::address_spaces) views.push_back(new AddressSpaceView(p.get(), &theme_));
    else if (view_ == ViewKind::tlb) views.push_back(new TlbView(p.get(), &theme_));
    else if (view_ == ViewKind::journal) views.push_back(new JournalView(p.get(), &theme_));
    else if (view_ == ViewKind::page_cache) views.push_back(new PageListsView(p.get(), &theme_));
    else views.push_back(new DataPathView(p.get(), &theme_));
  }
  stage_->setViews(views);
  const auto chosen = std::find(std::begin(kChoiceViews) + 1, std::end(kChoiceViews), view_);
  viewChoice_->setCurrentIndex(autoView_ ? 0 : static_cast<int>(chosen - std::begin(kChoiceViews)));
  viewChoice_->setToolTip(tr("showing: %1").arg(viewName(view_)));
}

void MainWindow::setView(ViewKind kind) {
  autoView_ = false;
  view_ = kind;
  rebuildViews();
  refresh();
}

void MainWindow::setAutoView() {
  autoView_ = true;
  if (!players_.empty()) view_ = pickView(players_.front()->run());
  rebuildViews();
  refresh();
}

void MainWindow::stepToNext(const std::function<bool(const Event&)>& test) {
  clock_.pause();
  clock_.seekEvent(clock_.nextWhere(test));
}

void MainWindow::stepToNextCopy() {
  stepToNext([](const Event& e) { return e.kind == Kind::cpu_copy || e.kind == Kind::dma_copy || e.kind == Kind::linearize; });
}

// The events the mode_switches rules of sim/trace/schema.h count.
void MainWindow::stepToNextModeSwitch() {
  stepToNext([](const Event& e) {
    for (const schema::Rule& r : schema::kRules)
      if (r.counter == "mode_switches" && r.kind == e.kind && (!r.user_mode_only || e.userMode)) return true;
    return e.kind == Kind::syscall_exit;
  });
}

void MainWindow::stepToNextFault() {
  stepToNext([](const Event& e) {
    return e.kind == Kind::page_fault_minor || e.kind == Kind::page_fault_major || e.kind == Kind::cow_fault;
  });
}

void MainWindow::onRunChoice(int index) {
  if (rebuildingChoice_ || !trace_ || index < 0) return;
  lesson_.stop();
  const bool hasAll = trace_->runs.size() > 1;
  showTrace(trace_, hasAll && index == 0 ? QString() : runChoice_->itemText(index));
}

bool MainWindow::loadMeasured(const QString& path, const QString& scenario) {
  if (!trace_) return false;
  QString error;
  TracePtr with = withMeasured(trace_, path, &error, scenario);
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
  for (RunView* v : stage_->runViews()) v->update();
  counters_->refresh();
}

void MainWindow::setPresentationMode(bool on) {
  theme_ = on ? Theme::presentationMode() : Theme::normal();
  QFont f = font();
  f.setPointSizeF(QFont().pointSizeF() * theme_.fontScale);
  setFont(f);  // toolbar, counters, menus follow
  // A whole dark palette: every widget (counters, run and view choosers, headers,
  // menus) reads light on dark, none white on white.
  QPalette pal;
  if (on) {
    const QColor bg = theme_.background, fg = theme_.foreground, mid("#333333");
    for (auto group : {QPalette::Active, QPalette::Inactive}) {
      pal.setColor(group, QPalette::Window, bg);
      pal.setColor(group, QPalette::WindowText, fg);
      pal.setColor(group, QPalette::Base, QColor("#101010"));
      pal.setColor(group, QPalette::AlternateBase, QColor("#1c1c1c"));
      pal.setColor(group, QPalette::Text, fg);
      pal.setColor(group, QPalette::Button, mid);
      pal.setColor(group, QPalette::ButtonText, fg);
      pal.setColor(group, QPalette::ToolTipBase, mid);
      pal.setColor(group, QPalette::ToolTipText, fg);
      pal.setColor(group, QPalette::Highlight, theme_.dma);
      pal.setColor(group, QPalette::HighlightedText, QColor("#000000"));
      pal.setColor(group, QPalette::PlaceholderText, theme_.muted);
    }
    pal.setColor(QPalette::Disabled, QPalette::Text, theme_.muted);
    pal.setColor(QPalette::Disabled, QPalette::WindowText, theme_.muted);
  }
  setPalette(pal);
  counters_->setPalette(pal);
  counters_->setWidthCap(width() * 42 / 100);
  counters_->setCompact(on);  // re-sized in the new font: values never cut
  fitCounters();
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
