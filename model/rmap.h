// The reverse map of file pages (mm/rmap.c rmap_walk_file over the address_space's
// i_mmap tree): for each file, the VMAs that map it, as (address space, VMA start).
// A walk finds, for one page-cache page, every present PTE that maps it
// (page_vma_mapped_walk), and hands each to the caller: folio_referenced tests and
// clears their accessed bits, try_to_unmap removes them.
// Simplified: a list per file instead of an interval tree (a walk looks at each VMA
// of the file); anonymous pages (anon_vma) are not walked, as kiosim has no swap.
#pragma once
#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/address_space.h"

namespace kiosim {

class FileRmap {
 public:
  // vma_interval_tree_insert: the VMA of `as` starting at `start` maps its file.
  void add(AddressSpace* as, std::uint64_t start) {
    const Vma* v = as->vma_at(start);
    if (v && v->kind != VmaKind::anonymous) by_file_[v->file].push_back({as, start});
  }
  // The VMA goes (munmap); call before AddressSpace::unmap.
  void remove(AddressSpace* as, std::uint64_t start) {
    for (auto& [f, list] : by_file_)
      list.erase(std::remove(list.begin(), list.end(), Entry{as, start}), list.end());
  }
  // Every VMA of `as` goes (exit_mmap).
  void remove_all(AddressSpace* as) {
    for (auto& [f, list] : by_file_)
      list.erase(std::remove_if(list.begin(), list.end(), [&](const Entry& e) { return e.as == as; }), list.end());
  }
  // Calls fn(address space, virtual page) for every present PTE that maps `k`.
  template <class Fn>
  void walk(PageKey k, Fn&& fn) const {
    auto it = by_file_.find(k.file);
    if (it == by_file_.end()) return;
    const auto list = it->second;  // fn may unmap: walk a copy
    for (const Entry& e : list) {
      const Vma* v = e.as->vma_at(e.start);
      if (!v || v->file != k.file || k.index < v->file_first_page || k.index >= v->file_first_page + v->pages)
        continue;
      const std::uint64_t vpage = v->start + (k.index - v->file_first_page);
      const Pte* p = e.as->pte(vpage);
      if (p && p->page == k) fn(*e.as, vpage);
    }
  }
  std::size_t vmas(FileId f) const {
    auto it = by_file_.find(f);
    return it == by_file_.end() ? 0 : it->second.size();
  }

 private:
  struct Entry {
    AddressSpace* as;
    std::uint64_t start;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::unordered_map<FileId, std::vector<Entry>> by_file_;
};

}  // namespace kiosim
