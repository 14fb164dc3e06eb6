#include "sim/host/proc_texts.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace kiosim::host {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

std::optional<DiskStats> parse_diskstats(const std::string& text, unsigned major, unsigned minor) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    unsigned ma = 0, mi = 0;
    std::string name;
    DiskStats d;
    if (!(l >> ma >> mi >> name)) continue;
    if (ma != major || mi != minor) continue;
    if (l >> d.reads >> d.reads_merged >> d.sectors_read >> d.read_ms >> d.writes >> d.writes_merged >>
        d.sectors_written >> d.write_ms)
      return d;
  }
  return std::nullopt;
}

std::optional<DiskStats> diskstats_of(unsigned major, unsigned minor) {
  auto t = read_text("/proc/diskstats");
  return t ? parse_diskstats(*t, major, minor) : std::nullopt;
}

std::map<std::string, std::uint64_t> parse_meminfo(const std::string& text) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    std::istringstream l(line.substr(colon + 1));
    std::uint64_t v = 0;
    std::string unit;
    if (!(l >> v)) continue;
    l >> unit;
    if (!unit.empty() && unit != "kB") continue;
    out[line.substr(0, colon)] = unit == "kB" ? v * 1024 : v;
  }
  return out;
}

std::map<std::string, std::uint64_t> parse_vmstat(const std::string& text) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string k, rest;
    std::uint64_t v = 0;
    if (l >> k >> v && !(l >> rest)) out[k] = v;
  }
  return out;
}

std::optional<std::uint64_t> parse_tlb_interrupts(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string label;
    if (!(l >> label) || label != "TLB:") continue;
    std::uint64_t sum = 0, v = 0;
    bool any = false;
    while (l >> v) {
      sum += v;
      any = true;
    }
    if (any) return sum;
  }
  return std::nullopt;
}

std::optional<Jbd2Info> parse_jbd2_info(const std::string& text) {
  Jbd2Info j;
  bool got = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long t = 0, r = 0;
    if (std::sscanf(line.c_str(), "%llu transactions (%llu requested)", &t, &r) == 2) {
      j.transactions = t;
      j.requested = r;
      got = true;
    }
    // sscanf counts conversions, not the literal text after them: match that apart.
    unsigned long long us = 0;
    auto tail = line.find("us average transaction commit time");
    if (tail != std::string::npos && std::sscanf(line.substr(0, tail).c_str(), " %llu", &us) == 1)
      j.commit_us = double(us);
  }
  if (!got) return std::nullopt;
  return j;
}

BlockDevice block_device_of(const std::string& dir) {
  BlockDevice b;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return b;
  b.major = ::major(st.st_dev);
  b.minor = ::minor(st.st_dev);
  std::string dev = fmt::format("/sys/dev/block/{}:{}", b.major, b.minor);
  // A partition has no queue/ of its own: its disk's is one directory up.
  for (const char* q : {"/queue", "/../queue"}) {
    auto ra = read_text(dev + q + "/read_ahead_kb");
    if (!ra) continue;
    try {
      b.read_ahead_kb = std::stoull(*ra);
    } catch (...) {
    }
    // Named the way people know it (/sys/block/vda/queue), not by the /sys/devices/... path.
    std::error_code ec;
    auto disk = std::filesystem::canonical(dev + q, ec).parent_path().filename().string();
    b.queue = ec || disk.empty() ? dev + q : "/sys/block/" + disk + "/queue";
    if (auto ms = read_text(dev + q + "/max_sectors_kb")) {
      try {
        b.max_sectors_kb = std::stoull(*ms);
      } catch (...) {
      }
    }
    auto sched = read_text(dev + q + "/scheduler");
    if (sched) {
      auto a = sched->find('['), e = sched->find(']');
      b.scheduler = a != std::string::npos && e != std::string::npos ? sched->substr(a + 1, e - a - 1) : "none";
    }
    break;
  }
  return b;
}

}  // namespace kiosim::host
