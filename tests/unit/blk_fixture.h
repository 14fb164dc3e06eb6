// Shared by the whole-run tests of the block layer and io_uring's ring
// (test_blk_mq_runs.cpp, test_io_uring_ring.cpp, test_io_uring_plug.cpp): the scenario
// text of one process that opens one file, `d` opened as `f`, and runs a program on it;
// a submission of reads at a stride.
#pragma once
#include <string>

namespace kiosim::test {

// `set`: the inside of the `set:` line's braces, or empty for none; `size`: d's size
// ("1MiB"); `cached`: d's pages in the cache at the start; `direct`: opened O_DIRECT;
// `more_setup`: setup ops after the open, each after ", " (", {uring_setup: {...}}");
// `program`: the lines under `program:`, each indented 6 and ending in a newline.
inline std::string one_file_scenario(const std::string& set, const std::string& size, bool cached, bool direct,
                                     const std::string& more_setup, const std::string& program) {
  return "kiosim: 1\n" + (set.empty() ? std::string() : "set: { " + set + " }\n") + "files: [{name: d, size: " +
         size + ", cached: " + (cached ? "true" : "false") + "}]\n" + "processes:\n  - setup: [ {open: {file: d, as: f" +
         (direct ? ", flags: [direct]" : "") + "}}" + more_setup + " ]\n" + "    program:\n" + program;
}

// One `uring` op (io_uring_enter) of `n` O_DIRECT-able reads of 4 KiB of `f`, the i-th at
// i x `stride_kib` KiB, into buffers that are not registered: a line under `program:`.
inline std::string strided_preads(int n, int stride_kib) {
  std::string sqes;
  for (int i = 0; i < n; ++i)
    sqes += std::string(i ? ", " : "") + "{ pread: { fd: f, bytes: 4KiB, offset: " + std::to_string(i * stride_kib) +
            "KiB } }";
  return "      - uring: { do: [ " + sqes + " ] }\n";
}

}  // namespace kiosim::test
