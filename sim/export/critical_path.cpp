#include "sim/export/critical_path.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dag_shortest_paths.hpp>

namespace kiosim::exports {

namespace {

enum class Link : std::uint8_t { lane, request, wake, source };

struct HbEdge {
  std::int64_t weight = 0;   // negated on the way into dag_shortest_paths
  std::int64_t gap = 0;      // the part of `weight` before the target starts
  Link link = Link::lane;
};
using HbGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, HbEdge>;

// An event's own time: its duration minus what later events of its lane cover inside it.
std::vector<std::int64_t> self_times(const TraceRun& run, const std::vector<std::vector<std::size_t>>& lanes) {
  std::vector<std::int64_t> self(run.events.size(), 0);
  for (const auto& lane : lanes)
    for (std::size_t k = 0; k < lane.size(); ++k) {
      const RunEvent& e = run.events[lane[k]];
      if (e.kind == EventKind::block || e.dur == 0) continue;
      std::int64_t covered = 0, upto = e.t;
      for (std::size_t j = k + 1; j < lane.size() && run.events[lane[j]].t < e.end(); ++j) {
        const RunEvent& in = run.events[lane[j]];
        std::int64_t a = std::max(in.t, upto), b = std::min(in.end(), e.end());
        if (b > a) covered += b - a, upto = b;
      }
      self[lane[k]] = e.dur - covered;
    }
  return self;
}

// Events grouped by a key (lane, or request and lane), each group sorted by end time:
// "the latest event of this group that ended by time T" is one binary search.
struct ByEnd {
  std::vector<std::size_t> order;  // event indices
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) into order
};

template <class Key>
ByEnd group_by_end(const TraceRun& run, Key key) {
  ByEnd b;
  b.order.reserve(run.events.size());
  for (std::size_t i = 0; i < run.events.size(); ++i)
    if (key(run.events[i])) b.order.push_back(i);
  std::sort(b.order.begin(), b.order.end(), [&](std::size_t x, std::size_t y) {
    auto kx = *key(run.events[x]), ky = *key(run.events[y]);
    if (kx != ky) return kx < ky;
    return run.events[x].end() != run.events[y].end() ? run.events[x].end() < run.events[y].end() : x < y;
  });
  for (std::size_t i = 0; i < b.order.size();) {
    std::size_t j = i;
    while (j < b.order.size() && *key(run.events[b.order[j]]) == *key(run.events[b.order[i]])) ++j;
    b.groups.emplace_back(i, j);
    i = j;
  }
  return b;
}

// The latest-ending event of group [lo, hi) with end <= `limit` and index < `before`.
std::optional<std::size_t> latest(const TraceRun& run, const ByEnd& b, std::pair<std::size_t, std::size_t> g,
                                  std::int64_t limit, std::size_t before) {
  auto first = b.order.begin() + std::ptrdiff_t(g.first), last = b.order.begin() + std::ptrdiff_t(g.second);
  auto it = std::upper_bound(first, last, limit, [&](std::int64_t t, std::size_t i) { return t < run.events[i].end(); });
  for (int tries = 0; it != first && tries < 8; ++tries) {
    --it;
    if (*it < before) return *it;
  }
  return std::nullopt;
}

struct Builder {
  const TraceRun& run;
  HbGraph g;
  std::vector<std::vector<std::size_t>> lanes;
  std::vector<std::size_t> next_on_lane;
  std::vector<std::int64_t> self;
  std::vector<bool> has_pred;

  explicit Builder(const TraceRun& r) : run(r), g(r.events.size() + 1) {
    lanes.resize(run.lanes.size());
    for (std::size_t i = 0; i < run.events.size(); ++i) lanes[run.events[i].lane].push_back(i);
    next_on_lane.assign(run.events.size(), SIZE_MAX);
    for (const auto& l : lanes)
      for (std::size_t k = 0; k + 1 < l.size(); ++k) next_on_lane[l[k]] = l[k + 1];
    self = self_times(run, lanes);
    has_pred.assign(run.events.size(), false);
  }

  // A user thread runs between its events (entry/exit, bookkeeping); kernel threads
  // (irq, flusher, journal) and devices sit idle between theirs.
  bool thread_lane(std::uint32_t lane) const { return run.lanes[lane].kind == "user"; }

  void link(std::size_t u, std::size_t v, std::int64_t gap, Link l) {
    boost::add_edge(u, v, HbEdge{gap + self[v], gap, l}, g);
    has_pred[v] = true;
  }

  void lane_edges() {
    for (std::size_t lane = 0; lane < lanes.size(); ++lane) {
      std::int64_t frontier = std::numeric_limits<std::int64_t>::min();
      for (std::size_t k = 0; k + 1 < lanes[lane].size(); ++k) {
        const RunEvent& e = run.events[lanes[lane][k]];
        frontier = std::max(frontier, e.end());
        std::size_t v = lanes[lane][k + 1];
        // A device's gap counts while it still serves the same request (an skb's ACK
        // comes a round trip after its DMA); between requests it is idle.
        const bool busy = thread_lane(std::uint32_t(lane)) || (e.req && e.req == run.events[v].req);
        std::int64_t gap = busy ? std::max<std::int64_t>(0, run.events[v].t - frontier) : 0;
        if (e.kind == EventKind::block) gap = 0;  // after a sleep, the wake-up edge carries the latency
        link(lanes[lane][k], v, gap, Link::lane);
      }
    }
  }

  // Each event after the last event of its request on another lane that ended before it.
  void request_edges() {
    ByEnd by = group_by_end(run, [](const RunEvent& e) {
      return e.req ? std::optional<std::pair<std::uint64_t, std::uint32_t>>({e.req, e.lane}) : std::nullopt;
    });
    for (std::size_t v = 0; v < run.events.size(); ++v) {
      const RunEvent& e = run.events[v];
      if (!e.req) continue;
      auto [lo, hi] = request_groups(by, e.req);
      std::optional<std::size_t> best;
      for (std::size_t gi = lo; gi < hi; ++gi) {
        if (run.events[by.order[by.groups[gi].first]].lane == e.lane) continue;
        auto u = latest(run, by, by.groups[gi], e.t, v);
        if (u && (!best || run.events[*u].end() > run.events[*best].end())) best = u;
      }
      if (best) link(*best, v, 0, Link::request);
    }
  }

  // The groups (one per lane) of one request: adjacent, since groups sort by (request, lane).
  std::pair<std::size_t, std::size_t> request_groups(const ByEnd& by, std::uint64_t req) const {
    auto lo = std::lower_bound(by.groups.begin(), by.groups.end(), req,
                               [&](const auto& grp, std::uint64_t r) { return run.events[by.order[grp.first]].req < r; });
    auto hi = lo;
    while (hi != by.groups.end() && run.events[by.order[hi->first]].req == req) ++hi;
    return {std::size_t(lo - by.groups.begin()), std::size_t(hi - by.groups.begin())};
  }

  // A sleeper's next event after the event that woke it: of its request if one of
  // the request's events on another lane ended while it slept, else any lane's.
  void wake_edges() {
    ByEnd by_req = group_by_end(run, [](const RunEvent& e) {
      return e.req ? std::optional<std::pair<std::uint64_t, std::uint32_t>>({e.req, e.lane}) : std::nullopt;
    });
    ByEnd by_lane = group_by_end(run, [](const RunEvent& e) { return std::optional<std::uint32_t>(e.lane); });
    for (std::size_t b = 0; b < run.events.size(); ++b) {
      const RunEvent& sl = run.events[b];
      if (sl.kind != EventKind::block || next_on_lane[b] == SIZE_MAX) continue;
      std::size_t s = next_on_lane[b];
      auto pick = [&](const ByEnd& by, std::size_t lo, std::size_t hi) {
        std::optional<std::size_t> best;
        for (std::size_t gi = lo; gi < hi; ++gi) {
          if (run.events[by.order[by.groups[gi].first]].lane == sl.lane) continue;
          auto u = latest(run, by, by.groups[gi], sl.end(), s);
          if (u && run.events[*u].end() >= sl.t && (!best || run.events[*u].end() > run.events[*best].end())) best = u;
        }
        return best;
      };
      std::optional<std::size_t> w;
      if (sl.req) {
        auto [lo, hi] = request_groups(by_req, sl.req);
        w = pick(by_req, lo, hi);
      }
      if (!w) w = pick(by_lane, 0, by_lane.groups.size());
      if (w && run.events[*w].end() <= run.events[s].t) link(*w, s, run.events[s].t - run.events[*w].end(), Link::wake);
    }
  }
};

}  // namespace

CriticalPath critical_path(const TraceRun& run) {
  CriticalPath out;
  const std::size_t n = run.events.size();
  out.on_path.assign(n, false);
  for (const auto& e : run.events) out.total_ns = std::max(out.total_ns, e.end());
  if (n == 0) return out;
  Builder b(run);
  b.lane_edges();
  b.request_edges();
  b.wake_edges();
  const std::size_t source = n;
  for (std::size_t v = 0; v < n; ++v)
    if (!b.has_pred[v]) boost::add_edge(source, v, HbEdge{b.self[v], 0, Link::source}, b.g);

  // Longest path = shortest path on negated weights; the graph is a DAG (every edge
  // goes forward in time order), which dag_shortest_paths sorts topologically.
  for (auto e : boost::make_iterator_range(boost::edges(b.g))) b.g[e].weight = -b.g[e].weight;
  std::vector<std::int64_t> dist(n + 1);
  std::vector<std::size_t> pred(n + 1);
  boost::dag_shortest_paths(
      b.g, source,
      boost::weight_map(boost::get(&HbEdge::weight, b.g))
          .distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, b.g)))
          .predecessor_map(boost::make_iterator_property_map(pred.begin(), boost::get(boost::vertex_index, b.g)))
          .distance_inf(std::numeric_limits<std::int64_t>::max())
          .distance_zero(std::int64_t(0)));
  std::size_t end = 0;
  for (std::size_t v = 0; v < n; ++v)
    if (dist[v] < dist[end]) end = v;
  out.path_ns = -dist[end];

  std::vector<std::size_t> chain;
  for (std::size_t v = end; v != source; v = pred[v]) {
    chain.push_back(v);
    if (pred[v] == v) break;  // unreachable: cannot happen, every vertex hangs off the source
  }
  std::reverse(chain.begin(), chain.end());
  std::size_t prev = source;
  for (std::size_t v : chain) {
    // The edge prev -> v that the path took: the heaviest one (parallel edges are possible).
    HbEdge taken{};
    bool found = false;
    for (auto e : boost::make_iterator_range(boost::out_edges(prev, b.g)))
      if (boost::target(e, b.g) == v && (!found || b.g[e].weight < taken.weight)) taken = b.g[e], found = true;
    if (taken.gap > 0 && taken.link != Link::source)
      out.steps.push_back({taken.link == Link::wake ? StepKind::wake_up : StepKind::cpu_gap, v, taken.gap});
    out.steps.push_back({StepKind::event, v, b.self[v]});
    out.on_path[v] = true;
    prev = v;
  }
  return out;
}

}  // namespace kiosim::exports
