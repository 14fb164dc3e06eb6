// A page of a file in the page cache, named the way Linux names it: the file's
// address_space plus the page index (include/linux/pagemap.h, pgoff_t).
#pragma once
#include <cstdint>
#include <functional>

namespace kiosim {

inline constexpr std::uint64_t kPageSize = 4096;

using FileId = std::uint32_t;

struct PageKey {
  FileId file = 0;
  std::uint64_t index = 0;
  friend bool operator==(const PageKey&, const PageKey&) = default;
};

struct PageKeyHash {
  std::size_t operator()(const PageKey& k) const noexcept {
    // splitmix64 of the packed key: cheap and spreads sequential indexes well.
    std::uint64_t x = (std::uint64_t(k.file) << 40) ^ k.index;
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return std::size_t(x ^ (x >> 31));
  }
};

// Pages touched by the byte range [offset, offset + bytes).
inline std::uint64_t first_page(std::uint64_t offset) { return offset / kPageSize; }
inline std::uint64_t pages_spanned(std::uint64_t offset, std::uint64_t bytes) {
  if (bytes == 0) return 0;
  return (offset + bytes - 1) / kPageSize - offset / kPageSize + 1;
}

}  // namespace kiosim
