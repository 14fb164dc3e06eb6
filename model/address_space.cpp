#include "model/address_space.h"

#include <algorithm>

namespace kiosim {

std::uint64_t AddressSpace::map(Vma v) {
  v.start = next_start_;
  next_start_ += v.pages + 16;  // a guard gap, like the kernel leaves between mappings
  vmas_[v.start] = v;
  return v.start;
}

std::uint64_t AddressSpace::unmap(std::uint64_t start) {
  auto it = vmas_.find(start);
  if (it == vmas_.end()) return 0;
  std::uint64_t present = 0;
  for (std::uint64_t p = it->second.start; p < it->second.end(); ++p) present += ptes_.erase(p);
  vmas_.erase(it);
  return present;
}

const Vma* AddressSpace::vma_at(std::uint64_t vpage) const {
  auto it = vmas_.upper_bound(vpage);
  if (it == vmas_.begin()) return nullptr;
  --it;
  return it->second.contains(vpage) ? &it->second : nullptr;
}

const Pte* AddressSpace::pte(std::uint64_t vpage) const {
  auto it = ptes_.find(vpage);
  return it == ptes_.end() ? nullptr : &it->second;
}

PageRange AddressSpace::fault_around_range(std::uint64_t vpage, const MmParams& p) const {
  const Vma* v = vma_at(vpage);
  if (!v) return {};
  std::uint64_t n = std::max<std::uint64_t>(p.fault_around_pages, 1);
  // The window is aligned in the file (do_fault_around aligns the virtual address;
  // our mappings start page-aligned in the file at aligned virtual pages).
  std::uint64_t fpage = v->file_page(vpage);
  std::uint64_t fstart = fpage - fpage % n;
  std::uint64_t start = vpage - (fpage - fstart);
  start = std::max(start, v->start);
  std::uint64_t end = std::min(vpage - (fpage - fstart) + n, v->end());
  return {start, end - start};
}

}  // namespace kiosim
