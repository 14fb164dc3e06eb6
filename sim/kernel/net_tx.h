// Network transmit (net/core/dev.c, a NIC driver's xmit and TX completion,
// net/ipv4/tcp_output.c, net/unix/af_unix.c): the send buffers of the sockets, the
// queue of skbs to send, the NIC's TX descriptor ring (model/dma_engine.h), the NIC
// actor that DMAs each skb to the wire, a lost skb's resend, MSG_ZEROCOPY's pinned
// buffers, and the local receiver of a socket pair (net.receiver: local).
// Owns the sockets, the `nic` lane and the NIC actor. Calls accounting, the page
// cache (page references of fragments) and interrupts.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/dma_engine.h"
#include "model/nic.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/interrupts.h"

namespace kiosim {

struct TxSkb {
  Skb skb;
  std::uint64_t zerocopy = 0;  // the MSG_ZEROCOPY send it belongs to, 0 for none
  Socket* sock = nullptr;
  Process* proc = nullptr;
  std::uint64_t req = 0;
  std::uint32_t retransmits = 0;  // times this skb was lost and resent
};

class NetTx {
 public:
  struct Hooks {
    std::function<Process&()> new_receiver;  // net.receiver: local — its process, made at the first skb
    std::function<void()> idle;              // the NIC may have gone idle: the supervisor re-checks
  };
  NetTx(Accounting& acct, Filemap& filemap, Interrupts& irq, Hooks hooks);
  void start_lane() { lane_ = acct_.add_lane("nic", LaneKind::device); }
  void set_seed(std::uint64_t seed) { rng_ = seed; }

  // Sockets belong to the kernel: the NIC may still send from one after the program
  // that opened it has ended.
  Socket& new_socket();
  const Nic& nic() const { return nic_; }
  // A write()'s bytes in skbs: TSO-sized for the NIC, af_unix-sized for a local receiver.
  Segmented segment_write(std::uint64_t bytes) const;
  // Puts skbs on the NIC's queue, waiting for send-buffer space before each
  // (sk_stream_wait_memory). Linear payload is copied by the CPU from `from`; page
  // fragments take a reference that the TX completion drops.
  void queue_skbs(Thread& t, Socket& s, Segmented seg, Place from, std::uint64_t zerocopy = 0);

  // MSG_ZEROCOPY: a send of `skbs` skbs from `buffer` pins it until the last completes.
  std::uint64_t begin_zerocopy(std::size_t skbs, const std::string& buffer, Process* proc);
  bool pinned(const std::string& buffer) const { return pinned_buffers_.count(buffer) > 0; }
  WaitQueue& zerocopy_done() { return *zerocopy_done_; }

  bool busy() const { return !tx_queue_.empty() || !resend_.empty() || nic_busy_; }
  double last_delivery_ns() const { return last_delivery_ns_; }
  void actor();  // the NIC, forever

 private:
  struct ZeroCopySend {
    std::uint64_t skbs_left = 0;
    std::string buffer;
    Process* proc = nullptr;
  };
  std::uint64_t sndbuf_wake_level() const;
  void put_on_ring(Thread& t, const Skb& skb);
  void trace_skb(Thread& t, const Skb& skb);
  bool next_skb(TxSkb& s);  // waits for one; false: the queue ran empty first
  void transmit(TxSkb s);
  void tx_done(TxSkb& s, double end_ns);  // its interrupt: ring slots, references, buffer space
  void zerocopy_skb_done(const TxSkb& s);
  void wake_local_receiver(Process& receiver);
  std::uint32_t receiver_lane();  // the local receiver's events, on a lane of its own
  void trace_receiver_reads(std::uint64_t calls, double t0, double dt, std::uint64_t req);
  void deliver_locally(Process& receiver, TxSkb& s);
  double next_random();

  Accounting& acct_;
  Filemap& filemap_;
  Interrupts& irq_;
  Hooks hooks_;
  Nic nic_;
  DmaEngine ring_;  // the NIC's TX descriptor ring
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::deque<TxSkb> tx_queue_;
  std::deque<std::pair<double, TxSkb>> resend_;  // lost skbs and when to resend them
  bool nic_busy_ = false;
  std::unique_ptr<WaitQueue> wake_, ring_space_, zerocopy_done_;
  std::map<std::uint64_t, ZeroCopySend> zerocopy_;  // by send id, until its last skb completes
  std::map<std::string, int> pinned_buffers_;       // user buffers MSG_ZEROCOPY holds
  std::uint64_t next_zerocopy_ = 1;
  std::uint64_t rng_ = 1;
  std::uint32_t lane_ = 0, receiver_lane_ = 0;
  double last_delivery_ns_ = 0;
  std::uint64_t recv_fill_ = 0;  // bytes the local receiver's read() in progress has copied
};

}  // namespace kiosim
