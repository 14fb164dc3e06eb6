#include "sim/run/cache_replay.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "model/policy_registry.h"
#include "sim/run/dense_trace.h"
#include "sim/run/lookahead.h"
#include "sim/run/lru_stack_distance.h"
#include "sim/run/mapped_file.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

namespace {

void check_capacity(std::uint64_t pages) {
  if (pages == 0 || pages > kMaxReplayPages)
    throw InputError("command line", 0, 0, "--pages",
                     fmt::format("the cache must hold 1 to {} pages (4 KiB each: up to 64 GiB); found {}",
                                 kMaxReplayPages, pages));
}

PolicyParams params_for(const ReplaySetup& s, MoveCounter& moves, std::uint64_t capacity) {
  return PolicyParams{&moves, capacity, s.seed};
}

// One replay of a trace already in memory.
ReplayResult replay_dense(const DenseTrace& t, const ReplaySetup& setup, std::uint64_t capacity) {
  MoveCounter moves;
  ReplayResult r = with_policy(setup.policy, params_for(setup, moves, capacity), [&](auto& policy) {
    ReplayEngine engine(policy, moves, capacity);
    const bool future = !t.next.empty();
    for (std::size_t i = 0; i < t.size(); ++i) {
      const std::uint64_t next = future && t.next[i] != DenseTrace::kNever ? t.next[i] : ReplacementPolicy::kNever;
      engine.access(PageKey{0, t.page[i]}, t.write[i] != 0, next);
    }
    return engine.result();
  });
  r.files = t.files;
  return r;
}

bool needs_future(const ReplaySetup& s) { return s.policy == CachePolicy::opt; }

}  // namespace

ReplayResult replay_data(std::string_view data, const std::string& name, const ReplaySetup& setup,
                         std::uint64_t capacity) {
  check_capacity(capacity);
  if (needs_future(setup) && setup.trace.format != TraceFormat::oracle_general) {
    // Belady needs each access's next use: load the trace, one backward pass, replay.
    DenseTrace t = DenseTrace::load(data, name, setup.trace);
    t.fill_next();
    return replay_dense(t, setup, capacity);
  }
  MoveCounter moves;
  std::uint64_t files = 0;
  ReplayResult r = with_policy(setup.policy, params_for(setup, moves, capacity), [&](auto& policy) {
    ReplayEngine engine(policy, moves, capacity);
    files = parse_trace(data, name, setup.trace,
                        [&](PageKey k, bool w, std::uint64_t next) { engine.access(k, w, next); });
    return engine.result();
  });
  r.files = files;
  return r;
}

ReplayResult replay_file(const std::string& path, const ReplaySetup& setup, std::uint64_t capacity) {
  check_capacity(capacity);
  MappedFile f(path);
  return replay_data(f.data(), path, setup, capacity);
}

std::vector<std::uint64_t> mrc_sizes(std::uint64_t working_set, unsigned n) {
  std::vector<std::uint64_t> out;
  if (working_set == 0 || n == 0) return out;
  const std::uint64_t top = std::min(working_set, kMaxReplayPages);
  for (unsigned i = 0; i < n; ++i) {
    const double f = n == 1 ? 1.0 : double(i) / double(n - 1);
    auto s = std::uint64_t(std::llround(std::exp(f * std::log(double(top)))));
    s = std::clamp<std::uint64_t>(s, 1, top);
    if (out.empty() || s > out.back()) out.push_back(s);
  }
  return out;
}

Curve replay_curve(std::string_view data, const std::string& name, const ReplaySetup& setup,
                   std::vector<std::uint64_t> sizes, unsigned mrc_points, unsigned threads) {
  for (std::uint64_t s : sizes) check_capacity(s);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  Curve c;
  if (setup.policy == CachePolicy::lru) {
    // Mattson's one pass, fused with the parse. A write turns it down (see the header).
    LruStackDistance sd(sizes);
    std::uint64_t writes = 0, files = 0;
    Lookahead<PageKey> ahead;
    auto use = [&](PageKey k) { sd.access(k); };
    files = parse_trace(data, name, setup.trace, [&](PageKey k, bool w, std::uint64_t) {
      writes += w;
      ahead.push(k, [&](PageKey p) { sd.prefetch(p); }, use);
    });
    ahead.drain(use);
    if (writes == 0) {
      c.one_pass = true;
      c.working_set = sd.forgot() ? 0 : sd.distinct();  // 0: not counted (pages past the largest size forgotten)
      if (sizes.empty()) sizes = mrc_sizes(c.working_set, mrc_points);
      for (std::uint64_t s : sizes) {
        CurveRow row;
        row.pages = s;
        row.result.accesses = row.result.reads = sd.accesses();
        row.result.hits = sd.hits(s);
        row.result.misses = sd.accesses() - row.result.hits;
        // LRU evicts on every miss once full: misses minus the pages that fit.
        // (a forgotten page means more than s distinct pages, so min() is s then)
        const std::uint64_t resident = std::min(s, sd.distinct());
        row.result.evictions = row.result.misses > resident ? row.result.misses - resident : 0;
        row.result.files = files;
        c.rows.push_back(row);
      }
      return c;
    }
  }
  DenseTrace t = DenseTrace::load(data, name, setup.trace);
  if (needs_future(setup)) t.fill_next();
  c.working_set = t.distinct;
  if (sizes.empty()) sizes = mrc_sizes(c.working_set, mrc_points);
  c.rows.resize(sizes.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failed;
  std::atomic<bool> any_failed{false};
  auto work = [&] {
    for (std::size_t i; (i = next++) < sizes.size();) {
      try {
        c.rows[i] = CurveRow{sizes[i], replay_dense(t, setup, sizes[i])};
      } catch (...) {
        if (!any_failed.exchange(true)) failed = std::current_exception();
      }
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(threads, unsigned(sizes.size())));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < n; ++i) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (failed) std::rethrow_exception(failed);
  return c;
}

}  // namespace kiosim
