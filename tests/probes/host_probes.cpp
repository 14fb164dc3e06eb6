// The unprivileged measurements `kiosim check` relies on, each run for real on this
// host and held to an exact count or a relation derived from the kernel's rules (no
// timing). Usage: kiosim_host_probes NAME. Exit 0 pass, 1 fail, 77 the host lacks the
// facility (ctest SKIP_RETURN_CODE). Every probe works in a PrivateDir and checks that
// it is gone afterwards.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/host/cachestat.h"
#include "sim/host/host_facts.h"
#include "sim/host/private_dir.h"
#include "sim/host/proc_texts.h"
#include "sim/host/runner.h"
#include "sim/host/system_counters.h"

using namespace kiosim::host;

namespace {

constexpr int kSkip = 77;
constexpr std::size_t kPages = 64;
const std::size_t kPage = std::size_t(::sysconf(_SC_PAGESIZE));

int fail(const std::string& why) {
  std::fprintf(stderr, "FAIL %s\n", why.c_str());
  return 1;
}
int skip(const std::string& why) {
  std::printf("SKIP %s\n", why.c_str());
  return kSkip;
}

long minflt() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt + ru.ru_majflt;
}

// A file of `pages` pages in the directory, written and fsynced (so its pages are clean and cached).
int make_file(PrivateDir& d, const char* name, std::size_t pages, int extra_flags = 0) {
  std::string p = d.file(name);
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  std::vector<char> buf(pages * kPage, 'k');
  if (::write(fd, buf.data(), buf.size()) != ssize_t(buf.size()) || ::fsync(fd) != 0) return -1;
  if (extra_flags) {
    ::close(fd);
    fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC | extra_flags);
  }
  return fd;
}

// do_anonymous_page: one fault per page written of a private anonymous mapping (no
// fault-around for anonymous memory; THP off for it by MADV_NOHUGEPAGE): 64 pages, 64 faults.
// One byte written to each of `n` pages. Not instrumented: under AddressSanitizer each
// checked store also reads the shadow memory, one more page for every 8 written
// (64 pages -> 72 faults), which is the probe's own cost, not the host's.
__attribute__((no_sanitize_address)) void write_each_page(char* m, std::size_t n, char v) {
  for (std::size_t i = 0; i < n; ++i) m[i * kPage] = v;
}

int anon_write_faults(PrivateDir&) {
  char* m = static_cast<char*>(::mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (m == MAP_FAILED) return fail("mmap");
  ::madvise(m, kPages * kPage, MADV_NOHUGEPAGE);
  long f0 = minflt();
  write_each_page(m, kPages, 1);
  long f1 = minflt();
  ::munmap(m, kPages * kPage);
  if (f1 - f0 != long(kPages)) return fail("anonymous writes: " + std::to_string(f1 - f0) + " faults, expected 64");
  return 0;
}

// do_cow_fault: a write to a MAP_PRIVATE file page copies it, one fault per page,
// without fault-around (do_read_fault alone maps around): 64 pages, 64 faults.
int private_file_write_faults(PrivateDir& d) {
  int fd = make_file(d, "cow.bin", kPages);
  if (fd < 0) return fail("make file");
  char* m = static_cast<char*>(::mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  if (m == MAP_FAILED) return fail("mmap");
  long f0 = minflt();
  write_each_page(m, kPages, 1);
  long f1 = minflt();
  ::munmap(m, kPages * kPage);
  ::close(fd);
  if (f1 - f0 != long(kPages)) return fail("private file writes: " + std::to_string(f1 - f0) + " faults, expected 64");
  return 0;
}

// fork + writes, parent and child apart. copy_present_pte write-protects both sides'
// private anonymous pages, so the child's first write to each of the 64 pages is a
// CoW fault (wp_page_copy): 64; then, the child gone, the parent's first write to each
// is a write-protect fault too (wp_page_reuse, the page is its alone again): 64. Each
// side may also fault on a few stack or code pages it had not touched since fork: 64..68.
int fork_write_faults(PrivateDir&) {
  char* m = static_cast<char*>(::mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (m == MAP_FAILED) return fail("mmap");
  ::madvise(m, kPages * kPage, MADV_NOHUGEPAGE);
  write_each_page(m, kPages, 1);  // present before fork
  int p[2];
  if (::pipe(p) != 0) return fail("pipe");
  minflt();  // getrusage's own pages present before fork
  pid_t pid = ::fork();
  if (pid < 0) return fail("fork");
  if (pid == 0) {
    forget_cleanup_in_child();
    long c0 = minflt();
    write_each_page(m, kPages, 2);
    long c1 = minflt() - c0;
    (void)!::write(p[1], &c1, sizeof c1);
    ::_exit(0);
  }
  long child = -1;
  if (::read(p[0], &child, sizeof child) != sizeof child) return fail("child report");
  ::waitpid(pid, nullptr, 0);
  long f0 = minflt();
  write_each_page(m, kPages, 3);
  long parent = minflt() - f0;
  ::munmap(m, kPages * kPage);
  std::printf("child %ld faults, parent %ld faults (64 pages)\n", child, parent);
  if (child < 64 || child > 68) return fail("child faults " + std::to_string(child) + ", expected 64..68");
  if (parent < 64 || parent > 68) return fail("parent faults " + std::to_string(parent) + ", expected 64..68");
  return 0;
}

// cachestat(2) and mincore(2) agree on a file just written (64 pages, all resident),
// and both say 0 after POSIX_FADV_DONTNEED of its clean pages (invalidate_mapping_pages).
int cachestat_and_mincore(PrivateDir& d) {
  int fd = make_file(d, "cs.bin", kPages);
  if (fd < 0) return fail("make file");
  auto cs = cachestat_of(fd);
  if (!cs) {
    int e = errno;
    ::close(fd);
    return skip(std::string("cachestat(2): ") + std::strerror(e) + " (Linux 6.5+)");
  }
  auto res = resident_pages(fd, kPages * kPage);
  if (!res) return fail("mincore");
  std::printf("cachestat nr_cache %llu, mincore %llu\n", (unsigned long long)cs->nr_cache, (unsigned long long)*res);
  if (cs->nr_cache != *res) return fail("cachestat and mincore disagree");
  if (cs->nr_cache > kPages) return fail("more pages cached than the file has");
  if (cs->nr_dirty != 0) return fail("dirty pages after fsync");
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  auto after = cachestat_of(fd);
  auto res2 = resident_pages(fd, kPages * kPage);
  ::close(fd);
  if (!after || !res2 || after->nr_cache != 0 || *res2 != 0) return fail("pages still cached after DONTNEED");
  return 0;
}

// submit_bio accounts every read bio to the task (task_io_account_read): an O_DIRECT
// read of 64 pages bypasses the page cache and reads exactly 64 pages from the device, so /proc/self/io
// read_bytes grows by 256 KiB; and the device's diskstats count at least one read.
int odirect_read_bytes(PrivateDir& d) {
  if (!proc_io_self().ok) return skip("/proc/self/io is not available");
  int fd = make_file(d, "direct.bin", kPages, O_DIRECT);
  if (fd < 0 && errno == EINVAL) return skip("the temp dir's file system (" + fs_type_of(d.path()) + ") has no O_DIRECT");
  if (fd < 0) return fail("open O_DIRECT");
  void* buf = nullptr;
  if (::posix_memalign(&buf, kPage, kPages * kPage) != 0) return fail("posix_memalign");
  BlockDevice dev = block_device_of(d.path());
  auto ds0 = diskstats_of(dev.major, dev.minor);
  ProcIo io0 = proc_io_self();
  ssize_t n = ::pread(fd, buf, kPages * kPage, 0);
  ProcIo io1 = proc_io_self();
  auto ds1 = diskstats_of(dev.major, dev.minor);
  std::free(buf);
  ::close(fd);
  if (n != ssize_t(kPages * kPage)) return fail("short O_DIRECT read");
  std::printf("read_bytes %lld\n", (long long)(io1.read_bytes - io0.read_bytes));
  if (io1.read_bytes - io0.read_bytes != std::int64_t(kPages * kPage))
    return fail("read_bytes grew by " + std::to_string(io1.read_bytes - io0.read_bytes) + ", expected 262144");
  if (ds0 && ds1 && ds1->reads + ds1->reads_merged <= ds0->reads + ds0->reads_merged)
    return fail("the device's diskstats counted no read");
  return 0;
}

// /proc/vmstat nr_dirtied (folio_account_dirtied) counts every page dirtied by anyone, so
// writing 64 new pages raises it by at least 64; /proc/meminfo has Dirty and Writeback.
int dirty_counters(PrivateDir& d) {
  auto t0 = read_text("/proc/vmstat");
  auto mi = read_text("/proc/meminfo");
  if (!t0 || !mi) return skip("/proc/vmstat or /proc/meminfo not readable");
  auto m = parse_meminfo(*mi);
  if (!m.count("Dirty") || !m.count("Writeback")) return fail("/proc/meminfo has no Dirty or Writeback");
  auto v0 = parse_vmstat(*t0);
  if (!v0.count("nr_dirtied") || !v0.count("nr_written")) return skip("/proc/vmstat has no nr_dirtied/nr_written");
  std::string p = d.file("dirty.bin");
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::vector<char> buf(kPages * kPage, 'd');
  if (fd < 0 || ::write(fd, buf.data(), buf.size()) != ssize_t(buf.size())) return fail("write");
  auto v1 = parse_vmstat(*read_text("/proc/vmstat"));
  ::fsync(fd);
  auto v2 = parse_vmstat(*read_text("/proc/vmstat"));
  ::close(fd);
  if (v1["nr_dirtied"] < v0["nr_dirtied"] + kPages) return fail("nr_dirtied grew by less than 64");
  if (v2["nr_written"] < v0["nr_written"]) return fail("nr_written went down");
  return 0;
}

// The journal's info file of the temp dir's device, where there is one (ext4), parses,
// and an fsync of a new page commits: the transaction count does not go down.
int jbd2_info(PrivateDir& d) {
  const std::string found = jbd2_info_path_of(d.path());  // system_counters.h: by /sys/dev/block's name
  if (found.empty()) return skip("no /proc/fs/jbd2 journal for the temp dir's device (" + fs_type_of(d.path()) + ")");
  auto t0 = read_text(found);
  if (!t0) return skip(found + " not readable");
  auto j0 = parse_jbd2_info(*t0);
  if (!j0) return fail(found + " does not parse");
  int fd = make_file(d, "j.bin", 1);
  if (fd < 0) return fail("make file");
  ::close(fd);
  auto j1 = parse_jbd2_info(*read_text(found));
  if (!j1 || j1->transactions < j0->transactions) return fail("jbd2 transactions went down");
  return 0;
}

// The TLB line of /proc/interrupts (x86), summed over CPUs, never goes down.
int tlb_interrupts(PrivateDir&) {
  auto t0 = read_text("/proc/interrupts");
  if (!t0) return skip("/proc/interrupts not readable");
  auto a = parse_tlb_interrupts(*t0);
  if (!a) return skip("/proc/interrupts has no TLB line (not x86)");
  auto b = parse_tlb_interrupts(*read_text("/proc/interrupts"));
  if (!b || *b < *a) return fail("TLB shootdowns went down");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, std::function<int(PrivateDir&)>> probes = {
      {"anon-write-faults", anon_write_faults},   {"private-file-write-faults", private_file_write_faults},
      {"fork-write-faults", fork_write_faults},   {"cachestat", cachestat_and_mincore},
      {"odirect-read-bytes", odirect_read_bytes}, {"dirty-counters", dirty_counters},
      {"jbd2-info", jbd2_info},                   {"tlb-interrupts", tlb_interrupts},
  };
  if (argc != 2 || !probes.count(argv[1])) {
    std::fprintf(stderr, "usage: kiosim_host_probes NAME\n");
    return 2;
  }
  std::string dir;
  int rc = 0;
  {
    PrivateDir d;
    dir = d.path();
    rc = probes.at(argv[1])(d);
  }
  if (std::filesystem::exists(dir)) return fail("the probe's directory " + dir + " is still there");
  return rc;
}
