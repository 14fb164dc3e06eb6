// The centre of the window: one view per run on screen (a 2 x 2 grid for four):
// the data path, the address spaces or the TLBs (gui/run_view.h).
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
  void setViews(std::vector<RunView*> views);
  const std::vector<RunView*>& runViews() const { return views_; }
  // The data-path views among them (all of them in the data-path view).
  std::vector<DataPathView*> views() const;

 private:
  QGridLayout* grid_;
  std::vector<RunView*> views_;
};

}  // namespace kiosim::gui
