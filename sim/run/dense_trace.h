// A trace held in memory with its pages renumbered 0, 1, 2 ... in order of first
// access: what replays at several cache sizes share (each reads it, none parses
// again), and where Belady's `opt` gets its future from one backward pass.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/run/trace_formats.h"

namespace kiosim {

struct DenseTrace {
  static constexpr std::uint32_t kNever = 0xffffffffu;
  std::vector<std::uint32_t> page;   // access -> dense page number
  std::vector<std::uint8_t> write;   // access -> 1 for a write
  std::vector<std::uint32_t> next;   // access -> the next access to its page, or kNever (fill_next)
  std::uint64_t distinct = 0;        // the working set, in pages
  std::uint64_t writes = 0;
  std::uint64_t files = 0;

  // Parses `data` (InputError on a bad record, or past 2^32 - 2 accesses).
  static DenseTrace load(std::string_view data, const std::string& name, const TraceSpec& spec);
  // The backward pass: next[i] = the first j > i with page[j] == page[i].
  void fill_next();
  std::size_t size() const { return page.size(); }
};

}  // namespace kiosim
