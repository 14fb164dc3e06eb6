// Calibration of the CPU's costs in system calls and the page cache: a null system
// call, an io_uring request, a page-cache lookup, the kernel -> user copy, a minor
// fault, and a page moved by splice().
#include <fcntl.h>
#include <liburing.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/folio_facts.h"
#include "sim/host/host_facts.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/units.h"

namespace kiosim::host::calib {

namespace {

std::int64_t minflt_now() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

// mm.fault_around: fault_around_bytes (do_fault_around) is a debugfs knob, 64KiB unless
// root changed it; debugfs is rarely readable, and then the default is the kernel's.
void record_fault_around(Round& r, double pages_per_fault) {
  const std::string text = read_first_line("/sys/kernel/debug/fault_around_bytes");
  if (auto b = parse_size(text); b && *b >= 4096 && *b <= (2ULL << 20)) {
    r.m.mm.fault_around_pages = std::max<std::uint64_t>(1, std::uint64_t(*b) / 4096);
    r.how["mm.fault_around"] = fmt::format("/sys/kernel/debug/fault_around_bytes: {}", text);
    return;
  }
  r.m.mm.fault_around_pages = 16;
  r.how["mm.fault_around"] = fmt::format(
      "64KiB, Linux's fault_around_bytes (mm/memory.c): debugfs is not readable here. The {:.1f} pages "
      "mapped per fault measured include whole large folios, which mm.folio gives",
      pages_per_fault);
}

// mm.folio: from the file system of the temporary directory and the kernel's version.
void record_folio(Round& r, const CachedFile& f) {
  utsname u{};
  const std::string fs = fs_type_of(f.path);
  const std::string release = ::uname(&u) == 0 ? u.release : "";
  if (auto folio = largest_folio(fs, release)) {
    r.m.mm.folio_pages = folio->bytes / 4096;
    r.how["mm.folio"] = folio->why;
  }
}

}  // namespace

void measure_syscall(Round& r, const CalibrateOptions& o) {
  std::uint64_t n = iterations(o, 400000);
  double ns = med_of(5, [&] {
    double t0 = now_ns();
    for (std::uint64_t i = 0; i < n; ++i) ::syscall(SYS_getppid);
    return (now_ns() - t0) / double(n);
  });
  r.m.cpu.syscall_ns = ns;
  r.how["cpu.syscall"] = fmt::format("median of 5 x {} getppid() calls", n);
}

// 64 NOPs submitted and reaped by one io_uring_enter, minus the system call, per
// request (io_uring_setup outside the timing).
void measure_uring_request(Round& r, const CalibrateOptions& o) {
  const double sys_ns = r.m.cpu.syscall_ns;
  io_uring ring{};
  if (int e = io_uring_queue_init(64, &ring, 0); e < 0) {
    r.how["cpu.uring_op"] = fmt::format("default: io_uring_queue_init refused ({})", std::strerror(-e));
    return;
  }
  std::uint64_t n = iterations(o, 5000);
  double per_op = med_of(5, [&] {
    double t0 = now_ns();
    for (std::uint64_t i = 0; i < n; ++i) {
      for (int k = 0; k < 64; ++k) io_uring_prep_nop(io_uring_get_sqe(&ring));
      if (int got = io_uring_submit_and_wait(&ring, 64); got != 64) {
        errno = got < 0 ? -got : EAGAIN;
        fail("io_uring_enter (64 NOPs)");
      }
      io_uring_cq_advance(&ring, 64);
    }
    return std::max(0.0, ((now_ns() - t0) / double(n) - sys_ns) / 64);
  });
  io_uring_queue_exit(&ring);
  r.m.cpu.uring_op_ns = per_op;
  r.how["cpu.uring_op"] = "64 IORING_OP_NOP per io_uring_enter (submit and wait), minus the system call, per request";
}

// mincore() of a mapping never touched looks each page up in the page cache
// (mm/mincore.c mincore_page) and copies nothing.
void measure_page_lookup(Round& r, const CachedFile& f) {
  std::vector<unsigned char> vec(f.pages);
  double ns = med_of(7, [&] {
    void* a = ::mmap(nullptr, f.bytes, PROT_READ, MAP_SHARED, f.fd, 0);
    if (a == MAP_FAILED) fail("mmap");
    double t0 = now_ns();
    ::mincore(a, f.bytes, vec.data());
    double t = now_ns() - t0;
    ::munmap(a, f.bytes);
    return t / double(f.pages);
  });
  r.m.cpu.page_lookup_ns = ns;
  r.how["cpu.page_lookup"] = fmt::format("mincore() of an untouched {} mapping of a cached file, per page, median of 7",
                                         format_size(double(f.bytes)));
}

// Kernel -> user by size: pread() of the cached file into `buf`, minus the system
// call and the lookups.
void measure_copy(Round& r, const CachedFile& f, std::vector<char>& buf) {
  const double sys_ns = r.m.cpu.syscall_ns;
  std::map<std::uint64_t, double> copy_bps;
  for (std::uint64_t s : {4096ULL, 65536ULL, 1048576ULL}) {
    double per_call = med_of(5, [&] {
      std::uint64_t calls = 0;
      double t0 = now_ns();
      for (std::uint64_t off = 0; off + s <= f.bytes; off += s, ++calls)
        if (::pread(f.fd, buf.data(), s, off_t(off)) != ssize_t(s)) fail("pread");
      return (now_ns() - t0) / double(calls);
    });
    // On a busy host the overheads subtracted here are measured high too, and could
    // leave nothing (a copy of 64 TB/s, which the profile then refuses): the copy keeps
    // at least a quarter of the call, and the figure stays inside cpu.copy_bandwidth's
    // range (1000GB/s), so the profile still loads.
    double copy_ns = std::max(per_call / 4, per_call - sys_ns - double(s / 4096) * r.m.cpu.page_lookup_ns);
    copy_bps[s] = std::min(double(s) / copy_ns * 1e9, 1e12);
  }
  r.m.cpu.copy_bytes_per_s = copy_bps[65536];
  r.how["cpu.copy_bandwidth"] = fmt::format(
      "pread() of 64KiB from a cached {} file, minus syscall and lookups; by size: 4KiB {}, 64KiB {}, 1MiB {}",
      format_size(double(f.bytes)), format_rate(copy_bps[4096]), format_rate(copy_bps[65536]),
      format_rate(copy_bps[1048576]));
}

// A read-touch of every page of a cached mapping: the cost of a minor fault, and how
// many pages one fault maps (fault-around, large folios).
void measure_minor_faults(Round& r, const CachedFile& f) {
  double faults = 0;
  double per_fault = med_of(5, [&] {
    char* a = static_cast<char*>(::mmap(nullptr, f.bytes, PROT_READ, MAP_SHARED, f.fd, 0));
    if (a == MAP_FAILED) fail("mmap");
    volatile char sink = 0;
    std::int64_t f0 = minflt_now();
    double t0 = now_ns();
    for (std::uint64_t p = 0; p < f.pages; ++p) sink = sink + a[p * 4096];
    double t = now_ns() - t0;
    faults = double(minflt_now() - f0);
    ::munmap(a, f.bytes);
    return faults > 0 ? t / faults : 0;
  });
  double ppf = faults > 0 ? double(f.pages) / faults : 1;
  r.m.cpu.minor_fault_ns = per_fault;
  r.m.cpu.map_page_ns = 0;
  r.how["cpu.minor_fault"] = fmt::format(
      "read-touch of one byte per page of a cached {} mapping: time / minor faults ({:.0f} faults, {:.1f} pages "
      "per fault); includes mapping the pages, so cpu.map_page is 0",
      format_size(double(f.bytes)), faults, ppf);
  r.how["cpu.map_page"] = "0: the minor-fault figure already includes mapping its pages";
  // The pages mapped per fault are not the fault-around window: filemap_map_pages maps
  // whole large folios (filemap_map_folio_range), which mm.folio models. Taking them as
  // the window counted the folios twice (a 512KiB window, 14 faults short at 16MiB).
  record_fault_around(r, ppf);
  record_folio(r, f);
}

// File -> pipe -> /dev/null by splice(), per page moved by reference.
void measure_splice_page_move(Round& r, const CachedFile& f) {
  const double sys_ns = r.m.cpu.syscall_ns;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null < 0) fail("open /dev/null");
  const std::uint64_t chunk = 65536;
  double per_page = med_of(5, [&] {
    std::uint64_t calls = 0;
    loff_t off = 0;
    double t0 = now_ns();
    while (std::uint64_t(off) + chunk <= f.bytes) {
      ssize_t n = ::splice(f.fd, &off, p[1], nullptr, chunk, SPLICE_F_MOVE);
      if (n <= 0) fail("splice file -> pipe");
      std::uint64_t left = std::uint64_t(n);
      while (left) {
        ssize_t k = ::splice(p[0], nullptr, null, nullptr, left, SPLICE_F_MOVE);
        if (k <= 0) fail("splice pipe -> /dev/null");
        left -= std::uint64_t(k);
        ++calls;
      }
      ++calls;
    }
    double t = now_ns() - t0;
    double moves = double(f.bytes / 4096) * 2;  // into the pipe, out of it
    return std::max(0.0, (t - double(calls) * sys_ns - double(f.pages) * r.m.cpu.page_lookup_ns) / moves);
  });
  r.m.cpu.page_ref_ns = per_page;
  r.how["cpu.page_ref"] = "splice() of a cached file into a pipe and out to /dev/null, 64KiB at a time: time minus "
                          "syscalls and lookups, per page per move";
  ::close(p[0]);
  ::close(p[1]);
  ::close(null);
}

}  // namespace kiosim::host::calib
