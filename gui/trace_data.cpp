#include "gui/trace_data.h"

#include <array>

namespace kiosim::gui {

namespace {

constexpr std::array<const char*, static_cast<int>(Place::count_)> kPlaceKeys = {
    "", "disk", "page_cache", "user_buffer", "mapping", "pipe", "socket_buffer", "nic", "wire"};

constexpr std::array<const char*, static_cast<int>(Place::count_)> kPlaceLabels = {
    "", "Disk", "Page cache", "User buffer", "Mapping", "Pipe", "Socket buffer", "NIC", "Wire / receiver"};

}  // namespace

Kind kindFromString(const QString& s) {
  // A hash once: big traces call this per event.
  static const QHash<QString, Kind> table = [] {
    QHash<QString, Kind> h;
    for (const auto& k : schema::kKinds)
      if (k.traced) h.insert(QString::fromLatin1(k.name.data(), static_cast<qsizetype>(k.name.size())), k.kind);
    return h;
  }();
  return table.value(s, kOtherKind);
}

QString kindName(Kind k) {
  if (k == kOtherKind) return QStringLiteral("other");
  const std::string_view n = schema::kind_info(k).name;
  return QString::fromLatin1(n.data(), static_cast<qsizetype>(n.size()));
}

Place placeFromString(const QString& s) {
  for (int i = 1; i < static_cast<int>(Place::count_); ++i)
    if (s == QLatin1String(kPlaceKeys[i])) return static_cast<Place>(i);
  return Place::none;
}

QString placeName(Place p) { return QString::fromLatin1(kPlaceLabels[static_cast<int>(p)]); }

QString placeKey(Place p) { return QString::fromLatin1(kPlaceKeys[static_cast<int>(p)]); }

double RunTrace::counter(const QString& key, double missing) const {
  for (const auto& [k, v] : counters)
    if (k == key) return v;
  return missing;
}

}  // namespace kiosim::gui
