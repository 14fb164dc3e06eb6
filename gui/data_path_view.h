// The widget that shows one run's data path at the clock's moment.
#pragma once
#include <QWidget>

#include "gui/data_path_painter.h"
#include "gui/run_player.h"

namespace kiosim::gui {

class DataPathView : public QWidget {
  Q_OBJECT
 public:
  DataPathView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  RunPlayer* player() const { return player_; }
  Frame currentFrame() const { return player_->frame(); }
  QSize sizeHint() const override { return {640, 410}; }
  QSize minimumSizeHint() const override { return {320, 205}; }
  // Draws the current moment into any painter (PNG, SVG export use it).
  void render(QPainter& p, const QRectF& target) const;

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  RunPlayer* player_;
  const Theme* theme_;
};

}  // namespace kiosim::gui
