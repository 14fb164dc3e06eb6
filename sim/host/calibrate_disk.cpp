// Calibration of the disk: O_DIRECT reads (no page cache) of 4KiB, 64KiB and 1MiB,
// one at a time along the file; time per read = latency + bytes / bandwidth.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/units.h"

namespace kiosim::host::calib {

namespace {

// The median time of one O_DIRECT read of each size, the reads going along the file
// from where the last one stopped (back to its start at its end).
std::vector<double> direct_read_times(int dfd, const CalibrateOptions& o, const CachedFile& f,
                                      const std::vector<std::uint64_t>& sizes) {
  void* mem = ::operator new(1 << 20, std::align_val_t(4096));
  std::vector<double> ys;
  std::uint64_t off = 0;
  for (std::uint64_t size : sizes) {
    const std::uint64_t n = iterations(o, std::max(16.0, double(32ULL << 20) / double(size) / 8));
    double per_read = med_of(5, [&] {
      double t0 = now_ns();
      for (std::uint64_t i = 0; i < n; ++i) {
        if (off + size > f.bytes) off = 0;
        if (::pread(dfd, mem, size, off_t(off)) != ssize_t(size)) fail("O_DIRECT pread");
        off += size;
      }
      return (now_ns() - t0) / double(n);
    });
    ys.push_back(per_read);
  }
  ::operator delete(mem, std::align_val_t(4096));
  return ys;
}

}  // namespace

void measure_disk(Round& r, const CalibrateOptions& o, const HostFacts& facts, const PrivateDir& dir,
                  const CachedFile& f) {
  auto& how = r.how;
  if (facts.temp_fs == "tmpfs") {
    how["disk.latency"] = how["disk.read_bandwidth"] =
        fmt::format("default: {} is on tmpfs (memory), not a disk; set TMPDIR to a disk's file system", dir.path());
    return;
  }
  int dfd = ::open(f.path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (dfd < 0) {
    how["disk.latency"] = how["disk.read_bandwidth"] =
        fmt::format("default: {} cannot be opened with O_DIRECT ({})", dir.path(), std::strerror(errno));
    return;
  }
  const std::vector<std::uint64_t> sizes = {4096, 65536, 1048576};
  const std::vector<double> ys = direct_read_times(dfd, o, f, sizes);
  ::close(dfd);
  const std::vector<double> xs(sizes.begin(), sizes.end());
  auto [lat, per_byte] = fit(xs, ys);
  if (per_byte > 0 && lat > 0) {
    r.m.disk.latency_ns = lat;
    r.m.disk.read_bytes_per_s = 1e9 / per_byte;
    how["disk.latency"] = fmt::format("O_DIRECT pread() of 4KiB, 64KiB, 1MiB from the {} temp file system: "
                                      "intercept of time per read ({} at 4KiB)",
                                      facts.temp_fs, format_time_ns(ys[0]));
    how["disk.read_bandwidth"] = fmt::format("the same reads: slope ({} at 1MiB)", format_time_ns(ys[2]));
  }
}

}  // namespace kiosim::host::calib
