#include "sim/host/cpus.h"

#include <sched.h>

namespace kiosim::host {

namespace {
cpu_set_t& original() {
  static cpu_set_t set = [] {
    cpu_set_t s{};
    ::sched_getaffinity(0, sizeof s, &s);
    return s;
  }();
  return set;
}
}  // namespace

std::vector<int> allowed_cpus() {
  std::vector<int> v;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &original())) v.push_back(c);
  return v;
}

void pin_to_cpu(int cpu) {
  if (cpu < 0) return;
  original();  // remember the set before the first pin
  cpu_set_t one{};
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ::sched_setaffinity(0, sizeof one, &one);
}

void unpin() { ::sched_setaffinity(0, sizeof(cpu_set_t), &original()); }

}  // namespace kiosim::host
