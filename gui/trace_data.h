// What the GUI knows of a trace (docs/TRACE.md, format `kiosim-trace` v1): plain
// data, parsed once, read by every view. The GUI never simulates; it only plays this.
#pragma once
#include <QHash>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/trace/schema.h"

namespace kiosim::gui {

// The kinds of a trace are sim/trace/schema.h's, never a copy. A kind the table does
// not know (a newer trace) is kOtherKind, named "other", so such a trace still plays.
using Kind = kiosim::EventKind;
inline constexpr Kind kOtherKind = Kind::count_;

// The places data lives: the boxes of the data-path view.
enum class Place : std::uint8_t {
  none, disk, page_cache, user_buffer, mapping, pipe, socket_buffer, nic, wire, count_
};

Kind kindFromString(const QString& s);
QString kindName(Kind k);
Place placeFromString(const QString& s);
QString placeName(Place p);   // the label on the box
QString placeKey(Place p);    // the trace's name: page_cache

struct Event {
  std::int64_t t = 0;        // ns from the start of the run
  std::int64_t dur = 0;      // 0 for instants
  std::uint64_t bytes = 0;
  std::uint64_t pages = 0;
  std::uint64_t req = 0;
  std::int64_t page = -1;    // first page, -1 for none
  std::uint32_t file = 0;
  std::uint32_t lane = 0;
  std::uint32_t name = 0;    // index into RunTrace::names (interned: big traces repeat them)
  Kind kind = kOtherKind;
  Place from = Place::none, to = Place::none;
  bool userMode = false;
  // For the address-space and TLB views (docs/TRACE.md); -1 / 0 for none.
  std::int32_t mm = -1, core = -1, child = -1;
  std::uint32_t span = 0;
  std::int64_t frame = -1, oldFrame = -1;
  std::uint64_t cpus = 0;
  // From the kernel's own trace (gui/kernel_lanes.h): drawn on its lane, never counted,
  // never played into the page state or the data path.
  bool observed = false;
  std::int64_t end() const { return t + dur; }
};

enum class LaneKind : std::uint8_t { user, kernel, device };

struct Lane {
  QString name;
  LaneKind kind = LaneKind::device;
  std::int64_t endNs = -1;  // a thread's end (the header's `threads`), -1 if not known
};

// One counter set: name -> value (numbers only; nested objects are flattened as "a.b").
using CounterSet = std::vector<std::pair<QString, double>>;

struct RunTrace {
  QString name;                 // the method, or "program"
  CounterSet counters;          // final values from the header
  CounterSet measured;          // from a loaded measure/check result; empty if none
  CounterSet checkPredicted;    // check's own prediction of each measured figure (its --machine), if from check
  QStringList inconclusive;     // measured figures check marked inconclusive (spread > error)
  std::vector<Lane> lanes;
  std::vector<Event> events;    // sorted by t
  QStringList names;            // interned event names; names[0] is ""
  std::int64_t endNs = 0;       // the last event's end
  std::int64_t crashNs = -1;    // the machine stopped here (the run's crash.at_ns), -1 for none

  const QString& nameOf(const Event& e) const { return names[static_cast<int>(e.name)]; }
  double counter(const QString& key, double missing = -1) const;
};

struct TraceData {
  QString sourcePath;           // the file it came from
  QString scenarioPath, title, description, machine;
  QHash<QString, QString> machineKeys;  // the header's machine.keys: "tlb.entries" -> "64"
  std::vector<RunTrace> runs;
};

using TracePtr = std::shared_ptr<const TraceData>;

}  // namespace kiosim::gui
