// A pipe, after fs/pipe.c: a ring of pipe_buffer slots (16 by default, 64 KiB
// of pages). write() copies into anonymous pages; splice() moves page references
// in and out without copying (fs/splice.c). A buffer may be partly consumed.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "model/page.h"

namespace kiosim {

struct PipeParams {
  std::uint32_t slots = 16;  // pipe.slots: pipe_buffer slots (PIPE_DEF_BUFFERS)
};

struct PipeBuffer {
  PageKey page{};                // the page-cache page for a reference
  bool page_ref = false;         // false: an anonymous page the pipe owns (copied data)
  std::uint32_t offset = 0;
  std::uint32_t len = 0;
};

class Pipe {
 public:
  explicit Pipe(PipeParams p = {}) : p_(p) {}
  std::uint32_t capacity_slots() const { return p_.slots; }
  std::uint32_t free_slots() const { return p_.slots - std::uint32_t(bufs_.size()); }
  std::uint64_t capacity_bytes() const { return std::uint64_t(p_.slots) * kPageSize; }
  std::uint64_t bytes() const { return bytes_; }
  bool empty() const { return bufs_.empty(); }
  bool full() const { return bufs_.size() >= p_.slots; }

  // Adds one buffer; false when full.
  bool push(const PipeBuffer& b);
  // Takes up to `max_bytes` from the front, splitting a buffer if needed. A buffer
  // split in two keeps its page reference on both halves only while both exist:
  // `released` lists the buffers fully consumed (their references can be dropped).
  std::vector<PipeBuffer> pop(std::uint64_t max_bytes, std::vector<PipeBuffer>* released = nullptr);

 private:
  PipeParams p_;
  std::deque<PipeBuffer> bufs_;
  std::uint64_t bytes_ = 0;
};

}  // namespace kiosim
