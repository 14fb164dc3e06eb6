#include "gui/trace_data.h"

#include <array>

namespace kiosim::gui {

namespace {

// Same order as enum Kind; the strings are docs/TRACE.md's.
constexpr std::array<const char*, static_cast<int>(Kind::count_)> kKindNames = {
    "syscall_enter", "syscall_exit", "cpu_copy", "dma_copy", "page_ref_move", "page_fault_minor",
    "page_fault_major", "cow_fault", "tlb_miss", "tlb_invalidate", "tlb_flush", "tlb_shootdown",
    "skb_build", "linearize", "interrupt", "readahead", "writeback", "cache_insert", "activate",
    "deactivate", "evict", "journal_commit", "device_flush", "block", "other"};

constexpr std::array<const char*, static_cast<int>(Place::count_)> kPlaceKeys = {
    "", "disk", "page_cache", "user_buffer", "mapping", "pipe", "socket_buffer", "nic", "wire"};

constexpr std::array<const char*, static_cast<int>(Place::count_)> kPlaceLabels = {
    "", "Disk", "Page cache", "User buffer", "Mapping", "Pipe", "Socket buffer", "NIC", "Wire / receiver"};

}  // namespace

Kind kindFromString(const QString& s) {
  // A hash once: big traces call this per event.
  static const QHash<QString, Kind> table = [] {
    QHash<QString, Kind> h;
    for (int i = 0; i < static_cast<int>(Kind::count_); ++i) h.insert(QString::fromLatin1(kKindNames[i]), static_cast<Kind>(i));
    return h;
  }();
  return table.value(s, Kind::other);
}

QString kindName(Kind k) { return QString::fromLatin1(kKindNames[static_cast<int>(k)]); }

Place placeFromString(const QString& s) {
  for (int i = 1; i < static_cast<int>(Place::count_); ++i)
    if (s == QLatin1String(kPlaceKeys[i])) return static_cast<Place>(i);
  return Place::none;
}

QString placeName(Place p) { return QString::fromLatin1(kPlaceLabels[static_cast<int>(p)]); }

double RunTrace::counter(const QString& key, double missing) const {
  for (const auto& [k, v] : counters)
    if (k == key) return v;
  return missing;
}

}  // namespace kiosim::gui
