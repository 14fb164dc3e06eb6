// Replay throughput of kiosim cache-replay (goal: 20 million accesses per second
// on one core, libCacheSim's published replay rate).
//
// The trace: 16,777,216 accesses over two files, 70% to a hot set of 8,192 pages
// (drawn at random) and 30% to a sequential scan of a 1,048,576-page file (read
// once, never re-used), 10% of all accesses writes. The cache: 16,384 pages (64 MiB).
//  - BM_Replay: accesses already parsed (the page cache and its policy alone);
//  - BM_ParseAndReplay: the same trace as text, parsed line by line (10,485,760
//    accesses, `FILE PAGE [r|w]` lines), what `kiosim cache-replay` does per line.
// Whole-process timings on issue 20's trace, beside libCacheSim: scripts/bench-cache-replay.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "model/policy_registry.h"
#include "sim/run/cache_replay.h"
#include "sim/run/replay_engine.h"

using namespace kiosim;

namespace {

struct Access {
  PageKey key;
  bool write;
};

std::vector<Access> make_trace(std::size_t n) {
  std::vector<Access> out;
  out.reserve(n);
  std::uint64_t x = 0x2545F4914F6CDD1DULL, scan = 0;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bool hot = x % 10 < 7;
    PageKey k = hot ? PageKey{0, (x >> 20) % 8192} : PageKey{1, scan++ % 1048576};
    out.push_back({k, (x >> 8) % 10 == 0});
  }
  return out;
}

const std::vector<Access>& trace16m() {
  static const std::vector<Access> t = make_trace(1u << 24);
  return t;
}

void BM_Replay(benchmark::State& state) {
  const auto policy = CachePolicy(state.range(0));
  const auto& t = trace16m();
  double hit_ratio = 0;
  for (auto _ : state) {
    MoveCounter moves;
    hit_ratio = with_policy(policy, PolicyParams{&moves, 16384, 1}, [&](auto& p) {
      ReplayEngine engine(p, moves, 16384);
      for (const Access& a : t) engine.access(a.key, a.write);
      return engine.result().hit_ratio();
    });
    benchmark::DoNotOptimize(hit_ratio);
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(t.size()));
  state.counters["accesses"] = double(t.size());
  state.counters["hit_ratio"] = hit_ratio;
  state.SetLabel(std::string(to_string(policy)));
}
BENCHMARK(BM_Replay)
    ->Arg(int(CachePolicy::two_list))
    ->Arg(int(CachePolicy::lru))
    ->Arg(int(CachePolicy::linux_lru))
    ->Arg(int(CachePolicy::fifo))
    ->Arg(int(CachePolicy::clock))
    ->Arg(int(CachePolicy::arc))
    ->Unit(benchmark::kMillisecond);

void BM_ParseAndReplay(benchmark::State& state) {
  const auto policy = CachePolicy(state.range(0));
  static const std::string text = [] {
    std::string s;
    const std::size_t n = 10u << 20;
    s.reserve(n * 16);
    const auto& t = trace16m();
    for (std::size_t i = 0; i < n; ++i) {
      s += t[i].key.file ? "scan.bin " : "hot.bin ";
      s += std::to_string(t[i].key.index);
      s += t[i].write ? " w\n" : "\n";
    }
    return s;
  }();
  ReplayResult r;
  for (auto _ : state) {
    r = replay_text(text, "bench", policy, 16384);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(r.accesses));
  state.counters["accesses"] = double(r.accesses);
  state.counters["MB"] = double(text.size()) / 1e6;
  state.counters["hit_ratio"] = r.hit_ratio();
  state.SetLabel(std::string(to_string(policy)));
}
BENCHMARK(BM_ParseAndReplay)
    ->Arg(int(CachePolicy::two_list))
    ->Arg(int(CachePolicy::lru))
    ->Unit(benchmark::kMillisecond);

}  // namespace
