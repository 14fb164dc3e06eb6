// The machine profile: every cost and size the simulation uses, with the model's
// parameter structs inside. Each field maps to exactly one key (machine_keys.cpp),
// which carries its default, unit, range and one-line description.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/address_space.h"
#include "model/dma_engine.h"
#include "model/io_scheduler.h"
#include "model/journal.h"
#include "model/nic.h"
#include "model/page_cache.h"
#include "model/pipe.h"
#include "model/readahead.h"
#include "model/tlb.h"

namespace kiosim {

struct CpuCosts {
  double hz = 3e9;
  std::uint32_t cores = 2;
  double syscall_ns = 100;        // entry + exit of one system call
  double copy_bytes_per_s = 10e9; // one core's copy_to_user / copy_from_user / memcpy
  double page_lookup_ns = 25;     // one page-cache lookup (xarray walk, refcount)
  double minor_fault_ns = 500;    // a fault that finds its page cached, before mapping
  double major_fault_ns = 1500;   // CPU part of a fault that must read the disk
  double map_page_ns = 20;        // one PTE set (fault-around maps several)
  double vma_ns = 500;            // mmap / munmap bookkeeping
  double skb_ns = 250;            // building and queueing one skb
  double page_ref_ns = 0;         // moving one page by reference (pipe_buffer, skb fragment; splice, sendfile)
  double skb_frag_ns = 0;         // attaching one page to an skb as a fragment (cpu.skb_frag)
  double interrupt_ns = 1000;     // one interrupt handled
  double context_switch_ns = 1500;
  double uring_op_ns = 150;         // one io_uring request: its SQE read, its CQE posted (cpu.uring_op)
  double wakeup_ns = 5000;          // a sleeping thread woken on an idle core, until it runs (cpu.wakeup)
  double wakeup_charged_ns = 0;     // the woken thread's own CPU from its wake-up to running (cpu.wakeup_charged)
  double nanosleep_ns = 0;          // the CPU a `sleep` op's nanosleep costs the sleeper (cpu.nanosleep)
  double touch_bytes_per_s = 20e9;  // user-space reading or writing of memory
  double zerocopy_send_ns = 700;    // MSG_ZEROCOPY set-up per send (ubuf_info, accounting)
  double pin_page_ns = 50;          // pinning one user page (get_user_pages)
  double zerocopy_notify_ns = 300;  // handling one completion notification from the error queue
  double tlb_miss_ns = 30;          // a page walk after a TLB miss (cpu.tlb_miss)
  double tlb_invalidate_ns = 50;    // one INVLPG, or one full flush of an address space (cpu.tlb_invalidate)
  double ipi_ns = 2000;             // a TLB shootdown IPI, sent and acknowledged (cpu.ipi)
  double poll_fd_ns = 40;          // one descriptor's f_op->poll (tcp_poll): select, poll, epoll's ready items (cpu.poll_fd)
  double gso_segment_ns = 100;      // software GSO: one MSS packet cut from a GSO skb (cpu.gso_segment)
};

struct DiskCosts {
  double read_bytes_per_s = 2e9;
  double write_bytes_per_s = 1e9;
  double latency_ns = 80e3;
  double flush_latency_ns = 1e6;
  // blk-mq (block/blk-mq.c): hardware queues, each with `queue_depth` tags, served in
  // parallel; each request pays latency_ns and shares the bandwidth with the others
  // in flight. 1 x 1 is the serial disk. disk.hw_queues, disk.queue_depth.
  std::uint32_t hw_queues = 1;
  std::uint32_t queue_depth = 1;
  // queue/max_sectors_kb: a larger request is split (bio_split). 0: no limit.
  std::uint64_t max_request_bytes = 0;
  // queue/scheduler: none (submission order; Debian's choice for NVMe and virtio) or
  // mq-deadline (position order, reads first, merges in the scheduler). disk.scheduler.
  IoSchedulerKind scheduler = IoSchedulerKind::none;
};

struct LinkCosts {
  double bytes_per_s = 10e9 / 8;
  double latency_ns = 10e3;
  std::uint32_t tx_ring = 256;
  std::uint32_t irq_coalesce_frames = 1;  // one interrupt per this many TX completions
  double irq_coalesce_ns = 0;             // ... or once the oldest has waited this long
  double loss_rate = 0;                   // fraction of skbs lost on the wire (resent)
  bool zerocopy_reuse_waits = true;       // a buffer still pinned by MSG_ZEROCOPY: wait, or overwrite
  double rtt_ns = 20e3;                   // net.rtt: to the receiver and back, without its processing
  double ack_processing_ns = 5e3;         // net.ack_processing: the receiver, from the data in to its ACK out
  std::uint32_t napi_budget = 64;         // nic.napi_budget: TX completions one NAPI poll reaps
};

struct Machine {
  std::string name = "default";
  CpuCosts cpu;
  double memory_bytes_per_s = 25e9;
  std::uint64_t page_cache_bytes = 1ULL << 30;
  PageCacheParams page_cache;  // capacity follows page_cache_bytes
  ReadaheadParams readahead;
  // Dirty pages and writeback (mm/page-writeback.c, the vm.dirty_* sysctls).
  std::uint32_t dirty_background_ratio = 10;    // page_cache.dirty_background_ratio: % of the cache
  std::uint32_t dirty_ratio = 20;               // page_cache.dirty_ratio: % of the cache
  double dirty_expire_ns = 30e9;                // page_cache.dirty_expire
  double writeback_interval_ns = 5e9;           // page_cache.writeback_interval
  std::uint64_t writeback_chunk_bytes = 1 << 20;  // page_cache.writeback_chunk: one flusher disk request
  // kswapd's watermarks (model/watermarks.h; vm.min_free_kbytes, vm.watermark_scale_factor).
  std::uint64_t min_free_bytes = 0;           // page_cache.min_free: 0 derives it from the cache's size
  std::uint32_t watermark_scale_factor = 10;  // page_cache.watermark_scale_factor: in 1/10000 of memory
  MmParams mm;
  std::uint64_t memlock_bytes = 8ULL << 20;  // mm.memlock: RLIMIT_MEMLOCK, what io_uring may pin
  TlbParams tlb;                   // per core (tlb.entries, tlb.ways)
  // A write to a page an skb or a pipe still references (sendfile, splice in flight),
  // mm.write_during_send. overwrite: Linux, the write lands and the new bytes go out;
  // copy / wait: what-if stable-pages designs (copy the page first, or wait for the
  // references to go).
  enum class WriteDuringSend : std::uint8_t { overwrite, copy, wait };
  WriteDuringSend write_during_send = WriteDuringSend::overwrite;
  DiskCosts disk;
  // The file system journal (fs/jbd2, ext4 data=): journal.mode, journal.commit_interval.
  JournalParams journal;
  double commit_interval_ns = 5e9;
  NicParams nic;
  LinkCosts link;
  std::uint64_t sndbuf_bytes = 4ULL << 20;
  PipeParams pipe;
  // The receiver: a remote host over the NIC link, or a local process (a socket pair,
  // as real mode measures): no DMA and no wire; a receiver thread copies the data out.
  bool receiver_local = false;                 // net.receiver
  double recv_call_ns = 1000;                  // net.recv_call: one recv() of the local receiver
  std::uint64_t recv_buffer_bytes = 64 << 10;  // net.recv_buffer: the local receiver's read size
  // Budgets: a runaway program stops with a message (run.time_limit, run.event_limit).
  double time_limit_ns = 3600e9;  // simulated time
  double event_limit = 50e6;      // engine activities (CPU work, copies, DMAs, sleeps, waits)
  // Copies into and out of socket buffers (net.send_bandwidth, net.recv_bandwidth); 0:
  // as cpu.copy_bandwidth. With a local receiver they are slower than a plain copy: the
  // skb memory the sender fills was freed, and is cached, on the receiver's core.
  double send_bytes_per_s = 0;
  double recv_bytes_per_s = 0;
  double send_rate() const { return send_bytes_per_s > 0 ? send_bytes_per_s : cpu.copy_bytes_per_s; }
  double recv_rate() const { return recv_bytes_per_s > 0 ? recv_bytes_per_s : cpu.copy_bytes_per_s; }

  // Derived fields (page counts) follow the byte-valued keys.
  void derive();
};

}  // namespace kiosim
