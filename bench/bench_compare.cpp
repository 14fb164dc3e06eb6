// How long `kiosim compare` takes to simulate a 1 GiB transfer with all four methods
// (issue 2's goal: under 2 seconds on the 2-core CI machine). Each method runs in its
// own child process, two at a time, as the CLI does.
#include <benchmark/benchmark.h>

#include "sim/run/run.h"
#include "bench/cached_compare.h"

namespace {

void compare(benchmark::State& state, const char* size) {
  kiosim::Scenario s = cached_compare(size);
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
