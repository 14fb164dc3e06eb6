#include "sim/kernel/kernel.h"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/kernel/kernel_internal.h"

namespace kiosim {

Kernel::Kernel(const Machine& m, const std::vector<FileSpec>& files, Engine& engine, Trace& trace)
    : m_(m), files_(files), engine_(engine), trace_(trace), cache_(m.page_cache, this), nic_(m.nic) {
  disk_wake_ = std::make_unique<WaitQueue>(engine_);
  nic_wake_ = std::make_unique<WaitQueue>(engine_);
  irq_wake_ = std::make_unique<WaitQueue>(engine_);
  idle_ = std::make_unique<WaitQueue>(engine_);
  cache_room_ = std::make_unique<WaitQueue>(engine_);
  ring_space_ = std::make_unique<WaitQueue>(engine_);
  zerocopy_done_ = std::make_unique<WaitQueue>(engine_);
  nic_dma_ = DmaEngine(DmaEngineParams{m_.link.tx_ring});
  flusher_wake_ = std::make_unique<WaitQueue>(engine_);
  timer_wake_ = std::make_unique<WaitQueue>(engine_);
  file_dirtier_.assign(files_.size(), nullptr);
  journal_ = Journal(m.journal);
  commit_wake_ = std::make_unique<WaitQueue>(engine_);
  commit_done_ = std::make_unique<WaitQueue>(engine_);
  journal_timer_wake_ = std::make_unique<WaitQueue>(engine_);
  tlbs_.assign(std::max<std::uint32_t>(1, m_.cpu.cores), Tlb(m_.tlb));
  // Files marked cached start with every page in the cache (in file order, all inactive).
  for (FileId f = 0; f < files_.size(); ++f) {
    if (!files_[f].cached) continue;
    std::uint64_t n = pages_spanned(0, files_[f].size);
    for (std::uint64_t i = 0; i < n; ++i) cache_.insert({f, i});
  }
}

Kernel::~Kernel() = default;

void Kernel::start_devices() {
  disk_lane_ = trace_.add_lane("disk", LaneKind::device);
  nic_lane_ = trace_.add_lane("nic", LaneKind::device);
  irq_lane_ = trace_.add_lane("irq", LaneKind::kernel);
  engine_.spawn("disk", [this] { disk_actor(); }, true);
  engine_.spawn("nic", [this] { nic_actor(); }, true);
  engine_.spawn("irq", [this] { irq_actor(); }, true);
  engine_.spawn("flusher", [this] { flusher_actor(); }, true);  // kernel_writeback.cpp
  engine_.spawn("writeback-timer", [this] { writeback_timer_actor(); }, true);
  engine_.spawn("jbd2", [this] { journal_actor(); }, true);  // kernel_journal.cpp
  engine_.spawn("jbd2-timer", [this] { journal_timer_actor(); }, true);
}

Process& Kernel::new_process(const std::string& name) {
  procs_.push_back(std::make_unique<Process>());
  procs_.back()->name = name;
  procs_.back()->mm.asid = next_asid_++;
  return *procs_.back();
}

Thread& Kernel::new_thread(Process& p, const std::string& name) {
  threads_.push_back(std::make_unique<Thread>());
  Thread& t = *threads_.back();
  t.name = name;
  t.proc = &p;
  t.lane = trace_.add_lane(name, LaneKind::user);
  return t;
}

void Kernel::thread_started(Thread& t) {
  ++running_;
  t.start_ns = engine_.now_ns();
}

void Kernel::thread_finished(Thread& t) {
  flush_cpu(t);
  t.end_ns = engine_.now_ns();
  t.finished = true;
  --running_;
  idle_->notify_all();
}

// splitmix64: a deterministic stream from the scenario's seed (losses on the wire).
double Kernel::next_random() {
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

void Kernel::wait_until_done() {
  while (running_ > 0 || !tx_queue_.empty() || !resend_.empty() || nic_busy_ || !completions_.empty()) idle_->wait();
  end_ns_ = std::max(engine_.now_ns(), last_delivery_ns_);
}

// ---- accounting ---------------------------------------------------------------

void Kernel::count(Process* p, std::uint64_t Counters::*field, std::uint64_t n) {
  if (p) p->counters.*field += n;
}

void Kernel::count(Thread& t, std::uint64_t Counters::*field, std::uint64_t n) {
  if (!t.setup) count(t.proc, field, n);
}

TraceEvent Kernel::device_event(std::uint32_t lane, EventKind kind, double t0, double dur) const {
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(dur < 0 ? engine_.now_ns() - t0 : dur);
  e.lane = lane;
  e.kind = kind;
  return e;
}

void Kernel::trace(Thread& t, TraceEvent e) {
  if (t.setup || !trace_.enabled()) return;
  e.lane = t.lane;
  if (!e.req) e.req = t.req;
  trace_.add(std::move(e));
}

void Kernel::cpu(Thread& t, TimeCat c, double ns) {
  if (!t.setup) t.pending[std::size_t(c)] += ns;
}

// Runs the CPU work gathered since the last activity as one execution, and splits
// the time it took between its categories in proportion.
void Kernel::flush_cpu(Thread& t) {
  double total = 0;
  for (double p : t.pending) total += p;
  if (total <= 0) return;
  double t0 = engine_.now_ns();
  engine_.compute(total);
  double scale = (engine_.now_ns() - t0) / total;
  for (std::size_t i = 0; i < t.pending.size(); ++i) {
    t.time[i] += t.pending[i] * scale;
    t.pending[i] = 0;
  }
}

void Kernel::cpu_copy(Thread& t, std::uint64_t bytes, Place from, Place to, std::uint32_t copies) {
  if (t.setup || bytes == 0) return;
  count(t, &Counters::cpu_copies, copies);
  count(t, &Counters::cpu_copy_bytes, bytes);
  count(t, &Counters::memory_bus_bytes, 2 * bytes);
  double extra = 0;
  for (double p : t.pending) extra += p;
  // Into a socket buffer: new skb memory (net.send_bandwidth).
  double rate = to == Place::socket_buffer ? m_.send_rate() : m_.cpu.copy_bytes_per_s;
  double copy_ns = double(bytes) / rate * 1e9;
  double t0 = engine_.now_ns();
  engine_.copy(extra, bytes, rate);
  double scale = (engine_.now_ns() - t0) / (extra + copy_ns);
  for (std::size_t i = 0; i < t.pending.size(); ++i) {
    t.time[i] += t.pending[i] * scale;
    t.pending[i] = 0;
  }
  t.time[std::size_t(TimeCat::copy)] += copy_ns * scale;
  TraceEvent e;
  e.t_ns = std::int64_t(t0 + extra * scale);
  e.dur_ns = std::int64_t(copy_ns * scale);
  e.kind = EventKind::cpu_copy;
  e.from = from;
  e.to = to;
  e.bytes = bytes;
  e.pages = pages_spanned(0, bytes);
  trace(t, e);
}

void Kernel::block(Thread& t, TimeCat c, WaitQueue& q, const std::function<bool()>& ready, const char* why) {
  if (ready()) return;
  flush_cpu(t);
  double t0 = engine_.now_ns();
  count(t, &Counters::context_switches_voluntary, 1);
  t.waiting_for = why;
  // try_to_wake_up() sends the sleeper's idle core an IPI; it runs once that core has
  // left its idle state (in a VM, the hypervisor's halt exit too): idle time, not CPU.
  // Others may take what it waited for meanwhile (ring slots, buffer space): it checks
  // again when it runs, as a woken task does, and sleeps again if it must.
  do {
    while (!ready()) q.wait();
    engine_.sleep_ns(m_.cpu.wakeup_ns);
  } while (!ready());
  t.waiting_for.clear();
  double waited = engine_.now_ns() - t0;
  t.time[std::size_t(c)] += waited;
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(waited);
  e.kind = EventKind::block;
  e.name = why;
  trace(t, e);
  cpu(t, TimeCat::sched, m_.cpu.context_switch_ns);
}

// ---- syscall scope --------------------------------------------------------------

Kernel::Syscall::Syscall(Kernel& k, Thread& t, const char* name) : k_(k), t_(t), name_(name) {
  k_.current_ = &t_;
  if (t_.setup) return;
  t_.req = k_.next_req_++;
  k_.count(t_, &Counters::syscalls, 1);
  t_.proc->counters.syscalls_by_name[name_] += 1;
  k_.count(t_, &Counters::mode_switches, 2);
  TraceEvent e;
  e.t_ns = std::int64_t(k_.engine_.now_ns());
  e.kind = EventKind::syscall_enter;
  e.name = name_;
  k_.trace(t_, e);
  k_.cpu(t_, TimeCat::syscall, k_.m_.cpu.syscall_ns / 2);
}

Kernel::Syscall::~Syscall() {
  if (!t_.setup) {
    k_.cpu(t_, TimeCat::syscall, k_.m_.cpu.syscall_ns / 2);
    k_.flush_cpu(t_);
    TraceEvent e;
    e.t_ns = std::int64_t(k_.engine_.now_ns());
    e.kind = EventKind::syscall_exit;
    e.name = name_;
    k_.trace(t_, e);
  }
  k_.current_ = nullptr;
}

// ---- the page cache's own events ------------------------------------------------

void Kernel::record(const ModelEvent& e) {
  Thread* t = current_;
  Process* p = t && !t->setup ? t->proc : nullptr;
  switch (e.kind) {
    case EventKind::activate: count(p, &Counters::activations, 1); break;
    case EventKind::deactivate: count(p, &Counters::deactivations, 1); break;
    case EventKind::evict:
      // The invariant of MODEL.md section 3: a page held by a pipe, an skb or a DMA is never evicted.
      if (cache_.refcount(e.page) > 0)
        throw std::logic_error("kiosim: pinned page " + std::to_string(e.page.file) + ":" +
                               std::to_string(e.page.index) + " evicted");
      count(p, &Counters::evictions, 1);
      break;
    case EventKind::cache_insert:
    case EventKind::rotate:
    case EventKind::writeback_queued:
      break;
    default:
      return;  // hits, misses and references are counted where they happen
  }
  if (!t || t->setup || !trace_.enabled()) return;
  TraceEvent te;
  te.t_ns = std::int64_t(engine_.now_ns());
  te.kind = e.kind;
  te.file = e.page.file;
  te.page = std::int64_t(e.page.index);
  te.pages = 1;
  trace(*t, te);
}

// ---- devices --------------------------------------------------------------------

std::shared_ptr<Kernel::DiskRequest> Kernel::disk_request(FileId file, PageRange pages, bool write,
                                                         std::uint64_t req, Process* proc) {
  auto r = std::make_shared<DiskRequest>();
  r->file = file;
  r->pages = pages;
  r->write = write;
  r->req = req;
  r->proc = proc;
  r->waiters = std::make_unique<WaitQueue>(engine_);
  return r;
}

void Kernel::submit(const std::shared_ptr<DiskRequest>& r) {
  disk_queue_.push_back(r);
  disk_wake_->notify_all();
}

void Kernel::disk_actor() {
  for (;;) {
    while (disk_queue_.empty()) disk_wake_->wait();
    auto r = disk_queue_.front();
    disk_queue_.pop_front();
    std::uint64_t bytes = r->bytes ? r->bytes : r->pages.count * kPageSize;
    double t0 = engine_.now_ns();
    if (r->write) journal_writeback_started(*r);  // kernel_journal.cpp
    if (r->write) engine_.disk_write(bytes);
    else engine_.disk_read(bytes);
    count(r->proc, &Counters::dma_copies, 1);
    count(r->proc, &Counters::dma_bytes, bytes);
    count(r->proc, &Counters::memory_bus_bytes, bytes);
    count(r->proc, &Counters::disk_requests, 1);
    if (trace_.enabled()) {
      TraceEvent e = device_event(disk_lane_, r->write && !r->direct ? EventKind::writeback : EventKind::dma_copy, t0);
      Place mem = r->direct ? Place::user_buffer : Place::page_cache;
      e.from = r->write ? mem : Place::disk;
      e.to = r->write ? Place::disk : mem;
      e.bytes = bytes;
      e.pages = r->pages.count;
      e.req = r->req;
      e.file = r->file;
      e.page = std::int64_t(r->pages.start);
      if (r->readahead) e.name = "readahead";
      if (r->direct) e.name = "O_DIRECT";
      if (r->journal) e.name = "journal";
      trace_.add(e);
    }
    completions_.push_back(Completion{r, std::nullopt, 0});
    irq_wake_->notify_all();
  }
}

void Kernel::nic_actor() {
  Process* receiver = nullptr;  // net.receiver: local — the process that copies the data out
  bool receiver_asleep = true;  // it starts blocked in read(), before the first byte
  for (;;) {
    // A lost skb is resent once the duplicate ACKs arrive (fast retransmit, about one
    // round trip later), from the pages it still references: no new copy.
    auto resend_ready = [&] { return !resend_.empty() && resend_.front().first <= engine_.now_ns(); };
    while (tx_queue_.empty() && !resend_ready()) {
      receiver_asleep = true;  // a local receiver's read() finds the socket empty and sleeps
      if (resend_.empty()) nic_wake_->wait();
      else nic_wake_->wait_for(resend_.front().first - engine_.now_ns());
    }
    nic_busy_ = true;
    TxSkb s;
    if (resend_ready()) {
      s = std::move(resend_.front().second);
      resend_.pop_front();
    } else {
      s = std::move(tx_queue_.front());
      tx_queue_.pop_front();
    }
    std::uint64_t bytes = s.skb.payload();
    double t0 = engine_.now_ns();
    if (m_.receiver_local) {
      if (!receiver) receiver = &new_process("receiver");
      if (receiver_asleep) wake_local_receiver(*receiver);
      receiver_asleep = false;
      deliver_locally(*receiver, s);
      nic_busy_ = false;
      idle_->notify_all();  // the supervisor waits for the NIC to be idle
      continue;
    }
    engine_.nic_transmit(bytes);
    count(s.proc, &Counters::dma_copies, 1);
    count(s.proc, &Counters::dma_bytes, bytes);
    count(s.proc, &Counters::memory_bus_bytes, bytes);
    if (trace_.enabled()) {
      TraceEvent e = device_event(nic_lane_, EventKind::dma_copy, t0);
      e.from = s.skb.frags.empty() ? Place::socket_buffer : Place::page_cache;
      e.to = Place::wire;
      e.bytes = bytes;
      e.pages = s.skb.frags.size();
      e.req = s.req;
      e.name = s.skb.frags.empty() ? "skb" : "skb (gather DMA)";
      trace_.add(e);
    }
    if (m_.link.loss_rate > 0 && next_random() < m_.link.loss_rate) {
      count(s.proc, &Counters::retransmits, 1);
      if (trace_.enabled()) {
        TraceEvent e;
        e.t_ns = std::int64_t(engine_.now_ns());
        e.lane = nic_lane_;
        e.kind = EventKind::nic_tx;
        e.name = "lost on the wire: resent after the duplicate ACKs";
        e.bytes = bytes;
        e.req = s.req;
        trace_.add(e);
      }
      resend_.emplace_back(engine_.now_ns() + 2 * m_.link.latency_ns, std::move(s));
      nic_busy_ = false;
      continue;
    }
    completions_.push_back(Completion{nullptr, std::move(s), engine_.now_ns()});
    nic_busy_ = false;
    irq_wake_->notify_all();
  }
}

// The local receiver slept in read() on an empty socket; the skb's arrival wakes it
// (sk_data_ready): its idle core comes up (cpu.wakeup), then it switches in.
void Kernel::wake_local_receiver(Process& receiver) {
  double t0 = engine_.now_ns();
  engine_.sleep_ns(m_.cpu.wakeup_ns);
  engine_.copy(m_.cpu.context_switch_ns, 0);
  receiver.counters.context_switches_voluntary += 1;
  receiver.counters.time_ns[std::size_t(TimeCat::sched)] += std::uint64_t(m_.cpu.context_switch_ns);
  receiver.counters.cpu_time_ns += std::uint64_t(m_.cpu.context_switch_ns);
  if (trace_.enabled()) {
    TraceEvent e = device_event(nic_lane_, EventKind::block, t0);
    e.name = "local receiver woken (socket was empty)";
    trace_.add(e);
  }
}

// net.receiver: local (a socket pair, af_unix): the skb is queued straight on the peer
// socket, with no NIC DMA, no wire and no interrupt. The receiver, on its own core,
// copies it out with read() calls of net.recv_buffer bytes; its CPU time and copies
// are its own process's, not the sender's. Then the skb is freed (its page references go).
// A read() fills its buffer across skbs and returns early only when the socket is
// empty (unix_stream_read_generic).
void Kernel::deliver_locally(Process& receiver, TxSkb& s) {
  const std::uint64_t bytes = s.skb.payload();
  const std::uint64_t per_call = std::max<std::uint64_t>(1, m_.recv_buffer_bytes);
  std::uint64_t calls = (recv_fill_ + bytes) / per_call;  // reads that fill up in this skb
  recv_fill_ = (recv_fill_ + bytes) % per_call;
  double t0 = engine_.now_ns();
  engine_.copy(double(calls) * m_.recv_call_ns, bytes, m_.recv_rate());
  if (recv_fill_ > 0 && tx_queue_.empty()) {  // nothing more queued: the read returns short
    ++calls;
    recv_fill_ = 0;
    engine_.copy(m_.recv_call_ns, 0);
  }
  double dt = engine_.now_ns() - t0;
  Counters& c = receiver.counters;
  c.syscalls += calls;
  c.syscalls_by_name["read"] += calls;
  c.mode_switches += 2 * calls;
  c.cpu_copies += 1;
  c.cpu_copy_bytes += bytes;
  c.memory_bus_bytes += 2 * bytes;
  c.read_bytes += bytes;
  double copy_ns = double(bytes) / m_.recv_rate() * 1e9, call_ns = double(calls) * m_.recv_call_ns;
  double scale = copy_ns + call_ns > 0 ? dt / (copy_ns + call_ns) : 0;
  c.time_ns[std::size_t(TimeCat::copy)] += std::uint64_t(copy_ns * scale);
  c.time_ns[std::size_t(TimeCat::syscall)] += std::uint64_t(call_ns * scale);
  c.cpu_time_ns += std::uint64_t(dt);
  if (trace_.enabled()) {
    TraceEvent e = device_event(nic_lane_, EventKind::cpu_copy, t0, dt);
    e.from = Place::socket_buffer;
    e.to = Place::user_buffer;
    e.bytes = bytes;
    e.pages = s.skb.frags.size();
    e.req = s.req;
    e.name = "local receiver recv()";
    trace_.add(e);
  }
  for (const auto& f : s.skb.frags) cache_.put(f.page);
  if (s.zerocopy) zerocopy_skb_done(s);
  s.sock->queued -= bytes;
  s.sock->space->notify_all();
  last_delivery_ns_ = std::max(last_delivery_ns_, engine_.now_ns());
  cache_room_->notify_all();
  idle_->notify_all();
}

// Completes one device request after its interrupt: wakes the disk reader, or frees
// the skb's socket-buffer space and drops its page references (put_page).
void Kernel::complete(Completion& c) {
  if (c.disk) {
    if (c.disk->write) journal_data_written(*c.disk);
    for (std::uint64_t i = 0; !c.disk->direct && !c.disk->journal && i < c.disk->pages.count; ++i) {
      PageKey k{c.disk->file, c.disk->pages.start + i};
      if (c.disk->write) {
        cache_.end_writeback(k);
      } else {
        inflight_.erase(k);
        cache_.put(k);
      }
    }
    c.disk->done = true;
    c.disk->waiters->notify_all();
  } else {
    nic_dma_.complete(descriptors_of(c.tx->skb));
    if (c.tx->zerocopy) zerocopy_skb_done(*c.tx);
    ring_space_->notify_all();
    for (const auto& f : c.tx->skb.frags) cache_.put(f.page);  // put_page on TX completion
    c.tx->sock->queued -= c.tx->skb.payload();
    c.tx->sock->space->notify_all();
    last_delivery_ns_ = std::max(last_delivery_ns_, c.tx_end_ns + m_.link.latency_ns);
  }
}

void Kernel::irq_actor() {
  const bool coalescing = m_.link.irq_coalesce_frames > 1 || m_.link.irq_coalesce_ns > 0;
  for (;;) {
    while (completions_.empty()) irq_wake_->wait();
    // Interrupt coalescing (ethtool -C tx-frames / tx-usecs): the NIC raises one
    // interrupt for up to irq_coalesce_frames TX completions, or once the oldest has
    // waited irq_coalesce_usecs. Disk completions interrupt at once.
    auto leading_tx = [&] {
      std::size_t n = 0;
      while (n < completions_.size() && !completions_[n].disk) ++n;
      return n;
    };
    std::size_t batch = 1;
    if (!completions_.front().disk && coalescing) {
      const double deadline = completions_.front().tx_end_ns + m_.link.irq_coalesce_ns;
      while (leading_tx() < m_.link.irq_coalesce_frames && engine_.now_ns() < deadline)
        irq_wake_->wait_for(deadline - engine_.now_ns());
      batch = std::min<std::size_t>(leading_tx(), std::max<std::uint32_t>(1, m_.link.irq_coalesce_frames));
    }
    std::vector<Completion> done;
    for (std::size_t i = 0; i < batch; ++i) {
      done.push_back(std::move(completions_.front()));
      completions_.pop_front();
    }
    const Completion& c = done.front();
    Process* p = c.disk ? c.disk->proc : c.tx->proc;
    double t0 = engine_.now_ns();
    engine_.compute(m_.cpu.interrupt_ns);
    double dt = engine_.now_ns() - t0;
    count(p, &Counters::interrupts, 1);
    if (p) {
      p->counters.time_ns[std::size_t(TimeCat::irq)] += std::uint64_t(dt);
      p->counters.cpu_time_ns += std::uint64_t(dt);
    }
    for (const Completion& d : done)
      if (d.tx) count(d.tx->proc, &Counters::completion_delay_ns, std::uint64_t(std::max(0.0, t0 - d.tx_end_ns)));
    if (trace_.enabled()) {
      TraceEvent e = device_event(irq_lane_, EventKind::interrupt, t0, dt);
      e.name = c.disk ? "disk" : done.size() > 1 ? fmt::format("nic tx x{}", done.size()) : "nic tx";
      e.req = c.disk ? c.disk->req : c.tx->req;
      e.pages = done.size() > 1 ? done.size() : 0;
      trace_.add(e);
    }
    for (Completion& d : done) complete(d);
    cache_room_->notify_all();
    idle_->notify_all();
  }
}

void Kernel::sleep(Thread& t, double ns) {
  flush_cpu(t);
  double t0 = engine_.now_ns();
  engine_.sleep_ns(ns);
  t.time[std::size_t(TimeCat::sleep)] += engine_.now_ns() - t0;
}

}  // namespace kiosim
