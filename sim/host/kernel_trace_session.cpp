#include "sim/host/kernel_trace_session.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

namespace kiosim::host {

namespace {

// /proc/fs/jbd2/<disk>-<inode>: the journals, named by the device (fs/jbd2/journal.c
// jbd2_stats_proc_init uses journal->j_devname); /sys/dev/block/M:m names the device.
bool has_journal(unsigned major, unsigned minor) {
  char link[512];
  ssize_t n = ::readlink(fmt::format("/sys/dev/block/{}:{}", major, minor).c_str(), link, sizeof link - 1);
  if (n <= 0) return false;
  link[n] = 0;
  std::string name = link;
  name = name.substr(name.find_last_of('/') + 1);
  DIR* d = ::opendir("/proc/fs/jbd2");
  if (!d) return false;
  bool found = false;
  while (dirent* e = ::readdir(d))
    if (std::string(e->d_name).rfind(name + "-", 0) == 0) found = true;
  ::closedir(d);
  return found;
}

}  // namespace

void KernelTraceSession::open(const Scenario& s, PrivateDir& dir) {
  wanted_ = true;
  KernelTraceRequest r;
  r.pid = ::getpid();  // real mode runs the program in this process (the receiver is not traced)
  struct stat st {};
  if (::stat(dir.path().c_str(), &st) == 0) r.st_dev = std::uint64_t(st.st_dev);
  for (const auto& f : s.files)
    if (::stat(dir.file(f.name).c_str(), &st) == 0) r.inodes.push_back(std::uint64_t(st.st_ino));
  trace_ = KernelTrace::open(r, note_);
  if (!trace_) return;
  instance_ = trace_->instance_path();
  tracefs_ = trace_->tracefs();
  mounted_by_us_ = trace_->mounted_by_us();
  notes_ = trace_->notes();
  events_ = trace_->events_enabled();
  if (!has_journal(unsigned(::major(st.st_dev)), unsigned(::minor(st.st_dev))))
    notes_.push_back("the temp dir's file system has no journal (no entry for its device in /proc/fs/jbd2): "
                     "no jbd2 events to see");
}

std::function<void(bool)> KernelTraceSession::hook() {
  return [this](bool before) {
    if (!armed_ || !trace_) return;
    if (before) {
      // The threads of `threads: N` exist now (waiting at their gate): follow them all.
      if (trace_->follow_threads(threads_of_self()) && !followed_) {
        followed_ = true;
        notes_.push_back("events filtered by pid follow the process's threads (their tids, at the body's start)");
      }
      trace_->start();
      running_ = true;
    } else if (running_) {
      trace_->stop();
      running_ = false;
    }
  };
}

std::optional<KernelEvents> KernelTraceSession::take() {
  if (!armed_ || !trace_) return std::nullopt;
  armed_ = false;
  if (running_) trace_->stop();
  running_ = false;
  std::uint64_t lost = 0;
  KernelEvents k = kernel_events(parse_trace_text(trace_->take(lost)));
  k.lost = lost;
  return k;
}

void KernelTraceSession::close() { trace_.reset(); }

nlohmann::ordered_json KernelTraceSession::to_json() const {
  nlohmann::ordered_json j;
  j["requested"] = wanted_;
  j["active"] = !instance_.empty();
  if (!note_.empty()) j["why_not"] = note_;
  if (!instance_.empty()) {
    j["instance"] = instance_;
    j["tracefs"] = tracefs_;
    j["mounted_by_kiosim"] = mounted_by_us_;
    j["events_enabled"] = events_;
    j["filters"] = "common_pid (readahead, map_pages, page_fault_user, balance_dirty_pages, tlb, ipi, net, skb, tcp, "
                   "io_uring; every thread's), device and inode of the scenario's files (readahead, filemap), device "
                   "(jbd2); vmscan unfiltered (node-wide reclaim while the body ran)";
  }
  j["notes"] = notes_;
  return j;
}

nlohmann::ordered_json kernel_events_json(const KernelEvents& k) {
  nlohmann::ordered_json j;
  j["records_by_event"] = k.by_event;
  // The records in time order, for the GUI's lanes: seconds after the body began.
  auto marks = nlohmann::ordered_json::array();
  for (const auto& m : k.timeline) {
    nlohmann::ordered_json x = {{"t_us", m.t_s * 1e6}, {"event", m.event}, {"value", m.value}, {"cpu", m.cpu}};
    if (m.dur_s > 0) x["dur_us"] = m.dur_s * 1e6;
    marks.push_back(std::move(x));
  }
  j["timeline"] = {{"origin", k.body_start_s ? "body start (kiosim's trace_marker)" : "first record"},
                   {"body_us", k.body_start_s && k.body_end_s ? (*k.body_end_s - *k.body_start_s) * 1e6 : 0.0},
                   {"dropped", k.timeline_dropped},
                   {"marks", marks}};
  j["malformed"] = k.malformed;
  j["malformed_examples"] = k.malformed_examples;
  j["lost"] = k.lost;
  return j;
}

}  // namespace kiosim::host
