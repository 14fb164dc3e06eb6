#include "gui/theme.h"

#include <algorithm>

namespace kiosim::gui {

Theme Theme::normal() {
  Theme t;
  t.background = QColor("#ffffff");
  t.foreground = QColor("#1a1a1a");
  t.muted = QColor("#777777");
  t.boxFill = QColor("#f4f4f4");
  t.boxBorder = QColor("#555555");
  t.userBand = QColor("#eef6fb");
  t.kernelBand = QColor("#fbf3e6");
  t.hardwareBand = QColor("#ececec");
  t.cpu = QColor("#E69F00");      // orange
  t.dma = QColor("#0072B2");      // blue
  t.pageRef = QColor("#009E73");  // bluish green
  t.fault = QColor("#D55E00");    // vermillion
  t.cow = QColor("#CC79A7");      // reddish purple
  t.tlb = QColor("#56B4E9");      // sky blue
  t.linearize = QColor("#E69F00");
  t.journal = QColor("#000000");
  t.active = QColor("#0072B2");
  t.inactive = QColor("#9ecae1");
  t.dirty = QColor("#D55E00");
  t.pinned = QColor("#000000");
  return t;
}

Theme Theme::presentationMode() {
  Theme t = normal();
  t.presentation = true;
  t.background = QColor("#000000");
  t.foreground = QColor("#ffffff");
  t.muted = QColor("#cccccc");
  t.boxFill = QColor("#1c1c1c");
  t.boxBorder = QColor("#ffffff");
  t.userBand = QColor("#0b2233");
  t.kernelBand = QColor("#2a1c05");
  t.hardwareBand = QColor("#262626");
  t.dma = QColor("#56B4E9");  // sky blue reads better than blue on black
  t.tlb = QColor("#F0E442");
  t.journal = QColor("#ffffff");
  t.active = QColor("#56B4E9");
  t.inactive = QColor("#2f5f7f");
  t.pinned = QColor("#ffffff");
  t.fontScale = 1.6;
  t.lineWidth = 3;
  return t;
}

QFont Theme::font(double points, bool bold) const {
  QFont f;
  f.setPointSizeF(points * fontScale);
  f.setBold(bold || presentation);
  return f;
}

QFont Theme::canvasFont(double points, bool bold) const {
  return font(points * 1.7 / fontScale * std::min(1.15, fontScale), bold);
}

QColor Theme::markColor(Kind k) const {
  switch (k) {
    case Kind::page_fault_minor: case Kind::page_fault_major: return fault;
    case Kind::cow_fault: return cow;
    case Kind::tlb_invalidate: case Kind::tlb_flush: case Kind::tlb_shootdown: return tlb;
    case Kind::linearize: return linearize;
    default: return journal;
  }
}

QString markLetter(Kind k) {
  switch (k) {
    case Kind::page_fault_minor: return QStringLiteral("F");
    case Kind::page_fault_major: return QStringLiteral("F!");
    case Kind::cow_fault: return QStringLiteral("C");
    case Kind::tlb_invalidate: case Kind::tlb_flush: case Kind::tlb_shootdown: return QStringLiteral("T");
    case Kind::linearize: return QStringLiteral("L");
    case Kind::journal_commit: return QStringLiteral("J");
    case Kind::device_flush: return QStringLiteral("D");
    default: return QStringLiteral("?");
  }
}

QColor seriesColor(std::size_t i) {
  static const QColor colors[] = {QColor("#0072B2"), QColor("#009E73"), QColor("#CC79A7"),
                                  QColor("#E69F00"), QColor("#56B4E9"), QColor("#F0E442")};
  return colors[i % 6];
}

}  // namespace kiosim::gui
