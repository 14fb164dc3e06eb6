// SIGTERM, SIGINT and SIGHUP end the GUI as its Quit does: the event loop returns
// (with 128 + the signal), so destructors run, a running `kiosim` child is killed
// and the kiosim-gui-XXXXXX directory of its trace is removed. The handler only
// writes a byte to a socket pair (async-signal-safe); Qt reads it in the loop.
#pragma once

namespace kiosim::gui {

void quitOnSignals();

}  // namespace kiosim::gui
