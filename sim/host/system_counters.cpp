#include "sim/host/system_counters.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace kiosim::host {

namespace {

std::optional<std::uint64_t> key(const std::map<std::string, std::uint64_t>& m, const char* k) {
  auto it = m.find(k);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

SystemCounters system_counters_of(const std::optional<std::string>& meminfo, const std::optional<std::string>& vmstat,
                                  const std::optional<std::string>& interrupts, const std::optional<std::string>& jbd2,
                                  const std::string& jbd2_name) {
  SystemCounters c;
  if (!meminfo) {
    c.why_not.push_back("/proc/meminfo is not readable");
  } else {
    auto m = parse_meminfo(*meminfo);
    c.dirty_bytes = key(m, "Dirty");
    c.writeback_bytes = key(m, "Writeback");
    if (!c.dirty_bytes || !c.writeback_bytes) c.why_not.push_back("/proc/meminfo has no Dirty or Writeback line");
  }
  if (!vmstat) {
    c.why_not.push_back("/proc/vmstat is not readable");
  } else {
    auto v = parse_vmstat(*vmstat);
    c.nr_dirtied = key(v, "nr_dirtied");
    c.nr_written = key(v, "nr_written");
    if (!c.nr_dirtied || !c.nr_written) c.why_not.push_back("/proc/vmstat has no nr_dirtied or nr_written line");
  }
  if (!interrupts) {
    c.why_not.push_back("/proc/interrupts is not readable");
  } else {
    c.tlb_shootdowns = parse_tlb_interrupts(*interrupts);
    if (!c.tlb_shootdowns) c.why_not.push_back("/proc/interrupts has no TLB line (it is x86's)");
  }
  if (jbd2_name.empty()) {
    c.why_not.push_back("the temp dir's file system has no jbd2 journal in /proc/fs/jbd2");
  } else if (!jbd2) {
    c.why_not.push_back(jbd2_name + " is not readable");
  } else {
    c.jbd2 = parse_jbd2_info(*jbd2);
    if (!c.jbd2) c.why_not.push_back(jbd2_name + " has no \"N transactions (M requested)\" line");
  }
  return c;
}

std::string jbd2_entry_for(const std::string& device, const std::vector<std::string>& entries) {
  if (device.empty()) return "";
  for (const auto& e : entries) {
    // The part after the last dash is the journal's inode number, digits only.
    auto dash = e.rfind('-');
    if (dash == std::string::npos || dash + 1 == e.size()) continue;
    if (!std::all_of(e.begin() + long(dash) + 1, e.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) continue;
    if (e.compare(0, dash, device) == 0 && dash == device.size()) return e;
  }
  return "";
}

std::string jbd2_info_path_of(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return "";
  std::error_code ec;
  // /sys/dev/block/MAJ:MIN links to the device's directory, named as the kernel names it (bdevname).
  auto dev = std::filesystem::canonical(fmt::format("/sys/dev/block/{}:{}", ::major(st.st_dev), ::minor(st.st_dev)), ec);
  if (ec) return "";
  std::vector<std::string> entries;
  for (const auto& e : std::filesystem::directory_iterator("/proc/fs/jbd2", ec)) entries.push_back(e.path().filename());
  if (ec) return "";
  std::string entry = jbd2_entry_for(dev.filename().string(), entries);
  return entry.empty() ? "" : "/proc/fs/jbd2/" + entry + "/info";
}

SystemCounters system_counters_now(const std::string& jbd2_info) {
  return system_counters_of(read_text("/proc/meminfo"), read_text("/proc/vmstat"), read_text("/proc/interrupts"),
                            jbd2_info.empty() ? std::nullopt : read_text(jbd2_info), jbd2_info);
}

}  // namespace kiosim::host
