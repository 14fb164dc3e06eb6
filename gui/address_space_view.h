// The address-spaces view: a parent's and its forked child's page tables as rows of
// PTEs (virtual page, read-only or writable) pointing at physical frames; a frame both
// map is drawn once between them and marked shared; a CoW fault draws the copy into
// the new frame and the parent's PTE re-pointed to it. Drawn from AddressSpaceState.
#pragma once
#include <vector>

#include "gui/run_view.h"

namespace kiosim::gui {

// What the view draws, as data (the tests check it without pixels).
struct PteDrawn {
  std::int64_t vpage = 0;
  bool inParent = false, inChild = false;
  PteRow parent, child;
  bool sharedFrame = false;  // one frame box for both
  bool copyShown = false;    // the copy and the re-pointing of the last CoW
};

struct AddressSpacePicture {
  QString parentName, childName;  // childName empty: no fork
  bool childExited = false;
  std::vector<PteDrawn> rows;
  QStringList summaries;          // one line per address space (pair)
};

AddressSpacePicture addressSpacePicture(const AddressSpaceState& s, int maxRows);

class AddressSpaceView : public RunView {
  Q_OBJECT
 public:
  AddressSpaceView(RunPlayer* player, const Theme* theme, QWidget* parent = nullptr);
  ViewKind kind() const override { return ViewKind::address_spaces; }
  AddressSpacePicture picture() const { return addressSpacePicture(player_->addressSpaces(), kRows); }
  void render(QPainter& p, const QRectF& target) const override;
  static constexpr int kRows = 9;
};

}  // namespace kiosim::gui
