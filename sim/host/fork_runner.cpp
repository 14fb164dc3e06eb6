#include "sim/host/fork_runner.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "sim/host/private_dir.h"
#include "sim/host/syscall_error.h"

namespace kiosim::host {

// What a child hands back. Plain data in a page of its own, shared with the parent.
struct ForkedChildren::Report {
  Usage start, end;
  double forked_ns = 0, begin_ns = 0, end_ns = 0;  // CLOCK_MONOTONIC: fork returned, body began, ended
  std::uint64_t syscalls_total = 0;
  RxCounts rx;
  int done = 0;        // 1: the body ran to its end
  char error[512] = {};  // why not, when it did not
};

namespace {

// The main thread's stack, [lo, hi) (pthread_getattr_np reads /proc/self/maps), once.
std::pair<char*, char*> stack_bounds() {
  static std::pair<char*, char*> b = [] {
    pthread_attr_t a;
    void* addr = nullptr;
    std::size_t size = 0;
    if (::pthread_getattr_np(::pthread_self(), &a) == 0) {
      ::pthread_attr_getstack(&a, &addr, &size);
      ::pthread_attr_destroy(&a);
    }
    return std::pair<char*, char*>(static_cast<char*>(addr), static_cast<char*>(addr) + size);
  }();
  return b;
}

// The stack around us, write-protected by fork, copied here rather than in the count:
// 16 pages below this frame (where the walk's deeper calls go) by writing them, and up
// to 64 pages above it (the live frames of the walk and the runner) by writing each
// one's first byte back unchanged (only this thread uses this stack). Not instrumented by
// AddressSanitizer: touching other frames' redzones on purpose is what this does.
[[gnu::noinline]] __attribute__((no_sanitize_address)) void prefault_stack() {
  volatile char area[16 * 4096];
  for (std::size_t i = 0; i < sizeof area; i += 4096) area[i] = 0;
  area[sizeof area - 1] = 0;
  auto [lo, hi] = stack_bounds();
  char* here = static_cast<char*>(__builtin_frame_address(0));
  if (!lo || here < lo || here >= hi) return;  // not the main thread's stack: leave it
  char* end = std::min(hi, here + 64 * 4096);
  for (char* p = reinterpret_cast<char*>(reinterpret_cast<std::uintptr_t>(here) & ~std::uintptr_t(4095)); p < end;
       p += 4096) {
    volatile char* v = p;
    *v = *v;
  }
}

// The child's page tables of our code: fork copies no PTE of a file mapping without
// anonymous pages (vma_needs_copy), so the child's first run of each code page is a
// fault (filemap_map_pages, 16 pages of fault-around). MADV_POPULATE_READ (5.14+) maps
// the code and read-only data of the binary and the libraries the walk runs in before
// the count starts; where the kernel refuses it (EINVAL), those faults stay in it.
void populate_code() {
  static const char* const kUsed[] = {"libc.so", "libstdc++.so", "libm.so", "libgcc_s.so", "liburing.so",
                                      "libfmt.so", "ld-linux"};
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (!maps) return;
  char line[4352];
  while (std::fgets(line, sizeof line, maps)) {
    unsigned long lo = 0, hi = 0;
    char perms[8] = {}, path[4096] = {};
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095[^\n]", &lo, &hi, perms, path) < 3) continue;
    if (perms[1] == 'w' || path[0] == 0) continue;
    bool used = std::strcmp(path, exe) == 0 || std::strcmp(path, "[vdso]") == 0;
    for (const char* lib : kUsed) used = used || std::strstr(path, lib);
    if (used) ::madvise(reinterpret_cast<void*>(lo), hi - lo, 22 /* MADV_POPULATE_READ */);
  }
  std::fclose(maps);
}

// The pages the post-fork side writes first anyway, written before its count starts:
// the stack, and the allocator's state and its next chunk of each small size (one
// allocation of each size class up to 1 KiB, written, then freed: the walk's small
// allocations after fork reuse them, from glibc's per-thread cache, last freed first).
void prefault_own_pages() {
  prefault_stack();
  constexpr std::size_t kClasses = 64;
  void* p[kClasses];
  for (std::size_t i = 0; i < kClasses; ++i) {
    p[i] = std::malloc(16 * (i + 1));
    if (p[i]) static_cast<volatile char*>(p[i])[0] = 0;
  }
  for (std::size_t i = kClasses; i-- > 0;) std::free(p[i]);
}

Usage usage_of(const rusage& ru) {
  auto ns = [](const timeval& tv) { return double(tv.tv_sec) * 1e9 + double(tv.tv_usec) * 1e3; };
  return {ns(ru.ru_utime), ns(ru.ru_stime), ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw};
}

}  // namespace

void ForkedChildren::ChildSide::begins() {
  populate_code();
  prefault_own_pages();
  // The report page is shared memory: fork copies none of its PTEs (vma_needs_copy), so
  // the child's first write to it is a fault of its own, taken here.
  report->done = 0;
  report->begin_ns = now_ns();
  report->start = usage_self();
}

void ForkedChildren::ChildSide::ends(std::uint64_t syscalls_total, const RxCounts& rx) {
  report->end = usage_self();
  report->end_ns = now_ns();
  report->syscalls_total = syscalls_total;
  report->rx = rx;
  report->done = 1;
}

void ForkedChildren::fork_called() { before_fork_ = usage_self(); }

pid_t ForkedChildren::start(const std::string& name, const std::function<void(ChildSide&)>& body) {
  void* page = ::mmap(nullptr, sizeof(Report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) fail("mmap (the forked child's report page)");
  auto* report = new (page) Report{};
  kids_.push_back({name, -1, report});
  pid_t pid = ::fork();
  if (pid < 0) {
    ::munmap(page, sizeof(Report));
    kids_.pop_back();
    fail("fork");
  }
  if (pid == 0) {
    // The child: no cleanup of the parent's directory, dies with the parent.
    forget_cleanup_in_child();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    report->forked_ns = now_ns();
    int code = 0;
    try {
      ChildSide side{report};
      body(side);
      if (!report->done) throw std::logic_error("kiosim: the forked child's body did not say its end");
    } catch (const std::exception& e) {
      std::snprintf(report->error, sizeof report->error, "%s", e.what());
      code = 1;
    } catch (...) {
      std::snprintf(report->error, sizeof report->error, "an unknown error");
      code = 1;
    }
    ::_exit(code);  // no atexit handlers, no stdio flush: those are the parent's
  }
  kids_.back().pid = pid;
  register_child(pid);
  return pid;
}

void ForkedChildren::parent_resumes() {
  prefault_own_pages();
  bookkeeping_faults_ += usage_self().minflt - before_fork_.minflt;
}

void ForkedChildren::reap(Sample& out) {
  std::string failed;
  for (Child& c : kids_) {
    int status = 0;
    rusage ru{};
    pid_t r;
    while ((r = ::wait4(c.pid, &status, 0, &ru)) < 0 && errno == EINTR) {
    }
    unregister_child(c.pid);
    c.pid = -1;
    const Report& rep = *c.report;
    if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !rep.done) {
      if (failed.empty())
        failed = rep.error[0] ? std::string(rep.error)
                 : WIFSIGNALED(status) ? fmt::format("it died of signal {}", WTERMSIG(status))
                                       : std::string("it exited before its body's end");
    } else {
      ChildSample s;
      s.name = c.name;
      s.usage = rep.end - rep.start;
      s.lifetime = usage_of(ru);
      s.syscalls_total = rep.syscalls_total;
      s.rx = rep.rx;
      // The body's end as if it had begun when fork returned: our bookkeeping (mapping
      // the code, milliseconds) is not the program's time.
      s.end_ns = rep.end_ns - (rep.begin_ns - rep.forked_ns);
      out.children.push_back(std::move(s));
    }
    ::munmap(c.report, sizeof(Report));
  }
  kids_.clear();
  if (!failed.empty()) throw HostError("real mode: a forked child failed: " + failed);
}

void ForkedChildren::kill_all() {
  for (Child& c : kids_) {
    if (c.pid > 0) {
      ::kill(c.pid, SIGKILL);
      while (::waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      unregister_child(c.pid);
    }
    ::munmap(c.report, sizeof(Report));
  }
  kids_.clear();
}

ForkedChildren::~ForkedChildren() { kill_all(); }

}  // namespace kiosim::host
