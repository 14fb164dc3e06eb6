// Swimlanes of every run on screen: user threads (user / kernel mode shaded),
// kernel threads, DMA engines, NIC, disk. A playhead follows the clock; the wheel
// zooms, dragging pans, hovering names the event, clicking jumps to it.
#pragma once
#include <QWidget>
#include <vector>

#include "gui/run_player.h"
#include "gui/theme.h"

namespace kiosim::gui {

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  TimelineView(PlaybackClock* clock, const Theme* theme, QWidget* parent = nullptr);
  void setPlayers(std::vector<RunPlayer*> players);

  struct Row {
    RunPlayer* player;
    std::uint32_t lane;
    QString label;
  };
  const std::vector<Row>& rows() const { return rows_; }
  // The view's time range in ns; zoom and pan change it.
  double viewBegin() const { return t0_; }
  double viewEnd() const { return t1_; }
  void setView(double begin, double end);
  void zoom(double factor, double aroundNs);
  // The event under a point, as (row, event index), or row -1.
  std::pair<int, long long> eventAt(QPointF pos) const;
  double timeAt(double x) const;
  void render(QPainter& p, const QRectF& target) const;
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent*) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  bool event(QEvent* e) override;  // tooltips

 private:
  double rowHeight() const;
  double labelWidth() const;
  double xOf(double ns, double width) const;
  QColor eventColor(const Event& e) const;

  PlaybackClock* clock_;
  const Theme* theme_;
  std::vector<Row> rows_;
  double t0_ = 0, t1_ = 1;
  bool dragging_ = false, dragged_ = false;
  QPointF dragStart_;
  double dragT0_ = 0;
};

}  // namespace kiosim::gui
