// The clients' arrival schedule (model/client_arrivals.h), shared by the simulator's
// clients actor and real mode's client process: the times worked by hand from its rules.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "model/client_arrivals.h"

using namespace kiosim;

namespace {

std::vector<std::pair<double, std::uint32_t>> all(ClientArrivals a) {
  std::vector<std::pair<double, std::uint32_t>> v;
  double t = 0;
  std::uint32_t c = 0;
  while (a.next(t, c)) v.emplace_back(t, c);
  return v;
}

}  // namespace

TEST_CASE("client arrivals: fixed, burst and poisson schedules", "[clients]") {
  using K = ClientArrivals::Kind;
  // fixed: connection c's request i at start + i x interval + c x interval / connections:
  // 3 connections, 2 requests, 3000 ns apart, from 1000: 1000 2000 3000, then 4000 5000 6000.
  const auto f = all(ClientArrivals(3, 2, 3000, 1000, K::fixed, 1));
  const std::vector<std::pair<double, std::uint32_t>> want = {{1000, 0}, {2000, 1}, {3000, 2},
                                                              {4000, 0}, {5000, 1}, {6000, 2}};
  CHECK(f == want);
  // burst: every connection at start + i x interval, ties to the lower connection first.
  const auto b = all(ClientArrivals(2, 2, 500, 0, K::burst, 1));
  const std::vector<std::pair<double, std::uint32_t>> burst = {{0, 0}, {0, 1}, {500, 0}, {500, 1}};
  CHECK(b == burst);
  // poisson: the same seed, the same schedule; every request once; times in order.
  const auto p1 = all(ClientArrivals(4, 5, 1e6, 0, K::poisson, 7));
  const auto p2 = all(ClientArrivals(4, 5, 1e6, 0, K::poisson, 7));
  const auto p3 = all(ClientArrivals(4, 5, 1e6, 0, K::poisson, 8));
  CHECK(p1 == p2);
  CHECK(p1 != p3);
  REQUIRE(p1.size() == 20);
  std::vector<int> per(4, 0);
  for (std::size_t i = 0; i < p1.size(); ++i) {
    ++per[p1[i].second];
    if (i) CHECK(p1[i - 1].first <= p1[i].first);
  }
  CHECK(per == std::vector<int>{5, 5, 5, 5});
}
