// The kernel's own events as lanes beside the prediction (issue 14, item 7): the
// `kernel_trace` of a `kiosim check --kernel-trace --json` (or `measure`) result holds,
// per measured method, a timeline of the kernel's records (seconds after the body's
// start, kiosim's trace_marker). Each group of tracepoints becomes a lane of its own,
// "kernel: readahead", "kernel: tlb", ..., its records drawn as the simulator's event
// kinds of the same meaning (page_cache_ra_order as readahead, tlb_flush as tlb_flush
// or tlb_invalidate, ipi_send_* as tlb_shootdown, balance_dirty_pages as a block of its
// pause, a jbd2 commit from start to end), so the two sides read alike.
#pragma once
#include <QByteArray>
#include <QString>

#include "gui/trace_data.h"

namespace kiosim::gui {

// The lane a kernel event goes to ("readahead", "faults", "page cache", "journal",
// "reclaim", "writeback", "tlb", "ipi", "net", "io_uring") and the kind it is drawn as.
struct KernelLaneKind {
  QString lane;
  Kind kind = kOtherKind;
};
KernelLaneKind kernelLaneOf(const QString& event, double value);

// A copy of `trace` with lanes of the kernel's events added to the run each method
// matches (same name; with one run, that run). Null with `error` set when the document
// has no kernel timeline or no method matches.
TracePtr withKernelLanes(const TracePtr& trace, const QByteArray& json, const QString& path, QString* error);
TracePtr withKernelLanesFile(const TracePtr& trace, const QString& path, QString* error);

}  // namespace kiosim::gui
