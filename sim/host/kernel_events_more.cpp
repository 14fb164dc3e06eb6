// The kinds of kernel events beyond readahead, faults, the page cache and jbd2 (issue 14,
// item 7), read by field name from each event's print format as this machine's 6.18
// kernel prints them (events/*/format):
//   vmscan/mm_vmscan_lru_shrink_inactive  "nid=%d nr_scanned=%ld nr_reclaimed=%ld ... flags=%s"
//   vmscan/mm_vmscan_lru_shrink_active    "nid=%d nr_taken=%ld nr_active=%ld nr_deactivated=%ld ..."
//   writeback/balance_dirty_pages         "bdi %s: limit=%lu setpoint=%lu dirty=%lu ... task_ratelimit=%lu
//                                          dirtied=%u ... pause=%ld period=%lu ..."
//   tlb/tlb_flush                         "pages:%ld reason:%s (%d)"
//   ipi/ipi_send_cpu, ipi_send_cpumask    "cpu=%u callsite=%pS callback=%pS", "cpumask=%s ..."
//   net/net_dev_xmit                      "dev=%s skbaddr=%p len=%u rc=%d"
//   skb/consume_skb, skb/kfree_skb, tcp/tcp_retransmit_skb: counted
//   tcp/tcp_sendmsg_locked                "skb_addr %p skb_len %d msg_left %d size_goal %d"
//   io_uring/io_uring_submit_req          "ring %p, req %p, user_data 0x%llx, opcode %s, ..."
//   io_uring/io_uring_complete            "ring %p, req %p, user_data 0x%llx, result %d, ..."
#include <bitset>
#include <cctype>
#include <cstdlib>

#include "sim/host/kernel_events.h"

namespace kiosim::host {

namespace {

std::string text_field(const TraceRecord& r, const char* key) {
  auto it = r.fields.find(key);
  if (it == r.fields.end()) return {};
  std::string v = it->second;
  if (!v.empty() && v.back() == ',') v.pop_back();
  return v;
}

// __get_cpumask prints a hex bitmap in 32-bit chunks ("00000000,00000002"); a list
// ("0-1,3") is read too. Bounded: at most 8192 CPUs.
std::optional<unsigned> cpus_in(const std::string& mask) {
  if (mask.empty() || mask.size() > 4096) return std::nullopt;
  unsigned n = 0;
  if (mask.find('-') == std::string::npos) {
    for (char c : mask) {
      if (c == ',') continue;
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      n += unsigned(std::bitset<4>(unsigned(std::strtoul(std::string(1, c).c_str(), nullptr, 16))).count());
    }
    return n;
  }
  std::size_t i = 0;
  while (i < mask.size()) {
    std::size_t j = mask.find(',', i);
    std::string part = mask.substr(i, j == std::string::npos ? std::string::npos : j - i);
    auto dash = part.find('-');
    char* end = nullptr;
    unsigned long a = std::strtoul(part.c_str(), &end, 10);
    unsigned long b = a;
    if (dash != std::string::npos) b = std::strtoul(part.c_str() + dash + 1, &end, 10);
    if (part.empty() || *end || b < a || b >= 8192) return std::nullopt;
    n += unsigned(b - a + 1);
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return n;
}

}  // namespace

std::optional<bool> add_more_typed(const TraceRecord& r, KernelEvents& k, double& value) {
  const std::string& e = r.event;
  if (e == "mm_vmscan_lru_shrink_inactive" || e == "mm_vmscan_lru_shrink_active") {
    ShrinkEvent s;
    s.active = e == "mm_vmscan_lru_shrink_active";
    auto scanned = field_number(r, s.active ? "nr_taken" : "nr_scanned");
    auto moved = field_number(r, s.active ? "nr_deactivated" : "nr_reclaimed");
    if (!scanned || !moved) return false;
    s.scanned = *scanned;
    (s.active ? s.deactivated : s.reclaimed) = *moved;
    s.file = text_field(r, "flags").find("RECLAIM_WB_ANON") == std::string::npos;
    s.t_s = r.t_s;
    value = double(*moved);
    k.shrinks.push_back(s);
    return true;
  }
  if (e == "balance_dirty_pages") {
    DirtyPause d;
    auto limit = field_number(r, "limit"), setpoint = field_number(r, "setpoint"), dirty = field_number(r, "dirty"),
         rate = field_number(r, "task_ratelimit"), dirtied = field_number(r, "dirtied");
    auto pause = field_signed(r, "pause"), period = field_signed(r, "period");
    if (!limit || !setpoint || !dirty || !rate || !dirtied || !pause) return false;
    d.limit = *limit;
    d.setpoint = *setpoint;
    d.dirty = *dirty;
    d.task_ratelimit = *rate;
    d.dirtied = *dirtied;
    d.pause_ms = *pause;
    d.period_ms = period.value_or(0);
    d.t_s = r.t_s;
    value = double(d.pause_ms);
    k.dirty_pauses.push_back(d);
    return true;
  }
  if (e == "tlb_flush") {
    auto pages = field_signed(r, "pages");
    auto reason = field_number(r, "_paren");
    if (!pages || !reason || *reason > 64) return false;
    k.tlb_flushes.push_back(TlbFlush{unsigned(*reason), *pages, r.cpu, r.t_s});
    value = double(*pages);
    return true;
  }
  if (e == "ipi_send_cpu" || e == "ipi_send_cpumask") {
    IpiSend s;
    if (e == "ipi_send_cpu") {
      if (!field_number(r, "cpu")) return false;
      s.targets = 1;
    } else {
      auto n = cpus_in(text_field(r, "cpumask"));
      if (!n) return false;
      s.targets = *n;
    }
    s.callback = text_field(r, "callback");
    s.t_s = r.t_s;
    value = s.targets;
    k.ipis.push_back(s);
    return true;
  }
  if (e == "net_dev_xmit") {
    auto len = field_number(r, "len");
    auto rc = field_signed(r, "rc");
    if (!len || !rc) return false;
    k.xmits.push_back(Xmit{*len, *rc, r.t_s});
    value = double(*len);
    return true;
  }
  if (e == "consume_skb" || e == "kfree_skb" || e == "tcp_retransmit_skb") {
    if (!r.fields.count("skbaddr")) return false;
    ++(e == "consume_skb" ? k.skbs_consumed : e == "kfree_skb" ? k.skbs_dropped : k.tcp_retransmits);
    value = 1;
    return true;
  }
  if (e == "tcp_sendmsg_locked") {
    auto len = field_signed(r, "skb_len");
    if (!len || *len < 0) return false;
    k.tcp_sendmsg_skb_len.push_back(std::uint64_t(*len));
    value = double(*len);
    return true;
  }
  if (e == "io_uring_submit_req" || e == "io_uring_complete") {
    UringEvent u;
    u.complete = e == "io_uring_complete";
    u.t_s = r.t_s;
    if (u.complete) {
      auto res = field_signed(r, "result");
      if (!res) return false;
      u.result = *res;
      value = double(*res);
    } else {
      u.opcode = text_field(r, "opcode");
      if (u.opcode.empty()) return false;
      value = 1;
    }
    k.uring.push_back(u);
    return true;
  }
  return std::nullopt;
}

}  // namespace kiosim::host
