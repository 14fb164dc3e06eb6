// The page cache's index: (file, page index) -> slot (model/hash_index.h), at most
// half full. Linux keeps one xarray per address_space (mm/filemap.c, lib/xarray.c);
// kiosim keeps one hash table for all files.
#pragma once
#include "model/hash_index.h"

namespace kiosim {

using PageCacheIndex = HashIndex<PageKey, 2>;

}  // namespace kiosim
