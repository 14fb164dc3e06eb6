// Network and splice paths: write() to a TCP socket (net/ipv4/tcp.c tcp_sendmsg),
// sendfile (fs/read_write.c do_sendfile -> splice_direct_to_actor), splice through a
// pipe (fs/splice.c): the copies, the page references and the skbs each one makes.
#include <algorithm>

#include "model/af_unix.h"
#include "sim/kernel/kernel.h"
#include "sim/kernel/kernel_internal.h"

namespace kiosim {

Socket& Kernel::socket(Thread& t) {
  Syscall sc(*this, t, "socket");
  sockets_.push_back(std::make_unique<Socket>());
  sockets_.back()->space = std::make_unique<WaitQueue>(engine_);
  return *sockets_.back();
}

PipeObj& Kernel::pipe(Thread& t) {
  Syscall sc(*this, t, "pipe");
  pipes_.push_back(std::make_unique<PipeObj>());
  pipes_.back()->pipe = Pipe(m_.pipe);
  pipes_.back()->changed = std::make_unique<WaitQueue>(engine_);
  return *pipes_.back();
}

std::vector<DmaSegment> descriptors_of(const Skb& skb) {
  std::vector<DmaSegment> sg;
  if (skb.linear) sg.push_back({skb.linear});
  for (const auto& f : skb.frags) sg.push_back({f.len});
  return sg;
}

// Puts skbs on the NIC's queue, waiting for send-buffer space before each
// (sk_stream_wait_memory). Linear payload is copied by the CPU from `from`; page
// fragments take a reference that the TX completion drops.
void Kernel::queue_skbs(Thread& t, Socket& s, Segmented seg, Place from, std::uint64_t zerocopy) {
  count(t, &Counters::sg_overflows, seg.overflows);
  count(t, &Counters::linearize_bytes, seg.linearize_bytes);
  // Every fragment holds its page from now until the TX completion (get_page).
  for (const Skb& skb : seg.skbs)
    for (const auto& f : skb.frags) cache_.get(f.page);
  for (Skb& skb : seg.skbs) {
    if (s.queued >= m_.sndbuf_bytes)
      block(t, TimeCat::wire, *s.space, [&] { return s.queued <= sndbuf_wake_level(); }, "socket buffer full");
    cpu(t, TimeCat::syscall, m_.cpu.skb_ns + double(skb.frags.size()) * m_.cpu.skb_frag_ns);
    if (skb.linear) {
      Place src = skb.linearized ? Place::page_cache : from;
      cpu_copy(t, skb.linear, src, Place::socket_buffer);
      if (skb.linearized) {
        TraceEvent e;
        e.t_ns = std::int64_t(engine_.now_ns());
        e.kind = EventKind::linearize;
        e.bytes = skb.linear;
        trace(t, e);
      }
    }
    count(t, &Counters::skbs, 1);
    count(t, &Counters::sg_frags, skb.frags.size());
    count(t, &Counters::sent_bytes, skb.payload());
    TraceEvent e;
    e.t_ns = std::int64_t(engine_.now_ns());
    e.kind = EventKind::skb_build;
    e.to = Place::socket_buffer;
    e.bytes = skb.payload();
    e.pages = skb.frags.size();
    e.name = skb.frags.empty() ? "linear" : "fragments";
    trace(t, e);
    s.queued += skb.payload();
    // The driver describes the skb in the NIC's TX ring: one descriptor for the linear
    // part and one per fragment. A full ring stops the queue until completions free it.
    // (A local receiver takes skbs straight from the socket: no ring.)
    if (!m_.receiver_local) {
      const std::vector<DmaSegment> sg = descriptors_of(skb);
      const std::uint32_t need = DmaEngine::descriptors_for(sg);
      if (!nic_dma_.can_submit(need)) {
        count(t, &Counters::ring_full_waits, 1);
        nic_dma_.note_ring_full();
        block(t, TimeCat::wire, *ring_space_, [&] { return nic_dma_.can_submit(need); }, "NIC TX ring full");
      }
      nic_dma_.submit(sg);
    }
    tx_queue_.push_back(TxSkb{std::move(skb), zerocopy, &s, t.proc, t.req});
    nic_wake_->notify_all();
  }
}

// A write()'s bytes in skbs: TSO-sized for the NIC, af_unix-sized for a local receiver.
Segmented Kernel::segment_write(std::uint64_t bytes) const {
  return m_.receiver_local ? unix_segment_copy(bytes, m_.sndbuf_bytes) : nic_.segment_copy(bytes);
}

// A writer asleep on a full send buffer is woken once the socket is writable again:
// af_unix (unix_writable) when at most a quarter of sk_sndbuf is still in flight; TCP
// (sk_stream_write_space) when the free space is at least half of what is queued.
std::uint64_t Kernel::sndbuf_wake_level() const {
  return m_.receiver_local ? m_.sndbuf_bytes / 4 : m_.sndbuf_bytes * 2 / 3;
}

std::uint64_t Kernel::write_socket(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src) {
  Syscall sc(*this, t, "write");
  if (src.mapping) {
    // copy_from_user touches the mapping: faults taken here are kernel-mode faults.
    Mapping& m = *src.mapping;
    std::uint64_t end = std::min(m.cursor + bytes, m.file_offset + m.pages * kPageSize);
    for (std::uint64_t b = m.cursor; b < end; b = (b / kPageSize + 1) * kPageSize) {
      std::uint64_t vp = m.start + (b - m.file_offset) / kPageSize;
      if (!t.proc->mm.pte(vp)) fault(t, m, vp, false);
    }
    m.cursor += bytes;
  }
  queue_skbs(t, s, segment_write(bytes), src.mapping ? Place::mapping : Place::user_buffer);
  return bytes;
}

namespace {
// The page pieces of the file range [pos, pos + n).
std::vector<SkbFrag> pieces_of(FileId file, std::uint64_t pos, std::uint64_t n) {
  std::vector<SkbFrag> out;
  while (n > 0) {
    std::uint32_t off = std::uint32_t(pos % kPageSize);
    std::uint32_t len = std::uint32_t(std::min<std::uint64_t>(n, kPageSize - off));
    out.push_back({PageKey{file, pos / kPageSize}, off, len});
    pos += len;
    n -= len;
  }
  return out;
}
}  // namespace

std::uint64_t Kernel::sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes) {
  Syscall sc(*this, t, "sendfile");
  std::uint64_t size = files_[in.file].size;
  std::uint64_t total = in.pos >= size ? 0 : std::min(bytes, size - in.pos);
  std::uint64_t left = total;
  std::vector<SkbFrag> carry;  // the unfinished skb, continued with the next pages
  // splice_direct_to_actor moves at most an internal pipe's worth of pages at a time.
  const std::uint64_t window = std::uint64_t(m_.pipe.slots) * kPageSize;
  while (left > 0) {
    std::uint64_t n = std::min(left, window - in.pos % kPageSize);
    fill_pages(t, in, first_page(in.pos), pages_spanned(in.pos, n));
    // Each page moves twice by reference: into the internal pipe, then into an skb.
    cpu(t, TimeCat::syscall, 2.0 * double(pages_spanned(in.pos, n)) * m_.cpu.page_ref_ns);
    TraceEvent e;
    e.t_ns = std::int64_t(engine_.now_ns());
    e.kind = EventKind::page_ref_move;
    e.from = Place::page_cache;
    e.to = Place::socket_buffer;
    e.bytes = n;
    e.file = in.file;
    e.page = std::int64_t(first_page(in.pos));
    e.pages = pages_spanned(in.pos, n);
    trace(t, e);
    auto pieces = pieces_of(in.file, in.pos, n);
    for (const auto& f : carry) cache_.put(f.page);
    pieces.insert(pieces.begin(), carry.begin(), carry.end());
    in.pos += n;
    left -= n;
    Segmented seg = nic_.segment_pages(pieces, left > 0);
    carry = std::move(seg.tail);
    for (const auto& f : carry) cache_.get(f.page);  // keep them while we fetch the next pages
    queue_skbs(t, out, std::move(seg), Place::page_cache);
  }
  return total;
}

std::uint64_t Kernel::splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes) {
  Syscall sc(*this, t, "splice");
  block(t, TimeCat::pipe, *out.changed, [&] { return !out.pipe.full(); }, "pipe full");
  std::uint64_t size = files_[in.file].size;
  std::uint64_t n = in.pos >= size ? 0 : std::min(bytes, size - in.pos);
  // filemap_splice_read fills at most the free slots, one page each.
  n = std::min(n, std::uint64_t(out.pipe.free_slots()) * kPageSize - in.pos % kPageSize);
  if (n == 0) return 0;
  fill_pages(t, in, first_page(in.pos), pages_spanned(in.pos, n));
  for (const SkbFrag& f : pieces_of(in.file, in.pos, n)) {
    cpu(t, TimeCat::syscall, m_.cpu.page_ref_ns);
    cache_.get(f.page);
    out.pipe.push(PipeBuffer{f.page, true, f.offset, f.len});
  }
  TraceEvent e;
  e.t_ns = std::int64_t(engine_.now_ns());
  e.kind = EventKind::page_ref_move;
  e.from = Place::page_cache;
  e.to = Place::pipe;
  e.bytes = n;
  e.file = in.file;
  e.page = std::int64_t(first_page(in.pos));
  e.pages = pages_spanned(in.pos, n);
  trace(t, e);
  in.pos += n;
  out.changed->notify_all();
  return n;
}

std::uint64_t Kernel::splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes) {
  Syscall sc(*this, t, "splice");
  block(t, TimeCat::pipe, *in.changed, [&] { return !in.pipe.empty(); }, "pipe empty");
  std::vector<PipeBuffer> released;
  auto bufs = in.pipe.pop(bytes, &released);
  std::vector<SkbFrag> pieces;
  std::uint64_t n = 0;
  for (const auto& b : bufs) {
    cpu(t, TimeCat::syscall, m_.cpu.page_ref_ns);
    pieces.push_back({b.page, b.offset, b.len});
    n += b.len;
  }
  TraceEvent e;
  e.t_ns = std::int64_t(engine_.now_ns());
  e.kind = EventKind::page_ref_move;
  e.from = Place::pipe;
  e.to = Place::socket_buffer;
  e.bytes = n;
  e.pages = pieces.size();
  trace(t, e);
  queue_skbs(t, out, nic_.segment_pages(pieces), Place::page_cache);
  for (const auto& b : released) cache_.put(b.page);  // the pipe's references go
  in.changed->notify_all();
  return n;
}

}  // namespace kiosim
