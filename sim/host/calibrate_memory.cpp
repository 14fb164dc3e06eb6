// Calibration of memory: user code touching memory, and the memory bus (memcpy).
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/cpus.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/units.h"

namespace kiosim::host::calib {

namespace {

// The bus is shared: one memcpy() of `n` bytes per allowed CPU at once (at most 8),
// as two copying processes load it (a single core cannot fill it alone). The first
// copy reuses `src` and `dst`.
void measure_memory_bus(Round& r, std::size_t n, std::vector<char>& src, std::vector<char>& dst) {
  const std::size_t streams = std::max<std::size_t>(1, std::min<std::size_t>(allowed_cpus().size(), 8));
  std::vector<std::vector<char>> from(streams), to(streams);
  for (std::size_t i = 0; i < streams; ++i) {
    from[i] = i == 0 ? std::move(src) : std::vector<char>(n, 1);
    to[i] = i == 0 ? std::move(dst) : std::vector<char>(n, 2);
  }
  double tc = med_of(5, [&] {
    double t0 = now_ns();
    std::vector<std::thread> copiers;
    for (std::size_t i = 0; i < streams; ++i)
      copiers.emplace_back([&, i] { std::memcpy(to[i].data(), from[i].data(), n); });
    for (auto& th : copiers) th.join();
    return now_ns() - t0;
  });
  r.m.memory_bytes_per_s = 2.0 * double(n * streams) / tc * 1e9;
  r.how["memory.bandwidth"] = fmt::format("{} memcpy() of {} at once, one per CPU: 2 x bytes / time (a load and a "
                                          "store per byte)",
                                          streams, format_size(double(n)));
}

}  // namespace

void measure_memory(Round& r, const CalibrateOptions& o) {
  const std::size_t n = o.scale < 1 ? (16 << 20) : (128 << 20);
  std::vector<char> src(n, 1), dst(n, 2);
  double t = med_of(5, [&] {
    volatile std::uint64_t sum = 0;
    std::uint64_t s = 0;
    double t0 = now_ns();
    for (std::size_t i = 0; i < n; i += 64) s += std::uint64_t(src[i]);
    sum = s;
    (void)sum;
    return now_ns() - t0;
  });
  r.m.cpu.touch_bytes_per_s = double(n) / t * 1e9;
  r.how["cpu.touch_bandwidth"] = fmt::format("reading one byte per 64-byte line of a {} buffer", format_size(double(n)));
  measure_memory_bus(r, n, src, dst);
}

}  // namespace kiosim::host::calib
