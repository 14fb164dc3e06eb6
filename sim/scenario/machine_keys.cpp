#include "sim/scenario/machine_keys.h"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "sim/scenario/units.h"

namespace kiosim {

void Machine::derive() {
  page_cache.capacity_pages = std::max<std::uint64_t>(1, page_cache_bytes / kPageSize);
}

namespace {

constexpr double KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;

std::string show_value(KeyType t, double v) {
  switch (t) {
    case KeyType::size: return format_size(v);
    case KeyType::time: return format_time_ns(v);
    case KeyType::rate: return format_rate(v);
    case KeyType::frequency: return format_frequency(v);
    default: return fmt::format("{:g}", v);
  }
}

// A numeric key bound to one field; `field` returns a reference to it.
template <class F>
MachineKey numeric(std::string_view name, KeyType t, std::string_view desc, double lo, double hi, F field) {
  MachineKey k{name, t, desc, lo, hi, {}, {}, {}, {}};
  k.set = [field](Machine& m, double v, std::string_view) {
    using T = std::remove_reference_t<decltype(field(m))>;
    field(m) = static_cast<T>(v);
  };
  k.number = [field](const Machine& m) { return double(field(const_cast<Machine&>(m))); };
  k.show = [field, t](const Machine& m) { return show_value(t, double(field(const_cast<Machine&>(m)))); };
  return k;
}

template <class F>
MachineKey boolean(std::string_view name, std::string_view desc, F field) {
  MachineKey k{name, KeyType::boolean, desc, 0, 1, {}, {}, {}, {}};
  k.set = [field](Machine& m, double v, std::string_view) { field(m) = v != 0; };
  k.number = [field](const Machine& m) { return field(const_cast<Machine&>(m)) ? 1.0 : 0.0; };
  k.show = [field](const Machine& m) { return std::string(field(const_cast<Machine&>(m)) ? "true" : "false"); };
  return k;
}

std::vector<MachineKey> build() {
  using K = KeyType;
  std::vector<MachineKey> v;
  // cpu
  v.push_back(numeric("cpu.frequency", K::frequency, "clock rate of a core; costs in cycles use it", 1e6, 1e11,
                      [](Machine& m) -> auto& { return m.cpu.hz; }));
  v.push_back(numeric("cpu.cores", K::integer, "cores that run user and kernel threads", 1, 256,
                      [](Machine& m) -> auto& { return m.cpu.cores; }));
  v.push_back(numeric("cpu.syscall", K::time, "entry and exit of one system call (the mode switches)", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.syscall_ns; }));
  v.push_back(numeric("cpu.copy_bandwidth", K::rate, "one core copying memory (copy_to_user, memcpy)", 1e6, 1e12,
                      [](Machine& m) -> auto& { return m.cpu.copy_bytes_per_s; }));
  v.push_back(numeric("cpu.page_lookup", K::time, "one page-cache lookup (xarray walk, reference)", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.page_lookup_ns; }));
  v.push_back(numeric("cpu.minor_fault", K::time, "handling a fault whose page is cached (before mapping)", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.minor_fault_ns; }));
  v.push_back(numeric("cpu.major_fault", K::time, "CPU part of a fault that reads the disk", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.major_fault_ns; }));
  v.push_back(numeric("cpu.map_page", K::time, "setting one page-table entry (fault-around maps several)", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.map_page_ns; }));
  v.push_back(numeric("cpu.vma", K::time, "mmap or munmap bookkeeping of one mapping", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.vma_ns; }));
  v.push_back(numeric("cpu.skb", K::time, "building and queueing one skb (tcp_sendmsg, driver xmit)", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.skb_ns; }));
  v.push_back(numeric("cpu.page_ref", K::time,
                      "moving one page by reference into or out of a pipe or skb (splice, sendfile)", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.page_ref_ns; }));
  v.push_back(numeric("cpu.skb_frag", K::time,
                      "attaching one page to an skb as a fragment (skb_splice_from_iter), beyond cpu.page_ref", 0,
                      1e6, [](Machine& m) -> auto& { return m.cpu.skb_frag_ns; }));
  v.push_back(numeric("cpu.interrupt", K::time, "handling one device interrupt", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.interrupt_ns; }));
  v.push_back(numeric("cpu.context_switch", K::time, "a thread sleeping and waking (switch out and in)", 0, 1e8,
                      [](Machine& m) -> auto& { return m.cpu.context_switch_ns; }));
  v.push_back(numeric("cpu.uring_op", K::time, "one io_uring request: its SQE taken and its CQE posted", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.uring_op_ns; }));
  v.push_back(numeric("cpu.poll_fd", K::time,
                      "one descriptor polled (f_op->poll, tcp_poll): select and poll, each descriptor per call; epoll, "
                      "each ready one",
                      0, 1e7, [](Machine& m) -> auto& { return m.cpu.poll_fd_ns; }));
  v.push_back(numeric("cpu.wakeup", K::time,
                      "a sleeping thread woken on an idle core, until it runs (IPI, idle exit); idle time, not CPU",
                      0, 1e8, [](Machine& m) -> auto& { return m.cpu.wakeup_ns; }));
  v.push_back(numeric("cpu.wakeup_charged", K::time,
                      "CPU time a woken thread is charged from its wake-up until it runs (try_to_wake_up's clock "
                      "is its exec_start: rq_clock_skip_update): the end of its wait counted as CPU, the wait as long",
                      0, 1e8, [](Machine& m) -> auto& { return m.cpu.wakeup_charged_ns; }));
  v.push_back(numeric("cpu.nanosleep", K::time,
                      "the CPU time a `sleep` op costs the sleeper on the host (nanosleep: its hrtimer, the switch, "
                      "the wake-up); no system call in the counts",
                      0, 1e8, [](Machine& m) -> auto& { return m.cpu.nanosleep_ns; }));
  v.push_back(numeric("cpu.touch_bandwidth", K::rate, "user code reading or writing memory it touches", 1e6, 1e12,
                      [](Machine& m) -> auto& { return m.cpu.touch_bytes_per_s; }));
  v.push_back(numeric("cpu.zerocopy_send", K::time, "MSG_ZEROCOPY set-up of one send (ubuf_info, accounting)", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.zerocopy_send_ns; }));
  v.push_back(numeric("cpu.pin_page", K::time, "pinning one user page for DMA (get_user_pages)", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.pin_page_ns; }));
  v.push_back(numeric("cpu.zerocopy_notify", K::time, "reading one MSG_ZEROCOPY completion from the error queue", 0,
                      1e7, [](Machine& m) -> auto& { return m.cpu.zerocopy_notify_ns; }));
  // memory and page cache
  v.push_back(numeric("memory.bandwidth", K::rate, "memory bus shared by CPU copies (2x bytes) and DMA (1x)", 1e6, 1e13,
                      [](Machine& m) -> auto& { return m.memory_bytes_per_s; }));
  v.push_back(numeric("page_cache.size", K::size, "memory the page cache may use", 64 * KiB, 1 * TiB,
                      [](Machine& m) -> auto& { return m.page_cache_bytes; }));
  {
    MachineKey k{"page_cache.policy", K::choice, "replacement policy: linux (Linux 6.x), two_list (the textbook two lists) or lru (one list)", 0, 0,
                 {"linux", "two_list", "lru"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) { m.page_cache.policy = *parse_cache_policy(s); };
    k.show = [](const Machine& m) { return std::string(to_string(m.page_cache.policy)); };
    k.number = [](const Machine& m) { return double(m.page_cache.policy); };
    v.push_back(std::move(k));
  }
  v.push_back(numeric("page_cache.readahead", K::size, "largest readahead window (read_ahead_kb); 0 turns it off", 0,
                      64 * MiB, [](Machine& m) -> auto& { return m.readahead.max_pages; }));
  v.back().set = [](Machine& m, double b, std::string_view) { m.readahead.max_pages = std::uint64_t(b) / kPageSize; };
  v.back().number = [](const Machine& m) { return double(m.readahead.max_pages * kPageSize); };
  v.back().show = [](const Machine& m) { return format_size(double(m.readahead.max_pages * kPageSize)); };
  v.push_back(numeric("page_cache.dirty_background_ratio", K::integer,
                      "% of the cache dirty before the flusher writes back (vm.dirty_background_ratio)", 0, 100,
                      [](Machine& m) -> auto& { return m.dirty_background_ratio; }));
  v.push_back(numeric("page_cache.dirty_ratio", K::integer,
                      "% of the cache dirty or under writeback before writers are throttled (vm.dirty_ratio)", 1, 100,
                      [](Machine& m) -> auto& { return m.dirty_ratio; }));
  v.push_back(numeric("page_cache.dirty_expire", K::time,
                      "age at which the flusher writes a dirty page back (vm.dirty_expire_centisecs)", 0, 3600e9,
                      [](Machine& m) -> auto& { return m.dirty_expire_ns; }));
  v.push_back(numeric("page_cache.writeback_interval", K::time,
                      "how often the flusher wakes to look for expired pages (vm.dirty_writeback_centisecs)", 1e3,
                      3600e9, [](Machine& m) -> auto& { return m.writeback_interval_ns; }));
  v.push_back(numeric("page_cache.writeback_chunk", K::size, "pages the flusher writes in one disk request", 4 * KiB,
                      64 * MiB, [](Machine& m) -> auto& { return m.writeback_chunk_bytes; }));
  v.push_back(numeric("page_cache.min_free", K::size,
                      "memory kept free below the watermarks (vm.min_free_kbytes); 0: int_sqrt(KiB of cache x 16) KiB, "
                      "128 KiB to 256 MiB, as Linux derives it",
                      0, 1 * GiB, [](Machine& m) -> auto& { return m.min_free_bytes; }));
  v.push_back(numeric("page_cache.watermark_scale_factor", K::integer,
                      "kswapd's gap between its watermarks, in 1/10000 of the cache, at least min_free / 4 "
                      "(vm.watermark_scale_factor)",
                      1, 3000, [](Machine& m) -> auto& { return m.watermark_scale_factor; }));
  v.push_back(numeric("mm.fault_around", K::size, "window a read fault maps from the cache (fault_around_bytes)",
                      4 * KiB, 2 * MiB, [](Machine& m) -> auto& { return m.mm.fault_around_pages; }));
  v.back().set = [](Machine& m, double b, std::string_view) {
    m.mm.fault_around_pages = std::max<std::uint64_t>(1, std::uint64_t(b) / kPageSize);
  };
  v.back().number = [](const Machine& m) { return double(m.mm.fault_around_pages * kPageSize); };
  v.back().show = [](const Machine& m) { return format_size(double(m.mm.fault_around_pages * kPageSize)); };
  v.push_back(numeric("mm.folio", K::size, "the largest folio of the files (mapping_max_folio_order; 2MiB: ext4 since 6.16; 4KiB: no large folios)",
                      4 * KiB, 2 * MiB, [](Machine& m) -> auto& { return m.mm.folio_pages; }));
  v.back().set = [](Machine& m, double b, std::string_view) {
    m.mm.folio_pages = std::max<std::uint64_t>(1, std::uint64_t(b) / kPageSize);
  };
  v.back().number = [](const Machine& m) { return double(m.mm.folio_pages * kPageSize); };
  v.back().show = [](const Machine& m) { return format_size(double(m.mm.folio_pages * kPageSize)); };
  v.push_back(numeric("mm.flush_threshold", K::integer,
                      "pages above which an unmap flushes the whole TLB (tlb_single_page_flush_ceiling)", 0, 1 << 20,
                      [](Machine& m) -> auto& { return m.mm.flush_threshold; }));
  v.push_back(numeric("mm.memlock", K::size,
                      "RLIMIT_MEMLOCK: the pages io_uring's registered buffers may pin (__io_account_mem; ulimit -l)", 0,
                      double(1ULL << 40), [](Machine& m) -> auto& { return m.memlock_bytes; }));
  {
    using W = Machine::WriteDuringSend;
    MachineKey k{"mm.write_during_send", K::choice,
                 "a write to a page an skb or pipe still holds: overwrite (Linux: the new bytes go out); what-if "
                 "stable pages: copy (the page first) or wait (until the references go)",
                 0, 0, {"overwrite", "copy", "wait"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) {
      m.write_during_send = s == "wait" ? W::wait : s == "copy" ? W::copy : W::overwrite;
    };
    k.show = [](const Machine& m) {
      return std::string(m.write_during_send == W::wait ? "wait" : m.write_during_send == W::copy ? "copy" : "overwrite");
    };
    k.number = [](const Machine& m) { return double(m.write_during_send); };
    v.push_back(std::move(k));
  }
  v.push_back(numeric("tlb.entries", K::integer, "TLB entries of one core", 1, 65536,
                      [](Machine& m) -> auto& { return m.tlb.entries; }));
  v.push_back(numeric("tlb.ways", K::integer, "ways of the set-associative TLB (entries / ways sets)", 1, 65536,
                      [](Machine& m) -> auto& { return m.tlb.ways; }));
  v.push_back(numeric("cpu.tlb_miss", K::time, "a page walk after a TLB miss", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.tlb_miss_ns; }));
  v.push_back(numeric("cpu.tlb_invalidate", K::time, "one INVLPG, or one full flush of an address space", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.tlb_invalidate_ns; }));
  v.push_back(numeric("cpu.ipi", K::time, "a TLB shootdown IPI to another core, sent and acknowledged", 0, 1e7,
                      [](Machine& m) -> auto& { return m.cpu.ipi_ns; }));
  v.push_back(numeric("cpu.gso_segment", K::time,
                      "software GSO on a NIC without TSO: one MSS packet cut from a GSO skb (skb_segment)", 0, 1e6,
                      [](Machine& m) -> auto& { return m.cpu.gso_segment_ns; }));
  // disk
  v.push_back(numeric("disk.read_bandwidth", K::rate, "disk to memory DMA rate", 1e3, 1e12,
                      [](Machine& m) -> auto& { return m.disk.read_bytes_per_s; }));
  v.push_back(numeric("disk.write_bandwidth", K::rate, "memory to disk DMA rate", 1e3, 1e12,
                      [](Machine& m) -> auto& { return m.disk.write_bytes_per_s; }));
  v.push_back(numeric("disk.latency", K::time, "time to first byte of one disk request", 0, 1e9,
                      [](Machine& m) -> auto& { return m.disk.latency_ns; }));
  v.push_back(numeric("disk.hw_queues", K::integer, "blk-mq hardware queues, served in parallel (1: one queue)", 1,
                      1024, [](Machine& m) -> auto& { return m.disk.hw_queues; }));
  v.push_back(numeric("disk.queue_depth", K::integer,
                      "requests one hardware queue has in flight at once (tags; 1: the serial disk)", 1, 4096,
                      [](Machine& m) -> auto& { return m.disk.queue_depth; }));
  v.push_back(numeric("disk.max_request", K::size,
                      "queue/max_sectors_kb: a larger request is split (bio_split); 0 means no limit", 0, 1ull << 40,
                      [](Machine& m) -> auto& { return m.disk.max_request_bytes; }));
  {
    MachineKey k{"disk.scheduler", K::choice,
                 "queue/scheduler: none (submission order, merges only in the plug) or mq-deadline (position "
                 "order, reads before writes, merges in the scheduler too)",
                 0, 0, {"none", "mq-deadline"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) { m.disk.scheduler = *parse_io_scheduler(s); };
    k.show = [](const Machine& m) { return std::string(to_string(m.disk.scheduler)); };
    k.number = [](const Machine& m) { return double(m.disk.scheduler); };
    v.push_back(std::move(k));
  }
  v.push_back(numeric("disk.flush_latency", K::time, "a device cache flush (journal commit, fsync)", 0, 1e10,
                      [](Machine& m) -> auto& { return m.disk.flush_latency_ns; }));
  // journal (fs/jbd2, ext4's data= and commit= mount options)
  {
    MachineKey k{"journal.mode", K::choice,
                 "ext4 data=: ordered (data before the commit record), journal (data journaled too), writeback (no order)",
                 0, 0, {"ordered", "journal", "writeback"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) { m.journal.mode = *parse_journal_mode(s); };
    k.show = [](const Machine& m) { return std::string(to_string(m.journal.mode)); };
    k.number = [](const Machine& m) { return double(m.journal.mode); };
    v.push_back(std::move(k));
  }
  v.push_back(numeric("journal.commit_interval", K::time, "the journal commits at least this often (ext4 commit=)",
                      1e6, 3600e9, [](Machine& m) -> auto& { return m.commit_interval_ns; }));
  v.push_back(boolean("journal.delalloc",
                      "delayed allocation (ext4's default): blocks and on-disk size at writeback, not at write()",
                      [](Machine& m) -> auto& { return m.journal.delalloc; }));
  // nic and network
  v.push_back(numeric("nic.bandwidth", K::rate, "wire rate of the NIC link (10Gbit/s)", 1e3, 1e12,
                      [](Machine& m) -> auto& { return m.link.bytes_per_s; }));
  v.push_back(numeric("nic.link_latency", K::time, "one-way latency of the link to the receiver", 0, 1e10,
                      [](Machine& m) -> auto& { return m.link.latency_ns; }));
  v.push_back(numeric("nic.tx_ring", K::integer, "descriptors in the NIC's transmit ring", 1, 65536,
                      [](Machine& m) -> auto& { return m.link.tx_ring; }));
  v.push_back(numeric("nic.irq_coalesce_frames", K::integer, "TX completions per interrupt (ethtool -C tx-frames)", 1,
                      4096, [](Machine& m) -> auto& { return m.link.irq_coalesce_frames; }));
  v.push_back(numeric("nic.irq_coalesce_usecs", K::time, "longest a TX completion waits for its interrupt (tx-usecs)", 0,
                      1e8, [](Machine& m) -> auto& { return m.link.irq_coalesce_ns; }));
  v.push_back(numeric("net.loss_rate", K::fraction, "fraction of skbs lost on the wire, resent from the same pages (below 1)", 0, 0.99,
                      [](Machine& m) -> auto& { return m.link.loss_rate; }));
  {
    MachineKey k{"net.zerocopy_reuse", K::choice,
                 "refilling a buffer MSG_ZEROCOPY still pins: wait for the completion, or overwrite (the wire sends the new bytes)",
                 0, 0, {"wait", "overwrite"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) { m.link.zerocopy_reuse_waits = s == "wait"; };
    k.show = [](const Machine& m) { return std::string(m.link.zerocopy_reuse_waits ? "wait" : "overwrite"); };
    k.number = [](const Machine& m) { return m.link.zerocopy_reuse_waits ? 0.0 : 1.0; };
    v.push_back(std::move(k));
  }
  v.push_back(boolean("nic.scatter_gather", "the NIC gathers page fragments (NETIF_F_SG)",
                      [](Machine& m) -> auto& { return m.nic.scatter_gather; }));
  v.push_back(numeric("nic.max_frags", K::integer, "page fragments one skb may carry (MAX_SKB_FRAGS)", 1, 1024,
                      [](Machine& m) -> auto& { return m.nic.max_frags; }));
  {
    MachineKey k{"nic.on_frag_overflow", K::choice,
                 "too many fragments: split (new skb, TCP) or linearize (copy, driver)", 0, 0,
                 {"split", "linearize"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) { m.nic.on_frag_overflow = *parse_frag_overflow(s); };
    k.show = [](const Machine& m) { return std::string(to_string(m.nic.on_frag_overflow)); };
    k.number = [](const Machine& m) { return double(m.nic.on_frag_overflow); };
    v.push_back(std::move(k));
  }
  v.push_back(boolean("nic.tso", "TCP segmentation offload: the NIC cuts GSO skbs into MSS packets, else software GSO",
                      [](Machine& m) -> auto& { return m.nic.tso; }));
  v.push_back(numeric("nic.tso_size", K::size,
                      "the device's gso_max_size: an skb carries the whole MSS that fit in it less 321 B of header "
                      "room (65,160 B at 64KiB)",
                      1 * KiB, 256 * KiB, [](Machine& m) -> auto& { return m.nic.tso_bytes; }));
  v.push_back(numeric("nic.mtu", K::integer, "MTU in bytes; MSS = mtu - 52 (IP, TCP and timestamp headers)", 576, 65536,
                      [](Machine& m) -> auto& { return m.nic.mtu; }));
  v.push_back(numeric("nic.napi_budget", K::integer, "TX completions one NAPI poll reaps before it polls again", 1,
                      65536, [](Machine& m) -> auto& { return m.link.napi_budget; }));
  v.push_back(numeric("net.rtt", K::time,
                      "round trip to the receiver and back (about 2 x nic.link_latency): a sent skb's ACK, a lost "
                      "one's duplicate ACKs",
                      0, 1e10, [](Machine& m) -> auto& { return m.link.rtt_ns; }));
  v.push_back(numeric("net.ack_processing", K::time,
                      "the receiver's time from an skb's last byte in to its ACK out (RX interrupt, GRO, tcp_v4_rcv)", 0,
                      1e9, [](Machine& m) -> auto& { return m.link.ack_processing_ns; }));
  v.push_back(numeric("net.sndbuf", K::size, "socket send buffer (sk_sndbuf); a full one blocks the writer",
                      4 * KiB, 1 * GiB, [](Machine& m) -> auto& { return m.sndbuf_bytes; }));
  {
    MachineKey k{"net.receiver", K::choice,
                 "remote (a host over the NIC link) or local (a socket pair: no DMA, no wire, a receiver copies out)",
                 0, 0, {"remote", "local"}, {}, {}, {}};
    k.set = [](Machine& m, double, std::string_view s) { m.receiver_local = s == "local"; };
    k.show = [](const Machine& m) { return std::string(m.receiver_local ? "local" : "remote"); };
    k.number = [](const Machine& m) { return m.receiver_local ? 1.0 : 0.0; };
    v.push_back(std::move(k));
  }
  v.push_back(numeric("net.recv_call", K::time, "one recv() of the local receiver, without its copy (net.receiver: local)",
                      0, 1e8, [](Machine& m) -> auto& { return m.recv_call_ns; }));
  v.push_back(numeric("net.recv_buffer", K::size, "bytes the local receiver asks for per recv() (net.receiver: local)",
                      1, 1 * GiB, [](Machine& m) -> auto& { return m.recv_buffer_bytes; }));
  v.push_back(numeric("net.send_bandwidth", K::rate,
                      "the sender's copy into socket buffers (copy_from_user into new skb memory); 0: cpu.copy_bandwidth",
                      0, 1e12, [](Machine& m) -> auto& { return m.send_bytes_per_s; }));
  v.push_back(numeric("net.recv_bandwidth", K::rate,
                      "the local receiver's copy out of socket buffers (skb_copy_datagram_iter); 0: cpu.copy_bandwidth",
                      0, 1e12, [](Machine& m) -> auto& { return m.recv_bytes_per_s; }));
  v.push_back(numeric("pipe.slots", K::integer, "pipe_buffer slots of a pipe (16 = 64 KiB)", 1, 4096,
                      [](Machine& m) -> auto& { return m.pipe.slots; }));
  // budgets: a runaway program stops with a message, not at 10^19 ns
  v.push_back(numeric("run.time_limit", K::time, "simulated time after which a run is stopped as a runaway", 1e3,
                      30 * 86400e9, [](Machine& m) -> auto& { return m.time_limit_ns; }));
  v.push_back(numeric("run.event_limit", K::integer,
                      "engine activities (CPU work, copies, DMAs, sleeps, waits) after which a run is stopped", 1e3,
                      1e10, [](Machine& m) -> auto& { return m.event_limit; }));
  return v;
}

}  // namespace

const std::vector<MachineKey>& machine_keys() {
  static const std::vector<MachineKey> keys = build();  // immutable after first use
  return keys;
}

const MachineKey* find_machine_key(std::string_view name) {
  for (const auto& k : machine_keys())
    if (k.name == name) return &k;
  return nullptr;
}

std::string_view expected_text(KeyType t) {
  switch (t) {
    case KeyType::boolean: return "true or false";
    case KeyType::integer: return "a whole number";
    case KeyType::fraction: return "a number like 0.01";
    case KeyType::size: return "a size like 64KiB, 4MiB or 1GB";
    case KeyType::time: return "a time like 80us, 1.5ms or 5s";
    case KeyType::rate: return "a rate like 10Gbit/s or 2GB/s";
    case KeyType::frequency: return "a frequency like 3GHz";
    case KeyType::choice: return "one of the listed choices";
  }
  return "a value";
}

std::optional<std::string> apply_machine_value(Machine& m, const MachineKey& k, std::string_view text) {
  std::optional<double> v;
  switch (k.type) {
    case KeyType::boolean:
      if (text == "true" || text == "yes" || text == "on") v = 1;
      else if (text == "false" || text == "no" || text == "off") v = 0;
      break;
    case KeyType::integer: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec == std::errc() && p == text.data() + text.size() && std::floor(d) == d) v = d;
      break;
    }
    case KeyType::fraction: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec == std::errc() && p == text.data() + text.size()) v = d;
      break;
    }
    case KeyType::size: v = parse_size(text); break;
    case KeyType::time: v = parse_time_ns(text); break;
    case KeyType::rate: v = parse_rate(text); break;
    case KeyType::frequency: v = parse_frequency(text); break;
    case KeyType::choice:
      for (auto c : k.choices)
        if (c == text) {
          k.set(m, 0, text);
          return std::nullopt;
        }
      {
        std::string list;
        for (auto c : k.choices) list += (list.empty() ? "" : ", ") + std::string(c);
        return fmt::format("one of: {}", list);
      }
  }
  if (!v || !std::isfinite(*v)) {  // nan passes every range check
    const char* q = k.type == KeyType::size        ? "size"
                    : k.type == KeyType::time      ? "time"
                    : k.type == KeyType::rate      ? "rate"
                    : k.type == KeyType::frequency ? "frequency"
                                                   : nullptr;
    return std::string(expected_text(k.type)) + (q ? suggest_unit(text, q) : std::string());
  }
  if (k.type != KeyType::boolean && (*v < k.min || *v > k.max)) {
    return fmt::format("a value from {} to {}", show_value(k.type, k.min), show_value(k.type, k.max));
  }
  k.set(m, *v, text);
  m.derive();
  return std::nullopt;
}

}  // namespace kiosim
