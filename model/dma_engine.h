// A DMA engine with a descriptor ring, as device drivers program one (for example
// drivers/net/ethernet/intel/e1000e/netdev.c e1000_tx_map, or an NVMe PRP list):
// one descriptor per contiguous memory segment of a scatter-gather list; a full
// ring makes the submitter wait; each completed request raises an interrupt.
// Time is not here: sim/ decides how long a transfer takes.
#pragma once
#include <cstdint>
#include <vector>

namespace kiosim {

struct DmaEngineParams {
  std::uint32_t ring_slots = 256;  // descriptors the ring holds
};

struct DmaSegment {
  std::uint64_t bytes = 0;
};

struct DmaStats {
  std::uint64_t transfers = 0, bytes = 0, descriptors = 0, ring_full_waits = 0;
};

class DmaEngine {
 public:
  explicit DmaEngine(DmaEngineParams p = {}) : p_(p) {}
  // Descriptors a scatter-gather list needs (one per non-empty segment).
  static std::uint32_t descriptors_for(const std::vector<DmaSegment>& sg);
  bool can_submit(std::uint32_t descriptors) const { return in_ring_ + descriptors <= p_.ring_slots || in_ring_ == 0; }
  // Records a transfer; the caller checked can_submit (or counted a wait).
  void submit(const std::vector<DmaSegment>& sg);
  void complete(const std::vector<DmaSegment>& sg);
  void note_ring_full() { ++stats_.ring_full_waits; }
  std::uint32_t in_ring() const { return in_ring_; }
  const DmaStats& stats() const { return stats_; }

 private:
  DmaEngineParams p_;
  std::uint32_t in_ring_ = 0;
  DmaStats stats_;
};

}  // namespace kiosim
