#include "sim/trace/counters.h"

#include <nlohmann/json.hpp>

#include "sim/trace/schema.h"

namespace kiosim {

std::string_view to_string(TimeCat c) {
  static constexpr std::string_view names[] = {"syscall", "copy",     "fault", "tlb", "disk", "wire",
                                               "pipe",    "journal",  "throttle", "sched", "irq", "user", "sleep"};
  return names[std::size_t(c)];
}

bool is_cpu(TimeCat c) {
  switch (c) {
    case TimeCat::syscall: case TimeCat::copy: case TimeCat::fault: case TimeCat::tlb:
    case TimeCat::sched: case TimeCat::irq: case TimeCat::user:
      return true;
    default:
      return false;
  }
}

void Counters::add(const Counters& o) {
  syscalls += o.syscalls;
  for (const auto& [k, v] : o.syscalls_by_name) syscalls_by_name[k] += v;
  mode_switches += o.mode_switches;
  context_switches_voluntary += o.context_switches_voluntary;
  context_switches_involuntary += o.context_switches_involuntary;
  cpu_copies += o.cpu_copies; cpu_copy_bytes += o.cpu_copy_bytes;
  dma_copies += o.dma_copies; dma_bytes += o.dma_bytes;
  payload_bytes += o.payload_bytes; sent_bytes += o.sent_bytes;
  file_write_bytes += o.file_write_bytes; read_bytes += o.read_bytes;
  memory_bus_bytes += o.memory_bus_bytes;
  page_faults_minor += o.page_faults_minor; page_faults_major += o.page_faults_major;
  cow_faults += o.cow_faults; pages_mapped += o.pages_mapped;
  tlb_hits += o.tlb_hits; tlb_misses += o.tlb_misses; tlb_invalidations += o.tlb_invalidations;
  tlb_flushes += o.tlb_flushes; tlb_shootdowns += o.tlb_shootdowns;
  page_cache_hits += o.page_cache_hits; page_cache_misses += o.page_cache_misses;
  readahead_pages += o.readahead_pages; activations += o.activations; deactivations += o.deactivations;
  evictions += o.evictions; writeback_pages += o.writeback_pages; dirty_throttle_ns += o.dirty_throttle_ns;
  reclaim_marked += o.reclaim_marked; kswapd_evictions += o.kswapd_evictions;
  reclaim_throttled += o.reclaim_throttled; reclaim_throttle_ns += o.reclaim_throttle_ns;
  disk_requests += o.disk_requests;
  disk_reads_merged += o.disk_reads_merged; disk_writes_merged += o.disk_writes_merged;
  skbs += o.skbs; sg_frags += o.sg_frags; sg_overflows += o.sg_overflows;
  linearize_bytes += o.linearize_bytes; interrupts += o.interrupts;
  completion_delay_ns += o.completion_delay_ns;
  ring_full_waits += o.ring_full_waits; retransmits += o.retransmits;
  zerocopy_sends += o.zerocopy_sends; zerocopy_completions += o.zerocopy_completions;
  zerocopy_waits += o.zerocopy_waits; zerocopy_overwrites += o.zerocopy_overwrites;
  inflight_overwrites += o.inflight_overwrites;
  acks += o.acks; napi_polls += o.napi_polls; gso_segments += o.gso_segments;
  recv_eagain += o.recv_eagain; epoll_wakeups += o.epoll_wakeups; fd_polls += o.fd_polls;
  rcv_unread_bytes += o.rcv_unread_bytes; stalled_connections += o.stalled_connections;
  thread_stack_bytes += o.thread_stack_bytes;
  zero_windows += o.zero_windows; window_reopens += o.window_reopens; send_eagain += o.send_eagain;
  rcv_queue_max_bytes = std::max(rcv_queue_max_bytes, o.rcv_queue_max_bytes);
  work_queued += o.work_queued; work_queue_max = std::max(work_queue_max, o.work_queue_max);
  journal_commits += o.journal_commits; journal_bytes += o.journal_bytes;
  device_flushes += o.device_flushes; fsync_wait_ns += o.fsync_wait_ns;
  uring_sqes += o.uring_sqes; uring_cqes += o.uring_cqes; uring_failed += o.uring_failed;
  uring_canceled += o.uring_canceled; uring_pinned_pages += o.uring_pinned_pages;
  memlock_refusals += o.memlock_refusals; sqpoll_wakeups += o.sqpoll_wakeups; sqpoll_cpu_ns += o.sqpoll_cpu_ns;
  uring_zc_notifs += o.uring_zc_notifs;
  uring_iowq_punts += o.uring_iowq_punts; uring_iowq_workers += o.uring_iowq_workers;
  uring_poll_arms += o.uring_poll_arms;
  sim_time_ns = std::max(sim_time_ns, o.sim_time_ns);
  cpu_time_ns += o.cpu_time_ns;
  for (std::size_t i = 0; i < time_ns.size(); ++i) time_ns[i] += o.time_ns[i];
}

nlohmann::ordered_json Counters::to_json() const {
  // Payload: what the program delivered. Bytes that reached a socket, else bytes
  // written to files, else bytes read: the denominator of "copies per byte".
  nlohmann::ordered_json j;
  auto per_byte = [&](std::uint64_t b) { return payload_bytes ? double(b) / double(payload_bytes) : 0.0; };
  j["syscalls"] = syscalls;
  j["mode_switches"] = mode_switches;
  j["context_switches"] = context_switches_voluntary + context_switches_involuntary;
  j["context_switches_voluntary"] = context_switches_voluntary;
  j["context_switches_involuntary"] = context_switches_involuntary;
  j["cpu_copies"] = cpu_copies;
  j["cpu_copy_bytes"] = cpu_copy_bytes;
  j["dma_copies"] = dma_copies;
  j["dma_bytes"] = dma_bytes;
  j["payload_bytes"] = payload_bytes;
  j["cpu_copies_per_byte"] = per_byte(cpu_copy_bytes);
  j["dma_copies_per_byte"] = per_byte(dma_bytes);
  j["memory_bus_bytes"] = memory_bus_bytes;
  j["page_faults_minor"] = page_faults_minor;
  j["page_faults_major"] = page_faults_major;
  j["cow_faults"] = cow_faults;
  j["pages_mapped"] = pages_mapped;
  j["tlb_hits"] = tlb_hits;
  j["tlb_misses"] = tlb_misses;
  j["tlb_invalidations"] = tlb_invalidations;
  j["tlb_flushes"] = tlb_flushes;
  j["tlb_shootdowns"] = tlb_shootdowns;
  j["page_cache_hits"] = page_cache_hits;
  j["page_cache_misses"] = page_cache_misses;
  j["readahead_pages"] = readahead_pages;
  j["activations"] = activations;
  j["deactivations"] = deactivations;
  j["evictions"] = evictions;
  j["writeback_pages"] = writeback_pages;
  j["reclaim_marked"] = reclaim_marked;
  j["kswapd_evictions"] = kswapd_evictions;
  j["dirty_throttle_ns"] = dirty_throttle_ns;
  j["reclaim_throttled"] = reclaim_throttled;
  j["reclaim_throttle_ns"] = reclaim_throttle_ns;
  j["disk_requests"] = disk_requests;
  j["disk_reads_merged"] = disk_reads_merged;
  j["disk_writes_merged"] = disk_writes_merged;
  j["skbs"] = skbs;
  j["sg_frags"] = sg_frags;
  j["sg_overflows"] = sg_overflows;
  j["linearize_bytes"] = linearize_bytes;
  j["interrupts"] = interrupts;
  j["completion_delay_ns"] = completion_delay_ns;
  j["ring_full_waits"] = ring_full_waits;
  j["retransmits"] = retransmits;
  j["zerocopy_sends"] = zerocopy_sends;
  j["zerocopy_completions"] = zerocopy_completions;
  j["zerocopy_waits"] = zerocopy_waits;
  j["zerocopy_overwrites"] = zerocopy_overwrites;
  j["inflight_overwrites"] = inflight_overwrites;
  j["acks"] = acks;
  j["napi_polls"] = napi_polls;
  j["gso_segments"] = gso_segments;
  j["recv_eagain"] = recv_eagain;
  j["epoll_wakeups"] = epoll_wakeups;
  j["fd_polls"] = fd_polls;
  j["rcv_unread_bytes"] = rcv_unread_bytes;
  j["stalled_connections"] = stalled_connections;
  j["thread_stack_bytes"] = thread_stack_bytes;
  j["zero_windows"] = zero_windows;
  j["window_reopens"] = window_reopens;
  j["rcv_queue_max_bytes"] = rcv_queue_max_bytes;
  j["send_eagain"] = send_eagain;
  j["work_queued"] = work_queued;
  j["work_queue_max"] = work_queue_max;
  j["journal_commits"] = journal_commits;
  j["journal_bytes"] = journal_bytes;
  j["device_flushes"] = device_flushes;
  j["fsync_wait_ns"] = fsync_wait_ns;
  j["uring_sqes"] = uring_sqes;
  j["uring_cqes"] = uring_cqes;
  j["uring_failed"] = uring_failed;
  j["uring_canceled"] = uring_canceled;
  j["uring_pinned_pages"] = uring_pinned_pages;
  j["memlock_refusals"] = memlock_refusals;
  j["sqpoll_wakeups"] = sqpoll_wakeups;
  j["sqpoll_cpu_ns"] = sqpoll_cpu_ns;
  j["uring_zc_notifs"] = uring_zc_notifs;
  j["uring_iowq_punts"] = uring_iowq_punts;
  j["uring_iowq_workers"] = uring_iowq_workers;
  j["uring_poll_arms"] = uring_poll_arms;
  j["sim_time_ns"] = sim_time_ns;
  j["cpu_time_ns"] = cpu_time_ns;
  nlohmann::ordered_json by_name(syscalls_by_name);
  j["syscalls_by_name"] = by_name;
  nlohmann::ordered_json t;
  for (std::size_t i = 0; i < time_ns.size(); ++i) t[std::string(to_string(TimeCat(i)))] = time_ns[i];
  j["time_breakdown_ns"] = t;
  return j;
}

const std::vector<std::string>& counter_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& c : schema::kCounters) v.emplace_back(c.name);
    return v;
  }();
  return names;
}

}  // namespace kiosim
