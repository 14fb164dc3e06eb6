#include "model/af_unix.h"

#include <algorithm>

namespace kiosim {

std::uint64_t unix_skb_max(std::uint64_t sndbuf) {
  std::uint64_t half = sndbuf / 2 > 64 ? sndbuf / 2 - 64 : 1;
  return std::max<std::uint64_t>(1, std::min(half, kUnixSkbHead + kUnixSkbFrags));
}

Segmented unix_segment_copy(std::uint64_t bytes, std::uint64_t sndbuf) {
  return segment_linear(bytes, unix_skb_max(sndbuf));
}

}  // namespace kiosim
