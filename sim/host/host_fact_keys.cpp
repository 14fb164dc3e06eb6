// Host facts to machine keys. Each rule names the kernel code that reads the setting:
//  - read_ahead_kb: queue_ra_store (block/blk-sysfs.c) sets bdi->ra_pages = KiB / 4,
//    which file_ra_state_init (mm/readahead.c) copies into every open file's
//    ra->ra_pages, the largest window: page_cache.readahead.
//  - max_sectors_kb: queue_max_sectors_store (block/blk-sysfs.c) sets limits.max_sectors
//    = KiB x 2 (4 KiB to max_hw_sectors_kb), and bio_split_rw / __bio_split_to_limits
//    (block/blk-merge.c) split a larger bio at queue_max_sectors: disk.max_request.
//  - vm.dirty_ratio, vm.dirty_background_ratio and their _bytes forms:
//    domain_dirty_limits (mm/page-writeback.c) takes bytes when they are set (writing
//    one zeroes the other, dirty_bytes_handler), else ratio x available memory / 100.
//    kiosim's thresholds are % of its page cache, which calibrate sizes as MemAvailable,
//    so bytes become a % of page_cache.size, rounded up to a whole percent (simplified).
//  - vm.dirty_expire_centisecs: dirty_expire_interval, the age wb_writeback's kupdate
//    pass writes back (fs/fs-writeback.c): page_cache.dirty_expire.
//  - vm.dirty_writeback_centisecs: dirty_writeback_interval, how often the flusher
//    wakes (wb_check_old_data_flush): page_cache.writeback_interval. 0 turns the
//    periodic flush off, which the model cannot say: the default stays.
#include "sim/host/host_fact_keys.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"

namespace kiosim::host {

namespace {

// A whole non-negative number, the way the kernel prints a sysctl; nullopt otherwise.
std::optional<std::uint64_t> whole(const std::string& s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

const MachineKey& key(std::string_view name) { return *find_machine_key(name); }

// `value` (base units) on key `name` if it is in the key's range, else the default with why.
void set_in_range(Machine& m, std::map<std::string, std::string>& how, std::string_view name, double value,
                  const std::string& source) {
  const MachineKey& k = key(name);
  if (value < k.min || value > k.max) {
    Machine lo = m, hi = m;  // the range as the key shows its values
    k.set(lo, k.min, {});
    k.set(hi, k.max, {});
    how[std::string(name)] =
        fmt::format("default {} kept: {} is outside the model's range ({} to {})", k.show(m), source, k.show(lo), k.show(hi));
    return;
  }
  k.set(m, value, {});
  how[std::string(name)] = source;
}

void unreadable(const Machine& m, std::map<std::string, std::string>& how, std::string_view name,
                const std::string& what) {
  how[std::string(name)] = fmt::format("default {} kept: {}", key(name).show(m), what);
}

void readahead(const HostFacts& f, Machine& m, std::map<std::string, std::string>& how) {
  const char* name = "page_cache.readahead";
  std::string file = f.queue.empty() ? "" : f.queue + "/read_ahead_kb";
  auto kb = whole(f.read_ahead_kb);
  if (file.empty())
    return unreadable(m, how, name, fmt::format("the temp dir's device {} has no queue/read_ahead_kb in /sys", f.temp_dev));
  if (!kb) return unreadable(m, how, name, file + " not readable");
  set_in_range(m, how, name, double(*kb * 1024), fmt::format("{}: {} (bdi->ra_pages, the largest window)", file, *kb));
}

// disk.max_request from queue/max_sectors_kb. The kernel refuses a value under a page
// (queue_max_sectors_store: -EINVAL), so 0 or less than 4 is no reading; the key's 0
// (no limit) is never the host's.
void max_request(const HostFacts& f, Machine& m, std::map<std::string, std::string>& how) {
  const char* name = "disk.max_request";
  if (f.queue.empty())
    return unreadable(m, how, name, fmt::format("the temp dir's device {} has no queue/max_sectors_kb in /sys", f.temp_dev));
  const std::string file = f.queue + "/max_sectors_kb";
  auto kb = whole(f.max_sectors_kb);
  if (!kb) return unreadable(m, how, name, file + " not readable");
  if (*kb < 4) return unreadable(m, how, name, fmt::format("{}: {} is under a page, not a limit the kernel takes", file, *kb));
  set_in_range(m, how, name, double(*kb * 1024),
               fmt::format("{}: {} (queue_max_sectors: a larger bio is split, bio_split_rw)", file, *kb));
}

// One of the two dirty thresholds: its ratio, or its bytes when those are set.
void dirty_threshold(Machine& m, std::map<std::string, std::string>& how, std::string_view name,
                     const std::string& ratio_text, const std::string& bytes_text, const char* sysctl) {
  const std::string ratio_file = fmt::format("/proc/sys/vm/{}_ratio", sysctl);
  const std::string bytes_file = fmt::format("/proc/sys/vm/{}_bytes", sysctl);
  if (auto bytes = whole(bytes_text); bytes && *bytes > 0) {
    const double cache = double(m.page_cache_bytes);
    const double pct = std::ceil(double(*bytes) * 100.0 / cache);
    const double lo = key(name).min;
    set_in_range(m, how, name, std::clamp(pct, std::max(lo, 1.0), 100.0),
                 fmt::format("{}: {} bytes, as a % of page_cache.size {} (rounded up; {} is not used when bytes are set)",
                             bytes_file, *bytes, format_size(cache), ratio_file));
    return;
  }
  auto ratio = whole(ratio_text);
  if (!ratio) return unreadable(m, how, name, ratio_file + " not readable");
  set_in_range(m, how, name, double(*ratio), fmt::format("{}: {}", ratio_file, *ratio));
}

void centisecs(Machine& m, std::map<std::string, std::string>& how, std::string_view name, const std::string& text,
               const char* sysctl, bool zero_is_off) {
  const std::string file = fmt::format("/proc/sys/vm/{}", sysctl);
  auto cs = whole(text);
  if (!cs) return unreadable(m, how, name, file + " not readable");
  if (*cs == 0 && zero_is_off)
    return unreadable(m, how, name, file + ": 0 turns the periodic flush off, which the model has no value for");
  set_in_range(m, how, name, double(*cs) * 1e7, fmt::format("{}: {} centiseconds", file, *cs));
}

}  // namespace

void apply_host_fact_keys(const HostFacts& f, Machine& m, std::map<std::string, std::string>& how) {
  m.cpu.cores = std::max(1u, f.cpus);
  how["cpu.cores"] = "online CPUs (sysconf)";
  if (f.pipe_size >= 4096) {
    m.pipe.slots = std::uint32_t(f.pipe_size / 4096);
    how["pipe.slots"] = fmt::format("F_GETPIPE_SZ of a new pipe: {} bytes", f.pipe_size);
  }
  if (auto v = parse_size(f.max_skb_frags); v && *v >= 1 && *v <= 1024) {
    m.nic.max_frags = std::uint32_t(*v);
    how["nic.max_frags"] = fmt::format("/proc/sys/net/core/max_skb_frags: {}", f.max_skb_frags);
  }
  m.receiver_local = true;
  how["net.receiver"] = "local: real mode's receiver is a process on this machine (a socket pair)";
  if (f.mem_available > (64ULL << 20)) {
    m.page_cache_bytes = std::min<std::uint64_t>(f.mem_available / (1 << 20) * (1 << 20), 1ULL << 40);
    how["page_cache.size"] = fmt::format("/proc/meminfo MemAvailable when calibrated: {} MiB", f.mem_available >> 20);
  } else {
    unreadable(m, how, "page_cache.size",
               f.mem_available ? "/proc/meminfo MemAvailable is under 64 MiB" : "/proc/meminfo MemAvailable not readable");
  }
  readahead(f, m, how);
  max_request(f, m, how);
  dirty_threshold(m, how, "page_cache.dirty_ratio", f.dirty_ratio, f.dirty_bytes, "dirty");
  dirty_threshold(m, how, "page_cache.dirty_background_ratio", f.dirty_background_ratio, f.dirty_background_bytes,
                  "dirty_background");
  centisecs(m, how, "page_cache.dirty_expire", f.dirty_expire_centisecs, "dirty_expire_centisecs", false);
  centisecs(m, how, "page_cache.writeback_interval", f.dirty_writeback_centisecs, "dirty_writeback_centisecs", true);
}

std::vector<std::string> facts_without_keys(const HostFacts& f) {
  auto or_unknown = [](const std::string& v) { return v.empty() ? std::string("not readable") : v; };
  return {
      fmt::format("kernel {}: the model is of Linux 6.x, whichever this is", or_unknown(f.kernel)),
      fmt::format("THP {} (/sys/kernel/mm/transparent_hugepage/enabled): no key, the model's anonymous memory has "
                  "4KiB pages only (file folios are mm.folio)",
                  or_unknown(f.thp)),
      fmt::format("I/O scheduler {} ({}/scheduler): not written (disk.scheduler stays `none` unless a scenario sets "
                  "it); check compares a sweep run over it only at the host's value",
                  or_unknown(f.io_scheduler), f.queue.empty() ? "no queue" : f.queue),
  };
}

}  // namespace kiosim::host
