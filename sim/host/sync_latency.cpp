#include "sim/host/sync_latency.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "sim/host/host_facts.h"
#include "sim/host/measure.h"
#include "sim/host/private_dir.h"
#include "sim/host/syscall_error.h"
#include "sim/host/system_counters.h"

namespace kiosim::host {

namespace {

struct Figure {
  const char* key;
  const char* label;
  const std::vector<double>* ns;
};

std::vector<Figure> figures(const SyncLatency& s) {
  return {{"fsync_append", "fsync after a 4 KiB append", &s.fsync_append},
          {"fdatasync_append", "fdatasync after a 4 KiB append", &s.fdatasync_append},
          {"fdatasync_overwrite", "fdatasync after a 4 KiB overwrite", &s.fdatasync_overwrite}};
}

struct Closing {
  int fd = -1;
  ~Closing() {
    if (fd >= 0) ::close(fd);
  }
};

// One try: a 4 KiB pwrite at `offset`, then the sync, which alone is timed.
double timed_sync(int fd, const char* page, off_t offset, bool data_only) {
  if (::pwrite(fd, page, 4096, offset) != 4096) fail("pwrite (the sync latency probe)");
  const double t0 = now_ns();
  if ((data_only ? ::fdatasync(fd) : ::fsync(fd)) != 0) fail(data_only ? "fdatasync" : "fsync");
  return now_ns() - t0;
}

}  // namespace

nlohmann::ordered_json SyncLatency::to_json() const {
  if (!why_not.empty()) return {{"why_not", why_not}};
  nlohmann::ordered_json j{{"file_system", fs}};
  for (const auto& f : figures(*this)) {
    if (f.ns->empty()) continue;
    auto [lo, hi] = std::minmax_element(f.ns->begin(), f.ns->end());
    j[f.key] = {{"median_ns", median(*f.ns)}, {"min_ns", *lo}, {"max_ns", *hi}, {"tries", f.ns->size()}};
  }
  if (jbd2_before && jbd2_after) {
    j["jbd2_commits"] = jbd2_after->transactions >= jbd2_before->transactions
                            ? jbd2_after->transactions - jbd2_before->transactions
                            : 0;
    if (jbd2_after->commit_us) j["jbd2_average_commit_us"] = *jbd2_after->commit_us;
  }
  return j;
}

std::string SyncLatency::line() const {
  if (!why_not.empty()) return "SKIP sync latency: " + why_not + "\n";
  std::string out = "SYNC " + fs + ":";
  const char* sep = " ";
  for (const auto& f : figures(*this)) {
    if (f.ns->empty()) continue;
    auto [lo, hi] = std::minmax_element(f.ns->begin(), f.ns->end());
    out += fmt::format("{}{} median {:.3f} ms ({:.3f}-{:.3f} ms, {} tries)", sep, f.label, median(*f.ns) / 1e6,
                       *lo / 1e6, *hi / 1e6, f.ns->size());
    sep = " | ";
  }
  if (jbd2_before && jbd2_after) {
    auto j = to_json();
    out += fmt::format(" | jbd2: {} commits", j["jbd2_commits"].get<std::uint64_t>());
    if (jbd2_after->commit_us) out += fmt::format(", average commit {:.0f} us", *jbd2_after->commit_us);
  } else {
    out += " | no jbd2 journal readable for the temp dir";
  }
  return out + "\n";
}

SyncLatency measure_sync_latency(unsigned tries) {
  SyncLatency s;
  tries = std::clamp(tries, 1u, 256u);
  try {
    PrivateDir dir;
    s.fs = fs_type_of(dir.path());
    const std::string jbd2 = jbd2_info_path_of(dir.path());
    auto journal = [&]() -> std::optional<Jbd2Info> {
      auto t = jbd2.empty() ? std::nullopt : read_text(jbd2);
      return t ? parse_jbd2_info(*t) : std::nullopt;
    };
    std::string path = dir.file("sync-probe.bin");
    Closing file{::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    const int fd = file.fd;
    if (fd < 0) fail("open " + path);
    char page[4096];
    std::memset(page, 's', sizeof page);
    s.jbd2_before = journal();
    off_t end = 0;
    for (unsigned i = 0; i < tries; ++i, end += 4096) s.fsync_append.push_back(timed_sync(fd, page, end, false));
    for (unsigned i = 0; i < tries; ++i, end += 4096) s.fdatasync_append.push_back(timed_sync(fd, page, end, true));
    for (unsigned i = 0; i < tries; ++i) s.fdatasync_overwrite.push_back(timed_sync(fd, page, 0, true));
    s.jbd2_after = journal();
  } catch (const std::exception& e) {
    s = SyncLatency{};
    s.why_not = e.what();
  }
  return s;
}

}  // namespace kiosim::host
