// Private to calibrate: one round of the micro-benchmarks, and the benchmarks
// themselves, one function per cost (or group of costs measured together). Each
// writes what it measured into the Round's machine, how it measured it under the
// machine key in `how`, and figures the model does not use in `notes`.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/host/calibrate.h"
#include "sim/host/measure.h"
#include "sim/host/private_dir.h"

namespace kiosim::host::calib {

// One pass over every benchmark: a machine (defaults where nothing was measured), how
// each value was measured, and figures the model does not use.
struct Round {
  Machine m;
  std::map<std::string, std::string> how;
  std::vector<std::string> notes;
};

// The median of `trials` runs of f (each returns one figure).
template <class F>
double med_of(int trials, F f) {
  std::vector<double> v;
  for (int i = 0; i < trials; ++i) v.push_back(f());
  return median(v);
}

// `n` iterations scaled by the options (at least 16).
inline std::uint64_t iterations(const CalibrateOptions& o, double n) {
  return std::max<std::uint64_t>(16, std::uint64_t(n * o.scale));
}

// A least-squares line through (x, y): y = a + b x.
std::pair<double, double> fit(const std::vector<double>& x, const std::vector<double>& y);

// A file in the page cache, made the way `measure` makes its files, open for reading.
struct CachedFile {
  std::string path;
  int fd = -1;
  std::uint64_t bytes = 0;
  std::uint64_t pages = 0;  // of 4KiB
};
CachedFile make_cached_file(PrivateDir& dir, std::uint64_t bytes);

// calibrate_cpu.cpp: system calls and the page cache. Those after the first subtract
// the system call it measured.
void measure_syscall(Round& r, const CalibrateOptions& o);
void measure_uring_request(Round& r, const CalibrateOptions& o);
void measure_page_lookup(Round& r, const CachedFile& f);
void measure_copy(Round& r, const CachedFile& f, std::vector<char>& buf);
void measure_minor_faults(Round& r, const CachedFile& f);
void measure_splice_page_move(Round& r, const CachedFile& f);

// calibrate_disk.cpp: O_DIRECT reads of the file (it needs no open descriptor).
void measure_disk(Round& r, const CalibrateOptions& o, const HostFacts& facts, const PrivateDir& dir,
                  const CachedFile& f);

// calibrate_socket.cpp: SO_SNDBUF, and a socket pair's costs per call, byte and page.
void measure_socket(Round& r, const CalibrateOptions& o);

// calibrate_sched.cpp: a pipe in one thread (returns its write + read pair, which the
// context switch subtracts), then the context switch and the wake-up.
double measure_pipe(Round& r, const CalibrateOptions& o, std::vector<char>& buf);
void measure_switch_and_wakeup(Round& r, const CalibrateOptions& o, double pipe_pair_ns);

// calibrate_memory.cpp: user code touching memory, and the memory bus.
void measure_memory(Round& r, const CalibrateOptions& o);

}  // namespace kiosim::host::calib
