// Small helpers the real-mode code shares: the monotonic clock every timed region
// reads (one clock for all processes), and the error for a refused system call.
#pragma once
#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sim/host/runner.h"

namespace kiosim::host {

inline double now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// Throws HostError("what: strerror(errno)").
[[noreturn]] inline void fail(const std::string& what) {
  throw HostError(what + ": " + std::strerror(errno));
}

}  // namespace kiosim::host
