#include "model/client_arrivals.h"

#include <cmath>

namespace kiosim {

ClientArrivals::ClientArrivals(std::uint32_t connections, std::uint64_t requests, double interval_ns,
                               double start_ns, Kind kind, std::uint64_t seed)
    : left_(connections, requests), interval_(interval_ns), kind_(kind),
      rng_(seed ^ 0x5eed0c11e475ULL) {  // a stream of its own, apart from the wire's losses
  if (requests == 0) return;
  const double n = double(connections);
  for (std::uint32_t c = 0; c < connections; ++c) {
    const double offset = kind == Kind::poisson ? next_gap()
                          : kind == Kind::burst  ? 0.0
                                                 : double(c) * interval_ns / n;
    next_.push({start_ns + offset, c});
  }
}

// splitmix64, then an exponential gap of mean `interval` (-ln U, U in (0, 1]):
// written out so that every standard library gives the same arrivals.
double ClientArrivals::next_gap() {
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  const double u = (double(z >> 11) + 1.0) * 0x1.0p-53;
  return -std::log(u) * interval_;
}

bool ClientArrivals::next(double& when_ns, std::uint32_t& connection) {
  if (next_.empty()) return false;
  const Arrival a = next_.top();
  next_.pop();
  when_ns = a.first;
  connection = a.second;
  if (--left_[a.second] > 0) next_.push({a.first + (kind_ == Kind::poisson ? next_gap() : interval_), a.second});
  return true;
}

}  // namespace kiosim
