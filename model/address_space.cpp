#include "model/address_space.h"

#include <algorithm>

namespace kiosim {

std::uint64_t AddressSpace::map(Vma v) {
  v.start = next_start_;
  next_start_ += v.pages + 16;  // a guard gap, like the kernel leaves between mappings
  vmas_[v.start] = v;
  return v.start;
}

std::uint64_t AddressSpace::unmap(std::uint64_t start, FrameTable* frames, std::vector<PageKey>* file_pages) {
  auto it = vmas_.find(start);
  if (it == vmas_.end()) return 0;
  std::uint64_t present = 0;
  for (std::uint64_t p = it->second.start; p < it->second.end(); ++p) {
    auto pit = ptes_.find(p);
    if (pit == ptes_.end()) continue;
    if (frames && pit->second.anon()) frames->put(pit->second.page.index);
    if (file_pages && !pit->second.anon()) file_pages->push_back(pit->second.page);
    ptes_.erase(pit);
    ++present;
  }
  vmas_.erase(it);
  return present;
}

std::uint64_t AddressSpace::unmap_all(FrameTable* frames, std::vector<PageKey>* file_pages) {
  std::uint64_t present = 0;
  while (!vmas_.empty()) present += unmap(vmas_.begin()->first, frames, file_pages);
  return present;
}

std::vector<std::uint64_t> AddressSpace::vma_starts() const {
  std::vector<std::uint64_t> out;
  for (const auto& [start, v] : vmas_) out.push_back(start);
  return out;
}

std::vector<std::uint64_t> AddressSpace::present_in(std::uint64_t start) const {
  std::vector<std::uint64_t> out;
  auto it = vmas_.find(start);
  if (it == vmas_.end()) return out;
  for (std::uint64_t p = it->second.start; p < it->second.end(); ++p)
    if (ptes_.count(p)) out.push_back(p);
  return out;
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

namespace {
// The window of `n` pages aligned in the file that holds `vpage`, clipped to the VMA.
// (do_fault_around aligns the virtual address; our mappings start page-aligned in the
// file at aligned virtual pages, so aligning in the file is the same.)
PageRange aligned_window(const Vma& v, std::uint64_t vpage, std::uint64_t n) {
  n = std::max<std::uint64_t>(n, 1);
  std::uint64_t fpage = v.file_page(vpage);
  std::uint64_t first = vpage - fpage % n;  // may lie before the VMA
  std::uint64_t start = std::max(first, v.start);
  std::uint64_t end = std::min(first + n, v.end());
  return {start, end - start};
}
}  // namespace

PageRange AddressSpace::fault_around_range(std::uint64_t vpage, const MmParams& p) const {
  const Vma* v = vma_at(vpage);
  if (!v) return {};
  return aligned_window(*v, vpage, p.fault_around_pages);
}

std::vector<PageRange> AddressSpace::fault_map_ranges(std::uint64_t vpage, const MmParams& p,
                                                      std::uint64_t file_pages,
                                                      const std::function<FolioSpan(std::uint64_t)>& folio_of) const {
  std::vector<PageRange> out;
  const Vma* v = vma_at(vpage);
  if (!v) return out;
  const PageRange win = aligned_window(*v, vpage, p.fault_around_pages);
  const std::uint64_t vma_file_end = v->file_first_page + v->pages;
  auto vpage_of = [&](std::uint64_t fpage) { return v->start + (fpage - v->file_first_page); };
  // end_pgoff = min(end_pgoff, file_end): no PTE past the end of the file.
  std::uint64_t end = file_pages > v->file_first_page ? std::min(win.end(), vpage_of(file_pages)) : win.start;
  end = std::max(end, vpage + 1);
  for (std::uint64_t vp = win.start; vp < end;) {
    const FolioSpan f = folio_of(v->file_page(vp));
    const bool within_vma = f.first >= v->file_first_page && f.end() <= vma_file_end;
    const bool one_pmd = f.first / kPmdPages == (f.end() - 1) / kPmdPages;
    const bool can_map_large = file_pages >= 1 && file_pages - 1 >= f.end();  // file_end >= folio_next_index
    const std::uint64_t folio_vend = f.end() > v->file_first_page ? vpage_of(f.end()) : vp + 1;
    if (f.order > 0 && within_vma && one_pmd && can_map_large) {
      out.push_back({vpage_of(f.first), f.pages()});  // filemap_map_folio_range: the whole folio
    } else {
      const std::uint64_t stop = std::min(end, folio_vend);
      out.push_back({vp, stop - vp});
    }
    vp = std::max(vp + 1, folio_vend);
  }
  return out;
}

void AddressSpace::set_anon_vma(std::uint64_t vpage) {
  auto it = vmas_.upper_bound(vpage);
  if (it == vmas_.begin()) return;
  --it;
  if (it->second.contains(vpage)) it->second.anon_vma = true;
}

AddressSpace AddressSpace::fork(FrameTable& frames, std::uint64_t* protected_pages,
                                std::vector<PageKey>* file_pages) {
  AddressSpace child;
  child.vmas_ = vmas_;
  child.next_start_ = next_start_;
  std::uint64_t prot = 0;
  for (auto& [vp, pte] : ptes_) {
    const Vma* v = vma_at(vp);
    if (v && !v->anon_vma) continue;  // vma_needs_copy: the child faults these in itself
    if (v && v->is_private() && pte.writable) {
      pte.writable = false;  // copy_present_pte: ptep_set_wrprotect in the parent too
      ++prot;
    }
    if (pte.anon()) frames.get(pte.page.index);
    else if (file_pages) file_pages->push_back(pte.page);
    child.ptes_[vp] = pte;
  }
  if (protected_pages) *protected_pages = prot;
  return child;
}

WriteFault AddressSpace::write_fault_kind(std::uint64_t vpage, const FrameTable& frames) const {
  const Pte* p = pte(vpage);
  const Vma* v = vma_at(vpage);
  if (!p || !v || p->writable || !v->writable || !v->is_private()) return WriteFault::none;
  if (p->zero_page()) return WriteFault::copy;  // a zeroed frame of its own
  if (p->anon() && frames.mapcount(p->page.index) <= 1) return WriteFault::reuse;
  return WriteFault::copy;
}

WriteFault AddressSpace::resolve_write_fault(std::uint64_t vpage, FrameTable& frames) {
  WriteFault k = write_fault_kind(vpage, frames);
  Pte& p = ptes_[vpage];
  if (k == WriteFault::copy) {
    if (p.anon()) frames.put(p.page.index);
    p.page = PageKey{kAnonFile, frames.alloc()};
  }
  if (k != WriteFault::none) p.writable = true;
  return k;
}

std::vector<std::uint32_t> AddressSpace::shootdown_targets(std::uint32_t self) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t c = 0; c < 64; ++c)
    if (c != self % 64 && (cpus_ >> c & 1)) out.push_back(c);
  for (auto c : out) cpus_ &= ~(1ULL << c);
  return out;
}

}  // namespace kiosim
