// The kinds beyond readahead, faults, the page cache and jbd2, set beside the simulated
// run's events of the same kind (issue 14, item 7): reclaim (vmscan), dirty throttling
// (balance_dirty_pages), TLB flushes and their IPIs, transmits and skbs, io_uring.
// A kind the simulator has no event for is the kernel's only, and says so.
#include <fmt/format.h>

#include <map>

#include "sim/host/kernel_compare.h"

namespace kiosim::host {

namespace {

using Events = std::optional<std::vector<const nlohmann::ordered_json*>>;

// The values `pick` takes from the simulated events, or nullopt without a simulated run.
template <class Pick>
std::optional<std::vector<double>> from(const Events& sim, Pick pick) {
  if (!sim) return std::nullopt;
  std::vector<double> v;
  for (const auto* e : *sim) pick(*e, v);
  return v;
}

bool is(const nlohmann::ordered_json& e, const char* kind) { return e.value("kind", "") == kind; }
double num(const nlohmann::ordered_json& e, const char* k) { return e.contains(k) ? e[k].get<double>() : 0.0; }
bool named(const nlohmann::ordered_json& e, std::string_view prefix) {
  return e.value("name", "").rfind(std::string(prefix), 0) == 0;
}

constexpr std::string_view kThrottle = "dirty throttling (balance_dirty_pages)";

}  // namespace

void add_more_kinds(std::vector<KindBeside>& out, const Events& sim, const KernelEvents& k) {
  // Reclaim: what shrink_inactive_list freed and shrink_active_list deactivated, per call.
  KindBeside reclaimed{"reclaim: pages freed", "pages", from(sim, [](const auto& e, auto& v) {
                         if (is(e, "evict") && !named(e, "fadvise")) v.push_back(num(e, "pages"));
                       }),
                       {}, "mm_vmscan_lru_shrink_inactive's nr_reclaimed (file LRU, node-wide while the body ran); "
                           "kiosim's evict by reclaim (one page each)"};
  KindBeside deactivated{"reclaim: pages deactivated", "pages", from(sim, [](const auto& e, auto& v) {
                           if (is(e, "deactivate")) v.push_back(num(e, "pages"));
                         }),
                         {}, "mm_vmscan_lru_shrink_active's nr_deactivated (file LRU); kiosim's deactivate"};
  for (const auto& s : k.shrinks) {
    if (!s.file) continue;
    if (s.active) deactivated.kernel.push_back(double(s.deactivated));
    else reclaimed.kernel.push_back(double(s.reclaimed));
  }
  out.push_back(reclaimed);
  out.push_back(deactivated);

  // Dirty throttling: balance_dirty_pages' pauses (a record with pause <= 0 did not sleep).
  KindBeside pauses{"dirty throttle pauses", "ms", from(sim, [](const auto& e, auto& v) {
                      if (is(e, "block") && named(e, kThrottle)) v.push_back(num(e, "dur") / 1e6);
                    }),
                    {}, "balance_dirty_pages' pause > 0 (ms); kiosim's throttling sleeps (with the wake-up)"};
  KindBeside dirtied{"throttle: pages dirtied", "pages", from(sim, [](const auto& e, auto& v) {
                       if (is(e, "block") && named(e, kThrottle)) v.push_back(num(e, "pages"));
                     }),
                     {}, "balance_dirty_pages' dirtied (the task's pages since its last pause), at each pause"};
  const char* kernel_only = "kernel only: kiosim writes its own in each pause's text";
  KindBeside dirty{"throttle: dirty", "pages", std::nullopt, {}, kernel_only};
  KindBeside setpoint{"throttle: setpoint", "pages", std::nullopt, {}, kernel_only};
  KindBeside ratelimit{"throttle: task_ratelimit", "KiB/s", std::nullopt, {}, kernel_only};
  for (const auto& d : k.dirty_pauses) {
    if (d.pause_ms <= 0) continue;
    pauses.kernel.push_back(double(d.pause_ms));
    dirtied.kernel.push_back(double(d.dirtied));
    dirty.kernel.push_back(double(d.dirty));
    setpoint.kernel.push_back(double(d.setpoint));
    ratelimit.kernel.push_back(double(d.task_ratelimit));
  }
  for (auto* x : {&pauses, &dirtied, &dirty, &setpoint, &ratelimit}) out.push_back(*x);

  // The TLB: the flushing CPU's own flush (reasons 2, 3), the remote CPUs' (1), the IPIs.
  KindBeside local{"TLB flushes, local", "pages", from(sim, [](const auto& e, auto& v) {
                     if (is(e, "tlb_invalidate")) v.push_back(num(e, "pages"));
                     if (is(e, "tlb_flush")) v.push_back(-1);
                   }),
                   {}, "tlb_flush reason 2/3 (local shootdown, local MM shootdown), pages (-1: all); kiosim's "
                       "tlb_invalidate (pages) and tlb_flush (-1)"};
  KindBeside remote{"TLB flushes, remote", "", from(sim, [](const auto& e, auto& v) {
                      if (is(e, "tlb_shootdown")) v.insert(v.end(), std::size_t(num(e, "pages")), 1.0);
                    }),
                    {}, "tlb_flush reason 1 (remote shootdown, on the IPI's target); kiosim's shootdown IPIs"};
  KindBeside switched{"TLB flushes, task switch", "", std::nullopt, {},
                      "kernel only: tlb_flush reason 0 (switch_mm to another address space); kiosim does not flush "
                      "on a switch"};
  for (const auto& f : k.tlb_flushes) {
    if (f.reason == 2 || f.reason == 3) local.kernel.push_back(double(f.pages));
    else if (f.reason == 1) remote.kernel.push_back(1);
    else if (f.reason == 0) switched.kernel.push_back(1);
  }
  KindBeside ipis{"TLB IPIs sent", "CPUs", from(sim, [](const auto& e, auto& v) {
                    if (is(e, "tlb_shootdown")) v.push_back(num(e, "pages"));
                  }),
                  {}, "ipi_send_cpu/ipi_send_cpumask with callback flush_tlb_func: target CPUs per send; kiosim's "
                      "tlb_shootdown (cores)"};
  KindBeside other_ipis{"other IPIs sent", "CPUs", std::nullopt, {},
                        "kernel only: IPIs with another callback (wake-ups, irq work)"};
  for (const auto& i : k.ipis) (i.tlb() ? ipis : other_ipis).kernel.push_back(double(i.targets));
  for (auto* x : {&local, &remote, &switched, &ipis, &other_ipis}) out.push_back(*x);

  // The network: what reached the device, what sendmsg appended to, what was freed.
  KindBeside xmit{"transmits", "bytes", from(sim, [](const auto& e, auto& v) {
                    if (is(e, "skb_build")) v.push_back(num(e, "bytes"));
                  }),
                  {}, "net_dev_xmit's len (headers included; loopback TCP only, not a socket pair); kiosim's "
                      "skb_build (payload)"};
  for (const auto& x : k.xmits) xmit.kernel.push_back(double(x.len));
  KindBeside sendmsg{"tcp_sendmsg skbs", "bytes", std::nullopt, {},
                     "kernel only: tcp_sendmsg_locked's skb_len, the skb each chunk was appended to"};
  for (auto len : k.tcp_sendmsg_skb_len) sendmsg.kernel.push_back(double(len));
  KindBeside resent{"tcp retransmits", "", from(sim, [](const auto& e, auto& v) {
                      if (is(e, "nic_tx")) v.push_back(1);
                    }),
                    std::vector<double>(std::size_t(k.tcp_retransmits), 1.0),
                    "tcp_retransmit_skb; kiosim's nic_tx (an skb lost and resent)"};
  KindBeside freed{"skbs consumed", "", std::nullopt, std::vector<double>(std::size_t(k.skbs_consumed), 1.0),
                   "kernel only: consume_skb (an skb done with)"};
  KindBeside dropped{"skbs dropped", "", std::nullopt, std::vector<double>(std::size_t(k.skbs_dropped), 1.0),
                     "kernel only: kfree_skb (an skb dropped, with a reason)"};
  for (auto* x : {&xmit, &sendmsg, &resent, &freed, &dropped}) out.push_back(*x);

  // io_uring: kiosim traces the io_uring_enter call, not each request.
  std::map<std::string, std::size_t> ops;
  KindBeside submitted{"io_uring requests", "", std::nullopt, {}, ""};
  KindBeside completed{"io_uring completions", "bytes", std::nullopt, {}, ""};
  for (const auto& u : k.uring) {
    if (u.complete) {
      completed.kernel.push_back(double(u.result));
    } else {
      submitted.kernel.push_back(1);
      ++ops[u.opcode];
    }
  }
  std::string by_op;
  for (const auto& [op, n] : ops) by_op += fmt::format("{}{} x{}", by_op.empty() ? "" : ", ", op, n);
  submitted.note = fmt::format("io_uring_submit_req{}; kiosim has no per-request event: compare with the program's "
                               "depth x calls",
                               by_op.empty() ? "" : " (" + by_op + ")");
  completed.note = "io_uring_complete's result (bytes, or -errno); kiosim has no per-request event";
  out.push_back(submitted);
  out.push_back(completed);
}

}  // namespace kiosim::host
