#include "model/pipe.h"

#include <algorithm>

namespace kiosim {

bool Pipe::push(const PipeBuffer& b) {
  if (full() || b.len == 0) return false;
  bufs_.push_back(b);
  bytes_ += b.len;
  return true;
}

std::vector<PipeBuffer> Pipe::pop(std::uint64_t max_bytes, std::vector<PipeBuffer>* released) {
  std::vector<PipeBuffer> out;
  while (max_bytes > 0 && !bufs_.empty()) {
    PipeBuffer& front = bufs_.front();
    std::uint32_t take = std::uint32_t(std::min<std::uint64_t>(front.len, max_bytes));
    PipeBuffer piece = front;
    piece.len = take;
    out.push_back(piece);
    bytes_ -= take;
    max_bytes -= take;
    if (take == front.len) {
      if (released) released->push_back(front);
      bufs_.pop_front();
    } else {
      front.offset += take;
      front.len -= take;
    }
  }
  return out;
}

}  // namespace kiosim
