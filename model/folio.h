// How big the folios are that the page cache is filled with (mm/filemap.c large
// folios, Linux 6.x): the size follows how the pages arrived, up to the mapping's
// largest folio (mapping_max_folio_order; ext4 since 6.16: 2 MiB, order 9).
//  - a write: generic_perform_write cuts it in chunks of the largest folio, and
//    __filemap_get_folio(FGP_WRITEBEGIN | fgf_set_order(len)) asks for a folio of
//    order ilog2(len) - 12, smaller when the index is not aligned to it (__ffs(index)),
//    and smaller again while a page of it is already cached (-EEXIST, order--);
//  - readahead: page_cache_ra_order gives the window's folios one order, aligned, not
//    past the window's end (ra_order below says which).
// Pure functions: the caller (sim/kernel) makes the folios in the page cache.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/page.h"

namespace kiosim {

struct FolioSpan {
  std::uint64_t first = 0;  // page index, aligned to the folio's size
  unsigned order = 0;       // 2^order pages
  std::uint64_t pages() const { return std::uint64_t(1) << order; }
  std::uint64_t end() const { return first + pages(); }
};

inline unsigned ilog2(std::uint64_t x) {
  unsigned r = 0;
  while (x >>= 1) ++r;
  return r;
}
inline unsigned lowest_bit(std::uint64_t x) {  // __ffs; x != 0
  unsigned r = 0;
  while (!(x & 1)) x >>= 1, ++r;
  return r;
}

// The largest order at `index` no bigger than `order`: aligned (__ffs(index)).
inline unsigned aligned_order(std::uint64_t index, unsigned order) {
  return index == 0 ? order : std::min(order, lowest_bit(index));
}

// The folios a write of [pos, pos + bytes) makes, in order. `absent(index)` says whether
// page `index` was not cached before the write; pages already cached keep their folio
// (and are not listed). Order-0 folios (single pages) are listed too.
template <class Absent>
std::vector<FolioSpan> write_folios(std::uint64_t pos, std::uint64_t bytes, unsigned max_order, Absent&& absent) {
  std::vector<FolioSpan> out;
  const std::uint64_t chunk = kPageSize << max_order;
  while (bytes > 0) {
    const std::uint64_t len = std::min(chunk - pos % chunk, bytes);
    const std::uint64_t index = pos / kPageSize;
    std::uint64_t folio_end;
    if (!absent(index)) {
      folio_end = (index + 1) * kPageSize;  // an existing page: written in place
    } else {
      unsigned order = len > kPageSize ? std::min(ilog2(len) - 12, max_order) : 0;
      order = aligned_order(index, order);
      auto all_absent = [&](unsigned o) {
        for (std::uint64_t p = index; p < index + (std::uint64_t(1) << o); ++p)
          if (!absent(p)) return false;
        return true;
      };
      while (order > 0 && !all_absent(order)) --order;
      out.push_back({index, order});
      folio_end = (index + (std::uint64_t(1) << order)) * kPageSize;
    }
    const std::uint64_t n = std::min(len, folio_end - pos);
    pos += n;
    bytes -= n;
  }
  return out;
}

// page_cache_ra_order's folios for the missing run [start, end) read at `order`: each
// aligned (smaller at an unaligned index) and not past the run's end.
inline std::vector<FolioSpan> readahead_folios(std::uint64_t start, std::uint64_t end, unsigned order) {
  std::vector<FolioSpan> out;
  for (std::uint64_t index = start; index < end;) {
    unsigned o = aligned_order(index, order);
    while (o > 0 && index + (std::uint64_t(1) << o) > end) --o;
    out.push_back({index, o});
    index += std::uint64_t(1) << o;
  }
  return out;
}

// The bios a file system's ->readahead builds for a run of folios contiguous on disk
// (fs/ext4/readpage.c ext4_mpage_readpages, fs/mpage.c mpage_readahead): one bio takes
// folio after folio (bio_add_folio: one bvec each) until it has kBioMaxVecs of them
// (bio_alloc(bio_max_segs(nr_pages)): BIO_MAX_VECS, 256), then the next bio starts. So
// a window of large folios is one bio, which submit_bio later splits at the queue's
// max_sectors (bio_split_rw), not at a folio's edge. Each result is {first page, pages}.
constexpr std::size_t kBioMaxVecs = 256;  // BIO_MAX_VECS
struct BioSpan {
  std::uint64_t first = 0, pages = 0;
};
inline std::vector<BioSpan> readahead_bios(const std::vector<FolioSpan>& folios,
                                           std::size_t max_vecs = kBioMaxVecs) {
  std::vector<BioSpan> out;
  std::size_t vecs = 0;
  for (const FolioSpan& fo : folios) {
    if (out.empty() || vecs == max_vecs || out.back().first + out.back().pages != fo.first) {
      out.push_back({fo.first, 0});
      vecs = 0;
    }
    out.back().pages += fo.pages();
    ++vecs;
  }
  return out;
}

}  // namespace kiosim
