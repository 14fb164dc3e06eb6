// Colours and sizes for a laptop or a lecture hall. Token colours follow the
// Okabe-Ito palette (safe for colour-blind viewers); shapes tell the kinds apart too.
#pragma once
#include <QColor>
#include <QFont>

#include "gui/trace_data.h"

namespace kiosim::gui {

struct Theme {
  bool presentation = false;  // large fonts, high contrast
  QColor background, foreground, muted, boxFill, boxBorder, userBand, kernelBand, hardwareBand;
  QColor cpu, dma, pageRef, fault, cow, tlb, linearize, journal, active, inactive, dirty, pinned;
  double fontScale = 1.0;
  double lineWidth = 1.5;

  static Theme normal();
  static Theme presentationMode();
  QFont font(double points, bool bold = false) const;
  // Text in a drawing that scales with its widget (logical 1000 x 640): presentation
  // mode enlarges it only a little, so labels stay inside their boxes.
  QFont canvasFont(double points, bool bold = false) const;
  QColor markColor(Kind k) const;
};

// The i-th of six Okabe-Ito colours (blue, green, pink, orange, sky, yellow), for one
// lane's or one file's items; vermilion is left out, the views' alarm colour.
QColor seriesColor(std::size_t i);

QString markLetter(Kind k);  // F fault, C CoW, T TLB, L linearize, J journal, D device flush

}  // namespace kiosim::gui
