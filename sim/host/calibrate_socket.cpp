// Calibration of socket send and receive, with the receiver on another CPU (as
// `measure` runs): the sender's CPU per write() and per byte, the receiver's per
// read() and per byte, and, by vmsplice(), the cost of a page attached to an skb as
// a fragment. Also SO_SNDBUF, which cuts a write() into skbs.
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

#include "model/af_unix.h"
#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/cpus.h"
#include "sim/host/socket_stream.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/units.h"

namespace kiosim::host::calib {

namespace {

void measure_sndbuf(Round& r) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
  int sndbuf = 0;
  socklen_t len = sizeof sndbuf;
  if (::getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 && sndbuf >= 4096) {
    r.m.sndbuf_bytes = std::uint64_t(sndbuf);
    r.how["net.sndbuf"] = fmt::format("SO_SNDBUF of a new socket pair: {} bytes (net.core.wmem_default)", sndbuf);
  }
  ::close(sv[0]);
  ::close(sv[1]);
}

// Where the streams run: `total` bytes each, from a sender on one CPU to a receiver
// on another (-1 for both on a machine of one CPU).
struct StreamPlace {
  int snd_cpu = -1, rcv_cpu = -1;
  std::uint64_t total = 0;
  std::string where;  // for the comments
};

StreamPlace stream_place(const CalibrateOptions& o) {
  const std::vector<int> cpus = allowed_cpus();
  StreamPlace at;
  if (cpus.size() >= 2) {
    at.snd_cpu = cpus[0];
    at.rcv_cpu = cpus[1];
  }
  at.total = o.scale < 1 ? (8ULL << 20) : (64ULL << 20);
  at.where = cpus.size() >= 2 ? fmt::format("sender on CPU {}, receiver on CPU {}", at.snd_cpu, at.rcv_cpu)
                              : std::string("one CPU for both");
  return at;
}

// Seven trials of a stream; every figure is the median of its own seven.
SocketStream median_stream(std::uint64_t chunk, std::uint64_t read_size, ChunkPath how_sent, const StreamPlace& at) {
  std::vector<double> snd, rcv, per_read;
  for (int trial = 0; trial < 7; ++trial) {
    SocketStream r = socket_stream(chunk, read_size, at.total, how_sent, at.snd_cpu, at.rcv_cpu);
    snd.push_back(r.sender_ns_per_chunk);
    rcv.push_back(r.receiver_ns_per_read);
    per_read.push_back(r.receiver_bytes_per_read);
  }
  SocketStream med;
  med.sender_ns_per_chunk = median(snd);
  med.receiver_ns_per_read = median(rcv);
  med.receiver_bytes_per_read = median(per_read);
  return med;
}

// The sender's CPU per chunk of vmsplice() into a pipe and splice() to the socket,
// minus the same to /dev/null: one skb and the chunk's pages, with no data to copy.
double fragment_path_ns(std::uint64_t chunk, const StreamPlace& at) {
  std::uint64_t bytes = std::min<std::uint64_t>(at.total, chunk * 4096);  // fewer tiny chunks
  std::vector<double> snd, nulls;
  for (int trial = 0; trial < 7; ++trial) {
    snd.push_back(socket_stream(chunk, 65536, bytes, ChunkPath::vmsplice, at.snd_cpu, at.rcv_cpu).sender_ns_per_chunk);
    nulls.push_back(vmsplice_to_null_ns(chunk, bytes));
  }
  return median(snd) - median(nulls);
}

// Page fragments: vmsplice() of 4KiB (1 page) and of 64KiB (16 pages), their
// difference per page is cpu.skb_frag, and the rest of one page's figure cpu.skb
// (returned).
double measure_skb(Round& r, const StreamPlace& at) {
  const double one_page = fragment_path_ns(4096, at), sixteen = fragment_path_ns(65536, at);
  const double frag = std::max(0.0, (sixteen - one_page) / 15);
  const double skb = std::max(0.0, one_page - frag);
  r.m.cpu.skb_frag_ns = frag;
  r.m.cpu.skb_ns = skb;
  r.how["cpu.skb_frag"] = fmt::format("vmsplice() of 4KiB and of 64KiB into a pipe and splice() to a socket pair ({}), "
                                      "each minus the same to /dev/null ({} and {}): the difference per page",
                                      at.where, format_time_ns(one_page), format_time_ns(sixteen));
  r.how["cpu.skb"] = "the same: one page's figure minus cpu.skb_frag (an skb without data to copy)";
  return skb;
}

}  // namespace

void measure_socket(Round& r, const CalibrateOptions& o) {
  Machine& m = r.m;
  auto& how = r.how;
  const double sys_ns = m.cpu.syscall_ns;
  measure_sndbuf(r);
  const StreamPlace at = stream_place(o);
  const std::string& where = at.where;
  // The receiver reads 64KiB per call, as measure's does, while the sender's writes
  // vary; then the sender writes 64KiB while the receiver's reads vary. Two sizes, a
  // line through their medians: from 16KiB up the per-call cost grows faster than
  // linearly (skb data moves to page fragments), and bulk transfers use 64KiB calls,
  // so the line is pinned there; the 4KiB point gives the fixed cost.
  const std::vector<std::uint64_t> sizes = {4096, 65536};
  std::vector<double> xs, wy, rx, ry;
  for (std::uint64_t size : sizes) {
    SocketStream w = median_stream(size, 65536, ChunkPath::write, at);
    xs.push_back(double(size));
    wy.push_back(w.sender_ns_per_chunk);
    SocketStream rd = median_stream(65536, size, ChunkPath::write, at);
    rx.push_back(rd.receiver_bytes_per_read);
    ry.push_back(rd.receiver_ns_per_read);
  }
  const double skb = measure_skb(r, at);
  // Then the copy path: a 64KiB write() is one syscall, n af_unix skbs (cut at
  // unix_skb_max) and 64KiB copied into new skb memory: its per-byte cost.
  const double n64 = std::ceil(xs[1] / double(unix_skb_max(m.sndbuf_bytes)));
  const double bw = (wy[1] - sys_ns - n64 * skb) / xs[1];  // ns per byte
  if (bw > 0) {
    m.send_bytes_per_s = 1e9 / bw;
    how["net.send_bandwidth"] = fmt::format("write() of 64KiB to a socket pair ({}, reading 64KiB): sender CPU {} "
                                            "minus the syscall and {:.0f} skbs, per byte",
                                            where, format_time_ns(wy[1]), n64);
  }
  auto [ar, br] = fit(rx, ry);
  if (br > 0) {
    m.recv_call_ns = std::max(0.0, ar);
    m.recv_bytes_per_s = 1e9 / br;
    how["net.recv_call"] = fmt::format("read() of 4KiB and 64KiB from 64KiB writes ({}): receiver CPU per call, intercept", where);
    how["net.recv_bandwidth"] = "the same reads: receiver CPU per byte (slope of the fit)";
  }
  r.notes.push_back(fmt::format("socket pair, {}: write() of 4KiB {}, of 64KiB {}; read() {} + {:.3f}ns/byte", where,
                                format_time_ns(wy[0]), format_time_ns(wy[1]), format_time_ns(ar), br));
}

}  // namespace kiosim::host::calib
