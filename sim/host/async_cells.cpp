#include "sim/host/async_cells.h"

#include <fmt/format.h>

#include "sim/host/fork_cells.h"

#include <functional>

namespace kiosim::host {

namespace {

bool uses(const std::vector<Op>& ops, OpKind k) {
  for (const Op& op : ops)
    if (op.kind == k || uses(op.body, k)) return true;
  return false;
}
bool uses(const Program& p, OpKind k) { return uses(p.setup, k) || uses(p.body, k); }
bool sqpoll(const std::vector<Op>& ops) {
  for (const Op& op : ops)
    if ((op.kind == OpKind::uring_setup && op.sqpoll) || sqpoll(op.body)) return true;
  return false;
}

using Get = std::function<double(const Sample&)>;

std::vector<double> each(const std::vector<Sample>& samples, const Get& f) {
  std::vector<double> v;
  for (const auto& s : samples) v.push_back(f(s));
  return v;
}

double children_recv(const Sample& s) {
  double sum = 0;
  for (const auto& c : s.children) sum += double(c.rx.recv_bytes);
  return sum;
}

double io_uring_enters(const nlohmann::ordered_json& c) {
  return c.contains("syscalls_by_name") && c["syscalls_by_name"].contains("io_uring_enter")
             ? c["syscalls_by_name"]["io_uring_enter"].get<double>()
             : 0.0;
}

}  // namespace

std::vector<Cell> async_cells(const Program& prog, const nlohmann::ordered_json& counters,
                              const std::vector<Sample>& samples) {
  std::vector<Cell> out;
  auto add = [&](const char* figure, const Get& f) {
    out.push_back(cell_of(figure, Family::async, counter_of(counters, figure), each(samples, f)));
  };
  if (uses(prog, OpKind::accept)) {
    if (uses(prog, OpKind::epoll_wait)) add("epoll_wakeups", [](const Sample& s) { return double(s.rx.epoll_wakeups); });
    if (uses(prog, OpKind::recv)) add("recv_eagain", [](const Sample& s) { return double(s.rx.recv_eagain); });
    add("rcv_unread_bytes", [](const Sample& s) {
      return double(s.clients_bytes) - double(s.rx.recv_bytes) - children_recv(s);
    });
    if (!uses(prog, OpKind::fork))
      add("stalled_connections", [](const Sample& s) {
        double full = 0;
        for (const auto& kv : s.conn_bytes) full += kv.second >= s.bytes_per_connection ? 1 : 0;
        return double(s.connections) - full;
      });
  }
  if (uses(prog, OpKind::uring_setup)) {
    out.push_back(cell_of("uring_enters", Family::async, io_uring_enters(counters), each(samples, [](const Sample& s) {
                            auto it = s.syscalls.find("io_uring_enter");
                            return it == s.syscalls.end() ? 0.0 : double(it->second);
                          })));
    add("uring_cqes", [](const Sample& s) { return double(s.ring.uring_cqes); });
    add("uring_failed", [](const Sample& s) { return double(s.ring.uring_failed); });
    if (sqpoll(prog.setup) || sqpoll(prog.body))
      add("sqpoll_wakeups", [](const Sample& s) { return double(s.ring.sqpoll_wakeups); });
    if (uses(prog, OpKind::uring_register))
      add("memlock_refusals", [](const Sample& s) { return double(s.ring.memlock_refusals); });
  }
  return out;
}

std::vector<Cell> async_child_cells(const Program& prog, const nlohmann::ordered_json& run,
                                    const std::vector<Sample>& samples, const std::string& child) {
  std::vector<Cell> out;
  if (uses(prog, OpKind::epoll_wait))
    out.push_back(child_cell("epoll_wakeups", Family::async, run, samples, child,
                             [](const ChildSample& c) { return double(c.rx.epoll_wakeups); }));
  if (uses(prog, OpKind::recv))
    out.push_back(child_cell("recv_eagain", Family::async, run, samples, child,
                             [](const ChildSample& c) { return double(c.rx.recv_eagain); }));
  return out;
}

std::string async_cells_line(const std::string& process, const std::vector<Cell>& cells) {
  std::string line;
  for (const Cell& c : cells) {
    if (c.family != Family::async) continue;
    line += fmt::format("{}{} {:.0f}/{:.0f}", line.empty() ? "" : ", ", c.figure, c.predicted, c.measured);
  }
  return line.empty() ? "" : fmt::format("ASYNC {}: {} (predicted/measured)\n", process, line);
}

}  // namespace kiosim::host
