// The program language's ops in one table: each op's keys (which are required, and
// what type each takes), whether `setup:` may use it, how it counts against a run's
// limits, and the system call real mode counts it as. The loader
// (sim/scenario/program_loader.cpp), its did-you-mean, to_string(OpKind), real mode
// and the README's op list (tests/unit/test_op_table.cpp) all read it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/program/program.h"

namespace kiosim {

// What a key's value is. A key means the same in every op that takes it.
enum class OpKeyType : std::uint8_t { name, size, time, boolean, count, list, ops };
std::string_view to_string(OpKeyType t);  // as the README writes it: "name", "size", "bool", ...

struct OpKeyInfo {
  std::string_view name;
  OpKeyType type;
  std::string_view meaning;  // one line, for the README's key table
};
const std::vector<OpKeyInfo>& op_key_infos();
const OpKeyInfo& op_key_info(std::string_view name);  // throws std::out_of_range for an unknown key

// What one op adds to a run's count of ops (kMaxOps) and of bytes moved (kMaxBytesMoved),
// times the product of the enclosing repeat counts.
enum class OpCost : std::uint8_t {
  call,       // one op, moving `bytes` (mmap: `length`)
  per_depth,  // `depth` ops of `bytes` each (uring_read: one io_uring_enter, depth reads)
  body,       // nothing itself: its body counts `repeat` times over
  loop,       // one call; its body counts once for every request of `clients:` (epoll_wait, select, poll)
};

struct OpKey {
  std::string_view name;
  bool required = false;
};

struct OpSpec {
  OpKind kind;
  std::string_view name;
  std::vector<OpKey> keys;   // in the order messages list them
  bool in_setup;             // setup: may use it (to prepare the cache)
  OpCost cost;
  std::string_view syscall;  // what real mode counts each call as; empty: no system call counted
  std::string_view summary;  // one line, for the README's op table

  std::vector<std::string> key_names() const;
  std::vector<std::string> required_keys() const;
};

// Alphabetical, `repeat` last: the order messages list them in (did-you-mean breaks ties by it).
const std::vector<OpSpec>& op_specs();
const OpSpec* find_op(std::string_view name);  // null: no such op
const OpSpec& op_spec(OpKind k);
std::vector<std::string> op_names();

}  // namespace kiosim
