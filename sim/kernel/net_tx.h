// Network transmit (net/core/dev.c validate_xmit_skb, a NIC driver's xmit and TX
// completion, net/ipv4/tcp_output.c, net/ipv4/tcp_input.c tcp_clean_rtx_queue,
// net/unix/af_unix.c): the send buffers of the sockets, the queue of skbs to send,
// software GSO, the NIC's TX descriptor ring (model/dma_engine.h), the NIC actor that
// DMAs each skb to the wire, the retransmit queue until each skb's ACK, a lost skb's
// resend, MSG_ZEROCOPY's pinned buffers, and the local receiver of a socket pair
// (net.receiver: local).
// Owns the sockets, the `nic` lane, the NIC and ACK actors. Calls accounting, the
// page cache (page references of fragments) and interrupts.
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
  std::uint32_t descriptors = 0;  // TX ring slots its packets take (Nic::xmit_work)
  bool acked = false;             // its ACK arrived; freed once every skb before it is ACKed too
  std::uint32_t retransmits = 0;  // times this skb was lost and resent
};
using TxSkbPtr = std::shared_ptr<TxSkb>;

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
  // A write()'s bytes in skbs: GSO-sized page frags for TCP, af_unix-sized for a local receiver.
  Segmented segment_write(Socket& s, std::uint64_t bytes) const;
  // Pages by reference (sendfile, splice, MSG_ZEROCOPY) in skbs: TCP's GSO size goal;
  // to a local receiver kiosim keeps 64 KiB skbs (af_unix's splice cut is not modelled).
  Segmented segment_pages(const std::vector<SkbFrag>& pieces, bool more = false) const;
  // Puts skbs on the NIC's queue, waiting for send-buffer space before each
  // (sk_stream_wait_memory). Copied payload (write()'s page frags, a linear part) is
  // copied by the CPU from `from`; page fragments take a reference that the skb's
  // ACK drops (tcp_clean_rtx_queue).
  void queue_skbs(Thread& t, Socket& s, Segmented seg, Place from, std::uint64_t zerocopy = 0);

  // MSG_ZEROCOPY: a send of `skbs` skbs from `buffer` pins it until the last completes.
  // `uring`: io_uring's IORING_OP_SEND_ZC, whose notification is a CQE (io_notif), not
  // a message on the socket's error queue.
  std::uint64_t begin_zerocopy(std::size_t skbs, const std::string& buffer, Process* proc, bool uring = false);
  bool pinned(const std::string& buffer) const { return pinned_buffers_.count(buffer) > 0; }
  // A SEND_ZC still holds `buffer`: its notification CQE has not been posted.
  bool pinned_by_uring(const std::string& buffer) const;
  WaitQueue& zerocopy_done() { return *zerocopy_done_; }

  // What a writer asleep on a full send buffer (or in poll for POLLOUT) waits for: the
  // bytes still queued at which the socket is writable again.
  std::uint64_t sndbuf_wake_level() const;

  bool busy() const { return !tx_queue_.empty() || !resend_.empty() || nic_busy_ || !acks_.empty(); }
  double last_delivery_ns() const { return last_delivery_ns_; }
  void actor();      // the NIC, forever
  void ack_actor();  // the ACKs coming back, forever

 private:
  struct ZeroCopySend {
    std::uint64_t skbs_left = 0;
    std::string buffer;
    Process* proc = nullptr;
    bool uring = false;  // IORING_OP_SEND_ZC
  };
  void put_on_ring(Thread& t, std::uint32_t descriptors);
  void trace_skb(Thread& t, const Skb& skb);
  void copy_into_skb(Thread& t, const Skb& skb, Place from);
  std::uint32_t software_gso(Thread& t, const Skb& skb, Place from);  // returns ring descriptors
  void transmit(TxSkbPtr s);
  void tx_done(TxSkb& s, double end_ns);  // its interrupt (tcp_wfree): ring slots only
  void clean_rtx_queue(Socket& sock);     // tcp_clean_rtx_queue: frees the ACKed head
  void free_skb(TxSkb& s);                // references, send-buffer space, zero-copy
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
  std::deque<TxSkbPtr> tx_queue_;
  std::deque<std::pair<double, TxSkbPtr>> resend_;  // lost skbs and when to resend them
  std::deque<std::pair<double, TxSkbPtr>> acks_;    // sent skbs and when their ACK arrives
  std::map<Socket*, std::deque<TxSkbPtr>> rtx_;     // each socket's skbs in send order, until ACKed
  bool nic_busy_ = false;
  std::unique_ptr<WaitQueue> wake_, ring_space_, zerocopy_done_, ack_wake_;
  std::map<std::uint64_t, ZeroCopySend> zerocopy_;  // by send id, until its last skb completes
  std::map<std::string, int> pinned_buffers_;       // user buffers MSG_ZEROCOPY holds
  std::uint64_t next_zerocopy_ = 1;
  std::uint64_t rng_ = 1;
  std::uint32_t lane_ = 0, receiver_lane_ = 0;
  double last_delivery_ns_ = 0;
  std::uint64_t recv_fill_ = 0;  // bytes the local receiver's read() in progress has copied
};

}  // namespace kiosim
