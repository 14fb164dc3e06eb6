#include "sim/host/folio_facts.h"

#include <cstdio>

#include <fmt/format.h>

namespace kiosim::host {

namespace {
// "6.18.44-fc" -> 6 * 1000 + 18; 0 when the release does not start with N.N.
unsigned version_of(const std::string& release) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%u.%u", &major, &minor) != 2) return 0;
  return major * 1000 + minor;
}
}  // namespace

std::optional<FolioFact> largest_folio(const std::string& fs, const std::string& release) {
  const unsigned v = version_of(release);
  if (v == 0) return std::nullopt;
  constexpr std::uint64_t kPmd = 2ULL << 20;
  if (fs == "ext4") {
    if (v >= 6016)
      return FolioFact{kPmd, fmt::format("ext4 on Linux {}: large folios up to the PMD order since 6.16 "
                                         "(ext4_set_inode_mapping_order)", release)};
    return FolioFact{4096, fmt::format("ext4 on Linux {}: no large folios before 6.16", release)};
  }
  if (fs == "xfs") {
    if (v >= 5018)
      return FolioFact{kPmd, fmt::format("xfs on Linux {}: large folios since 5.18 (mapping_set_large_folios)",
                                         release)};
    return FolioFact{4096, fmt::format("xfs on Linux {}: no large folios before 5.18", release)};
  }
  return std::nullopt;
}

}  // namespace kiosim::host
