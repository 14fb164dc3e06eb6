// The window: data-path views in the centre, the timeline below, the counters at
// the side, the controls on top. It opens traces (loaded off the UI thread) and
// scenarios (through the CLI), and exports what it shows.
#pragma once
#include <QMainWindow>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gui/controls_bar.h"
#include "gui/counters_panel.h"
#include "gui/lesson_caption.h"
#include "gui/lesson_player.h"
#include "gui/scenario_runner.h"
#include "gui/stage_view.h"
#include "gui/timeline_view.h"
#include "gui/trace_loader.h"

class QComboBox;
class QDockWidget;
class QProgressDialog;
class QScrollArea;

namespace kiosim::gui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  MainWindow();
  ~MainWindow() override;

  // A trace (.json) or a scenario (.yaml); both finish later (traceShown or errorShown).
  void open(const QString& path);
  void openTrace(const QString& path);
  void openScenario(const QString& path);
  // A lesson folder (or its lesson.yaml): its scenario, its runs and view, its pauses.
  void openLesson(const QString& path);
  // Shows at most four runs of `trace`: all of them (compare) or the one named.
  void showTrace(TracePtr trace, const QString& onlyRun = {});
  // Shows the runs named (all, up to four, when `names` is empty).
  void showRuns(TracePtr trace, const QStringList& names);
  // The view of every run: chosen by hand, or (automatic) the one its mechanism needs.
  void setView(ViewKind kind);
  void setAutoView();
  ViewKind view() const { return view_; }
  // Steps to the next event that passes `test` (a copy, a mode switch, a fault).
  void stepToNext(const std::function<bool(const Event&)>& test);
  void stepToNextCopy();
  void stepToNextModeSwitch();
  void stepToNextFault();
  bool loadMeasured(const QString& path, const QString& scenario = {});  // scenario: of check --all's
  bool loadKernelLanes(const QString& path);  // check --kernel-trace --json: the kernel's lanes

  bool exportPng(const QString& path);
  bool exportSvg(const QString& path);
  bool exportPerfetto(const QString& path);
  void setPresentationMode(bool on);

  PlaybackClock* clock() { return &clock_; }
  StageView* stage() const { return stage_; }
  TimelineView* timeline() const { return timeline_; }
  CountersPanel* counters() const { return counters_; }
  LessonPlayer* lesson() { return &lesson_; }
  LessonCaption* caption() const { return caption_; }
  const TracePtr& trace() const { return trace_; }
  QString lastError() const { return lastError_; }

 signals:
  void traceShown();
  void errorShown(const QString& message);

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void buildMenus();
  void showError(const QString& title, const QString& message);
  void onRunChoice(int index);
  void renderTo(QPainter& p, const QSize& size);
  QSize exportSize() const;
  void refresh();
  void rebuildViews();

  Theme theme_ = Theme::normal();
  PlaybackClock clock_;
  TracePtr trace_;
  std::vector<std::unique_ptr<RunPlayer>> players_;
  StageView* stage_;
  TimelineView* timeline_;
  QScrollArea* timelineScroll_;
  CountersPanel* counters_ = nullptr;
  QDockWidget* countersDock_ = nullptr;
  void fitCounters();
  ControlsBar* controls_;
  QComboBox* runChoice_;
  QComboBox* viewChoice_;
  ViewKind view_ = ViewKind::data_path;
  bool autoView_ = true;
  LessonPlayer lesson_{&clock_};
  LessonCaption* caption_;
  std::optional<Lesson> pendingLesson_;
  TraceLoadJob loader_;
  ScenarioRunner runner_;
  QProgressDialog* progress_ = nullptr;
  QString lastError_;
  bool rebuildingChoice_ = false;
};

}  // namespace kiosim::gui
