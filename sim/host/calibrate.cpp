// kiosim calibrate: one round runs every benchmark in order (calibrate_*.cpp); the
// rounds' medians make the profile.
#include "sim/host/calibrate.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/host_fact_keys.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"

namespace kiosim::host {

namespace calib {

std::pair<double, double> fit(const std::vector<double>& x, const std::vector<double>& y) {
  double n = double(x.size()), sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return {(sy - b * sx) / n, b};
}

CachedFile make_cached_file(PrivateDir& dir, std::uint64_t bytes) {
  CachedFile f;
  f.path = dir.file("calibrate.bin");
  f.bytes = bytes;
  f.pages = bytes / 4096;
  int fd = ::open(f.path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("create " + f.path);
  std::vector<char> chunk(1 << 20, 'k');  // 1 MiB writes, then fsync
  for (std::uint64_t off = 0; off < bytes; off += chunk.size())
    if (::pwrite(fd, chunk.data(), chunk.size(), off_t(off)) != ssize_t(chunk.size())) fail("write " + f.path);
  ::fsync(fd);
  ::close(fd);
  f.fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) fail("open " + f.path);
  return f;
}

namespace {

// Every benchmark once, in this order: the later ones subtract what the earlier
// measured (the system call, the page-cache lookup, the pipe's write + read).
Round calibrate_round(const CalibrateOptions& o, const HostFacts& facts,
                      const std::function<void(const std::string&)>& progress) {
  const int steps = 11;
  int step = 0;
  auto say = [&](const std::string& what) {
    if (progress) progress(fmt::format("[{}/{}] {}", ++step, steps, what));
  };
  Round r;  // defaults; each benchmark overwrites what it measures
  PrivateDir dir;
  const std::uint64_t file_bytes = o.scale < 1 ? (8ULL << 20) : (64ULL << 20);
  if (dir.free_bytes() < file_bytes + (64ULL << 20))
    throw Refused(fmt::format("calibrate needs {} in {} and it has {}", format_size(double(file_bytes + (64ULL << 20))),
                              dir.path(), format_size(double(dir.free_bytes()))));

  say("null syscall (getppid)");
  measure_syscall(r, o);
  say("io_uring request (64 NOPs per io_uring_enter)");
  measure_uring_request(r, o);
  const CachedFile file = make_cached_file(dir, file_bytes);
  say("page-cache lookup per page (mincore of an untouched mapping)");
  measure_page_lookup(r, file);
  say("copy bandwidth by size (pread of a cached file)");
  std::vector<char> buf(1 << 20, 1);  // pread's target, later the pipe's
  measure_copy(r, file, buf);
  say("minor fault cost and pages mapped per fault (read-touch of a cached mapping)");
  measure_minor_faults(r, file);
  say("splice page move (file -> pipe -> /dev/null)");
  measure_splice_page_move(r, file);
  ::close(file.fd);
  say("disk read latency and bandwidth (O_DIRECT reads of 4KiB, 64KiB, 1MiB)");
  measure_disk(r, o, facts, dir, file);
  say("socket send and receive per call and per byte (socket pair, receiver on another CPU)");
  measure_socket(r, o);
  say("pipe write and read (4KiB)");
  const double pipe_pair_ns = measure_pipe(r, o, buf);
  say("context switch and wake-up (pipe ping-pong on one CPU, a wake-up across two)");
  measure_switch_and_wakeup(r, o, pipe_pair_ns);
  say("memory: touch bandwidth and memcpy");
  measure_memory(r, o);

  apply_host_fact_keys(facts, r.m, r.how);
  r.m.derive();
  dir.remove();
  return r;
}

}  // namespace

}  // namespace calib

using calib::Round;

Calibration calibrate(const CalibrateOptions& o, const std::function<void(const std::string&)>& progress) {
  ::signal(SIGPIPE, SIG_IGN);  // a benchmark's child that dies is an error to report, not our death
  Calibration c;
  c.facts = host_facts(temp_base());
  const unsigned rounds = std::max(1u, o.rounds);
  std::vector<Round> done;
  for (unsigned r = 0; r < rounds; ++r)
    done.push_back(calib::calibrate_round(o, c.facts, [&](const std::string& line) {
      if (progress) progress(rounds > 1 ? fmt::format("round {}/{}: {}", r + 1, rounds, line) : line);
    }));
  // Each measured value is the median of the rounds: this host's speed drifts by tens
  // of percent from one second to the next, and a round takes a few seconds.
  // Only rounds that measured a key count for it (a rejected fit keeps the default);
  // the lower median, so that the value is one a round measured.
  Machine m = done.back().m;
  std::map<std::string, std::string> how;
  for (const auto& k : machine_keys()) {
    std::string name(k.name);
    std::vector<const Round*> measured;
    for (const auto& d : done) {
      auto h = d.how.find(name);
      if (h != d.how.end() && h->second.rfind("default", 0) != 0) measured.push_back(&d);
    }
    if (measured.empty()) {
      if (auto h = done.back().how.find(name); h != done.back().how.end()) how[name] = h->second;
      continue;
    }
    std::vector<const Round*> sorted = measured;
    std::sort(sorted.begin(), sorted.end(), [&](auto* a, auto* b) { return k.number(a->m) < k.number(b->m); });
    const Round* mid = sorted[(sorted.size() - 1) / 2];
    k.set(m, k.number(mid->m), k.show(mid->m));
    how[name] = mid->how.at(name);
    std::string each;
    for (const auto* d : measured) each += (each.empty() ? "" : ", ") + k.show(d->m);
    if (std::any_of(measured.begin(), measured.end(), [&](auto* d) { return k.number(d->m) != k.number(mid->m); }))
      how[name] += fmt::format("; median of {} rounds ({})", measured.size(), each);
  }
  m.derive();
  c.notes = done.back().notes;
  for (const auto& k : machine_keys()) {
    std::string name(k.name);
    auto h = how.find(name);
    c.values.push_back({name, k.show(m), h == how.end() ? "default: not measured by calibrate" : h->second});
  }
  return c;
}

std::string Calibration::yaml() const {
  std::ostringstream o;
  o << "# A machine profile measured by `kiosim calibrate` on this host. Each value says how it\n"
       "# was measured; values marked `default` were not measured. The composite methods\n"
       "# (read+write, mmap+write, sendfile, splice) were never run: `kiosim check` tests them.\n";
  o << fmt::format("# kernel: {}\n# cpu: {} ({} online)\n# page size {}, pipe size {}, max_skb_frags {}, THP {}, temp fs {}\n",
                   facts.kernel, facts.cpu_model, facts.cpus, facts.page_size, facts.pipe_size, facts.max_skb_frags,
                   facts.thp, facts.temp_fs);
  for (const auto& n : notes) o << "# note: " << n << "\n";
  for (const auto& n : facts_without_keys(facts)) o << "# host fact, no key: " << n << "\n";
  o << "kiosim_machine: 1\nname: calibrated\n";
  o << fmt::format("description: measured by kiosim calibrate on {}\n", facts.kernel);
  // One block per section, in the order sections first appear in the registry.
  std::vector<std::string> sections;
  for (const auto& v : values) {
    std::string sec = v.key.substr(0, v.key.find('.'));
    if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
  }
  for (const auto& sec : sections) {
    o << "\n" << sec << ":\n";
    for (const auto& v : values) {
      if (v.key.substr(0, v.key.find('.')) != sec) continue;
      o << fmt::format("  {}: {}\n", v.key.substr(v.key.find('.') + 1), v.value);
      o << fmt::format("    # {}\n", v.how);
    }
  }
  return o.str();
}

}  // namespace kiosim::host
