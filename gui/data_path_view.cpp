#include "gui/data_path_view.h"

namespace kiosim::gui {

DataPathView::DataPathView(RunPlayer* player, const Theme* theme, QWidget* parent)
    : QWidget(parent), player_(player), theme_(theme) {
  setObjectName(QStringLiteral("dataPath:") + player->run().name);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void DataPathView::render(QPainter& p, const QRectF& target) const {
  const Frame frame = player_->frame();
  const RunState& state = player_->state();
  DataPathInput in{&player_->run(), &player_->index(), &state, &frame, theme_, player_->run().name};
  paintDataPath(p, target, in);
}

void DataPathView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  render(p, QRectF(rect()));
}

}  // namespace kiosim::gui
