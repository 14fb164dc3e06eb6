// `clients:`: the connections a server scenario accepts (ClientsSpec, scenario.h),
// each value bounded so that no file can make a run hold or do without limit; and
// the checks of the ops that use them (epoll_ctl, recv) that need no program state.
#include <algorithm>
#include <fmt/format.h>

#include "model/eventpoll.h"

#include "sim/scenario/load_steps.h"
#include "sim/scenario/suggest.h"
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

// epoll_ctl's `op`, `events`, `et` and `exclusive`, as do_epoll_ctl checks them.
void read_epoll_ctl(const Reader& r, const YAML::Node& a, const std::string& p, Op& o) {
  o.ctl = r.name(a["op"], p + ".op");
  const std::vector<std::string> ctls = {"add", "mod", "del"};
  if (std::find(ctls.begin(), ctls.end(), o.ctl) == ctls.end())
    r.fail(a["op"], p + ".op",
            fmt::format("unknown epoll_ctl op `{}`", o.ctl) + did_you_mean(o.ctl, ctls, expected_one_of(ctls)));
  o.events = epoll_bits::in;
  if (YAML::Node ev = a["events"]) {
    if (!ev.IsSequence() || ev.size() == 0)
      r.fail(ev, p + ".events", fmt::format("expected a list of events like [in], found {}", kind_of(ev)));
    const std::vector<std::string> known = {"in", "out"};
    o.events = 0;
    std::size_t i = 0;
    for (const auto& e : ev) {
      std::string ep = fmt::format("{}.events[{}]", p, i++);
      std::string v = r.name(e, ep);
      if (std::find(known.begin(), known.end(), v) == known.end())
        r.fail(e, ep,
                fmt::format("unknown epoll event `{}` (EPOLLET and EPOLLEXCLUSIVE are `et:` and `exclusive:`)", v) +
                    did_you_mean(v, known, "; expected some of: " + Reader::list(known)));
      o.events |= v == "in" ? epoll_bits::in : epoll_bits::out;
    }
  }
  if (a["et"] && r.boolean(a["et"], p + ".et")) o.events |= epoll_bits::et;
  if (a["exclusive"] && r.boolean(a["exclusive"], p + ".exclusive")) o.events |= epoll_bits::exclusive;
  // do_epoll_ctl: EPOLLEXCLUSIVE with EPOLL_CTL_MOD is EINVAL.
  if ((o.events & epoll_bits::exclusive) && o.ctl == "mod")
    r.fail(a["exclusive"], p + ".exclusive",
            "EPOLLEXCLUSIVE is only for op: add; Linux refuses it with op: mod (EINVAL)");
  if (o.ctl == "del" && (a["events"] || a["et"] || a["exclusive"]))
    r.fail(a, p, "op: del takes no events, et or exclusive");
}

// recv reads one connection; until_eagain needs a non-blocking call.
void check_recv(const Reader& r, const YAML::Node& a, const std::string& p, const Op& o, std::uint64_t conns) {
  if (conns != 1)
    r.fail(a["fd"], p + ".fd",
            fmt::format("`{}` holds {} connections; recv reads one (accept with count: 1, or the ready connection "
                        "of epoll_wait, select or poll)",
                        o.fd, conns));
  if (o.bytes == 0) r.fail(a["bytes"], p + ".bytes", "recv of 0 bytes returns 0 at once: ask for at least 1 byte");
  if (o.until_eagain && !o.nonblock)
    r.fail(a["until_eagain"], p + ".until_eagain",
            "until_eagain needs `nonblock: true`: a blocking recv waits instead of returning EAGAIN");
}

}  // namespace kiosim
