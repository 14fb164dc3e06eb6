// `clients:`: the connections a server scenario accepts (ClientsSpec, scenario.h),
// each value bounded so that no file can make a run hold or do without limit.
#include <fmt/format.h>

#include "sim/scenario/load_steps.h"
#include "sim/scenario/units.h"

namespace kiosim {

void read_clients(const Reader& r, const YAML::Node& c, Scenario& s) {
  r.keys(c, "clients", {"connections", "requests", "request_bytes", "interval", "start", "arrival", "rcvbuf"},
         {"connections"});
  ClientsSpec& cl = s.clients;
  cl.connections = std::uint32_t(r.count(c["connections"], "clients.connections", 1, kMaxConnections));
  if (c["requests"]) cl.requests = r.count(c["requests"], "clients.requests", 1, kMaxOps);
  if (double(cl.connections) * double(cl.requests) > double(kMaxOps))
    r.fail(c["requests"], "clients.requests",
           fmt::format("{} connections x {} requests is more than the limit of {} requests in a run", cl.connections,
                       cl.requests, kMaxOps));
  if (c["request_bytes"]) cl.request_bytes = r.size(c["request_bytes"], "clients.request_bytes", double(16ULL << 20));
  if (cl.request_bytes == 0) r.fail(c["request_bytes"], "clients.request_bytes", "a request is at least 1 byte");
  if (double(cl.request_bytes) * double(cl.connections) * double(cl.requests) > kMaxBytesMoved)
    r.fail(c["request_bytes"], "clients.request_bytes",
           fmt::format("the clients would send more than {} in all; that is the limit", format_size(kMaxBytesMoved)));
  if (c["interval"]) cl.interval_ns = r.time(c["interval"], "clients.interval");
  if (c["start"]) cl.start_ns = r.time(c["start"], "clients.start");
  if (YAML::Node a = c["arrival"]) {
    const std::string v = r.name(a, "clients.arrival");
    if (v != "fixed" && v != "poisson" && v != "burst")
      r.fail(a, "clients.arrival",
             fmt::format("unknown arrival `{}`; expected fixed (evenly spaced), poisson (seeded by `seed:`) or burst "
                         "(every connection at once)",
                         v));
    cl.arrival = v == "poisson" ? ClientsSpec::Arrival::poisson
                 : v == "burst" ? ClientsSpec::Arrival::burst
                                : ClientsSpec::Arrival::fixed;
  }
  if (c["rcvbuf"]) cl.rcvbuf = r.size(c["rcvbuf"], "clients.rcvbuf", double(64ULL << 20));
  if (cl.rcvbuf < 1024) r.fail(c["rcvbuf"], "clients.rcvbuf", "the receive buffer is at least 1KiB (SOCK_MIN_RCVBUF is 2KiB)");
}

}  // namespace kiosim
