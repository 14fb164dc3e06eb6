// sim/trace/schema.h is the one table of event kinds and counters. These tests hold
// the others to it: Counters::to_json(), docs/TRACE.md, and the kinds the simulator
// really emits over every scenario. Each check is also shown failing on a doctored input.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scenario_support.h"
#include "sim/trace/counters.h"
#include "sim/trace/schema.h"

using namespace kiosim;
using nlohmann::ordered_json;

namespace {


// ---- docs/TRACE.md -------------------------------------------------------------

std::string kinds_table() {
  std::string out = "| kind | meaning | `bytes`, `pages` |\n|---|---|---|\n";
  for (const auto& k : schema::kKinds)
    if (k.traced) out += "| `" + std::string(k.name) + "` | " + std::string(k.meaning) + " | " + std::string(k.unit) + " |\n";
  return out;
}

std::string counters_table() {
  std::string out = "| counter | meaning | unit | from the events |\n|---|---|---|---|\n";
  for (const auto& c : schema::kCounters)
    out += "| `" + std::string(c.name) + "` | " + std::string(c.meaning) + " | " + std::string(c.unit) + " | " +
           schema::how_determined(c.name) + " |\n";
  return out;
}

// The first table after the line `header` in `doc`: its lines, all starting with '|'.
std::string table_after(const std::string& doc, const std::string& header) {
  std::size_t at = doc.find("\n" + header + "\n");
  if (at == std::string::npos) return "";
  std::istringstream in(doc.substr(at + header.size() + 2));
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.starts_with("|")) out += line + "\n";
    else if (!out.empty()) break;
  }
  return out;
}

// What docs/TRACE.md says differently from the table, one line per section; empty if nothing.
std::vector<std::string> doc_problems(const std::string& doc) {
  std::vector<std::string> out;
  if (table_after(doc, "### Kinds") != kinds_table())
    out.push_back("docs/TRACE.md's `### Kinds` table differs from sim/trace/schema.h; it should be:\n" + kinds_table());
  if (table_after(doc, "## Counters") != counters_table())
    out.push_back("docs/TRACE.md's `## Counters` table differs from sim/trace/schema.h; it should be:\n" +
                  counters_table());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- the kinds that reach traces ---------------------------------------------------

// What the emitted kinds and the table disagree on; empty if nothing.
std::vector<std::string> coverage_problems(const std::set<std::string>& emitted) {
  std::vector<std::string> out;
  for (const auto& k : emitted) {
    auto kind = schema::kind_named(k);
    if (!kind) out.push_back("`" + k + "` is emitted but the table does not know it");
    else if (!schema::kind_info(*kind).traced) out.push_back("`" + k + "` is emitted but the table says model-internal");
  }
  for (const auto& k : schema::kKinds) {
    const std::string name(k.name);
    if (k.traced && !emitted.count(name)) out.push_back("`" + name + "` is in the table but nothing emits it");
  }
  return out;
}

void add_kinds(const ordered_json& run, std::set<std::string>& kinds) {
  for (const auto& e : run["events"]) kinds.insert(e["kind"].get<std::string>());
}

// Rare kinds no scenario shows: reclaim meeting dirty and under-writeback pages
// (reclaim_marked, reclaim_rotate, rotate), skbs lost on the wire (nic_tx), and io_uring
// buffers registered past mm.memlock (16 MiB against 8 MiB: ENOMEM, a syscall_error).
constexpr const char* kRareKinds =
    "kiosim: 1\nseed: 3\n"
    "set: { page_cache.size: 1MiB, page_cache.dirty_ratio: 100, page_cache.dirty_background_ratio: 100,"
    " net.loss_rate: 0.5 }\n"
    "files: [ {name: out.bin, size: 0}, {name: in.bin, size: 256KiB, cached: true},"
    " {name: hot.bin, size: 768KiB, cached: true} ]\n"
    "processes:\n"
    "  - name: writer\n"
    "    program:\n"
    // hot.bin read twice: its 192 pages active against 64 inactive, so reclaim for the
    // write finds inactive_is_low and deactivates (shrink_active_list).
    "      - open: { file: hot.bin, as: h }\n"
    "      - pread: { fd: h, bytes: 768KiB, offset: 0 }\n"
    "      - pread: { fd: h, bytes: 768KiB, offset: 0 }\n"
    "      - open: { file: out.bin, as: f, flags: [wronly, creat] }\n"
    "      - write: { fd: f, bytes: 2MiB }\n"
    "      - open: { file: in.bin, as: g }\n"
    "      - socket: { as: s }\n"
    "      - sendfile: { in: g, out: s, bytes: 256KiB }\n"
    "      - uring_setup: { entries: 1 }\n"
    "      - uring_register: { buffers: 4, bytes: 4MiB }\n";


// Programs for paths no scenario in scenarios/ takes: a misaligned O_DIRECT read (its
// EINVAL: a swept size is not checked for alignment), fadvise both ways, and a
// sendfile to a remote and to a local receiver.
constexpr const char* kRarePaths =
    "kiosim: 1\n"
    "set: { net.zerocopy_reuse: overwrite }\n"
    "params: { n: 4KiB }\n"
    "sweep: { key: params.n, values: [1000] }\n"
    "files: [ {name: d.bin, size: 1MiB} ]\n"
    "processes:\n"
    "  - name: p\n"
    "    program:\n"
    "      - open: { file: d.bin, as: f, flags: [direct] }\n"
    "      - pread: { fd: f, bytes: $n, offset: 0 }\n"
    "      - pread: { fd: f, bytes: 4KiB, offset: 0 }\n"
    "      - open: { file: d.bin, as: g }\n"
    "      - fadvise: { fd: g, advice: willneed, bytes: 64KiB }\n"
    "      - read: { fd: g, bytes: 64KiB }\n"
    "      - fadvise: { fd: g, advice: dontneed }\n"
    "      - socket: { as: s }\n"
    "      - sendfile: { in: g, out: s, bytes: 256KiB }\n";
// MSG_ZEROCOPY (a TCP socket only), its buffer reused while the NIC still reads it.
constexpr const char* kZeroCopyLines =
    "      - send: { fd: s, bytes: 64KiB, buf: b, zerocopy: true }\n"
    "      - read: { fd: g, bytes: 4KiB, buf: b }\n"
    "      - send: { fd: s, bytes: 64KiB, buf: b, zerocopy: true }\n";

// Each counter the events determine, summed over a run's events by the table's rules,
// against the run's final value: "COUNTER: events N, final M" for each that differs.
std::vector<std::string> live_mismatches(const ordered_json& run) {
  std::map<std::string, std::uint64_t> live;
  for (const auto& e : run["events"]) {
    schema::EventView v{};
    v.kind = *schema::kind_named(e["kind"].get<std::string>());
    v.pages = e.value("pages", std::uint64_t(0));
    v.bytes = e.value("bytes", std::uint64_t(0));
    v.user_mode = e.value("user_mode", false);
    const std::string lane = run["lanes"][e["lane"].get<std::size_t>()]["name"].get<std::string>();
    const std::string name = e.value("name", std::string());
    v.lane = lane;
    v.name = name;
    for (const auto& r : schema::kRules)
      if (schema::matches(r, v)) live[std::string(r.counter)] += schema::amount(r, v);
  }
  std::vector<std::string> out;
  for (const auto& c : schema::kCounters) {
    if (c.source != schema::Source::events) continue;
    const std::string name(c.name);
    // The run's totals are the sender's path; a local receiver's events are its own.
    auto fin = run["counters"][name].get<std::uint64_t>();
    if (run.contains("receiver")) fin += run["receiver"]["counters"][name].get<std::uint64_t>();
    if (live[name] != fin)
      out.push_back(name + ": events " + std::to_string(live[name]) + ", final " + std::to_string(fin));
  }
  return out;
}

}  // namespace

TEST_CASE("the counters are those to_json writes, in its order", "[schema]") {
  std::vector<std::string> written;
  const auto j = Counters{}.to_json();
  for (const auto& [k, _] : j.items()) written.push_back(k);
  CHECK(written == counter_names());
  CHECK(counter_names().size() == schema::kCounters.size());
}

TEST_CASE("kind names are unique and name their kind", "[schema]") {
  for (const auto& k : schema::kKinds) {
    CHECK(schema::kind_named(k.name) == k.kind);
    CHECK(to_string(k.kind) == k.name);
  }
  CHECK(!schema::kind_named("other"));
}

TEST_CASE("every counter the events determine has a rule, and only those", "[schema]") {
  for (const auto& c : schema::kCounters) {
    const std::string how = schema::how_determined(c.name);
    INFO(c.name << ": " << how);
    if (c.source == schema::Source::final_only) CHECK(how == "final only");
    else CHECK(how != "final only");
  }
  CHECK(schema::how_determined("mode_switches") ==
        "+2 per `syscall_enter`; +2 per `page_fault_minor` with `user_mode`; +2 per `page_fault_major` with "
        "`user_mode`; +2 per `cow_fault` with `user_mode`");
  CHECK(schema::how_determined("writeback_pages") == "+pages per `writeback_start`");
  CHECK(schema::how_determined("context_switches_involuntary") == "no event: always 0");
}

TEST_CASE("docs/TRACE.md lists the table's kinds and counters", "[schema][docs]") {
  const std::string doc = read_file(std::string(KIOSIM_SOURCE_DIR) + "/docs/TRACE.md");
  REQUIRE(!doc.empty());
  const auto problems = doc_problems(doc);
  for (const auto& p : problems) FAIL_CHECK(p);
  CHECK(problems.empty());
}

TEST_CASE("a check must be able to fail: a doctored docs/TRACE.md is caught", "[schema][docs]") {
  std::string doc = read_file(std::string(KIOSIM_SOURCE_DIR) + "/docs/TRACE.md");
  const std::string row = "| `nic_tx` |";
  const std::size_t at = doc.find(row);
  REQUIRE(at != std::string::npos);
  doc.erase(at, doc.find('\n', at) + 1 - at);  // a kind left out
  CHECK(doc_problems(doc).size() == 1);
  CHECK(doc_problems("no tables at all").size() == 2);
}

// Under ctest every `scenario:` test has written its scenario's trace (the fixture
// scenario_traces, in KIOSIM_SCENARIO_TRACES): read those runs. Run alone, simulate here.
std::vector<ordered_json> scenario_runs(const std::filesystem::path& yaml, const RunOptions& ro) {
  if (const char* dir = std::getenv("KIOSIM_SCENARIO_TRACES")) {
    const auto trace = std::filesystem::path(dir) / yaml.stem().concat(".json");
    std::ifstream in(trace);
    INFO(trace.string() << ": written by ctest's `scenario: " << yaml.stem().string() << "` test");
    REQUIRE(in);
    return ordered_json::parse(in)["runs"].get<std::vector<ordered_json>>();
  }
  LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  const Scenario s = load_scenario(yaml.string(), lo);
  return simulate(s, s.runs(), ro);
}

TEST_CASE("the kinds every scenario emits are the table's traced kinds", "[schema][kinds][corpus]") {
  std::set<std::string> kinds;
  RunOptions ro;
  ro.trace = true;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(KIOSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    for (const auto& run : scenario_runs(entry.path(), ro)) add_kinds(run, kinds);
  }
  for (const auto& run : test::simulate_text("rare-kinds", kRareKinds, ro)) add_kinds(run, kinds);
  const auto problems = coverage_problems(kinds);
  for (const auto& p : problems) FAIL_CHECK(p);
  CHECK(problems.empty());
}

TEST_CASE("a check must be able to fail: a doctored list of emitted kinds is caught", "[schema][kinds]") {
  std::set<std::string> all;
  for (const auto& k : schema::kKinds)
    if (k.traced) all.insert(std::string(k.name));
  CHECK(coverage_problems(all).empty());
  auto unknown = all;
  unknown.insert("page_teleport");
  CHECK(coverage_problems(unknown) == std::vector<std::string>{"`page_teleport` is emitted but the table does not know it"});
  auto internal = all;
  internal.insert("cache_hit");
  CHECK(coverage_problems(internal).size() == 1);
  auto missing = all;
  missing.erase("rotate");
  CHECK(coverage_problems(missing) == std::vector<std::string>{"`rotate` is in the table but nothing emits it"});
}

TEST_CASE("the events determine the counters on paths no scenario takes", "[schema][rules]") {
  RunOptions ro;
  ro.trace = true;
  for (const std::string receiver : {"remote", "local"}) {
    const std::string text = std::string(kRarePaths) + (receiver == "remote" ? kZeroCopyLines : "");
    const Scenario s = test::load_text("rare-paths", text, {"net.receiver=" + receiver});
    for (const auto& run : simulate(s, s.runs(), ro)) {
      INFO("net.receiver " << receiver);
      for (const auto& m : live_mismatches(run)) FAIL_CHECK(m);
    }
  }
  for (const auto& run : test::simulate_text("rare-kinds", kRareKinds, ro))
    for (const auto& m : live_mismatches(run)) FAIL_CHECK(m);
}

TEST_CASE("a check must be able to fail: a final counter the events do not give is caught", "[schema][rules]") {
  RunOptions ro;
  ro.trace = true;
  auto run = test::simulate_text("rare-kinds", kRareKinds, ro).front();
  REQUIRE(live_mismatches(run).empty());
  run["counters"]["skbs"] = run["counters"]["skbs"].get<std::uint64_t>() + 1;
  CHECK(live_mismatches(run).size() == 1);
}
