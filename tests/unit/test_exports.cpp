// The exports of issue 18 on simulated runs: the data-path graph (and its DOT, read
// back with Boost's Graphviz reader), the critical path, the CSV of counters.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include <boost/graph/graphviz.hpp>

#include "sim/export/counters_csv.h"
#include "sim/export/critical_path.h"
#include "sim/export/data_path_graph.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;
using namespace kiosim::exports;

namespace {

std::map<std::string, TraceRun> traced(const std::string& name, const std::string& text) {
  RunOptions ro;
  ro.trace = true;
  std::map<std::string, TraceRun> out;
  for (auto& r : test::simulate_text(name, text, ro)) {
    TraceRun run = read_run(r);
    out.emplace(run.name, std::move(run));
  }
  return out;
}

std::string copy_table(const std::string& size, bool cached, const std::string& methods) {
  return "kiosim: 1\nset:\n  nic.scatter_gather: true\nfiles:\n  - { name: data.bin, size: " + size +
         ", cached: " + (cached ? "true" : "false") + " }\ncompare:\n  transfer: { file: data.bin, chunk: 64KiB }\n" +
         "  methods: [" + methods + "]\n";
}

std::map<TransferKind, int> kinds_on(const DataPathGraph& g, const std::vector<DataPathEdge>& path) {
  std::map<TransferKind, int> n;
  for (auto e : path) ++n[g[e].kind];
  return n;
}

}  // namespace

TEST_CASE("data-path graph: cold read+write copies twice and DMAs twice from disk to wire; sendfile never copies",
          "[exports]") {
  auto runs = traced("dp", copy_table("64KiB", false, "read_write, sendfile"));
  // read+write (MODEL.md section 2): disk -DMA-> page cache -CPU-> user buffer -CPU->
  // socket buffer -DMA-> wire: two edges of each kind on the only path.
  DataPathGraph rw = build_data_path(runs.at("read_write"));
  auto path = path_between(rw, "disk", "wire");
  REQUIRE(path.size() == 4);
  auto n = kinds_on(rw, path);
  CHECK(n[TransferKind::cpu_copy] == 2);
  CHECK(n[TransferKind::dma] == 2);
  for (auto e : path) CHECK(rw[e].bytes == 65536);  // one 64 KiB chunk each
  // sendfile with gather DMA: page references to the socket, the NIC reads the page
  // cache: no CPU-copy edge anywhere, and DMA both ends of the path.
  DataPathGraph sf = build_data_path(runs.at("sendfile"));
  for (auto e : boost::make_iterator_range(boost::edges(sf))) CHECK(sf[e].kind != TransferKind::cpu_copy);
  auto sp = path_between(sf, "disk", "wire");
  REQUIRE(!sp.empty());
  CHECK(kinds_on(sf, sp)[TransferKind::dma] == 2);

  SECTION("the DOT says the same, read back with boost::read_graphviz") {
    std::ostringstream dot;
    write_dot(dot, "copy table", {{"read_write", rw}, {"sendfile", sf}});
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::property<boost::vertex_name_t, std::string>,
                          boost::property<boost::edge_name_t, std::string>>
        g;
    std::map<std::size_t, std::string> place, run;
    boost::dynamic_properties dp(boost::ignore_other_properties);
    dp.property("node_id", boost::get(boost::vertex_name, g));
    dp.property("kind", boost::get(boost::edge_name, g));
    std::vector<std::string> places(64), runs_of(64);
    auto pm = boost::make_iterator_property_map(places.begin(), boost::get(boost::vertex_index, g));
    auto rm = boost::make_iterator_property_map(runs_of.begin(), boost::get(boost::vertex_index, g));
    dp.property("place", pm);
    dp.property("run", rm);
    REQUIRE(boost::read_graphviz(dot.str(), g, dp));
    int cpu_rw = 0, dma_rw = 0, cpu_sf = 0;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      const std::string& k = boost::get(boost::edge_name, g, e);
      const std::string& r = runs_of[boost::source(e, g)];
      cpu_rw += r == "read_write" && k == "CPU copy";
      dma_rw += r == "read_write" && k == "DMA";
      cpu_sf += r == "sendfile" && k == "CPU copy";
    }
    CHECK(cpu_rw == 2);
    CHECK(dma_rw == 2);
    CHECK(cpu_sf == 0);
  }
}

TEST_CASE("critical path: the disk DMA sets a cold read+write, the copies a warm one", "[exports]") {
  SECTION("cold 64 KiB") {
    auto runs = traced("cp-cold", copy_table("64KiB", false, "read_write"));
    const TraceRun& r = runs.at("read_write");
    CriticalPath cp = critical_path(r);
    bool disk_dma = false;
    std::int64_t sum = 0, disk_ns = 0;
    for (const auto& s : cp.steps) {
      sum += s.ns;
      const RunEvent& e = r.events[s.event];
      if (s.kind == StepKind::event && e.kind == EventKind::dma_copy && e.from == "disk") disk_dma = true, disk_ns += s.ns;
    }
    CHECK(disk_dma);
    // By hand (scenarios/machines/default.yaml): the disk takes 80 us + 64 KiB / 2 GB/s
    // = 112.8 us; everything else on the path is the NIC's 64 KiB at 10 Gbit/s (52.4 us),
    // two 64 KiB copies at 10 GB/s (13.1 us), a wake-up (5 us), a context switch
    // (1.5 us), two interrupts (2 us) and two syscalls (0.2 us): 74.2 us. So the disk is
    // more than half of the run.
    CHECK(disk_ns * 2 > cp.total_ns);
    CHECK(sum == cp.path_ns);
    // The longest chain cannot be longer than the run; it explains most of it here
    // (only the NIC's idle time before the first skb and such fall outside).
    CHECK(cp.path_ns <= cp.total_ns);
    CHECK(cp.path_ns * 10 >= cp.total_ns * 9);
  }
  SECTION("warm 16 MiB") {
    auto runs = traced("cp-warm", copy_table("16MiB", true, "read_write"));
    const TraceRun& r = runs.at("read_write");
    CriticalPath cp = critical_path(r);
    int copies = 0, disk = 0;
    for (const auto& s : cp.steps) {
      const RunEvent& e = r.events[s.event];
      if (s.kind != StepKind::event) continue;
      copies += e.kind == EventKind::cpu_copy;
      disk += e.kind == EventKind::dma_copy && e.from == "disk";
    }
    CHECK(copies > 0);
    CHECK(disk == 0);  // all cached: no disk on any path
    CHECK(cp.path_ns <= cp.total_ns);
  }
}

TEST_CASE("counters CSV: one row per run, every counter a column, nested ones flattened", "[exports]") {
  auto runs = traced("csv", copy_table("64KiB", false, "read_write, sendfile, splice"));
  std::vector<TraceRun> v;
  for (auto& [k, r] : runs) v.push_back(r);
  std::string csv = counters_csv(v);
  std::istringstream in(csv);
  std::string header, line;
  std::getline(in, header);
  CHECK(header.rfind("run,syscalls,mode_switches,", 0) == 0);
  CHECK(header.find(",time_breakdown_ns.copy") != std::string::npos);
  CHECK(header.find(",syscalls_by_name.sendfile") != std::string::npos);
  int rows = 0;
  std::size_t cols = std::count(header.begin(), header.end(), ',');
  while (std::getline(in, line)) {
    ++rows;
    CHECK(std::size_t(std::count(line.begin(), line.end(), ',')) == cols);
  }
  CHECK(rows == 3);
  // read_write makes 2 syscalls (read, write): the CSV's second field of its row.
  CHECK(csv.find("\nread_write,2,4,") != std::string::npos);
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}
