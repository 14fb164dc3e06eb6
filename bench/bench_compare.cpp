// How long `kiosim compare` takes to simulate a 1 GiB transfer with all four methods
// (issue 2's goal: under 2 seconds on the 2-core CI machine). Each method runs in its
// own child process, two at a time, as the CLI does.
#include <benchmark/benchmark.h>

#include <fstream>
#include <unistd.h>

#include "sim/run/run.h"
#include "sim/scenario/scenario.h"

namespace {

void compare(benchmark::State& state, const char* size) {
  std::string path = "/tmp/kiosim-bench-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << "kiosim: 1\nset:\n  page_cache.size: 2GiB\n  nic.bandwidth: 100Gbit/s\n"
                         "files:\n  - { name: big.bin, size: " << size << ", cached: true }\n"
                         "compare:\n  transfer: { file: big.bin, chunk: 64KiB }\n"
                         "  methods: [read_write, mmap_write, sendfile, splice]\n";
  kiosim::LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  kiosim::Scenario s = kiosim::load_scenario(path, lo);
  ::unlink(path.c_str());
  auto runs = s.runs();
  for (auto _ : state) {
    auto results = kiosim::simulate(s, runs);
    benchmark::DoNotOptimize(results);
  }
  state.counters["methods"] = double(runs.size());
}

void BM_compare_256MiB(benchmark::State& st) { compare(st, "256MiB"); }
void BM_compare_1GiB(benchmark::State& st) { compare(st, "1GiB"); }

}  // namespace

BENCHMARK(BM_compare_256MiB)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_compare_1GiB)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
