// Real mode (issue 7): the real runner executes the simulator's own program, so its
// syscall counts must equal the simulator's, and the page faults must show where
// mmap+write takes them. Small sizes, no timing assertions (a busy machine is fine).
#include <catch2/catch.hpp>

#include "sim/scenario/machine_keys.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "sim/host/measure.h"
#include "sim/host/private_dir.h"
#include "sim/host/profile.h"
#include "sim/run/run.h"
#include "sim/scenario/scenario.h"
#include "tests/unit/scenario_support.h"

namespace {

kiosim::Scenario copy_table_at(std::uint64_t bytes) {
  kiosim::Scenario s = kiosim::load_scenario(std::string(KIOSIM_SOURCE_DIR) + "/scenarios/copy-table.yaml");
  s.machine.receiver_local = true;
  return kiosim::host::with_transfer_size(s, bytes);
}

std::uint64_t sim_syscalls(const nlohmann::ordered_json& run, const std::string& name = "") {
  for (const auto& p : run["processes"])
    if (p["name"] == "sender")
      return name.empty() ? p["counters"]["syscalls"].get<std::uint64_t>()
                          : p["counters"]["syscalls_by_name"].value(name, std::uint64_t(0));
  return 0;
}

}  // namespace

TEST_CASE("real mode runs the simulator's program: syscall counts equal the prediction, 1 MiB", "[host]") {
  auto s = copy_table_at(1 << 20);
  auto runs = s.runs();
  auto predicted = kiosim::simulate(s, runs);
  kiosim::host::MeasureOptions o;
  o.repeat = 2;
  o.runner.cache = kiosim::host::CacheState::warm;
  auto m = kiosim::host::measure(s, o);
  REQUIRE(m.methods.size() == runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    INFO("method " << runs[i].name);
    auto j = m.methods[i].summary();
    const auto& c = j["counters"];
    // Every repeat made the same calls, and the kernel never returned short (a short
    // return would be a kernel behaviour the model does not have: the test would say so).
    CHECK(c["syscalls_same_in_every_repeat"].get<bool>());
    CHECK(c["short_calls"].get<std::uint64_t>() == 0);
    CHECK(c["syscalls"].get<std::uint64_t>() == sim_syscalls(predicted[i]));
    for (auto& [name, n] : c["syscalls_by_name"].items()) CHECK(n.get<std::uint64_t>() == sim_syscalls(predicted[i], name));
    // Every byte reached the receiver process.
    CHECK(j["receiver"]["bytes_received"].get<std::uint64_t>() == (1u << 20));
  }
  // Worked by hand for 1 MiB in 64 KiB chunks: 16 x (read, write) = 32; mmap + 16 writes = 17;
  // one sendfile; a 64 KiB pipe: 16 x (splice in, splice out) = 32.
  auto total = [&](std::size_t i) { return m.methods[i].summary()["counters"]["syscalls"].get<std::uint64_t>(); };
  CHECK(total(0) == 32);
  CHECK(total(1) == 17);
  CHECK(total(2) == 1);
  CHECK(total(3) == 32);
  // mmap+write takes minor faults (inside write(): copy_from_user touches the mapping);
  // read+write takes none per page (its buffer was touched before the timed region).
  auto minflt = [&](std::size_t i) {
    return m.methods[i].summary()["counters"]["page_faults_minor"]["median"].get<double>();
  };
  CHECK(minflt(1) >= 1);
  CHECK(minflt(0) < 256.0 / 16);  // fewer than one per 16 pages of the 256-page file
}

TEST_CASE("real mode's files live in a private directory that is removed", "[host]") {
  std::string path;
  {
    kiosim::host::PrivateDir d;
    path = d.path();
    REQUIRE(std::filesystem::is_directory(path));
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_all) ==
          std::filesystem::perms::none);
    std::string f = d.file("data.bin");
    CHECK(f == path + "/data.bin");
    FILE* fp = std::fopen(f.c_str(), "w");
    REQUIRE(fp);
    std::fclose(fp);
    CHECK_THROWS_AS(d.file("../escape"), std::invalid_argument);
    CHECK_THROWS_AS(d.file(".."), std::invalid_argument);
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("real mode refuses sizes that do not fit", "[host]") {
  auto s = copy_table_at(1 << 20);
  CHECK_THROWS_AS(kiosim::host::check_fits(s, "/tmp", 1 << 20), kiosim::host::Refused);  // 1 MiB free: no
  auto huge = copy_table_at(1ULL << 40);  // 1 TiB: more than the memory of this machine
  CHECK_THROWS_AS(kiosim::host::check_fits(huge, "/tmp", ~0ULL >> 1), kiosim::host::Refused);
  CHECK_NOTHROW(kiosim::host::check_fits(s, "/tmp", 1ULL << 40));
}

TEST_CASE("a profile with a missing key warns and falls back to the default", "[host]") {
  kiosim::host::PrivateDir d;
  std::string p = d.file("partial.yaml");
  {
    FILE* fp = std::fopen(p.c_str(), "w");
    std::fputs("kiosim_machine: 1\nname: partial\ncpu:\n  syscall: 250ns\n", fp);
    std::fclose(fp);
  }
  std::ostringstream warn;
  kiosim::Machine m = kiosim::host::load_profile(p, warn);
  CHECK(m.cpu.syscall_ns == Approx(250));
  CHECK(m.cpu.copy_bytes_per_s == Approx(kiosim::Machine{}.cpu.copy_bytes_per_s));  // the default
  // One line, however many keys are missing: all but cpu.syscall.
  const std::size_t keys = kiosim::machine_keys().size();
  CHECK(warn.str() == p + ": warning: " + std::to_string(keys - 1) + " of the " + std::to_string(keys) +
                          " machine keys not given take their defaults (--verbose lists them)\n");
  // --verbose names each, with its default; never the key the profile gives.
  std::ostringstream verbose;
  (void)kiosim::host::load_profile(p, verbose, true);
  CHECK(verbose.str().find("no `cpu.copy_bandwidth`; using the default") != std::string::npos);
  CHECK(verbose.str().find("`cpu.syscall`") == std::string::npos);

  std::string bad = d.file("bad.yaml");
  {
    FILE* fp = std::fopen(bad.c_str(), "w");
    std::fputs("kiosim_machine: 1\ncpu:\n  syscall: fast\n", fp);
    std::fclose(fp);
  }
  std::ostringstream w2;
  CHECK_THROWS_AS(kiosim::host::load_profile(bad, w2), kiosim::InputError);
}

TEST_CASE("real mode opens with the scenario's flags: O_DIRECT reads go to the storage", "[host][direct]") {
  // The program reads 1 MiB with O_DIRECT in 16 reads of 64 KiB and writes each to the
  // socket: 16 + 16 = 32 calls, as the simulator counts them. The cache is warm, yet
  // O_DIRECT bypasses it, so /proc/self/io's read_bytes (bytes the storage layer read
  // for us) is the whole 1 MiB; a buffered read of a cached file reads none.
  kiosim::Scenario s = kiosim::test::load_text(
      "direct",
      "kiosim: 1\nset: { net.receiver: local }\nfiles: [{name: d, size: 1MiB, cached: true}]\n"
      "processes:\n  - name: sender\n    setup: [ {open: {file: d, as: f, flags: [direct]}}, {socket: {as: s}} ]\n"
      "    program:\n      - repeat: 16\n"
      "        do: [ {read: {fd: f, bytes: 64KiB, buf: b}}, {write: {fd: s, bytes: 64KiB, buf: b}} ]\n");
  auto runs = s.runs();
  auto predicted = kiosim::simulate(s, runs);
  kiosim::host::MeasureOptions o;
  o.repeat = 1;
  o.runner.cache = kiosim::host::CacheState::warm;
  kiosim::host::Measurement m;
  try {
    m = kiosim::host::measure(s, o);
  } catch (const kiosim::host::HostError& e) {
    // Only a temporary directory on a file system without O_DIRECT (tmpfs) may stop it.
    REQUIRE(std::string(e.what()).find("does not support O_DIRECT") != std::string::npos);
    WARN("skipped: " << e.what());
    return;
  }
  auto j = m.methods.at(0).summary();
  CHECK(j["counters"]["syscalls"].get<std::uint64_t>() == 32);
  CHECK(j["counters"]["syscalls"].get<std::uint64_t>() == sim_syscalls(predicted[0]));
  CHECK(j["receiver"]["bytes_received"].get<std::uint64_t>() == (1u << 20));
  // (tmpfs takes O_DIRECT since Linux 6.6 but has no storage to count.)
  if (j["proc_self_io"].contains("read_bytes") && m.facts.temp_fs != "tmpfs")
    CHECK(j["proc_self_io"]["read_bytes"].get<std::int64_t>() >= (1 << 20));
}

TEST_CASE("real mode runs io_uring reads with liburing: one io_uring_enter per batch", "[host][uring]") {
  // scenarios/io-uring.yaml: 4 x (io_uring_enter of four 64 KiB reads, write of 256 KiB):
  // 4 io_uring_enter and 4 write, as the simulator counts them.
  kiosim::Scenario s = kiosim::load_scenario(std::string(KIOSIM_SOURCE_DIR) + "/scenarios/io-uring.yaml");
  s.machine.receiver_local = true;
  auto runs = s.runs();
  auto predicted = kiosim::simulate(s, runs);
  kiosim::host::MeasureOptions o;
  o.repeat = 1;
  kiosim::host::Measurement m;
  try {
    m = kiosim::host::measure(s, o);
  } catch (const kiosim::host::HostError& e) {
    // Only a kernel or sandbox that refuses io_uring may stop it.
    REQUIRE(std::string(e.what()).find("io_uring_queue_init") != std::string::npos);
    WARN("skipped: " << e.what());
    return;
  }
  auto c = m.methods.at(0).summary()["counters"];
  CHECK(c["syscalls_by_name"]["io_uring_enter"].get<std::uint64_t>() == 4);
  CHECK(c["syscalls_by_name"]["write"].get<std::uint64_t>() == 4);
  CHECK(c["syscalls"].get<std::uint64_t>() == sim_syscalls(predicted[0]));
  CHECK(m.methods.at(0).summary()["receiver"]["bytes_received"].get<std::uint64_t>() == (1u << 20));
}
