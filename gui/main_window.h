// The window: data-path views in the centre, the timeline below, the counters at
// the side, the controls on top. It opens traces (loaded off the UI thread) and
// scenarios (through the CLI), and exports what it shows.
#pragma once
#include <QMainWindow>
#include <memory>
#include <vector>

#include "gui/controls_bar.h"
#include "gui/counters_panel.h"
#include "gui/scenario_runner.h"
#include "gui/stage_view.h"
#include "gui/timeline_view.h"
#include "gui/trace_loader.h"

class QComboBox;
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
  // Shows at most four runs of `trace`: all of them (compare) or the one named.
  void showTrace(TracePtr trace, const QString& onlyRun = {});
  bool loadMeasured(const QString& path);

  bool exportPng(const QString& path);
  bool exportSvg(const QString& path);
  bool exportPerfetto(const QString& path);
  void setPresentationMode(bool on);

  PlaybackClock* clock() { return &clock_; }
  StageView* stage() const { return stage_; }
  TimelineView* timeline() const { return timeline_; }
  CountersPanel* counters() const { return counters_; }
  const TracePtr& trace() const { return trace_; }
  QString lastError() const { return lastError_; }

 signals:
  void traceShown();
  void errorShown(const QString& message);

 private:
  void buildMenus();
  void showError(const QString& title, const QString& message);
  void onRunChoice(int index);
  void renderTo(QPainter& p, const QSize& size);
  QSize exportSize() const;
  void refresh();

  Theme theme_ = Theme::normal();
  PlaybackClock clock_;
  TracePtr trace_;
  std::vector<std::unique_ptr<RunPlayer>> players_;
  StageView* stage_;
  TimelineView* timeline_;
  QScrollArea* timelineScroll_;
  CountersPanel* counters_;
  ControlsBar* controls_;
  QComboBox* runChoice_;
  TraceLoadJob loader_;
  ScenarioRunner runner_;
  QProgressDialog* progress_ = nullptr;
  QString lastError_;
  bool rebuildingChoice_ = false;
};

}  // namespace kiosim::gui
