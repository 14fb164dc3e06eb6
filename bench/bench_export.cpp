// What the exports cost beside the simulation (issue 18): a cached 1 GiB compare of the
// four methods is simulated once with the trace on; then, per iteration, the runs are read
// from the results, and each method's data-path graph (Boost.Graph) and critical path
// (dag_shortest_paths) are built. `share` is each step's time over the simulation's: the
// exports should be a small share of it.
#include <benchmark/benchmark.h>

#include <chrono>

#include "sim/export/critical_path.h"
#include "sim/export/data_path_graph.h"
#include "sim/export/trace_runs.h"
#include "sim/run/run.h"
#include "bench/cached_compare.h"

namespace {

struct Traced {
  std::vector<nlohmann::ordered_json> results;  // one traced run per method
  std::vector<kiosim::exports::TraceRun> runs;
  double simulate_s = 0;
  std::size_t events = 0;
};

const Traced& traced_1gib() {
  static const Traced t = [] {
    kiosim::Scenario s = cached_compare("1GiB");
    kiosim::RunOptions opt;
    opt.trace = true;
    Traced out;
    auto start = std::chrono::steady_clock::now();
    out.results = kiosim::simulate(s, s.runs(), opt);
    out.simulate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& r : out.results) out.runs.push_back(kiosim::exports::read_run(r));
    for (const auto& r : out.runs) out.events += r.events.size();
    return out;
  }();
  return t;
}

// Runs `step` once per iteration and reports its share of the simulation time.
template <class Step>
void timed(benchmark::State& state, Step step) {
  const Traced& t = traced_1gib();
  double spent = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    step(t);
    spent += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["events"] = double(t.events);
  state.counters["simulate_s"] = t.simulate_s;
  state.counters["share"] = spent / double(state.iterations()) / t.simulate_s;
}

void BM_simulate_1GiB_traced(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(traced_1gib().simulate_s);
  state.counters["events"] = double(traced_1gib().events);
  state.counters["simulate_s"] = traced_1gib().simulate_s;
}

void BM_read_runs(benchmark::State& state) {
  timed(state, [](const Traced& t) {
    for (const auto& r : t.results) benchmark::DoNotOptimize(kiosim::exports::read_run(r));
  });
}

void BM_data_path_graph(benchmark::State& state) {
  timed(state, [](const Traced& t) {
    for (const auto& r : t.runs) benchmark::DoNotOptimize(kiosim::exports::build_data_path(r));
  });
}

void BM_critical_path(benchmark::State& state) {
  timed(state, [](const Traced& t) {
    for (const auto& r : t.runs) benchmark::DoNotOptimize(kiosim::exports::critical_path(r));
  });
}

}  // namespace

BENCHMARK(BM_simulate_1GiB_traced)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_read_runs)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_data_path_graph)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_critical_path)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
