// A program's buffers and ring depth, found by walking its ops (program_buffers.h), and
// Runner::buffer_bytes_needed, the memory a scenario's real run asks for.
#include "sim/host/program_buffers.h"

#include <algorithm>

#include "sim/host/runner.h"

namespace kiosim::host {

namespace {

// The largest buffer each name needs (a uring_read's: bytes x depth).
void buffer_sizes(const std::vector<Op>& ops, std::map<std::string, std::uint64_t>& sizes) {
  for (const Op& op : ops) {
    if ((op.kind == OpKind::read || op.kind == OpKind::pread || op.kind == OpKind::uring_read ||
         op.kind == OpKind::recv) ||
        ((op.kind == OpKind::write || op.kind == OpKind::pwrite) && op.from.empty())) {
      std::uint64_t need = op.kind == OpKind::uring_read ? op.bytes * op.depth : op.bytes;
      sizes[op.buf] = std::max(sizes[op.buf], need);
    }
    // Not a fork's body: its child allocates its own (after fork, copy-on-write).
    if (op.kind == OpKind::repeat || op.kind == OpKind::uring || op.kind == OpKind::epoll_wait ||
        op.kind == OpKind::select || op.kind == OpKind::poll)
      buffer_sizes(op.body, sizes);
  }
}

// The bytes of io_uring's registered buffers (uring_register: buffers x bytes), the most
// one registration asks for.
std::uint64_t registered_bytes(const std::vector<Op>& ops) {
  std::uint64_t most = 0;
  for (const Op& op : ops) {
    if (op.kind == OpKind::uring_register) most = std::max(most, std::uint64_t(op.buffers) * op.bytes);
    most = std::max(most, registered_bytes(op.body));
  }
  return most;
}

}  // namespace

// Each buffer allocated and touched before timing.
void size_buffers(const std::vector<Op>& ops, std::map<std::string, UserBuffer>& bufs) {
  std::map<std::string, std::uint64_t> sizes;
  buffer_sizes(ops, sizes);
  for (const auto& [name, need] : sizes)
    if (bufs[name].size() < need) bufs[name].resize(need, 1);
}

// The deepest uring_read of a program: the ring's size.
std::uint32_t uring_depth(const std::vector<Op>& ops) {
  std::uint32_t d = 0;
  for (const Op& op : ops) {
    if (op.kind == OpKind::uring_read) d = std::max(d, op.depth);
    if (op.kind == OpKind::repeat) d = std::max(d, uring_depth(op.body));
  }
  return d;
}

std::uint64_t Runner::buffer_bytes_needed(const Scenario& s) {
  std::uint64_t most = 0;  // runs go one at a time: the largest run's buffers
  for (const auto& r : s.runs())
    for (const auto& p : r.processes) {
      std::map<std::string, std::uint64_t> sizes;
      buffer_sizes(p.program.setup, sizes);
      buffer_sizes(p.program.body, sizes);
      std::uint64_t sum = std::max(registered_bytes(p.program.setup), registered_bytes(p.program.body));
      for (const auto& kv : sizes) sum += kv.second;
      most = std::max(most, sum * std::max<std::uint64_t>(1, p.threads));
    }
  return most;
}

}  // namespace kiosim::host
