// What the stage shows for one run: the data path, its address spaces or its TLBs.
// Each draws the clock's moment into any painter (the screen, PNG, SVG).
#pragma once
#include <QPainter>
#include <QWidget>

#include "gui/run_player.h"
#include "gui/theme.h"

namespace kiosim::gui {

enum class ViewKind { data_path, address_spaces, tlb, journal, page_cache };

class RunView : public QWidget {
  Q_OBJECT
 public:
  RunView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  RunPlayer* player() const { return player_; }
  virtual ViewKind kind() const = 0;
  virtual void render(QPainter& p, const QRectF& target) const = 0;
  QSize sizeHint() const override { return {640, 410}; }
  QSize minimumSizeHint() const override { return {320, 205}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  RunPlayer* player_;
  const Theme* theme_;
};

// Starts a drawing in the views' logical 1000 x 640 space, scaled into `target` and
// centred (p.save() first: end it with p.restore()).
void beginCanvas(QPainter& p, const QRectF& target, const Theme& t);
inline constexpr double kCanvasWidth = 1000, kCanvasHeight = 640;
// The legend under a drawing: muted small text, wrapped, in the canvas's last `height`.
void drawLegend(QPainter& p, const Theme& t, const QString& text, double height);

// lesson.yaml's `view:` name of a kind, and back (compare and timeline are drawn by
// the data-path view: it shows the timeline below).
QString viewName(ViewKind k);
ViewKind viewFromLessonName(const QString& name);
// The view that shows the mechanism a run uses: a fork's CoW, else TLB shootdowns,
// else the journal (a commit), else the page cache's lists (reclaim, readahead or
// dirty throttling), else the data path.
ViewKind pickView(const RunTrace& run);

}  // namespace kiosim::gui
