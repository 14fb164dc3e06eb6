#include "sim/kernel/socket_io.h"

#include <algorithm>
#include <optional>

#include "sim/trace/schema.h"

namespace kiosim {

namespace {

// Pages of a user buffer are not page-cache pages: they live under their own "file".
constexpr FileId kUserPages = 0xfffffff0u;

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

Socket& SocketIo::socket(Thread& t) {
  Syscall sc(acct_, t, "socket");
  return net_.new_socket();
}

bool SocketIo::pipes_empty() const {
  for (const auto& p : pipes_)
    if (!p->pipe.empty()) return false;
  return true;
}

PipeObj& SocketIo::pipe(Thread& t) {
  Syscall sc(acct_, t, "pipe");
  pipes_.push_back(std::make_unique<PipeObj>());
  pipes_.back()->pipe = Pipe(acct_.machine().pipe);
  pipes_.back()->changed = std::make_unique<WaitQueue>(acct_.engine());
  return *pipes_.back();
}

void SocketIo::trace_ref_move(Thread& t, Place from, Place to, std::uint64_t bytes, FileId file, std::int64_t page,
                              std::uint64_t pages, std::string name) {
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::page_ref_move;
  e.from = from;
  e.to = to;
  e.bytes = bytes;
  e.file = file;
  e.page = page;
  e.pages = pages;
  e.name = std::move(name);
  acct_.trace(t, e);
}

std::uint64_t SocketIo::room_now(Socket& s, std::uint64_t bytes) const {
  // The skbs a blocking call would build: a shorter write builds the same first ones
  // (segment_write cuts greedily), so the count is a whole number of them.
  const PageFrag at = s.frag;
  const Segmented all = net_.segment_write(s, bytes);
  s.frag = at;
  std::uint64_t queued = s.queued, n = 0;
  for (const Skb& skb : all.skbs) {
    if (queued >= acct_.machine().sndbuf_bytes) break;  // the check queue_skbs sleeps on
    queued += skb.payload();
    n += skb.payload();
  }
  return n;
}

// tcp_sendmsg_locked: sk_stream_wait_memory with a timeout of 0 returns -EAGAIN, nothing
// copied; counted and traced as a failed call.
SendResult SocketIo::eagain(Thread& t) {
  acct_.count(t, &Counters::send_eagain, 1);
  if (acct_.tracing()) {
    TraceEvent e;
    e.t_ns = std::int64_t(acct_.now());
    e.kind = EventKind::syscall_error;
    e.name = std::string(schema::note::send_eagain);
    acct_.trace(t, std::move(e));
  }
  return {0, true};
}

SendResult SocketIo::write(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src, SendWait wait) {
  Syscall sc(acct_, t, "write");
  if (wait == SendWait::dontwait && bytes > 0) {
    bytes = room_now(s, bytes);
    if (bytes == 0) return eagain(t);
  }
  if (src.mapping) {
    // copy_from_user touches the mapping: faults taken here are kernel-mode faults.
    Mapping& m = *src.mapping;
    std::uint64_t end = std::min(m.cursor + bytes, m.file_offset + m.pages * kPageSize);
    for (std::uint64_t b = m.cursor; b < end; b = (b / kPageSize + 1) * kPageSize) {
      std::uint64_t vp = m.start + (b - m.file_offset) / kPageSize;
      if (!t.proc->mm.pte(vp)) mm_.fault(t, m, vp, false);
    }
    m.cursor += bytes;
  }
  net_.queue_skbs(t, s, net_.segment_write(s, bytes), src.mapping ? Place::mapping : Place::user_buffer);
  return {bytes, false};
}

void SocketIo::poll_writable(Thread& t, Socket& s) {
  Syscall sc(acct_, t, "poll");
  acct_.block(t, TimeCat::wire, *s.space, [&] { return s.queued <= net_.sndbuf_wake_level(); }, "poll (socket buffer full)");
}

std::uint64_t SocketIo::sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes) {
  Syscall sc(acct_, t, "sendfile");
  PageCache& cache = filemap_.cache();
  std::uint64_t size = filemap_.file_size(in.file);
  std::uint64_t total = in.pos >= size ? 0 : std::min(bytes, size - in.pos);
  std::uint64_t left = total;
  std::vector<SkbFrag> carry;  // the unfinished skb, continued with the next pages
  // splice_direct_to_actor moves at most an internal pipe's worth of pages at a time.
  const std::uint64_t window = std::uint64_t(acct_.machine().pipe.slots) * kPageSize;
  while (left > 0) {
    std::uint64_t n = std::min(left, window - in.pos % kPageSize);
    const std::uint64_t first = first_page(in.pos), pages = pages_spanned(in.pos, n);
    filemap_.fill_pages(t, in, first, pages);
    filemap_.mark_read(t, in, in.pos, n);  // filemap_splice_read marks as filemap_read does
    // Each page moves twice by reference: into the internal pipe, then into an skb.
    acct_.cpu(t, TimeCat::syscall, 2.0 * double(pages) * acct_.machine().cpu.page_ref_ns);
    trace_ref_move(t, Place::page_cache, Place::socket_buffer, n, in.file, std::int64_t(first), pages);
    auto pieces = pieces_of(in.file, in.pos, n);
    for (const auto& f : carry) cache.put(f.page);
    pieces.insert(pieces.begin(), carry.begin(), carry.end());
    in.pos += n;
    left -= n;
    Segmented seg = net_.segment_pages(pieces, left > 0);
    carry = std::move(seg.tail);
    for (const auto& f : carry) cache.get(f.page);  // keep them while we fetch the next pages
    net_.queue_skbs(t, out, std::move(seg), Place::page_cache);
  }
  return total;
}

std::uint64_t SocketIo::splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes) {
  Syscall sc(acct_, t, "splice");
  if (bytes == 0) return 0;  // SYSCALL_DEFINE6(splice): a length of 0 returns 0 at once
  acct_.block(t, TimeCat::pipe, *out.changed, [&] { return !out.pipe.full(); }, "pipe full");
  std::uint64_t size = filemap_.file_size(in.file);
  std::uint64_t n = in.pos >= size ? 0 : std::min(bytes, size - in.pos);
  // filemap_splice_read fills at most the free slots, one page each.
  n = std::min(n, std::uint64_t(out.pipe.free_slots()) * kPageSize - in.pos % kPageSize);
  if (n == 0) return 0;
  const std::uint64_t first = first_page(in.pos), pages = pages_spanned(in.pos, n);
  filemap_.fill_pages(t, in, first, pages);
  filemap_.mark_read(t, in, in.pos, n);
  for (const SkbFrag& f : pieces_of(in.file, in.pos, n)) {
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.page_ref_ns);
    filemap_.cache().get(f.page);
    out.pipe.push(PipeBuffer{f.page, true, f.offset, f.len});
  }
  trace_ref_move(t, Place::page_cache, Place::pipe, n, in.file, std::int64_t(first), pages);
  in.pos += n;
  out.changed->notify_all();
  return n;
}

std::uint64_t SocketIo::splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes) {
  Syscall sc(acct_, t, "splice");
  if (bytes == 0) return 0;  // SYSCALL_DEFINE6(splice): no wait for data nobody asked for
  acct_.block(t, TimeCat::pipe, *in.changed, [&] { return !in.pipe.empty(); }, "pipe empty");
  std::vector<PipeBuffer> released;
  auto bufs = in.pipe.pop(bytes, &released);
  std::vector<SkbFrag> pieces;
  std::uint64_t n = 0;
  for (const auto& b : bufs) {
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.page_ref_ns);
    pieces.push_back({b.page, b.offset, b.len});
    n += b.len;
  }
  trace_ref_move(t, Place::pipe, Place::socket_buffer, n, 0, -1, pieces.size());
  net_.queue_skbs(t, out, net_.segment_pages(pieces), Place::page_cache);
  for (const auto& b : released) filemap_.cache().put(b.page);  // the pipe's references go
  in.changed->notify_all();
  return n;
}

// ---- send() and MSG_ZEROCOPY -------------------------------------------------------
// Zero-copy pins the user pages and lets the NIC read them; the kernel later queues a
// completion notification that the program must read from the socket's error queue
// before it may reuse the buffer (Documentation/networking/msg_zerocopy.rst). The
// set-up and the notification cost more than copying a small buffer: the crossover is
// near 10 KB. Simplified: one notification per send (Linux may merge a range of
// them), no fallback to copying when the pages cannot be pinned.

SendResult SocketIo::send(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer, bool zerocopy,
                          SendWait wait) {
  if (zerocopy && s.notifications > 0) {
    // recvmsg(MSG_ERRQUEUE): read the completions that have arrived so far.
    Syscall sc(acct_, t, "recvmsg");
    acct_.cpu(t, TimeCat::syscall, double(s.notifications) * acct_.machine().cpu.zerocopy_notify_ns);
    s.notifications = 0;
  }
  Syscall sc(acct_, t, "send");
  // A TCP socket always has SG (sk_setup_caps), so MSG_ZEROCOPY pins the pages on
  // any NIC; one without scatter-gather copies them in software GSO at transmit.
  if (zerocopy) return {send_zerocopy(t, s, bytes, buffer), false};
  if (wait == SendWait::dontwait && bytes > 0) {
    bytes = room_now(s, bytes);
    if (bytes == 0) return eagain(t);
  }
  net_.queue_skbs(t, s, net_.segment_write(s, bytes), Place::user_buffer);
  return {bytes, false};
}

std::uint64_t SocketIo::send_zerocopy(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer,
                                      bool uring) {
  const auto& cpu = acct_.machine().cpu;
  const std::uint64_t pages = pages_spanned(0, bytes);
  acct_.cpu(t, TimeCat::syscall, cpu.zerocopy_send_ns + double(pages) * cpu.pin_page_ns);
  std::vector<SkbFrag> pieces;
  for (std::uint64_t b = 0; b < bytes; b += kPageSize)
    pieces.push_back({PageKey{kUserPages, b / kPageSize}, 0, std::uint32_t(std::min<std::uint64_t>(kPageSize, bytes - b))});
  Segmented seg = net_.segment_pages(pieces);
  const std::uint64_t id = net_.begin_zerocopy(seg.skbs.size(), buffer, t.proc, uring);
  acct_.count(t, &Counters::zerocopy_sends, 1);
  trace_ref_move(t, Place::user_buffer, Place::socket_buffer, bytes, 0, -1, pages,
                 std::string(schema::note::zerocopy_send));
  net_.queue_skbs(t, s, std::move(seg), Place::user_buffer, id);
  return bytes;
}

void SocketIo::reuse_buffer(Thread& t, const std::string& buffer) {
  if (!net_.pinned(buffer)) return;
  if (acct_.machine().link.zerocopy_reuse_waits) {
    acct_.count(t, &Counters::zerocopy_waits, 1);
    // A SEND_ZC's notification is a CQE: waiting for one is io_uring_enter(GETEVENTS).
    std::optional<Syscall> sc;
    if (net_.pinned_by_uring(buffer)) sc.emplace(acct_, t, "io_uring_enter");
    acct_.block(t, TimeCat::wire, net_.zerocopy_done(), [&] { return !net_.pinned(buffer); },
                schema::note::zerocopy_wait.data());
    return;
  }
  // The NIC has not read the buffer yet: what goes on the wire is the new data.
  acct_.count(t, &Counters::zerocopy_overwrites, 1);
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::page_ref_move;
  e.to = Place::wire;
  e.name = schema::note::zerocopy_overwrite;  // the wire carries the new bytes
  acct_.trace(t, e);
}

}  // namespace kiosim
