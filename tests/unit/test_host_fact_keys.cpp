// Host facts to machine keys (sim/host/host_fact_keys.h), from hand-made facts: nothing
// here depends on this machine's settings.
#include <catch2/catch.hpp>

#include "sim/host/host_fact_keys.h"

using kiosim::Machine;
using kiosim::host::apply_host_fact_keys;
using kiosim::host::facts_without_keys;
using kiosim::host::HostFacts;

namespace {

// A host like the one issue 14 measured: read_ahead_kb 8192 on vda, the ratios rule.
HostFacts sample() {
  HostFacts f;
  f.cpus = 2;
  f.pipe_size = 65536;
  f.max_skb_frags = "17";
  f.mem_available = 4ULL << 30;
  f.dirty_ratio = "20";
  f.dirty_background_ratio = "10";
  f.dirty_bytes = "0";
  f.dirty_background_bytes = "0";
  f.dirty_expire_centisecs = "3000";
  f.dirty_writeback_centisecs = "500";
  f.temp_dev = "254:0";
  f.queue = "/sys/block/vda/queue";
  f.read_ahead_kb = "8192";
  f.max_sectors_kb = "4096";
  f.io_scheduler = "none";
  f.thp = "madvise";
  f.kernel = "Linux 6.18.0 x86_64";
  return f;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

}  // namespace

TEST_CASE("host facts: each readable fact sets its key, the comment names the file", "[host][facts]") {
  HostFacts f = sample();
  f.dirty_ratio = "30";  // not the defaults (20, 10, 30 s, 5 s), so a key left alone fails
  f.dirty_background_ratio = "5";
  f.dirty_expire_centisecs = "1500";
  f.dirty_writeback_centisecs = "250";
  Machine m;
  std::map<std::string, std::string> how;
  apply_host_fact_keys(f, m, how);
  // queue_ra_store: 8192 KiB / 4 KiB = 2048 pages.
  REQUIRE(m.readahead.max_pages == 2048);
  REQUIRE(starts_with(how.at("page_cache.readahead"), "/sys/block/vda/queue/read_ahead_kb: 8192"));
  // queue_max_sectors_store: 4096 KiB = 8192 sectors, a request of at most 4 MiB.
  REQUIRE(m.disk.max_request_bytes == 4ULL << 20);
  REQUIRE(starts_with(how.at("disk.max_request"), "/sys/block/vda/queue/max_sectors_kb: 4096"));
  REQUIRE(m.dirty_ratio == 30);
  REQUIRE(how.at("page_cache.dirty_ratio") == "/proc/sys/vm/dirty_ratio: 30");
  REQUIRE(m.dirty_background_ratio == 5);
  REQUIRE(how.at("page_cache.dirty_background_ratio") == "/proc/sys/vm/dirty_background_ratio: 5");
  REQUIRE(m.dirty_expire_ns == 15e9);  // 1500 cs x 10 ms
  REQUIRE(starts_with(how.at("page_cache.dirty_expire"), "/proc/sys/vm/dirty_expire_centisecs: 1500"));
  REQUIRE(m.writeback_interval_ns == 2.5e9);  // 250 cs
  REQUIRE(m.page_cache_bytes == 4ULL << 30);
  REQUIRE(starts_with(how.at("page_cache.size"), "/proc/meminfo MemAvailable"));
  REQUIRE(m.cpu.cores == 2);
  REQUIRE(m.pipe.slots == 16);  // 65536 / 4096
  REQUIRE(m.nic.max_frags == 17);
}

TEST_CASE("host facts: vm.dirty_bytes become a percent of the page cache, rounded up", "[host][facts]") {
  HostFacts f = sample();
  f.dirty_ratio = "0";  // dirty_bytes_handler zeroes the ratio
  f.dirty_bytes = "419430400";  // 400 MiB of a 4 GiB cache: 9.77% -> 10
  f.dirty_background_ratio = "0";
  f.dirty_background_bytes = "104857600";  // 100 MiB: 2.44% -> 3
  Machine m;
  std::map<std::string, std::string> how;
  apply_host_fact_keys(f, m, how);
  REQUIRE(m.dirty_ratio == 10);
  REQUIRE(m.dirty_background_ratio == 3);
  REQUIRE(starts_with(how.at("page_cache.dirty_ratio"), "/proc/sys/vm/dirty_bytes: 419430400 bytes"));
}

TEST_CASE("host facts: a missing or unreadable file keeps the default, and the comment says so", "[host][facts]") {
  HostFacts f = sample();
  f.read_ahead_kb = "";  // read_first_line / block_device_of give "" for a file they cannot read
  f.max_sectors_kb = "";
  f.dirty_ratio = "";
  f.dirty_bytes = "";
  f.dirty_expire_centisecs = "garbage";
  f.dirty_writeback_centisecs = "0";  // periodic flush off: no model value
  const Machine defaults;
  Machine m;
  std::map<std::string, std::string> how;
  apply_host_fact_keys(f, m, how);
  REQUIRE(m.readahead.max_pages == defaults.readahead.max_pages);
  REQUIRE(how.at("page_cache.readahead") == "default 128KiB kept: /sys/block/vda/queue/read_ahead_kb not readable");
  REQUIRE(m.disk.max_request_bytes == defaults.disk.max_request_bytes);
  REQUIRE(how.at("disk.max_request") == "default 0B kept: /sys/block/vda/queue/max_sectors_kb not readable");
  REQUIRE(m.dirty_ratio == defaults.dirty_ratio);
  REQUIRE(how.at("page_cache.dirty_ratio") == "default 20 kept: /proc/sys/vm/dirty_ratio not readable");
  REQUIRE(m.dirty_expire_ns == defaults.dirty_expire_ns);
  REQUIRE(starts_with(how.at("page_cache.dirty_expire"), "default 30s kept"));
  REQUIRE(m.writeback_interval_ns == defaults.writeback_interval_ns);
  REQUIRE(how.at("page_cache.writeback_interval").find("turns the periodic flush off") != std::string::npos);

  f.queue = "";  // a device without a queue (tmpfs, overlay)
  apply_host_fact_keys(f, m, how);
  REQUIRE(starts_with(how.at("page_cache.readahead"), "default 128KiB kept: the temp dir's device 254:0 has no queue"));
  REQUIRE(starts_with(how.at("disk.max_request"), "default 0B kept: the temp dir's device 254:0 has no queue"));
  f.queue = "/sys/block/vda/queue";
  f.max_sectors_kb = "0";  // under a page: queue_max_sectors_store refuses it, so no host says it
  apply_host_fact_keys(f, m, how);
  REQUIRE(m.disk.max_request_bytes == 0);
  REQUIRE(how.at("disk.max_request").find("under a page") != std::string::npos);
  f.read_ahead_kb = "1048576";  // 1 GiB: past the key's 64 MiB
  apply_host_fact_keys(f, m, how);
  REQUIRE(m.readahead.max_pages == defaults.readahead.max_pages);
  REQUIRE(how.at("page_cache.readahead").find("outside the model's range") != std::string::npos);
}

TEST_CASE("host facts without a key are listed, not mapped", "[host][facts]") {
  auto lines = facts_without_keys(sample());
  REQUIRE(lines.size() == 3);
  REQUIRE(starts_with(lines[1], "THP madvise"));
  REQUIRE(starts_with(lines[2], "I/O scheduler none (/sys/block/vda/queue/scheduler)"));
}
