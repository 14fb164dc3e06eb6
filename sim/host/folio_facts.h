// The largest page-cache folio a file system gives its regular files on this kernel
// (mapping_set_folio_order_range / mapping_set_large_folios, called when the inode is
// set up): the fact behind the machine key mm.folio, which real mode cannot read.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace kiosim::host {

struct FolioFact {
  std::uint64_t bytes = 0;  // the largest folio; 4096 when the file system has none
  std::string why;          // which rule gave it, for the profile's comment
};

// `fs` is a /proc/self/mounts type, `release` uname -r ("6.18.44-...", "6.1.0-27-amd64").
// x86-64 with 4 KiB pages and 4 KiB blocks: MAX_PAGECACHE_ORDER is the PMD order, 9.
//  - ext4 since 6.16: ext4_set_inode_mapping_order, min(MAX_PAGECACHE_ORDER,
//    11 + i_blkbits - PAGE_SHIFT) = order 9, 2 MiB; before 6.16 no large folios.
//  - xfs since 5.18: xfs_setup_inode -> mapping_set_large_folios, 2 MiB.
// Anything else (tmpfs's huge= option, btrfs's experimental large folios, ...) is
// not known from the name and version alone: nullopt, and the default stays.
std::optional<FolioFact> largest_folio(const std::string& fs, const std::string& release);

}  // namespace kiosim::host
