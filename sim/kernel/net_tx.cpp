#include "sim/trace/schema.h"
#include "sim/kernel/net_tx.h"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

#include "model/af_unix.h"

namespace kiosim {

namespace {
// Pages of a socket's page frags (sk_page_frag) are not page-cache pages.
constexpr FileId kSocketFragPages = 0xfffffff1u;
constexpr std::uint64_t kLocalSkbBytes = 65536;

std::vector<DmaSegment> ring_slots(std::uint32_t descriptors) { return std::vector<DmaSegment>(descriptors, {1}); }
}  // namespace

NetTx::NetTx(Accounting& acct, Filemap& filemap, Interrupts& irq, Hooks hooks)
    : acct_(acct),
      filemap_(filemap),
      irq_(irq),
      hooks_(std::move(hooks)),
      nic_(acct.machine().nic),
      ring_(DmaEngineParams{acct.machine().link.tx_ring}),
      wake_(std::make_unique<WaitQueue>(acct.engine())),
      ring_space_(std::make_unique<WaitQueue>(acct.engine())),
      zerocopy_done_(std::make_unique<WaitQueue>(acct.engine())),
      ack_wake_(std::make_unique<WaitQueue>(acct.engine())) {}

Socket& NetTx::new_socket() {
  sockets_.push_back(std::make_unique<Socket>());
  sockets_.back()->space = std::make_unique<WaitQueue>(acct_.engine());
  return *sockets_.back();
}

Segmented NetTx::segment_write(Socket& s, std::uint64_t bytes) const {
  const Machine& m = acct_.machine();
  return m.receiver_local ? unix_segment_copy(bytes, m.sndbuf_bytes) : nic_.segment_copy(bytes, s.frag, kSocketFragPages);
}

Segmented NetTx::segment_pages(const std::vector<SkbFrag>& pieces, bool more) const {
  return nic_.segment_pages(pieces, more, acct_.machine().receiver_local ? kLocalSkbBytes : 0);
}

// A writer asleep on a full send buffer is woken once the socket is writable again:
// af_unix (unix_writable) when at most a quarter of sk_sndbuf is still in flight; TCP
// (sk_stream_write_space) when the free space is at least half of what is queued.
std::uint64_t NetTx::sndbuf_wake_level() const {
  const Machine& m = acct_.machine();
  return m.receiver_local ? m.sndbuf_bytes / 4 : m.sndbuf_bytes * 2 / 3;
}

void NetTx::trace_skb(Thread& t, const Skb& skb) {
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::skb_build;
  e.to = Place::socket_buffer;
  e.bytes = skb.payload();
  e.pages = skb.frags.size();
  e.name = skb.frags.empty() ? "linear" : "fragments";
  acct_.trace(t, e);
}

// The driver describes the skb's packets in the NIC's TX ring (Nic::xmit_work). A
// full ring stops the queue until completions free it.
void NetTx::put_on_ring(Thread& t, std::uint32_t descriptors) {
  const std::vector<DmaSegment> sg = ring_slots(descriptors);
  if (!ring_.can_submit(descriptors)) {
    acct_.count(t, &Counters::ring_full_waits, 1);
    ring_.note_ring_full();
    acct_.block(t, TimeCat::wire, *ring_space_, [&] { return ring_.can_submit(descriptors); },
                schema::note::ring_full.data());
  }
  ring_.submit(sg);
}

// The CPU's part of building an skb: write()'s bytes into its page frags (one copy
// per skb, tcp_sendmsg_locked), or a driver's skb_linearize of too many fragments.
void NetTx::copy_into_skb(Thread& t, const Skb& skb, Place from) {
  if (skb.copied) acct_.cpu_copy(t, skb.payload(), from, Place::socket_buffer);
  if (!skb.linearized) return;
  acct_.cpu_copy(t, skb.linear, skb.copied ? Place::socket_buffer : Place::page_cache, Place::socket_buffer);
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::linearize;
  e.bytes = skb.linear;
  acct_.trace(t, e);
}

// validate_xmit_skb on the sender's CPU (tcp_write_xmit runs in its send call): a NIC
// without TSO gets the GSO skb cut into MSS packets (skb_gso_segment), cpu.gso_segment
// each; without scatter-gather skb_segment copies their bytes too.
std::uint32_t NetTx::software_gso(Thread& t, const Skb& skb, Place from) {
  const XmitWork w = nic_.xmit_work(skb);
  if (nic_.params().tso && nic_.params().scatter_gather) return w.descriptors;
  acct_.cpu(t, TimeCat::syscall, double(w.segments) * acct_.machine().cpu.gso_segment_ns);
  acct_.count(t, &Counters::gso_segments, w.segments);
  if (w.copy_bytes) {
    acct_.cpu_copy(t, w.copy_bytes, skb.copied ? Place::socket_buffer : from, Place::socket_buffer);
    acct_.count(t, &Counters::linearize_bytes, w.copy_bytes);
  }
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::linearize;
  e.name = schema::note::software_gso;
  e.bytes = w.copy_bytes;
  e.pages = w.segments;
  acct_.trace(t, e);
  return w.descriptors;
}

void NetTx::queue_skbs(Thread& t, Socket& s, Segmented seg, Place from, std::uint64_t zerocopy) {
  const Machine& m = acct_.machine();
  acct_.count(t, &Counters::sg_overflows, seg.overflows);
  acct_.count(t, &Counters::linearize_bytes, seg.linearize_bytes);
  // Every fragment holds its page from now until the skb's ACK (get_page).
  for (const Skb& skb : seg.skbs)
    for (const auto& f : skb.frags) filemap_.cache().get(f.page);
  for (Skb& skb : seg.skbs) {
    if (s.queued >= m.sndbuf_bytes)
      acct_.block(t, TimeCat::wire, *s.space, [&] { return s.queued <= sndbuf_wake_level(); }, "socket buffer full");
    acct_.cpu(t, TimeCat::syscall, m.cpu.skb_ns + double(skb.frags.size()) * m.cpu.skb_frag_ns);
    copy_into_skb(t, skb, from);
    acct_.count(t, &Counters::skbs, 1);
    acct_.count(t, &Counters::sg_frags, skb.frags.size());
    acct_.count(t, &Counters::sent_bytes, skb.payload());
    trace_skb(t, skb);
    s.queued += skb.payload();
    auto tx = std::make_shared<TxSkb>(TxSkb{std::move(skb), zerocopy, &s, t.proc, t.req});
    if (!m.receiver_local) {  // a local receiver takes skbs from the socket: no GSO, no ring, no ACK
      tx->descriptors = software_gso(t, tx->skb, from);
      put_on_ring(t, tx->descriptors);
      rtx_[&s].push_back(tx);
    }
    tx_queue_.push_back(std::move(tx));
    wake_->notify_all();
  }
}

// ---- MSG_ZEROCOPY -------------------------------------------------------------------

std::uint64_t NetTx::begin_zerocopy(std::size_t skbs, const std::string& buffer, Process* proc, bool uring) {
  const std::uint64_t id = next_zerocopy_++;
  zerocopy_[id] = ZeroCopySend{skbs, buffer, proc, uring};
  ++pinned_buffers_[buffer];
  return id;
}

bool NetTx::pinned_by_uring(const std::string& buffer) const {
  for (const auto& kv : zerocopy_)
    if (kv.second.uring && kv.second.buffer == buffer) return true;
  return false;
}

void NetTx::zerocopy_skb_done(const TxSkb& s) {
  auto it = zerocopy_.find(s.zerocopy);
  if (it == zerocopy_.end() || --it->second.skbs_left > 0) return;
  // The last skb of the send is done: the pages are unpinned and a notification queued.
  Accounting::count(it->second.proc, &Counters::zerocopy_completions, 1);
  if (--pinned_buffers_[it->second.buffer] <= 0) pinned_buffers_.erase(it->second.buffer);
  if (it->second.uring) {
    // io_tx_ubuf_complete -> io_notif_tw_complete: the SEND_ZC's second CQE,
    // IORING_CQE_F_NOTIF, in the CQ ring; nothing goes to the error queue.
    Accounting::count(it->second.proc, &Counters::uring_cqes, 1);
    Accounting::count(it->second.proc, &Counters::uring_zc_notifs, 1);
  } else {
    ++s.sock->notifications;
  }
  zerocopy_.erase(it);
  zerocopy_done_->notify_all();
}

// ---- the NIC ------------------------------------------------------------------------

// net.ipv4.tcp_retries2's default (Documentation/networking/ip-sysctl.rst).
constexpr std::uint32_t kTcpRetries2 = 15;

// splitmix64: a deterministic stream from the scenario's seed (losses on the wire).
double NetTx::next_random() {
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

void NetTx::actor() {
  Process* receiver = nullptr;  // net.receiver: local — the process that copies the data out
  bool receiver_asleep = true;  // it starts blocked in read(), before the first byte
  for (;;) {
    // A lost skb is resent once the duplicate ACKs arrive (fast retransmit, about one
    // round trip later), from the pages it still references: no new copy.
    auto resend_ready = [&] { return !resend_.empty() && resend_.front().first <= acct_.now(); };
    while (tx_queue_.empty() && !resend_ready()) {
      receiver_asleep = true;  // a local receiver's read() finds the socket empty and sleeps
      if (resend_.empty()) wake_->wait();
      else wake_->wait_for(resend_.front().first - acct_.now());
    }
    nic_busy_ = true;
    TxSkbPtr s;
    if (resend_ready()) {
      s = std::move(resend_.front().second);
      resend_.pop_front();
    } else {
      s = std::move(tx_queue_.front());
      tx_queue_.pop_front();
    }
    if (!acct_.machine().receiver_local) {
      transmit(std::move(s));
      continue;
    }
    if (!receiver) receiver = &hooks_.new_receiver();
    if (receiver_asleep) wake_local_receiver(*receiver);
    receiver_asleep = false;
    deliver_locally(*receiver, *s);
    nic_busy_ = false;
    hooks_.idle();  // the supervisor waits for the NIC to be idle
  }
}

// DMA to the wire; a lost skb waits for its resend, a sent one for its TX completion
// interrupt and, a round trip plus the receiver's processing later, its ACK. The
// original stays on the retransmit queue until then (__tcp_transmit_skb sends a clone).
void NetTx::transmit(TxSkbPtr s) {
  const Machine& m = acct_.machine();
  std::uint64_t bytes = s->skb.payload();
  double t0 = acct_.now();
  acct_.engine().nic_transmit(bytes);
  Accounting::count(s->proc, &Counters::dma_copies, 1);
  Accounting::count(s->proc, &Counters::dma_bytes, bytes);
  Accounting::count(s->proc, &Counters::memory_bus_bytes, bytes);
  const bool gathered = !s->skb.frags.empty() && m.nic.scatter_gather;
  if (acct_.tracing()) {
    TraceEvent e = acct_.device_event(lane_, EventKind::dma_copy, t0);
    e.from = s->skb.copied || !gathered ? Place::socket_buffer : Place::page_cache;
    e.to = Place::wire;
    e.bytes = bytes;
    e.pages = gathered ? s->skb.frags.size() : 0;
    e.req = s->req;
    e.name = gathered ? "skb (gather DMA)" : "skb";
    acct_.trace_device(e);
  }
  if (m.link.loss_rate > 0 && next_random() < m.link.loss_rate) {
    // tcp_write_timeout(): after tcp_retries2 (15) retransmissions of one segment the
    // connection times out, and the writer gets ETIMEDOUT.
    if (++s->retransmits > kTcpRetries2)
      throw std::runtime_error(fmt::format(
          "an skb of {} bytes was lost {} times in a row: TCP gives up after tcp_retries2 = {} retransmissions "
          "and the connection times out (ETIMEDOUT); net.loss_rate = {:g} is too high",
          bytes, s->retransmits, kTcpRetries2, m.link.loss_rate));
    Accounting::count(s->proc, &Counters::retransmits, 1);
    if (acct_.tracing()) {
      TraceEvent e;
      e.t_ns = std::int64_t(acct_.now());
      e.lane = lane_;
      e.kind = EventKind::nic_tx;
      e.name = "lost on the wire: resent after the duplicate ACKs";
      e.bytes = bytes;
      e.req = s->req;
      acct_.trace_device(e);
    }
    resend_.emplace_back(acct_.now() + m.link.rtt_ns, std::move(s));
    nic_busy_ = false;
    return;
  }
  const double end_ns = acct_.now();
  acks_.emplace_back(end_ns + m.link.rtt_ns + m.link.ack_processing_ns, s);
  ack_wake_->notify_all();
  nic_busy_ = false;
  irq_.raise(Completion{true, s->proc, s->req, end_ns, [this, s, end_ns] { tx_done(*s, end_ns); }});
}

// The TX completion frees the clone the driver sent and its ring slots, and with
// them the socket's TSQ budget (tcp_wfree). The pages, the send-buffer space and a
// zero-copy notification wait for the ACK.
void NetTx::tx_done(TxSkb& s, double end_ns) {
  ring_.complete(ring_slots(s.descriptors));
  ring_space_->notify_all();
  last_delivery_ns_ = std::max(last_delivery_ns_, end_ns + acct_.machine().link.latency_ns);
}

// The ACKs, in the order their data left (one per skb: the ACK of its last byte).
void NetTx::ack_actor() {
  for (;;) {
    while (acks_.empty()) ack_wake_->wait();
    const double at = acks_.front().first;
    if (at > acct_.now()) {
      ack_wake_->wait_for(at - acct_.now());
      continue;
    }
    TxSkbPtr s = std::move(acks_.front().second);
    acks_.pop_front();
    s->acked = true;
    clean_rtx_queue(*s->sock);
    hooks_.idle();
  }
}

// tcp_clean_rtx_queue: an ACK is cumulative, so it frees the skbs at the head of the
// retransmit queue up to the first one not yet ACKed; an skb sent after a lost one
// stays (SACKed, still referenced) until the resend is ACKed. One `acks` per ACK
// that frees anything, traced with the pages and bytes it let go.
void NetTx::clean_rtx_queue(Socket& sock) {
  auto& q = rtx_[&sock];
  std::uint64_t frags = 0, bytes = 0;
  TxSkbPtr first;
  while (!q.empty() && q.front()->acked) {
    if (!first) first = q.front();
    frags += q.front()->skb.frags.size();
    bytes += q.front()->skb.payload();
    free_skb(*q.front());
    q.pop_front();
  }
  if (!first) return;
  Accounting::count(first->proc, &Counters::acks, 1);
  if (acct_.tracing()) {
    TraceEvent e = acct_.device_event(lane_, EventKind::page_ref_move, acct_.now(), 0);
    e.from = Place::socket_buffer;
    e.to = Place::page_cache;
    e.name = schema::note::ack;
    e.bytes = bytes;
    e.pages = frags;
    e.req = first->req;
    acct_.trace_device(e);
  }
  sock.space->notify_all();
  filemap_.notify_changed();
}

// sk_wmem_free_skb / __kfree_skb: the page references go (put_page), the buffer
// space returns (sk_wmem_queued), a zero-copy send's last skb notifies.
void NetTx::free_skb(TxSkb& s) {
  for (const auto& f : s.skb.frags) filemap_.cache().put(f.page);
  if (s.zerocopy) zerocopy_skb_done(s);
  s.sock->queued -= s.skb.payload();
}

// ---- the local receiver (net.receiver: local) ---------------------------------------

// It slept in read() on an empty socket; the skb's arrival wakes it (sk_data_ready):
// its idle core comes up (cpu.wakeup), then it switches in.
void NetTx::wake_local_receiver(Process& receiver) {
  const auto& cpu = acct_.machine().cpu;
  double t0 = acct_.now();
  acct_.engine().sleep_ns(cpu.wakeup_ns);
  acct_.engine().copy(cpu.context_switch_ns, 0);
  receiver.counters.context_switches_voluntary += 1;
  receiver.counters.time_ns[std::size_t(TimeCat::sched)] += std::uint64_t(cpu.context_switch_ns);
  receiver.counters.cpu_time_ns += std::uint64_t(cpu.context_switch_ns);
  if (acct_.tracing()) {
    TraceEvent e = acct_.device_event(receiver_lane(), EventKind::block, t0);
    e.name = "local receiver woken (socket was empty)";
    acct_.trace_device(e);
  }
}

std::uint32_t NetTx::receiver_lane() {
  if (!receiver_lane_) receiver_lane_ = acct_.add_lane("receiver", LaneKind::user);
  return receiver_lane_;
}

// The receiver's read() calls that ended in this skb, spread over its copy: each one a
// syscall_enter and a syscall_exit (the crossings the receiver's counters hold).
void NetTx::trace_receiver_reads(std::uint64_t calls, double t0, double dt, std::uint64_t req) {
  for (std::uint64_t i = 0; i < calls; ++i) {
    for (EventKind kind : {EventKind::syscall_enter, EventKind::syscall_exit}) {
      const double at = t0 + dt * double(kind == EventKind::syscall_enter ? i : i + 1) / double(calls);
      TraceEvent e = acct_.device_event(receiver_lane(), kind, at, 0);
      e.name = "read";
      e.req = req;
      acct_.trace_device(e);
    }
  }
}

// A socket pair (af_unix): the skb is queued straight on the peer socket, with no
// NIC DMA, no wire and no interrupt. The receiver, on its own core, copies it out
// with read() calls of net.recv_buffer bytes; its CPU time and copies are its own
// process's, not the sender's. Then the skb is freed (its page references go).
// A read() fills its buffer across skbs and returns early only when the socket is
// empty (unix_stream_read_generic).
void NetTx::deliver_locally(Process& receiver, TxSkb& s) {
  const Machine& m = acct_.machine();
  const std::uint64_t bytes = s.skb.payload();
  const std::uint64_t per_call = std::max<std::uint64_t>(1, m.recv_buffer_bytes);
  std::uint64_t calls = (recv_fill_ + bytes) / per_call;  // reads that fill up in this skb
  recv_fill_ = (recv_fill_ + bytes) % per_call;
  double t0 = acct_.now();
  acct_.engine().copy(double(calls) * m.recv_call_ns, bytes, m.recv_rate());
  if (recv_fill_ > 0 && tx_queue_.empty()) {  // nothing more queued: the read returns short
    ++calls;
    recv_fill_ = 0;
    acct_.engine().copy(m.recv_call_ns, 0);
  }
  double dt = acct_.now() - t0;
  Counters& c = receiver.counters;
  c.syscalls += calls;
  c.syscalls_by_name["read"] += calls;
  c.mode_switches += 2 * calls;
  c.cpu_copies += 1;
  c.cpu_copy_bytes += bytes;
  c.memory_bus_bytes += 2 * bytes;
  c.read_bytes += bytes;
  double copy_ns = double(bytes) / m.recv_rate() * 1e9, call_ns = double(calls) * m.recv_call_ns;
  double scale = copy_ns + call_ns > 0 ? dt / (copy_ns + call_ns) : 0;
  c.time_ns[std::size_t(TimeCat::copy)] += std::uint64_t(copy_ns * scale);
  c.time_ns[std::size_t(TimeCat::syscall)] += std::uint64_t(call_ns * scale);
  c.cpu_time_ns += std::uint64_t(dt);
  if (acct_.tracing()) {
    trace_receiver_reads(calls, t0, dt, s.req);
    TraceEvent e = acct_.device_event(receiver_lane(), EventKind::cpu_copy, t0, dt);
    e.from = Place::socket_buffer;
    e.to = Place::user_buffer;
    e.bytes = bytes;
    e.pages = s.skb.frags.size();
    e.req = s.req;
    e.name = "local receiver recv()";
    acct_.trace_device(e);
  }
  free_skb(s);  // af_unix: the receiver consumed it (consume_skb), no ACK
  s.sock->space->notify_all();
  last_delivery_ns_ = std::max(last_delivery_ns_, acct_.now());
  filemap_.notify_changed();
  hooks_.idle();
}

}  // namespace kiosim
