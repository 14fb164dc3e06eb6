// Interrupts: the handler that completes device requests (kernel/irq,
// blk_mq_complete_request; net/core/dev.c napi_schedule / __napi_poll and a NIC
// driver's TX clean, e.g. ixgbe_clean_tx_irq). Devices raise completions; one
// interrupt handles one disk completion. A NIC's interrupt, raised at once or when
// its moderation allows (ethtool -C tx-frames / tx-usecs), schedules NAPI: a poll
// reaps every TX completion there is, up to nic.napi_budget, and polls again while it
// used its whole budget, with no new interrupt. It owns the completion queue and the
// `irq` lane; what a completion does is the raising subsystem's own closure.
// Calls only accounting.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "sim/kernel/accounting.h"

namespace kiosim {

// A finished device request, waiting for its interrupt.
struct Completion {
  bool tx = false;                 // an skb the NIC has sent (else a disk request)
  Process* proc = nullptr;         // who pays for the interrupt
  std::uint64_t req = 0;
  double tx_end_ns = 0;            // when the NIC finished sending it
  std::function<void()> complete;  // the handler's work for it
};

class Interrupts {
 public:
  // `after_batch` runs after every interrupt (waiters re-check what changed).
  Interrupts(Accounting& acct, std::function<void()> after_batch);
  void start_lane() { lane_ = acct_.add_lane("irq", LaneKind::kernel); }
  void raise(Completion c);
  bool pending() const { return !queue_.empty(); }
  void actor();  // the interrupt handler, forever

 private:
  std::size_t leading_tx() const;  // TX completions at the head of the queue
  void wait_for_moderation();      // the NIC holds its interrupt back for more completions
  std::vector<Completion> take(std::size_t n);
  void handle_disk();
  void handle_nic();               // one interrupt and its NAPI polls

  Accounting& acct_;
  std::function<void()> after_batch_;
  std::deque<Completion> queue_;
  std::unique_ptr<WaitQueue> wake_;
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
