// Copy-on-write after fork, MAP_PRIVATE writes, shootdowns and writes during
// sendfile, run by the simulator, with counts worked out by hand.
#include <catch2/catch.hpp>

#include <fstream>
#include <unistd.h>

#include "sim/run/run.h"
#include "tests/unit/scenario_support.h"
#include "sim/scenario/scenario.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {

std::vector<json> run_all(const std::string& name, const std::string& text) {
  return test::simulate_text(name, text);
}

}  // namespace

TEST_CASE("after fork, 10 writes to distinct pages: 10 CoW faults, 40 KiB copied, a rewrite none", "[cow][sim]") {
  auto r = run_all("fork", R"(kiosim: 1
processes:
  - name: parent
    setup:
      - mmap: { as: heap, length: 64KiB, write: true }
      - touch: { map: heap, bytes: 64KiB, write: true }
    program:
      - fork: { as: child, do: [ { sleep: 1ms } ] }
      - touch: { map: heap, bytes: 40KiB, write: true }
      - touch: { map: heap, bytes: 4KiB, write: true }
)");
  json c = r.at(0)["counters"];
  // The child lives 1 ms, far longer than the parent's writes (about 1 us each), so
  // every frame still has two mappers when the parent writes it.
  // fork: one syscall; it write-protects the 16 heap pages and flushes the parent's TLB once.
  CHECK(c["syscalls"] == 1);
  CHECK(c["tlb_flushes"] == 1);
  // The first touch writes pages 0..9: each is a CoW fault (the frame has two mappers),
  // one 4 KiB CPU copy each, and one TLB invalidation each.
  CHECK(c["cow_faults"] == 10);
  CHECK(c["cpu_copies"] == 10);
  CHECK(c["cpu_copy_bytes"] == 40960);
  CHECK(c["tlb_invalidations"] == 10);
  // CoW faults are page faults (ru_minflt counts them) taken in user mode: fork 2 + 10 x 2.
  CHECK(c["page_faults_minor"] == 10);
  CHECK(c["mode_switches"] == 22);
  // The second touch rewrites page 0, now writable: nothing more. One process, one core:
  // no shootdown.
  CHECK(c["tlb_shootdowns"] == 0);
  REQUIRE(r.at(0)["processes"].size() == 2);
  CHECK(r.at(0)["processes"][1]["name"] == "child");
}

TEST_CASE("after the child has exited, the parent's writes reuse its frames without copies", "[cow][sim]") {
  auto r = run_all("fork-exit", R"(kiosim: 1
processes:
  - name: parent
    setup:
      - mmap: { as: heap, length: 64KiB, write: true }
      - touch: { map: heap, bytes: 64KiB, write: true }
    program:
      - fork: { as: child, do: [ { sleep: 1us } ] }
      - sleep: 1ms
      - touch: { map: heap, bytes: 40KiB, write: true }
)");
  json c = r.at(0)["counters"];
  // exit_mmap dropped the child's mappers: 10 write faults (wp_page_reuse), no copy.
  CHECK(c["page_faults_minor"] == 10);
  CHECK(c["cow_faults"] == 0);
  CHECK(c["cpu_copy_bytes"] == 0);
  CHECK(c["tlb_invalidations"] == 10);
}

TEST_CASE("a write to a MAP_PRIVATE file page is one CoW fault per page", "[cow][sim]") {
  auto r = run_all("private", R"(kiosim: 1
files:
  - { name: f, size: 64KiB, cached: true }
processes:
  - program:
      - open: { file: f, as: fd }
      - mmap: { fd: fd, as: m, shared: false, write: true }
      - touch: { map: m, bytes: 16KiB, write: true }
      - touch: { map: m, offset: 16KiB, bytes: 4KiB }
      - touch: { map: m, offset: 16KiB, bytes: 4KiB, write: true }
)");
  json c = r.at(0)["counters"];
  // Pages 0..3 written while not present: do_cow_fault, one fault each, one copy each.
  // Page 4 read: a minor fault mapping (read-only) the cached pages 4..15 of window 0..15.
  // Page 4 written: a write-protect fault that copies it.
  CHECK(c["cow_faults"] == 5);
  CHECK(c["page_faults_minor"] == 6);
  CHECK(c["cpu_copy_bytes"] == 5 * 4096);
  CHECK(c["pages_mapped"] == 4 + 12);
}

TEST_CASE("a munmap in a 2-core 2-thread process sends one shootdown", "[tlb][sim]") {
  auto r = run_all("shootdown", R"(kiosim: 1
processes:
  - threads: 2
    cores: [0, 1]
    program:
      - mmap: { as: m, length: 64KiB, write: true }
      - touch: { map: m, bytes: 64KiB, write: true }
      - munmap: { map: m }
)");
  json c = r.at(0)["counters"];
  // Both threads touch their 16 pages (16 faults each) at the same time, on cores 0 and
  // 1; then each munmap invalidates its 16 pages (16 <= 33: one by one) and sends one
  // IPI to the other core, where the other thread ran: 2 munmaps, 2 shootdowns.
  CHECK(c["page_faults_minor"] == 32);
  CHECK(c["tlb_invalidations"] == 32);
  CHECK(c["tlb_flushes"] == 0);
  CHECK(c["tlb_shootdowns"] == 2);
}

TEST_CASE("a write to a page sendfile still holds lands (Linux); copy and wait are what-ifs", "[cow][sim]") {
  // Mm::write_to_held_page after Linux: tcp_sendmsg_locked / splice_to_socket /
  // filemap_splice_read only take page references and nothing write-protects the
  // page (folio_wait_stable waits for block writeback only).
  std::string text = R"(kiosim: 1
files:
  - { name: f, size: 64KiB, cached: true }
sweep: { key: mm.write_during_send, values: [overwrite, copy, wait] }
processes:
  - setup:
      - open: { file: f, as: fd }
      - mmap: { fd: fd, as: m, write: true }
      - touch: { map: m, bytes: 64KiB }
    program:
      - socket: { as: s }
      - sendfile: { out: s, in: fd, bytes: 64KiB }
      - touch: { map: m, bytes: 4KiB, write: true }
)";
  auto r = run_all("write-during-send", text);
  REQUIRE(r.size() == 3);
  json over = r[0]["counters"], copy = r[1]["counters"], wait = r[2]["counters"];
  // overwrite: page 0 is mapped read-only (the setup's read fault: a shared writable
  // VMA wants write notification) and held by the skb: the store lands, with the one
  // wp_page_shared fault (page_mkwrite) any first store to a clean shared page takes;
  // no copy, no sleep; one page counted in inflight_overwrites. Crossings: socket +
  // sendfile = 4, the fault 2.
  CHECK(over["inflight_overwrites"] == 1);
  CHECK(over["page_faults_minor"] == 1);
  CHECK(over["cow_faults"] == 0);
  CHECK(over["cpu_copy_bytes"] == 0);
  CHECK(over["context_switches_voluntary"] == 0);
  CHECK(over["mode_switches"] == 6);
  // copy (what-if): page 0 was write-protected; the fault copies it first (one CoW
  // fault, 4 KiB, page_mkwrite within it) and adds 2 crossings.
  CHECK(copy["inflight_overwrites"] == 0);
  CHECK(copy["cow_faults"] == 1);
  CHECK(copy["cpu_copy_bytes"] == 4096);
  CHECK(copy["page_faults_minor"] == 1);
  CHECK(copy["mode_switches"] == 6);
  CHECK(copy["context_switches_voluntary"] == 0);
  // wait (what-if): no copy; the write faults on page 0 and sleeps once, until the
  // skb lets go of its pages; pages 1..3 are free by then.
  CHECK(wait["page_faults_minor"] == 1);
  CHECK(wait["cow_faults"] == 0);
  CHECK(wait["cpu_copy_bytes"] == 0);
  CHECK(wait["context_switches_voluntary"] == 1);
}

TEST_CASE("a pwrite() to pages a splice holds in a pipe lands and is counted", "[cow][sim]") {
  // splice file -> pipe takes a reference on each of the 4 pages (filemap_splice_read);
  // a pwrite of 16 KiB at offset 0 then copies into those 4 pages through the page
  // cache (generic_perform_write): nothing waits, 4 pages counted. The pwrite's one
  // CPU copy of 16 KiB is its own, as always; no fault (write() takes none).
  std::string text = R"(kiosim: 1
files:
  - { name: f, size: 16KiB, cached: true }
processes:
  - setup:
      - open: { file: f, as: fd }
      - pipe: { as: p }
    program:
      - splice: { in: fd, out: p, bytes: 16KiB }
      - pwrite: { fd: fd, bytes: 16KiB, offset: 0 }
)";
  auto r = run_all("pipe-overwrite", text);
  REQUIRE(r.size() == 1);
  json c = r[0]["counters"];
  CHECK(c["inflight_overwrites"] == 4);
  CHECK(c["cpu_copies"] == 1);
  CHECK(c["cpu_copy_bytes"] == 16384);
  CHECK(c["page_faults_minor"] == 0);
  CHECK(c["context_switches_voluntary"] == 0);
  // The same under `wait` (what-if): the pwrite sleeps on page 0 until the pipe lets
  // go, which never happens here (nobody reads the pipe): it must not hang the run,
  // so this variant is not run. Under `copy` each held page is copied first: 4 more
  // copies of 4 KiB.
  auto rc = run_all("pipe-copy", "set: { mm.write_during_send: copy }\n" + text);
  json cc = rc.at(0)["counters"];
  CHECK(cc["inflight_overwrites"] == 0);
  CHECK(cc["cpu_copies"] == 1 + 4);
  CHECK(cc["cpu_copy_bytes"] == 16384 + 4 * 4096);
  CHECK(cc["cow_faults"] == 0);
}
