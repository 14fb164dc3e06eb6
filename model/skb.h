// A socket buffer, after include/linux/skbuff.h: a linear part (headers and data
// copied in by write()) and page fragments (skb_shinfo(skb)->frags) that point at
// page-cache or user pages by reference.
#pragma once
#include <cstdint>
#include <vector>

#include "model/page.h"

namespace kiosim {

struct SkbFrag {
  PageKey page{};
  std::uint32_t offset = 0;
  std::uint32_t len = 0;
};

struct Skb {
  std::uint64_t linear = 0;       // payload bytes in the linear part
  std::vector<SkbFrag> frags;     // payload by reference
  bool linearized = false;        // fragments were copied into the linear part
  std::uint64_t payload() const {
    std::uint64_t b = linear;
    for (const auto& f : frags) b += f.len;
    return b;
  }
};

}  // namespace kiosim
