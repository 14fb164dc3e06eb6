#include "model/watermarks.h"

#include <algorithm>

#include "model/int_sqrt.h"
#include "model/page.h"

namespace kiosim {

Watermarks zone_watermarks(std::uint64_t managed_pages, std::uint64_t min_free_kbytes,
                           std::uint32_t watermark_scale_factor) {
  Watermarks w;
  if (min_free_kbytes == 0) {  // calculate_min_free_kbytes
    const std::uint64_t kbytes = managed_pages * (kPageSize / 1024);
    min_free_kbytes = std::clamp<std::uint64_t>(int_sqrt(kbytes * 16), 128, 262144);
  }
  w.min_free_kbytes = min_free_kbytes;
  w.min = min_free_kbytes / (kPageSize / 1024);  // pages_min = min_free_kbytes >> (PAGE_SHIFT - 10)
  // __setup_per_zone_wmarks: tmp = max(tmp >> 2, mult_frac(managed, watermark_scale_factor, 10000))
  w.gap = std::max<std::uint64_t>(w.min >> 2, managed_pages * watermark_scale_factor / 10000);
  w.gap = std::min<std::uint64_t>(w.gap, managed_pages / 32);  // kiosim: see watermarks.h
  return w;
}

}  // namespace kiosim
