// The io_uring ops of a program, read and checked (program_loader.cpp calls these):
// uring_setup's entries, uring_register's buffers, and each `uring` submission
// against the ring it goes to (no more SQEs than the SQ ring holds, no link past the
// last SQE, a fixed buffer that was registered), as io_uring_setup, io_uring_register
// and io_submit_sqes would refuse them (EINVAL, EFAULT).
#pragma once
#include <cstdint>
#include <string>

#include "sim/program/program.h"
#include "sim/scenario/reader.h"

namespace kiosim {

// What the ops read so far left the thread's ring as.
struct UringLoadState {
  std::uint32_t sq_entries = 0;    // 0: no ring yet
  std::uint32_t buffers = 0;       // registered
  std::uint64_t buffer_bytes = 0;  // each
};

// The ops an SQE of `uring` may be, and the keys each takes beyond its op's own.
bool uring_sqe_kind(OpKind k);
inline const std::vector<std::string>& uring_sqe_keys() {
  static const std::vector<std::string> keys = {"link", "fixed"};
  return keys;
}

void load_uring_setup(const Reader& r, const YAML::Node& a, const std::string& p, Op& o, UringLoadState& st);
void load_uring_register(const Reader& r, const YAML::Node& a, const std::string& p, Op& o, UringLoadState& st);
// Before `do` is read: a ring must be there.
void check_uring_ring(const Reader& r, const YAML::Node& a, const std::string& p, const UringLoadState& st);
// One SQE's own keys (link, fixed), read into `o` and checked against the ring.
void load_uring_sqe(const Reader& r, const YAML::Node& a, const std::string& p, Op& o, const UringLoadState& st);
// The submission as a whole, once `do` is read.
void check_uring_submission(const Reader& r, const YAML::Node& a, const std::string& p, const Op& o,
                            const UringLoadState& st);

}  // namespace kiosim
