// Helpers for the offscreen GUI tests: where the data is, waiting for a window to
// finish loading, finding the n-th event of a kind.
#pragma once
#include <QString>
#include <memory>

#include "gui/main_window.h"

namespace kiosim::gui::test {

QString dataFile(const QString& name);      // tests/gui/data/NAME
QString screenshotDir();                    // under the build directory
// A shown window at a fixed size, so screenshots and exports are comparable run to run.
std::unique_ptr<MainWindow> shownWindow(int width = 1600, int height = 1000);
// Opens `path` and waits (event loop running) until it is shown or an error is; true if shown.
bool openAndWait(MainWindow& w, const QString& path, int timeoutMs = 60000);
// The clock position just after the n-th (0-based) event of `kind` in screen run `slot`.
std::size_t positionAfter(MainWindow& w, int slot, Kind kind, int nth = 0);
int slotOf(MainWindow& w, const QString& run);

}  // namespace kiosim::gui::test
