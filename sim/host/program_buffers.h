// What a program's ops need before a real run is timed: its user buffers (each name's
// largest read/write/recv, a uring_read's bytes x depth), io_uring's registered buffers
// (io_uring_register(2) IORING_REGISTER_BUFFERS: buffers x bytes) and the ring's depth
// (io_uring_setup(2) entries). Used by Runner (runner.h).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/host/syscall_ops.h"

namespace kiosim::host {

// Each buffer allocated and touched before timing.
void size_buffers(const std::vector<Op>& ops, std::map<std::string, UserBuffer>& bufs);

// The deepest uring_read of a program: the ring's size.
std::uint32_t uring_depth(const std::vector<Op>& ops);

}  // namespace kiosim::host
