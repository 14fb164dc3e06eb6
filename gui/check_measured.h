// The measured side of a `kiosim check --json` result (sim/cli/cmd_check.cpp), set beside
// a trace's runs: one scenario's document ("rows" per method and size for a transfer,
// "processes" for a program), or `check --all --json`'s many ("scenarios", "skipped"),
// of which the trace's scenario is taken (by its file name) or the one named.
// Each run gets the measured figures of its cells, of every family check gives (times,
// faults, I/Os, switches, system calls, cache states, interrupts): a transfer's method at
// the trace's size (payload_bytes; else its first size); a program's processes summed
// (each was measured alone: counts add up; a ratio is not summed, the first is kept).
// A cell's wall_time_ns is the run's sim_time_ns. Check's own prediction of each figure
// (from its --machine, which may not be the trace's) and its inconclusive mark (the
// host's spread over the repeats exceeds the error, sim/host/check_cells.h) come along.
// Plain data in, plain data out: no view.
#pragma once
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

// What check measured for one run of a trace (all empty: check did not measure it).
struct MeasuredRun {
  CounterSet measured;
  CounterSet predicted;       // check's prediction of the same figures
  QStringList inconclusive;   // figures with a cell marked inconclusive (one of a sum is enough)
  bool empty() const { return measured.empty(); }
};

// Whether `root` is check's output (one scenario's or --all's) rather than {"runs": [...]}.
bool isCheckResult(const QJsonObject& root);

// Reads `path` as a JSON object; false and why (with the file) if it cannot be read or is not one.
bool readJsonObject(const QString& path, QJsonObject* root, QString* error);

// Whether `path` is a measured result the GUI can show, before any trace is open: check
// --json (one scenario or --all) with at least one measured cell, or measure's {"runs":
// [...]}; and when `scenario` is given, check's output naming it among those checked
// (not skipped). False and why: the file, and what was expected.
bool validateMeasuredFile(const QString& path, const QString& scenario, QString* error);

// The measured figures for each run of `trace`, in its order (empty for a run check did
// not measure). `scenario`: the scenario to take from an --all result ("" : the trace's);
// its path, file name, or file name without ".yaml". Returns false and says why in
// `error` (no such scenario, it was skipped, no run matches, not check's output).
bool measuredFromCheck(const QJsonObject& root, const TraceData& trace, const QString& scenario,
                       std::vector<MeasuredRun>& perRun, QString* error);

}  // namespace kiosim::gui
