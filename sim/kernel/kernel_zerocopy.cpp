// send() with and without MSG_ZEROCOPY (net/core/skbuff.c msg_zerocopy_realloc,
// net/ipv4/tcp.c tcp_sendmsg_locked with SO_ZEROCOPY; Documentation/networking/
// msg_zerocopy.rst). Zero-copy pins the user pages and lets the NIC read them; the
// kernel later queues a completion notification that the program must read from the
// socket's error queue before it may reuse the buffer. The set-up and the
// notification cost more than copying a small buffer: the crossover is near 10 KB.
// Simplified: one notification per send (Linux may merge a range of them), no
// fallback to copying when the pages cannot be pinned.
#include "sim/kernel/kernel.h"
#include "sim/kernel/kernel_internal.h"

namespace kiosim {

namespace {
// Pages of a user buffer are not page-cache pages: they live under their own "file".
constexpr FileId kUserPages = 0xfffffff0u;
}  // namespace

std::uint64_t Kernel::send(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer, bool zerocopy) {
  if (zerocopy && s.notifications > 0) {
    // recvmsg(MSG_ERRQUEUE): read the completions that have arrived so far.
    Syscall sc(*this, t, "recvmsg");
    cpu(t, TimeCat::syscall, double(s.notifications) * m_.cpu.zerocopy_notify_ns);
    s.notifications = 0;
  }
  Syscall sc(*this, t, "send");
  if (!zerocopy || !m_.nic.scatter_gather) {
    // Without scatter-gather the kernel copies after all (skb_zerocopy_iter_stream falls back).
    queue_skbs(t, s, segment_write(bytes), Place::user_buffer);
    return bytes;
  }
  const std::uint64_t pages = pages_spanned(0, bytes);
  cpu(t, TimeCat::syscall, m_.cpu.zerocopy_send_ns + double(pages) * m_.cpu.pin_page_ns);
  std::vector<SkbFrag> pieces;
  for (std::uint64_t b = 0; b < bytes; b += kPageSize)
    pieces.push_back({PageKey{kUserPages, b / kPageSize}, 0, std::uint32_t(std::min<std::uint64_t>(kPageSize, bytes - b))});
  Segmented seg = nic_.segment_pages(pieces);
  const std::uint64_t id = next_zerocopy_++;
  zerocopy_[id] = ZeroCopySend{seg.skbs.size(), buffer, t.proc};
  ++pinned_buffers_[buffer];
  count(t, &Counters::zerocopy_sends, 1);
  TraceEvent e;
  e.t_ns = std::int64_t(engine_.now_ns());
  e.kind = EventKind::page_ref_move;
  e.from = Place::user_buffer;
  e.to = Place::socket_buffer;
  e.bytes = bytes;
  e.pages = pages;
  e.name = "MSG_ZEROCOPY: user pages pinned";
  trace(t, e);
  queue_skbs(t, s, std::move(seg), Place::user_buffer, id);
  return bytes;
}

void Kernel::zerocopy_skb_done(const TxSkb& s) {
  auto it = zerocopy_.find(s.zerocopy);
  if (it == zerocopy_.end() || --it->second.skbs_left > 0) return;
  // The last skb of the send is done: the pages are unpinned and a notification queued.
  count(it->second.proc, &Counters::zerocopy_completions, 1);
  if (--pinned_buffers_[it->second.buffer] <= 0) pinned_buffers_.erase(it->second.buffer);
  ++s.sock->notifications;
  zerocopy_.erase(it);
  zerocopy_done_->notify_all();
}

void Kernel::reuse_buffer(Thread& t, const std::string& buffer) {
  if (!pinned_buffers_.count(buffer)) return;
  if (m_.link.zerocopy_reuse_waits) {
    count(t, &Counters::zerocopy_waits, 1);
    block(t, TimeCat::wire, *zerocopy_done_, [&] { return !pinned_buffers_.count(buffer); },
          "buffer pinned by MSG_ZEROCOPY");
    return;
  }
  // The NIC has not read the buffer yet: what goes on the wire is the new data.
  count(t, &Counters::zerocopy_overwrites, 1);
  TraceEvent e;
  e.t_ns = std::int64_t(engine_.now_ns());
  e.kind = EventKind::page_ref_move;
  e.to = Place::wire;
  e.name = "buffer overwritten while MSG_ZEROCOPY still sends it: the wire carries the new bytes";
  trace(t, e);
}

}  // namespace kiosim
