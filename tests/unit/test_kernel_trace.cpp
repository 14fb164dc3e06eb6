// The kernel's tracepoints beside the simulator's events (sim/host/kernel_trace.h,
// kernel_events.h): the text records of tests/data/kernel-trace/ parsed by hand, bad
// lines skipped and counted, the filters built from format files, and the refusals
// without privilege or tracefs (seams: the uid and capability set, the mount points).
#include <catch2/catch.hpp>


#include "sim/host/kernel_compare.h"
#include "sim/host/kernel_events.h"
#include "sim/host/kernel_trace.h"
#include "tests/unit/kernel_trace_fixture.h"

using namespace kiosim::host;

TEST_CASE("kernel trace: the sample's records, fields and typed events, checked by hand", "[kernel_trace]") {
  ParsedTrace p = parse_trace_text(kiosim::test::kernel_trace_data("sample.txt"));
  // 1 sync_ra + 4 async_ra + 5 ra_order + 4 map_pages + 2 add_to_page_cache + 1 fault + 6 jbd2 = 23.
  CHECK(p.records.size() == 23);
  CHECK(p.malformed == 0);
  const TraceRecord& first = p.records.front();
  CHECK(first.task == "python3");
  CHECK(first.pid == 22652);
  CHECK(first.cpu == 1);
  CHECK(first.t_s == Approx(2207.164706));
  CHECK(first.event == "page_cache_sync_ra");
  CHECK(first.fields.at("dev") == "254:0");
  CHECK(first.fields.at("req_count") == "16");
  // A task name with '/' and '-' in it: the pid is the digits after the last '-'.
  CHECK(p.records.back().task == "jbd2/loop0-8");
  CHECK(p.records.back().pid == 8949);

  KernelEvents k = kernel_events(p);
  CHECK(k.malformed == 0);
  REQUIRE(k.readahead.size() == 10);
  CHECK(k.readahead[0].kind == "sync");
  CHECK(k.readahead[0].ino == 0xa720d5);
  CHECK(k.readahead[0].req_count == 16);  // the first 64 KiB read(): 16 pages asked
  CHECK(k.readahead[1].kind == "order");
  CHECK(k.readahead[1].size == 64);       // 4 x 16 (get_init_ra_size), under ra_pages 2048
  CHECK(k.readahead[1].async_size == 48);
  CHECK(k.readahead[1].ra_pages == 2048);
  // The windows read: each ra_order's size; 4096 pages - 2112 before = 1984 at the file's end.
  CHECK(readahead_windows(k) == std::vector<std::uint64_t>{64, 256, 512, 1024, 1984});
  REQUIRE(k.map_ranges.size() == 4);
  CHECK(k.map_ranges[1].first == 16);  // ofs=65536-131071: pages 16..31
  CHECK(k.map_ranges[1].last == 31);
  CHECK(k.map_ranges[1].pages() == 16);
  CHECK(k.user_faults == 1);
  REQUIRE(k.cache.size() == 2);
  CHECK(k.cache[1].added);
  CHECK(k.cache[1].index == 1);  // ofs=4096
  CHECK(k.cache[1].pages() == 1);
  REQUIRE(k.commits.size() == 1);
  const Commit& c = k.commits[0];
  CHECK(c.tid == 28);
  CHECK(c.complete());
  CHECK(c.end_s - c.start_s == Approx(0.028035));  // 3659.486667 - 3659.458632
  CHECK(c.logging_s - c.flushing_s == Approx(0.000001));
  CHECK(c.logging_ms == 28u);
  CHECK(c.blocks == 7u);
  CHECK(c.blocks_logged == 9u);
  CHECK(k.by_event.at("page_cache_ra_order") == 5);
}

TEST_CASE("kernel trace: malformed lines are skipped and counted, never a crash", "[kernel_trace]") {
  ParsedTrace p = parse_trace_text(kiosim::test::kernel_trace_data("malformed.txt"));
  CHECK(p.malformed == 5);  // no " [", a hex cpu, a pid of letters, no timestamp, no event
  CHECK(p.records.size() == 2);
  KernelEvents k = kernel_events(p);
  CHECK(k.malformed == 6);  // and the ra_order without its size
  CHECK(k.readahead.empty());
  CHECK(k.map_ranges.size() == 1);
  CHECK(k.malformed_examples.size() == 3);
  // Odd input of any shape: no throw.
  for (const char* s : {"", "\n\n", " [", "-1 [1] x 1.0: e: a", "a-1 [1] 1.0: e:", "a-1 [1] 1.5: ev: ofs=9-1",
                        "a-1 [1] 1.5: mm_filemap_map_pages: ino=zz ofs=1-", "a-1 [1] 1.5: jbd2_end_commit: dev 1,2"})
    CHECK_NOTHROW(kernel_events(parse_trace_text(s)));
}

TEST_CASE("kernel trace: filters by pid, device and inode from the format's field names", "[kernel_trace]") {
  const std::string ra_format =
      "name: page_cache_sync_ra\nID: 1\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
      "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
      "\tfield:unsigned long i_ino;\toffset:8;\tsize:8;\tsigned:0;\n"
      "\tfield:dev_t s_dev;\toffset:16;\tsize:4;\tsigned:0;\n\tfield:char comm[16];\toffset:20;\tsize:16;\tsigned:0;\n";
  auto fields = format_fields(ra_format);
  CHECK(fields == std::vector<std::string>{"common_type", "common_pid", "i_ino", "s_dev", "comm"});
  TraceEventSpec ra{"readahead", "page_cache_sync_ra", true, true};
  CHECK(trace_filter(fields, ra, 42, {7, 9}, 266338304) ==
        "common_pid == 42 && s_dev == 266338304 && (i_ino == 7 || i_ino == 9)");
  CHECK(trace_filter(fields, ra, 42, {7}, 0) == "common_pid == 42 && i_ino == 7");
  // jbd2's field is `dev`; its commits run in the journal thread: no pid term.
  TraceEventSpec commit{"jbd2", "jbd2_start_commit", false, true};
  CHECK(trace_filter({"common_pid", "dev", "transaction"}, commit, 42, {7}, 5) == "dev == 5");
  // An event without file fields (page_fault_user) keeps the pid only.
  TraceEventSpec fault{"exceptions", "page_fault_user", true, false};
  CHECK(trace_filter({"address", "ip", "error_code"}, fault, 42, {7}, 5) == "common_pid == 42");
  // stat's st_dev 0xfe00 (254:0) is MKDEV(254, 0) = 254 << 20 in the kernel.
  CHECK(kernel_dev_of(0xfe00) == 254ULL << 20);
}

TEST_CASE("kernel trace: without privilege or tracefs, one line and no instance", "[kernel_trace]") {
  CHECK_FALSE(why_no_trace_privilege(0, 0).has_value());
  CHECK_FALSE(why_no_trace_privilege(1000, 1ULL << 38).has_value());  // CAP_PERFMON
  CHECK_FALSE(why_no_trace_privilege(1000, 1ULL << 21).has_value());  // CAP_SYS_ADMIN
  auto why = why_no_trace_privilege(1000, 1ULL << 12);               // CAP_NET_ADMIN only
  REQUIRE(why.has_value());
  CHECK(why->find("CAP_PERFMON") != std::string::npos);
  CHECK(why->find('\n') == std::string::npos);

  KernelTraceRequest r;
  r.pid = 1;
  r.euid = 1000;
  r.cap_eff = 0;
  std::string why_not;
  CHECK(KernelTrace::open(r, why_not) == nullptr);
  CHECK(why_not.find("needs root") != std::string::npos);

  r.euid = 0;
  r.mount_points = {"/nonexistent/kiosim-no-tracefs"};
  why_not.clear();
  CHECK(KernelTrace::open(r, why_not) == nullptr);
  CHECK(why_not.find("neither mounted nor mountable") != std::string::npos);
  CHECK(why_not.find("/nonexistent/kiosim-no-tracefs") != std::string::npos);
}

TEST_CASE("kernel trace: kinds beside a simulated run's events, by process", "[kernel_trace]") {
  KernelEvents k = kernel_events(parse_trace_text(kiosim::test::kernel_trace_data("sample.txt")));
  // A run of two processes: `reader` (lane 0), `other` (lane 1), and the jbd2 lane (2).
  auto run = nlohmann::ordered_json::parse(R"({
    "lanes": [{"id": 0, "name": "reader", "kind": "user"}, {"id": 1, "name": "other", "kind": "user"},
              {"id": 2, "name": "jbd2", "kind": "kernel"}],
    "events": [
      {"t": 1, "lane": 0, "kind": "readahead", "name": "sync", "pages": 16, "file": 0, "page": 16},
      {"t": 2, "lane": 0, "kind": "readahead", "name": "async", "pages": 32, "file": 0, "page": 32},
      {"t": 3, "lane": 1, "kind": "readahead", "name": "async", "pages": 99, "file": 0, "page": 64},
      {"t": 4, "lane": 0, "kind": "readahead", "name": "fadvise WILLNEED", "pages": 8},
      {"t": 5, "lane": 0, "kind": "page_fault_minor", "pages": 16, "file": 0, "page": 0, "user_mode": true},
      {"t": 6, "lane": 0, "kind": "page_fault_minor", "pages": 1, "user_mode": true},
      {"t": 7, "lane": 0, "kind": "cache_insert", "pages": 1, "file": 0, "page": 0},
      {"t": 8, "lane": 2, "kind": "journal_commit", "dur": 2500000, "pages": 5}
    ]})");
  auto kinds = kinds_beside(run, "reader", k);
  auto find = [&](const std::string& name) -> const KindBeside& {
    for (const auto& x : kinds)
      if (x.kind == name) return x;
    FAIL("no kind " << name);
    return kinds.front();
  };
  // reader's windows: 16 (sync) and 32 (async); other's 99 and the fadvise are not windows of it.
  CHECK(*find("readahead windows").predicted == std::vector<double>{16, 32});
  CHECK(find("readahead windows").kernel == std::vector<double>{64, 256, 512, 1024, 1984});
  CHECK(*find("sync readahead calls").predicted == std::vector<double>{16});
  CHECK(find("async readahead calls").kernel == std::vector<double>{16, 64, 320, 832});
  // Only the file-backed fault is a fault range; both are user-mode faults.
  CHECK(*find("fault ranges").predicted == std::vector<double>{16});
  CHECK(find("fault ranges").kernel == std::vector<double>{16, 16, 16, 16});
  CHECK(find("user-mode faults").predicted->size() == 2);
  CHECK(find("user-mode faults").kernel.size() == 1);
  CHECK(find("page cache inserts").kernel == std::vector<double>{1, 1});
  // The jbd2 lane counts for every process: 2.5 ms against the sample's 28.035 ms.
  CHECK(*find("journal commits").predicted == std::vector<double>{2500});
  REQUIRE(find("journal commits").kernel.size() == 1);
  CHECK(find("journal commits").kernel[0] == Approx(28035));
  CHECK(find("commit: flushing (data)").kernel[0] == Approx(1).epsilon(0.01));
  CHECK_FALSE(find("commit: logging (journal)").predicted.has_value());
  CHECK(find("commit: logging (journal)").kernel[0] == Approx(28028));
  // Without a prediction (measure) every kind has the kernel's side only.
  for (const auto& x : kinds_beside(nullptr, "", k)) CHECK_FALSE(x.predicted.has_value());
  CHECK(distribution({64, 256, 256, 1984}) == "64x1 256x2 1984x1");
  CHECK(distribution({}) == "-");
}

TEST_CASE("kernel trace: the run's commits are set beside a process only when they are its own", "[kernel_trace]") {
  KernelEvents k = kernel_events(parse_trace_text(kiosim::test::kernel_trace_data("sample.txt")));
  auto run = nlohmann::ordered_json::parse(R"({"lanes": [{"id": 0, "name": "jbd2", "kind": "kernel"}],
    "events": [{"t": 1, "lane": 0, "kind": "journal_commit", "dur": 1000},
               {"t": 2, "lane": 0, "kind": "journal_commit", "dur": 3000}]})");
  auto commits = [&](const char* counters) {
    auto c = nlohmann::ordered_json::parse(counters);
    for (const auto& x : kinds_beside(run, "p", k, &c))
      if (x.kind == "journal commits") return x;
    FAIL("no journal commits");
    return KindBeside{};
  };
  CHECK(*commits(R"({"journal_commits": 2})").predicted == std::vector<double>{1, 3});  // both its own (us)
  CHECK(commits(R"({"journal_commits": 0})").predicted->empty());                      // none of them
  auto shared = commits(R"({"journal_commits": 1})");                                  // one of two
  CHECK_FALSE(shared.predicted.has_value());
  CHECK(shared.note.find("shared") != std::string::npos);
}
