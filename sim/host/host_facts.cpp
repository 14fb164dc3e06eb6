#include "sim/host/host_facts.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "sim/host/proc_texts.h"

namespace kiosim::host {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

std::uint64_t mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

namespace {
// The longest mount in /proc/self/mounts that holds `path`: {type, options}.
std::pair<std::string, std::string> mount_of(const std::string& path) {
  std::error_code ec;
  std::string real = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) real = path;
  std::ifstream in("/proc/self/mounts");
  std::string dev, mnt, type, opts, rest;
  std::size_t best = 0;
  std::pair<std::string, std::string> found{"unknown", ""};
  while (in >> dev >> mnt >> type >> opts && std::getline(in, rest)) {
    bool under = real == mnt || mnt == "/" || (real.compare(0, mnt.size(), mnt) == 0 && real.size() > mnt.size() &&
                                               real[mnt.size()] == '/');
    if (under && mnt.size() >= best) {
      best = mnt.size();
      found = {type, opts};
    }
  }
  return found;
}

// ext4's data= mode: ext4_show_options prints data=journal and data=writeback, not the
// default ordered; "" for another file system.
std::string ext4_data_mode(const std::pair<std::string, std::string>& mount) {
  if (mount.first != "ext4") return "";
  for (const char* m : {"journal", "writeback"})
    if (("," + mount.second + ",").find(std::string(",data=") + m + ",") != std::string::npos) return m;
  return "ordered";
}

// blk-mq's hardware queues of a disk (/sys/block/NAME/mq/N) and the first one's tags.
void hw_queues_of(const std::string& queue, HostFacts& f) {
  if (queue.empty()) return;
  std::error_code ec;
  const std::string mq = std::filesystem::path(queue).parent_path().string() + "/mq";
  unsigned n = 0;
  for (const auto& e : std::filesystem::directory_iterator(mq, ec))
    if (e.is_directory(ec) && std::filesystem::exists(e.path() / "nr_tags", ec)) ++n;
  if (n == 0) return;
  f.hw_queues = std::to_string(n);
  f.queue_depth = read_first_line(mq + "/0/nr_tags");
}
}  // namespace

std::string fs_type_of(const std::string& path) { return mount_of(path).first; }

HostFacts host_facts(const std::string& temp_dir) {
  HostFacts f;
  struct utsname u {};
  if (::uname(&u) == 0) f.kernel = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
  {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("model name", 0) == 0) {
        auto c = line.find(':');
        f.cpu_model = c == std::string::npos ? line : line.substr(c + 2);
        break;
      }
    if (f.cpu_model.empty()) f.cpu_model = "unknown";
  }
  f.cpus = unsigned(::sysconf(_SC_NPROCESSORS_ONLN));
  f.page_size = std::uint64_t(::sysconf(_SC_PAGESIZE));
  int p[2];
  if (::pipe(p) == 0) {
    int sz = ::fcntl(p[0], F_GETPIPE_SZ);
    f.pipe_size = sz > 0 ? std::uint64_t(sz) : 0;
    ::close(p[0]);
    ::close(p[1]);
  }
  f.max_skb_frags = read_first_line("/proc/sys/net/core/max_skb_frags");
  if (f.max_skb_frags.empty()) f.max_skb_frags = "unknown (not readable)";
  std::string thp = read_first_line("/sys/kernel/mm/transparent_hugepage/enabled");
  auto a = thp.find('['), b = thp.find(']');
  f.thp = a != std::string::npos && b != std::string::npos ? thp.substr(a + 1, b - a - 1) : "unknown";
  f.fault_around = read_first_line("/sys/kernel/debug/fault_around_bytes");
  if (f.fault_around.empty()) f.fault_around = "not readable (debugfs); calibrate takes Linux's default, 64KiB";
  f.temp_dir = temp_dir;
  f.temp_fs = fs_type_of(temp_dir);
  f.mem_available = mem_available_bytes();
  f.perf_paranoid = read_first_line("/proc/sys/kernel/perf_event_paranoid");
  f.dirty_ratio = read_first_line("/proc/sys/vm/dirty_ratio");
  f.dirty_background_ratio = read_first_line("/proc/sys/vm/dirty_background_ratio");
  f.dirty_bytes = read_first_line("/proc/sys/vm/dirty_bytes");
  f.dirty_background_bytes = read_first_line("/proc/sys/vm/dirty_background_bytes");
  f.dirty_expire_centisecs = read_first_line("/proc/sys/vm/dirty_expire_centisecs");
  f.dirty_writeback_centisecs = read_first_line("/proc/sys/vm/dirty_writeback_centisecs");
  BlockDevice dev = block_device_of(temp_dir);
  f.temp_dev = fmt::format("{}:{}", dev.major, dev.minor);
  f.read_ahead_kb = dev.read_ahead_kb ? std::to_string(*dev.read_ahead_kb) : "";
  f.max_sectors_kb = dev.max_sectors_kb ? std::to_string(*dev.max_sectors_kb) : "";
  f.io_scheduler = dev.scheduler;
  f.queue = dev.queue;
  hw_queues_of(f.queue, f);
  f.data_mode = ext4_data_mode(mount_of(temp_dir));
  return f;
}

nlohmann::ordered_json HostFacts::to_json() const {
  return {{"kernel", kernel},       {"cpu", cpu_model},
          {"cpus", cpus},           {"page_size", page_size},
          {"pipe_size", pipe_size}, {"net.core.max_skb_frags", max_skb_frags},
          {"thp", thp},             {"fault_around_bytes", fault_around},
          {"temp_dir", temp_dir},   {"temp_dir_fs", temp_fs},
          {"mem_available", mem_available}, {"perf_event_paranoid", perf_paranoid},
          {"vm.dirty_ratio", dirty_ratio}, {"vm.dirty_background_ratio", dirty_background_ratio},
          {"vm.dirty_bytes", dirty_bytes}, {"vm.dirty_background_bytes", dirty_background_bytes},
          {"vm.dirty_expire_centisecs", dirty_expire_centisecs},
          {"vm.dirty_writeback_centisecs", dirty_writeback_centisecs}, {"temp_dir_device", temp_dev},
          {"read_ahead_kb", read_ahead_kb}, {"max_sectors_kb", max_sectors_kb},
          {"hw_queues", hw_queues}, {"queue_depth", queue_depth}, {"ext4_data_mode", data_mode},
          {"io_scheduler", io_scheduler}};
}

std::string HostFacts::header() const {
  std::ostringstream o;
  o << fmt::format("HOST kernel        {}\n", kernel);
  o << fmt::format("HOST cpu           {} ({} online)\n", cpu_model, cpus);
  o << fmt::format("HOST page size     {} B\n", page_size);
  o << fmt::format("HOST pipe size     {} B\n", pipe_size);
  o << fmt::format("HOST max_skb_frags {}\n", max_skb_frags);
  o << fmt::format("HOST THP           {}\n", thp);
  o << fmt::format("HOST fault-around  {}\n", fault_around);
  o << fmt::format("HOST temp dir      {} ({}, device {})\n", temp_dir, temp_fs, temp_dev);
  auto or_unknown = [](const std::string& v) { return v.empty() ? std::string("not readable") : v; };
  o << fmt::format("HOST read_ahead_kb {} (max_sectors_kb {}, scheduler {})\n", or_unknown(read_ahead_kb),
                   or_unknown(max_sectors_kb), or_unknown(io_scheduler));
  o << fmt::format("HOST vm.dirty      ratio {} background_ratio {} bytes {} background_bytes {} expire {} cs"
                   " writeback {} cs\n",
                   or_unknown(dirty_ratio), or_unknown(dirty_background_ratio), or_unknown(dirty_bytes),
                   or_unknown(dirty_background_bytes), or_unknown(dirty_expire_centisecs),
                   or_unknown(dirty_writeback_centisecs));
  o << fmt::format("HOST MemAvailable  {} MiB\n", mem_available >> 20);
  return o.str();
}

}  // namespace kiosim::host
