// The clients' arrival schedule (`clients:`), one heap of next arrivals, one entry per
// connection: fixed (connection c's request i at start + i x interval + c x interval /
// connections), poisson (gaps of mean `interval` from the seed: splitmix64, then -ln U),
// or burst (every connection at start + i x interval). The simulator's clients actor
// (sim/kernel/sock_rx.cpp) and real mode's client process (sim/host/host_clients.cpp)
// both walk it, so both send the same requests at the same times. Pure: no time of its
// own, no I/O.
#pragma once
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

namespace kiosim {

class ClientArrivals {
 public:
  enum class Kind : std::uint8_t { fixed, poisson, burst };
  ClientArrivals(std::uint32_t connections, std::uint64_t requests, double interval_ns, double start_ns, Kind kind,
                 std::uint64_t seed);
  // The next arrival in time order (ties: the lower connection first); false when every
  // connection has sent its requests.
  bool next(double& when_ns, std::uint32_t& connection);

 private:
  double next_gap();
  using Arrival = std::pair<double, std::uint32_t>;
  std::priority_queue<Arrival, std::vector<Arrival>, std::greater<Arrival>> next_;
  std::vector<std::uint64_t> left_;  // requests each connection has still to send
  double interval_;
  Kind kind_;
  std::uint64_t rng_;
};

}  // namespace kiosim
