#include "gui/data_path_view.h"

namespace kiosim::gui {

DataPathView::DataPathView(RunPlayer* player, const Theme* theme, QWidget* parent)
    : RunView(player, theme, parent) {
  setObjectName(QStringLiteral("dataPath:") + player->run().name);
}

void DataPathView::render(QPainter& p, const QRectF& target) const {
  const Frame frame = player_->frame();
  const RunState& state = player_->state();
  DataPathInput in{&player_->run(), &player_->index(), &state, &frame, theme_, player_->run().name};
  paintDataPath(p, target, in);
}

}  // namespace kiosim::gui
