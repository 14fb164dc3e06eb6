// Draws the data-path view of one run at one moment into any QPainter: a widget,
// a PNG or an SVG. Boxes sit in three bands (user, kernel, hardware); only the
// boxes the run uses are drawn.
#pragma once
#include <QPainter>
#include <QRectF>
#include <vector>

#include "gui/frame.h"
#include "gui/theme.h"

namespace kiosim::gui {

struct DataPathInput {
  const RunTrace* run = nullptr;
  const RunIndex* index = nullptr;
  const RunState* state = nullptr;
  const Frame* frame = nullptr;
  const Theme* theme = nullptr;
  QString title;  // the run's name, above the drawing
};

void paintDataPath(QPainter& p, const QRectF& target, const DataPathInput& in);

// Where each user thread's circle and name go (logical space), the first three.
struct ThreadLabel {
  QPointF centre;
  QRectF rect;
  QString text;
  QFont font;
};
std::vector<ThreadLabel> threadLabels(const Frame& frame, const Theme& t);

// Where a box is, in the view's logical 1000 x 640 space (empty for none).
QRectF boxRect(Place place);

}  // namespace kiosim::gui
