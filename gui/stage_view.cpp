#include "gui/stage_view.h"

#include <QGridLayout>

namespace kiosim::gui {

StageView::StageView(QWidget* parent) : QWidget(parent), grid_(new QGridLayout(this)) {
  setObjectName(QStringLiteral("stage"));
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(4);
}

void StageView::setViews(std::vector<RunView*> views) {
  for (RunView* v : views_) delete v;
  views_ = std::move(views);
  // Two runs side by side; three or four in two rows.
  const int columns = views_.size() <= 2 ? static_cast<int>(views_.size()) : 2;
  for (std::size_t i = 0; i < views_.size(); ++i) {
    grid_->addWidget(views_[i], static_cast<int>(i) / std::max(1, columns), static_cast<int>(i) % std::max(1, columns));
    views_[i]->show();  // children added to a visible parent stay hidden otherwise
  }
}

std::vector<DataPathView*> StageView::views() const {
  std::vector<DataPathView*> out;
  for (RunView* v : views_)
    if (auto* d = qobject_cast<DataPathView*>(v)) out.push_back(d);
  return out;
}

}  // namespace kiosim::gui
