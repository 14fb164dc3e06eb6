// How long the simulator takes for many connections (issue 19): one epoll server,
// level-triggered, reading each 512-byte request with one non-blocking recv, the
// clients arriving as a seeded Poisson process. Goals: 1,000 connections x 100
// requests under 5 s, 10,000 connections x 100 requests under 60 s.
#include <benchmark/benchmark.h>

#include <string>

#include "sim/run/run.h"
#include "sim/scenario/scenario_text.h"

namespace {

kiosim::Scenario epoll_server(int connections) {
  const std::string text =
      "kiosim: 1\nseed: 7\n"
      "clients: { connections: " + std::to_string(connections) +
      ", requests: 100, request_bytes: 512, interval: 100ms, start: 1ms, arrival: poisson }\n"
      "processes:\n  - name: server\n    program:\n"
      "      - accept: { as: c, count: " + std::to_string(connections) + " }\n"
      "      - epoll_create: { as: ep }\n"
      "      - epoll_ctl: { ep: ep, fd: c, op: add, events: [in] }\n"
      "      - epoll_wait: { ep: ep, as: r, maxevents: 64, timeout: 1s, until_idle: true,\n"
      "                      do: [ { recv: { fd: r, bytes: 512, nonblock: true } } ] }\n";
  kiosim::LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  return kiosim::load_scenario_text(text, "bench-epoll.yaml", lo);
}

void serve(benchmark::State& state) {
  kiosim::Scenario s = epoll_server(int(state.range(0)));
  auto runs = s.runs();
  for (auto _ : state) {
    auto results = kiosim::simulate(s, runs);
    benchmark::DoNotOptimize(results);
  }
  state.counters["requests"] = double(state.range(0)) * 100;
}

}  // namespace

BENCHMARK(serve)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
