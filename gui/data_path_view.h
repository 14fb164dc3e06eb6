// The widget that shows one run's data path at the clock's moment.
#pragma once
#include "gui/data_path_painter.h"
#include "gui/run_view.h"

namespace kiosim::gui {

class DataPathView : public RunView {
  Q_OBJECT
 public:
  DataPathView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  ViewKind kind() const override { return ViewKind::data_path; }
  Frame currentFrame() const { return player_->frame(); }
  // Draws the current moment into any painter (PNG, SVG export use it).
  void render(QPainter& p, const QRectF& target) const override;
};

}  // namespace kiosim::gui
