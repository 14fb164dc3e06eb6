// lib/math/int_sqrt.c: floor(sqrt(x)), in integers, as the kernel computes its
// inactive ratio (mm/vmscan.c inactive_is_low) and min_free_kbytes
// (mm/page_alloc.c calculate_min_free_kbytes).
#pragma once
#include <cstdint>

namespace kiosim {

constexpr std::uint64_t int_sqrt(std::uint64_t x) {
  std::uint64_t lo = 0, hi = x < 2 ? x : (x < (1ULL << 32) ? x : (1ULL << 32) - 1);
  while (lo < hi) {  // the largest r with r * r <= x
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    if (mid <= x / mid) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
static_assert(int_sqrt(0) == 0 && int_sqrt(1) == 1 && int_sqrt(15) == 3 && int_sqrt(16) == 4 &&
              int_sqrt(16777216) == 4096);

}  // namespace kiosim
