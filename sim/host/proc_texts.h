// Parsers of the /proc and /sys texts real mode reads around a measurement, each from
// the text (so tests can give them real and malformed texts) with a reader of the live
// file beside it. The formats are the kernel's: diskstats_show (block/genhd.c),
// meminfo_proc_show (fs/proc/meminfo.c), vmstat_show (mm/vmstat.c),
// show_interrupts / arch_show_interrupts (the "TLB:" line, arch/x86/kernel/irq.c),
// jbd2_seq_info_show (fs/jbd2/journal.c). A line that does not parse is skipped; a
// figure that is not there is std::nullopt, never 0.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace kiosim::host {

// One line of /proc/diskstats: the fields after major, minor and name (Documentation/admin-guide/iostats.rst).
struct DiskStats {
  std::uint64_t reads = 0, reads_merged = 0, sectors_read = 0, read_ms = 0;
  std::uint64_t writes = 0, writes_merged = 0, sectors_written = 0, write_ms = 0;
};
std::optional<DiskStats> parse_diskstats(const std::string& text, unsigned major, unsigned minor);
std::optional<DiskStats> diskstats_of(unsigned major, unsigned minor);  // the live /proc/diskstats

// "Key:   123 kB" lines (/proc/meminfo) in bytes, and "key 123" lines (/proc/vmstat) as they are.
std::map<std::string, std::uint64_t> parse_meminfo(const std::string& text);
std::map<std::string, std::uint64_t> parse_vmstat(const std::string& text);

// The sum over CPUs of the "TLB:" line of /proc/interrupts (TLB shootdown IPIs received; x86 only).
std::optional<std::uint64_t> parse_tlb_interrupts(const std::string& text);

// /proc/fs/jbd2/<dev>/info: "N transactions (M requested), each up to B blocks" and
// "  Uus average transaction commit time" (j_average_commit_time).
struct Jbd2Info {
  std::uint64_t transactions = 0, requested = 0;
  std::optional<double> commit_us;
};
std::optional<Jbd2Info> parse_jbd2_info(const std::string& text);

// The whole of a small file, or nothing when it cannot be read.
std::optional<std::string> read_text(const std::string& path);

// The block device under a directory as /sys names it: major, minor (st_dev of the directory),
// and the queue's read_ahead_kb, max_sectors_kb and scheduler, when the device has a queue (a partition's is its
// disk's).
struct BlockDevice {
  unsigned major = 0, minor = 0;
  std::optional<std::uint64_t> read_ahead_kb;
  std::optional<std::uint64_t> max_sectors_kb;  // the largest request, queue_max_sectors (block/blk-sysfs.c)
  std::string scheduler;  // the [selected] one, or "" when not readable
  std::string queue;      // where they were read, as /sys/block/NAME/queue; "" when no queue was found
};
BlockDevice block_device_of(const std::string& dir);

}  // namespace kiosim::host
