// The facts of this machine that real mode reports in its header: kernel, CPU,
// page size, pipe size, net.core.max_skb_frags, THP mode, fault-around, and the
// file system of the temporary directory. All read without privileges.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace kiosim::host {

struct HostFacts {
  std::string kernel;         // uname -r
  std::string cpu_model;      // /proc/cpuinfo "model name"
  unsigned cpus = 0;          // online CPUs
  std::uint64_t page_size = 0;
  std::uint64_t pipe_size = 0;      // F_GETPIPE_SZ of a new pipe
  std::string max_skb_frags;        // /proc/sys/net/core/max_skb_frags, or "unknown"
  std::string thp;                  // the [selected] mode of transparent_hugepage/enabled
  std::string fault_around;         // /sys/kernel/mm/... (debugfs, usually not readable)
  std::string temp_dir, temp_fs;    // the base directory and its file system type
  std::uint64_t mem_available = 0;  // MemAvailable in bytes
  std::string perf_paranoid;        // /proc/sys/kernel/perf_event_paranoid
  // What the model's writeback and readahead rules need (issue 14), "" when not readable:
  std::string dirty_ratio, dirty_background_ratio;  // /proc/sys/vm/dirty_ratio, dirty_background_ratio
  std::string dirty_bytes, dirty_background_bytes;  // /proc/sys/vm/dirty_bytes, ... (0: the ratios rule)
  std::string dirty_expire_centisecs;               // /proc/sys/vm/dirty_expire_centisecs
  std::string dirty_writeback_centisecs;            // /proc/sys/vm/dirty_writeback_centisecs
  std::string temp_dev;           // major:minor of the temp dir's device
  std::string read_ahead_kb;      // its queue's read_ahead_kb
  std::string max_sectors_kb;     // its queue's max_sectors_kb (the largest request)
  std::string queue;              // where: /sys/block/NAME/queue, "" when the device has no queue
  std::string io_scheduler;       // its queue's [selected] scheduler
  std::string hw_queues;          // blk-mq hardware queues (/sys/block/NAME/mq/*), "" when not readable
  std::string queue_depth;        // the first one's tags (mq/0/nr_tags)
  std::string data_mode;          // ext4's data= (ordered unless the mount says otherwise); "" for another fs

  nlohmann::ordered_json to_json() const;
  std::string header() const;  // "HOST kernel 6.1 ..." lines
};

HostFacts host_facts(const std::string& temp_dir);

// First line of a small file, trimmed; empty when it cannot be read.
std::string read_first_line(const std::string& path);
// MemAvailable from /proc/meminfo, in bytes (0 if unknown).
std::uint64_t mem_available_bytes();
// The file system type of `path`, from the longest matching mount in /proc/self/mounts.
std::string fs_type_of(const std::string& path);

}  // namespace kiosim::host
