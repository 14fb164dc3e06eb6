// The centre of the window: one data-path view per run on screen (a 2 x 2 grid for
// four), and the export of that area (with the timeline below) as PNG or SVG.
#pragma once
#include <QWidget>
#include <vector>

#include "gui/data_path_view.h"

class QGridLayout;

namespace kiosim::gui {

class StageView : public QWidget {
  Q_OBJECT
 public:
  explicit StageView(QWidget* parent = nullptr);
  void setViews(std::vector<DataPathView*> views);
  const std::vector<DataPathView*>& views() const { return views_; }

 private:
  QGridLayout* grid_;
  std::vector<DataPathView*> views_;
};

}  // namespace kiosim::gui
