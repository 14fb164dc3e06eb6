#include "sim/kernel/io_uring.h"

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <utility>

#include "sim/trace/schema.h"

namespace kiosim {

namespace {

// Inside the kernel without a crossing of its own: the SQPOLL thread takes the SQEs, so
// the paths they run count no system call (Syscall nests inside it).
class KernelContext {
 public:
  KernelContext(Accounting& a, Thread& t) : t_(t) {
    a.set_current(&t);
    ++t_.in_kernel;
  }
  ~KernelContext() { --t_.in_kernel; }
  KernelContext(const KernelContext&) = delete;
  KernelContext& operator=(const KernelContext&) = delete;

 private:
  Thread& t_;
};

constexpr std::int64_t kEfault = -14, kEinval = -22;  // a cancelled SQE's CQE: -ECANCELED (-125)

}  // namespace

IoUring::Ring& IoUring::ring(Thread& t) {
  auto it = rings_.find(&t);
  if (it == rings_.end()) throw std::logic_error("kiosim: uring reached a thread without a ring (the loader checks)");
  return it->second;
}

void IoUring::error_event(Thread& t, std::string_view why) {
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::syscall_error;
  e.name = std::string(why);
  acct_.trace(t, e);
}

// io_uring_create: sq_entries rounded up to a power of two; with SQPOLL the thread
// starts now and spins (io_sq_offload_create, sq_thread_idle 0 meaning HZ: 1 s).
// io-wq's bound: io_init_wq_offload's min(sq_entries, 4 x CPUs), or what
// IORING_REGISTER_IOWQ_MAX_WORKERS set (io_wq_max_workers; a call of its own).
void IoUring::setup(Thread& t, std::uint32_t entries, bool sqpoll, double idle_ns, std::uint32_t iowq_max) {
  {
    Syscall sc(acct_, t, "io_uring_setup");
    close(t);
    Ring r;
    r.sq_entries = uring_sq_entries(entries);
    if (sqpoll) r.sq.emplace(acct_.now(), idle_ns > 0 ? idle_ns : 1e9);
    r.iowq = IoWqBound(iowq_default_bound(r.sq_entries, acct_.machine().cpu.cores));
    rings_[&t] = std::move(r);
  }
  if (iowq_max == 0) return;
  Syscall sc(acct_, t, "io_uring_register");
  ring(t).iowq.set_max(iowq_max);
}

bool IoUring::punted(const UringSqe& s) const {
  return s.opcode == UringSqe::Opcode::read && s.file && !filemap_.nowait(s.file->file);
}

// io_sqe_buffers_register -> io_sqe_buffer_register: each buffer's pages pinned
// (io_pin_pages, one lookup each) and charged to the user (io_account_mem); past
// RLIMIT_MEMLOCK the call fails with -ENOMEM and registers nothing.
bool IoUring::register_buffers(Thread& t, std::uint32_t buffers, std::uint64_t bytes) {
  Syscall sc(acct_, t, "io_uring_register");
  Ring& r = ring(t);
  auto acc = memlock_.try_emplace(t.proc, acct_.machine().memlock_bytes).first;
  acc->second.uncharge(r.pinned_pages);  // a new registration replaces the old one
  r.pinned_pages = 0;
  r.buffers = 0;
  const std::uint64_t pages = std::uint64_t(buffers) * ((bytes + kPageSize - 1) / kPageSize);
  if (!acc->second.charge(pages)) {
    error_event(t, schema::note::memlock_enomem);
    Accounting::count(t.proc, &Counters::memlock_refusals, 1);  // in setup: too
    return false;
  }
  acct_.cpu(t, TimeCat::syscall, double(pages) * acct_.machine().cpu.page_lookup_ns);
  r.buffers = buffers;
  r.buffer_bytes = bytes;
  r.pinned_pages = pages;
  Accounting::count(t.proc, &Counters::uring_pinned_pages, pages);
  return true;
}

void IoUring::close(Thread& t) {
  auto it = rings_.find(&t);
  if (it == rings_.end()) return;
  if (it->second.sq) {
    it->second.sq->close_at(acct_.now());
    const auto spin = std::uint64_t(it->second.sq->spin_ns());
    acct_.count(t, &Counters::sqpoll_cpu_ns, spin);
    acct_.count(t, &Counters::cpu_time_ns, spin);  // its own core's time, not the thread's
  }
  auto acc = memlock_.find(t.proc);
  if (acc != memlock_.end()) acc->second.uncharge(it->second.pinned_pages);
  rings_.erase(it);
}

std::int64_t IoUring::fixed_error(Thread& t, const UringSqe& s, const Ring& r) {
  if (s.fixed < 0 || std::uint32_t(s.fixed) < r.buffers) return 0;
  error_event(t, schema::note::fixed_efault);  // registration refused at run time (ENOMEM)
  return kEfault;
}

// io_read issued without waiting: O_DIRECT submits its disk request into the user
// buffer (a registered one is already pinned; another is pinned now, a lookup a page:
// bio_iov_iter_get_pages), into the submission's plug if it has one; a buffered read
// asks the page cache for its missing pages (readahead's plug, read_pages, nests into
// the submission's: the thread's current->plug).
IoUring::Started IoUring::start_read(Thread& t, const UringSqe& s, const Ring& r, BlockDevice::Plug* plug) {
  Started st;
  OpenFile& f = *s.file;
  st.pos = s.offset.value_or(f.pos);
  const std::uint64_t size = filemap_.file_size(f.file);
  st.n = st.pos >= size ? 0 : std::min(s.bytes, size - st.pos);
  if (!s.offset) f.pos = st.pos + st.n;
  if (st.n == 0 || fixed_error(t, s, r)) return st;
  if (f.direct) {
    if (file_io_.refuse_misaligned(t, st.pos, s.bytes)) {
      st.einval = true;
      return st;
    }
    if (s.fixed < 0) acct_.cpu(t, TimeCat::syscall, double(pages_spanned(st.pos, st.n)) * acct_.machine().cpu.page_lookup_ns);
    writeback_.write_back_range(t, f.file, first_page(st.pos), pages_spanned(st.pos, st.n), true);
    acct_.flush_cpu(t);
    st.direct = disk_.request(f.file, {first_page(st.pos), pages_spanned(st.pos, st.n)}, false, t.req, t.proc);
    st.direct->direct = true;
    st.direct->bytes = st.n;
    st.direct->core = t.core;
    if (plug) plug->submit(st.direct);
    else disk_.submit(st.direct);
  } else {
    filemap_.request_pages(t, f, first_page(st.pos), pages_spanned(st.pos, st.n), false);
    st.buffered = true;
  }
  return st;
}

std::int64_t IoUring::finish_read(Thread& t, const UringSqe& s, Started& st) {
  if (st.einval) return kEinval;
  if (st.n && !st.direct && !st.buffered) return kEfault;
  if (st.direct) disk_.wait(t, st.direct, "io_uring O_DIRECT read");
  if (st.buffered) {
    OpenFile& f = *s.file;
    filemap_.wait_for_pages(t, f.file, first_page(st.pos), pages_spanned(st.pos, st.n));
    filemap_.mark_read(t, f, st.pos, st.n);
    acct_.cpu_copy(t, st.n, Place::page_cache, Place::user_buffer);
  }
  acct_.count(t, &Counters::read_bytes, st.n);
  return std::int64_t(st.n);
}

// io_issue_sqe for the opcodes that are not a chain head's read: each through its
// system call's path, nested in this crossing (no crossing of its own).
std::int64_t IoUring::run(Thread& t, const UringSqe& s, const Ring& r) {
  using O = UringSqe::Opcode;
  switch (s.opcode) {
    case O::read: {
      Started st = start_read(t, s, r);
      return finish_read(t, s, st);
    }
    case O::write:
      if (s.socket) return std::int64_t(socket_io_.write(t, *s.socket, s.bytes, WriteSource{}).copied);
      if (std::int64_t e = fixed_error(t, s, r)) return e;
      return std::int64_t(file_io_.write(t, *s.file, s.bytes, s.offset, WriteSource{}));
    case O::send:
      // IORING_OP_SEND_ZC (io_send_zc): its first CQE, with IORING_CQE_F_MORE, is the
      // result, posted now; the notification follows when the NIC is done (net_tx).
      if (s.zerocopy) return std::int64_t(socket_io_.send_zc(t, *s.socket, s.bytes, s.buffer));
      return std::int64_t(socket_io_.send(t, *s.socket, s.bytes, s.buffer, false).copied);
    case O::recv: return std::int64_t(sock_rx_.recv_sqe(t, *s.conns, s.bytes));
    case O::splice:
      if (s.file) return std::int64_t(socket_io_.splice_file_to_pipe(t, *s.file, *s.pipe, s.bytes));
      return std::int64_t(socket_io_.splice_pipe_to_socket(t, *s.pipe, *s.socket, s.bytes));
    case O::fsync:
    case O::fdatasync:
      file_io_.fsync(t, *s.file, s.opcode == O::fdatasync);
      return 0;
  }
  return 0;
}

// __do_sys_io_uring_enter -> io_submit_sqes, then io_cqring_wait for all of them
// (io_uring_submit_and_wait). The heads of the chains that read start first, so their
// disk reads are in flight together; then each chain runs in order, each SQE after the
// one it is linked to has completed. A CQE whose result falls short of what was asked
// (an error, a short read or write) fails its link: the rest of the chain is
// cancelled (io_fail_links, -ECANCELED), as Linux does for linked requests.
std::uint64_t IoUring::enter(Thread& t, const std::vector<UringSqe>& sqes) {
  Ring& r = ring(t);
  const Machine& m = acct_.machine();
  std::optional<Syscall> sc;
  std::optional<KernelContext> kc;
  bool woke = false;
  if (r.sq) woke = r.sq->submit_at(acct_.now());
  if (!r.sq || woke) sc.emplace(acct_, t, "io_uring_enter");  // SQPOLL asleep: IORING_ENTER_SQ_WAKEUP
  else kc.emplace(acct_, t);
  if (woke) acct_.count(t, &Counters::sqpoll_wakeups, 1);
  acct_.count(t, &Counters::uring_sqes, sqes.size());
  // Each SQE taken and its CQE posted; the SQPOLL thread's work is on its own core.
  if (!r.sq) acct_.cpu(t, TimeCat::syscall, double(sqes.size()) * m.cpu.uring_op_ns);

  std::vector<bool> links;
  for (const auto& s : sqes) links.push_back(s.link);
  const auto chains = uring_chains(links);
  std::vector<std::optional<Started>> started(sqes.size());

  // io-wq: an SQE that cannot be tried inline is queued for a worker (io_wq_enqueue);
  // a worker takes it at once while fewer than the bound are busy, else it waits in
  // the work list for the first worker done. The submitter, in io_cqring_wait, waits
  // for the oldest running one (the workers' requests are served in order).
  // Simplified: the workers' CPU work is counted on the submitter's thread.
  std::vector<bool> on_wq(sqes.size(), false);
  std::vector<std::optional<std::int64_t>> wq_res(sqes.size());
  std::deque<std::size_t> running;  // on a worker, oldest first
  const std::uint32_t workers_before = r.iowq.workers();
  auto start_on_worker = [&](std::size_t i) {
    HeldPlug* submitters = std::exchange(t.plug, nullptr);  // a worker's task has no plug of the submitter's
    started[i] = start_read(t, sqes[i], r);
    t.plug = submitters;
    running.push_back(i);
  };
  auto punt = [&](std::size_t i) {
    on_wq[i] = true;
    acct_.count(t, &Counters::uring_iowq_punts, 1);
    if (r.iowq.enqueue(i)) start_on_worker(i);
  };
  auto wait_worker = [&](std::size_t i) {
    while (!wq_res[i]) {
      if (running.empty()) throw std::logic_error("kiosim: an io-wq item neither running nor queued");
      const std::size_t j = running.front();
      running.pop_front();
      wq_res[j] = finish_read(t, sqes[j], *started[j]);
      if (auto next = r.iowq.done()) start_on_worker(*next);  // io_worker_handle_work: the list's next
    }
    return *wq_res[i];
  };

  // The submission's plug (io_submit_state_start: need_plug when it has more than 2
  // SQEs; io_init_req starts it, blk_start_plug_nr_ios, at the first SQE whose opcode
  // has .plug in io_uring/opdef.c: read and write, not send, recv, splice or fsync).
  // The chain heads that read are issued inline under it, so contiguous O_DIRECT bios
  // and readahead windows merge into its last request (blk_attempt_plug_merge)
  // whatever the elevator;
  // io_submit_state_end finishes it (blk_finish_plug) before the submitter waits.
  // A read on io-wq is a worker's, outside it; what kiosim runs after it (linked SQEs,
  // writes, the rest) submits unplugged.
  std::optional<BlockDevice::Plug> plug;
  for (const auto& [first, last] : chains) {
    if (sqes[first].opcode != UringSqe::Opcode::read) continue;
    if (punted(sqes[first])) {
      punt(first);
      continue;
    }
    if (sqes.size() > 2 && !plug) plug.emplace(disk_, false, &t);
    started[first] = start_read(t, sqes[first], r, plug ? &*plug : nullptr);
  }
  plug.reset();  // io_submit_state_end -> blk_finish_plug

  std::uint64_t moved = 0;
  for (const auto& [first, last] : chains) {
    bool failed = false;
    for (std::size_t i = first; i <= last; ++i) {
      const UringSqe& s = sqes[i];
      if (failed) {
        acct_.count(t, &Counters::uring_canceled, 1);
        acct_.count(t, &Counters::uring_cqes, 1);
        continue;
      }
      if (punted(s) && !on_wq[i]) punt(i);  // a linked read, issued once its link completed
      const std::int64_t res = on_wq[i] ? wait_worker(i) : started[i] ? finish_read(t, s, *started[i]) : run(t, s, r);
      acct_.count(t, &Counters::uring_cqes, 1);
      if (res < 0) acct_.count(t, &Counters::uring_failed, 1);
      else moved += std::uint64_t(res);
      // A short read or write fails its link (io_rw's req_set_fail when res differs from
      // the length asked); a short recv does not (io_recv fails below min_ret, 0 without
      // MSG_WAITALL); fsync moves nothing.
      const bool moves = s.opcode != UringSqe::Opcode::fsync && s.opcode != UringSqe::Opcode::fdatasync &&
                         s.opcode != UringSqe::Opcode::recv;
      if (s.link && (res < 0 || (moves && std::uint64_t(res) != s.bytes))) failed = true;
    }
  }
  acct_.count(t, &Counters::uring_iowq_workers, r.iowq.workers() - workers_before);
  if (kc) acct_.flush_cpu(t);
  return moved;
}

}  // namespace kiosim
