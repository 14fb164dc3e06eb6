// Export of what the window shows: the data-path views and the timeline, drawn by
// the same code as the screen, so a PNG or an SVG for slides matches the lecture.
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include "gui/main_window.h"

namespace kiosim::gui {

QSize MainWindow::exportSize() const {
  const QSize stage = stage_->size().isEmpty() ? QSize(1200, 760) : stage_->size();
  const int timelineHeight = timeline_->sizeHint().height();
  return {stage.width(), stage.height() + timelineHeight};
}

void MainWindow::renderTo(QPainter& p, const QSize& size) {
  p.fillRect(QRect(QPoint(0, 0), size), theme_.background);
  const QSize stage = stage_->size().isEmpty() ? QSize(size.width(), size.height() - timeline_->sizeHint().height()) : stage_->size();
  const auto& views = stage_->runViews();
  const int columns = views.size() <= 2 ? static_cast<int>(views.size()) : 2;
  const int rows = views.empty() ? 1 : (static_cast<int>(views.size()) + columns - 1) / columns;
  for (std::size_t i = 0; i < views.size(); ++i) {
    // The grid the stage uses, recomputed so a hidden window exports the same picture.
    const double w = stage.width() / static_cast<double>(columns), h = stage.height() / static_cast<double>(rows);
    const QRectF cell(static_cast<double>(static_cast<int>(i) % columns) * w, static_cast<double>(static_cast<int>(i) / columns) * h, w - 4, h - 4);
    views[i]->render(p, cell);
  }
  timeline_->render(p, QRectF(0, stage.height(), size.width(), size.height() - stage.height()));
}

bool MainWindow::exportPng(const QString& path) {
  const QSize size = exportSize();
  QImage img(size, QImage::Format_ARGB32);
  {
    QPainter p(&img);
    renderTo(p, size);
  }
  if (!img.save(path, "PNG")) {
    showError(tr("Export failed"), tr("cannot write %1").arg(path));
    return false;
  }
  return true;
}

bool MainWindow::exportSvg(const QString& path) {
  const QSize size = exportSize();
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(size);
  svg.setViewBox(QRect(QPoint(0, 0), size));
  svg.setTitle(windowTitle());
  svg.setDescription(tr("kiosim data-path view and timeline"));
  QPainter p;
  if (!p.begin(&svg)) {
    showError(tr("Export failed"), tr("cannot write %1").arg(path));
    return false;
  }
  renderTo(p, size);
  p.end();
  return true;
}

}  // namespace kiosim::gui
