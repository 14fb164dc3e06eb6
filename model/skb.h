// A socket buffer, after include/linux/skbuff.h: a linear part (headers; data copied
// in by af_unix) and page fragments (skb_shinfo(skb)->frags) that point at page-cache
// or user pages by reference, or at the page frags TCP copies write() data into.
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
  bool copied = false;            // its payload was copied in by the CPU (write(): page frags or linear)
  std::uint64_t payload() const {
    std::uint64_t b = linear;
    for (const auto& f : frags) b += f.len;
    return b;
  }
};

}  // namespace kiosim
