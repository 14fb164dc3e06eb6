// The benchmarks' scenario: a cached file of `size` sent by all four methods in 64 KiB
// chunks, over a 100 Gbit/s NIC with a 2 GiB page cache (bench_compare, bench_export).
#pragma once
#include <fstream>
#include <string>
#include <unistd.h>

#include "sim/scenario/scenario.h"

inline kiosim::Scenario cached_compare(const char* size) {
  std::string path = "/tmp/kiosim-bench-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << "kiosim: 1\nset:\n  page_cache.size: 2GiB\n  nic.bandwidth: 100Gbit/s\n"
                         "files:\n  - { name: big.bin, size: " << size << ", cached: true }\n"
                         "compare:\n  transfer: { file: big.bin, chunk: 64KiB }\n"
                         "  methods: [read_write, mmap_write, sendfile, splice]\n";
  kiosim::LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  kiosim::Scenario s = kiosim::load_scenario(path, lo);
  ::unlink(path.c_str());
  return s;
}
