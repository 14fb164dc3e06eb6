#include "sim/host/cpus.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "sim/host/private_dir.h"
#include "sim/host/runner.h"

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

pid_t spawn_pinned(int cpu, const std::function<void()>& body) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw HostError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    forget_cleanup_in_child();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    pin_to_cpu(cpu);
    try {
      body();
    } catch (...) {
      ::_exit(127);
    }
    ::_exit(0);
  }
  register_child(pid);
  return pid;
}

}  // namespace kiosim::host
