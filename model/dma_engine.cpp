#include "model/dma_engine.h"

namespace kiosim {

std::uint32_t DmaEngine::descriptors_for(const std::vector<DmaSegment>& sg) {
  std::uint32_t n = 0;
  for (const auto& s : sg) n += s.bytes > 0;
  return n;
}

void DmaEngine::submit(const std::vector<DmaSegment>& sg) {
  std::uint32_t d = descriptors_for(sg);
  in_ring_ += d;
  ++stats_.transfers;
  stats_.descriptors += d;
  for (const auto& s : sg) stats_.bytes += s.bytes;
}

void DmaEngine::complete(const std::vector<DmaSegment>& sg) {
  std::uint32_t d = descriptors_for(sg);
  in_ring_ = d > in_ring_ ? 0 : in_ring_ - d;
}

}  // namespace kiosim
