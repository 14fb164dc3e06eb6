// First in, first out (OSTEP ch. 22 "FIFO"; libCacheSim cache/eviction/FIFO.c):
// a page goes to the head when it enters, a hit changes nothing, reclaim takes
// the oldest page (the tail). A page that cannot go now (dirty) goes back to
// the head, as any policy's rotate does. The list: one_list_policy.h.
#pragma once
#include "model/one_list_policy.h"

namespace kiosim {

class FifoPolicy final : public OneListPolicy {
 public:
  void touch(Slot) override {}
};

}  // namespace kiosim
