// The TLB view: one TLB per core, drawn as its sets (rows) and ways (columns); each
// entry is a virtual page coloured by its address space. The entries the last event
// filled or dropped are outlined; a flush empties an address space's entries; a
// shootdown draws an IPI arrow from the core that changed the mapping to each target.
#pragma once
#include "gui/run_view.h"

namespace kiosim::gui {

class TlbView : public RunView {
  Q_OBJECT
 public:
  TlbView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  ViewKind kind() const override { return ViewKind::tlb; }
  void render(QPainter& p, const QRectF& target) const override;
  // The shootdown drawn as arrows now (the last event was one), or null.
  const Shootdown* arrowsShown() const;
};

}  // namespace kiosim::gui
