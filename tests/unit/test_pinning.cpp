// The pinning invariant (MODEL.md section 3): pages held by a pipe, an skb or an
// in-flight DMA are never evicted, and are released when the holder is done.
// sendfile and splice run beside a reader that scans a large file, in a 1 MiB
// page cache (256 pages) behind a slow NIC, so that at times most of the cache is
// pinned by skbs waiting for the wire. The kernel checks the invariant at every
// eviction (a pinned page evicted is a logic_error that ends the run); here the
// run must finish, reclaim must have skipped pinned pages (rotations), and at the
// end no page may still be pinned.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/engine/engine.h"
#include "sim/run/interpreter.h"
#include "sim/kernel/kernel.h"
#include "sim/scenario/scenario.h"

using namespace kiosim;

namespace {

const char* kScenario = R"(kiosim: 1
set:
  page_cache.size: 1MiB
  nic.bandwidth: 1Gbit/s
files:
  - { name: a.bin, size: 4MiB }
  - { name: b.bin, size: 4MiB }
  - { name: big.bin, size: 16MiB }
processes:
  - name: sender
    program:
      - open: { file: a.bin, as: f }
      - socket: { as: s }
      - sendfile: { out: s, in: f, bytes: 4MiB }
  - name: splicer
    program:
      - open: { file: b.bin, as: f }
      - socket: { as: s }
      - pipe: { as: p }
      - repeat: 64
        do:
          - splice: { in: f, out: p, bytes: 64KiB }
          - splice: { in: p, out: s, bytes: 64KiB }
  - name: scanner
    program:
      - open: { file: big.bin, as: f }
      - repeat: 256
        do: [ { read: { fd: f, bytes: 64KiB } } ]
)";

// One simulation per process (SimGrid allows one engine): run it in a child.
nlohmann::json run_in_child(const std::string& path) {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(p[0]);
    nlohmann::json out;
    try {
      Scenario s = load_scenario(path);
      RunSpec run = s.runs().front();
      Engine engine(s.machine);
      Trace trace(false);
      std::vector<FileSpec> files = s.files;
      Kernel kernel(s.machine, files, engine, trace);
      kernel.start_devices();
      for (const ProcessSpec& ps : run.processes) {
        Process& proc = kernel.new_process(ps.name);
        Thread& t = kernel.new_thread(proc, ps.name);
        engine.spawn(ps.name, [&kernel, &t, &s, &ps] { run_program(kernel, t, s, ps.program, 0); });
      }
      engine.spawn("supervisor", [&kernel] { kernel.wait_until_done(); });
      engine.run();
      bool finished = true;
      for (const auto& t : kernel.threads()) finished = finished && t->finished;
      const PageCacheStats& st = kernel.page_cache().stats();
      out["finished"] = finished;
      out["pinned_at_end"] = kernel.page_cache().pinned_pages();
      out["evictions"] = st.evictions;
      out["rotations"] = st.rotations;
      out["stalls"] = st.stalls;
      for (const auto& pr : kernel.processes()) out["sent"][pr->name] = pr->counters.sent_bytes;
    } catch (const std::exception& e) {
      out["error"] = e.what();
    }
    std::string data = out.dump();
    ssize_t n = ::write(p[1], data.data(), data.size());
    (void)n;
    ::close(p[1]);
    ::_exit(0);
  }
  ::close(p[1]);
  std::string data;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) data.append(buf, std::size_t(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO("child exit status " << status << ", output: " << data);
  REQUIRE(WIFEXITED(status));
  return nlohmann::json::parse(data);
}

}  // namespace

TEST_CASE("pinning: sendfile and splice under memory pressure never lose a pinned page", "[pinning]") {
  std::string path = "/tmp/kiosim-pinning-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << kScenario;
  nlohmann::json r = run_in_child(path);
  ::unlink(path.c_str());
  INFO(r.dump());
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["finished"] == true);
  // 24 MiB went through a 256-page cache: pages were evicted ...
  CHECK(r["evictions"].get<std::uint64_t>() > 5000);
  // ... and reclaim met pinned pages and skipped them.
  CHECK(r["rotations"].get<std::uint64_t>() > 0);
  // Every byte reached the socket, and every reference was dropped.
  CHECK(r["sent"]["sender"] == 4u << 20);
  CHECK(r["sent"]["splicer"] == 4u << 20);
  CHECK(r["pinned_at_end"] == 0);
}
