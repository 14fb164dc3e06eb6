// kiosim cache-replay: a page-access trace through a cache and a policy alone, at
// one size or as a miss-ratio curve (table, CSV, SVG plot).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/report/mrc_plot.h"
#include "sim/run/cache_replay.h"
#include "sim/run/mapped_file.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace {
struct ReplayOptions {
  std::string trace;
  std::string policy = "two_list";
  std::string format = "text";
  std::string columns;
  std::uint64_t pages = 0;
  std::string size;
  std::string machine;
  std::string sizes;
  unsigned mrc = 0;
  unsigned threads = 0;
  std::uint64_t seed = 1;
  std::string plot;
  bool csv = false;
  bool json = false;
};

std::vector<std::uint64_t> parse_sizes(const std::string& s) {
  std::vector<std::uint64_t> out;
  for (const auto& item : split_commas(s)) {
    std::uint64_t pages = 0;
    bool ok = !item.empty() && item.find_first_not_of("0123456789") == std::string::npos && item.size() < 10;
    if (ok) {
      pages = std::stoull(item);
    } else if (auto b = parse_size(item); b && *b >= double(kPageSize)) {  // 64MiB
      pages = std::uint64_t(*b) / kPageSize;
      ok = true;
    }
    if (!ok || pages == 0 || pages > kMaxReplayPages)
      throw InputError("command line", 0, 0, "--sizes",
                       fmt::format("expected page counts from 1 to {} or sizes like 64MiB, separated by commas; "
                                   "found `{}`",
                                   kMaxReplayPages, item));
    out.push_back(pages);
  }
  return out;
}

nlohmann::ordered_json counters_json(const ReplayResult& r) {
  return {{"accesses", r.accesses},       {"reads", r.reads},
          {"writes", r.writes},           {"hits", r.hits},
          {"misses", r.misses},           {"activations", r.activations},
          {"deactivations", r.deactivations}, {"evictions", r.evictions},
          {"writebacks", r.writebacks},   {"files", r.files},
          {"hit_ratio", r.hit_ratio()},   {"miss_ratio", r.miss_ratio()}};
}
}  // namespace

Action add_cache_replay(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  auto* c = app.add_subcommand(
      "cache-replay",
      "replay a page-access trace through a cache and a replacement policy alone (no engine, no readahead, no time)");
  c->add_option("TRACE", o->trace, "trace file (see --format)")->required()->check(CLI::ExistingFile);
  std::vector<std::string> names;
  for (auto n : cache_policy_names()) names.emplace_back(n);
  c->add_option("--policy", o->policy, "replacement policy")->check(CLI::IsMember(names));
  c->add_option("--format", o->format,
                "text: `FILE PAGE [r|w]` or `PAGE` per line, `#` comments; plain: one id per line; "
                "csv: columns from --columns; block: byte offset and length per line, split into 4 KiB pages; "
                "oracleGeneral: libCacheSim's 24-byte binary records")
      ->check(CLI::IsMember({"text", "plain", "csv", "block", "oracleGeneral"}));
  c->add_option("--columns", o->columns,
                "csv/block columns, as libCacheSim's -t: obj-id-col=2,op-col=3,offset-col=5,size-col=6,"
                "delimiter=,,has-header=true");
  auto* pages = c->add_option("--pages", o->pages, "cache size in pages (4 KiB each)");
  auto* size = c->add_option("--size", o->size, "cache size, like 64MiB (instead of --pages)");
  pages->excludes(size);
  c->add_option("--machine", o->machine,
                "machine profile whose page_cache.size (and policy, unless --policy) to use")
      ->check(CLI::ExistingFile);
  auto* sizes = c->add_option("--sizes", o->sizes, "a miss-ratio curve at these sizes: 4096,8192,64MiB,...");
  auto* mrc = c->add_option("--mrc", o->mrc, "a miss-ratio curve at N sizes from 1 page to the working set, log-spaced")
                  ->check(CLI::Range(1u, 1000u));
  sizes->excludes(mrc);
  sizes->excludes(pages)->excludes(size);
  mrc->excludes(pages)->excludes(size);
  c->add_option("--threads", o->threads, "replays run at once for a curve (default: the cores)")
      ->check(CLI::Range(1u, 256u));
  c->add_option("--seed", o->seed, "seed of the rand policy");
  c->add_flag("--csv", o->csv, "print the rows as CSV");
  c->add_option("--plot", o->plot, "write the miss-ratio curve as an SVG file");
  c->add_flag("--json", o->json, "print JSON");
  c->footer(fmt::format("Without --pages or --size the cache is the default machine's page_cache.size (1GiB).\n"
                        "Limits: at most {} pages (64 GiB), lines of 4096 characters, 1000000 file names.\n"
                        "Exit codes: 0 ok, 2 bad input (the trace, an option).",
                        kMaxReplayPages));
  return [o, c] {
    Machine m;
    if (!o->machine.empty()) m = load_machine_file(o->machine);
    m.derive();
    std::uint64_t capacity = m.page_cache.capacity_pages;
    ReplaySetup setup;
    setup.policy = m.page_cache.policy;
    if (c->count("--policy")) setup.policy = *parse_cache_policy(o->policy);
    setup.trace.format = *parse_trace_format(o->format);
    setup.seed = o->seed;
    if (!o->columns.empty()) {
      if (setup.trace.format != TraceFormat::csv && setup.trace.format != TraceFormat::block)
        throw InputError("command line", 0, 0, "--columns", "applies to --format csv or block only");
      setup.trace.columns = parse_column_spec(o->columns);
    }
    if (setup.trace.format == TraceFormat::csv && setup.trace.columns.obj_id_col == 0 && o->columns.empty())
      setup.trace.columns.obj_id_col = 1;
    if (c->count("--pages")) capacity = o->pages;
    if (c->count("--size")) {
      auto b = parse_size(o->size);
      if (!b || *b < 0)
        throw InputError("command line", 0, 0, "--size",
                         fmt::format("expected a size like 64MiB or 1GiB, found `{}`", o->size));
      if (*b < double(kPageSize))
        throw InputError("command line", 0, 0, "--size", fmt::format("`{}` is less than one 4 KiB page", o->size));
      if (*b / double(kPageSize) > double(kMaxReplayPages))
        throw InputError("command line", 0, 0, "--size",
                         fmt::format("`{}` is larger than the limit of {} pages (64GiB)", o->size, kMaxReplayPages));
      capacity = std::uint64_t(*b) / kPageSize;
    }
    const bool curve = c->count("--sizes") || c->count("--mrc");
    if (!o->plot.empty() && !curve)
      throw InputError("command line", 0, 0, "--plot", "draws a curve: give --sizes or --mrc");
    const std::string policy_name(to_string(setup.policy));

    if (!curve) {
      ReplayResult r = replay_file(o->trace, setup, capacity);
      if (o->json) {
        nlohmann::ordered_json j;
        j["options"] = {{"command", "cache-replay"},
                        {"trace", o->trace},
                        {"format", o->format},
                        {"policy", policy_name},
                        {"pages", capacity},
                        {"size", format_size(double(capacity * kPageSize))}};
        j["counters"] = counters_json(r);
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      if (o->csv) {
        std::cout << "policy,pages,accesses,hits,misses,evictions,writebacks,miss_ratio\n";
        std::cout << fmt::format("{},{},{},{},{},{},{},{:.6f}\n", policy_name, capacity, r.accesses, r.hits,
                                 r.misses, r.evictions, r.writebacks, r.miss_ratio());
        return 0;
      }
      std::cout << fmt::format("ARG command   cache-replay\n");
      std::cout << fmt::format("ARG trace     {}\n", o->trace);
      if (setup.trace.format != TraceFormat::text) std::cout << fmt::format("ARG format    {}\n", o->format);
      std::cout << fmt::format("ARG policy    {}\n", policy_name);
      std::cout << fmt::format("ARG pages     {} ({})\n\n", capacity, format_size(double(capacity * kPageSize)));
      auto row = [](const char* name, std::uint64_t v) { std::cout << fmt::format("{:<14} {:>14}\n", name, v); };
      row("accesses", r.accesses);
      row("reads", r.reads);
      row("writes", r.writes);
      row("hits", r.hits);
      row("misses", r.misses);
      row("activations", r.activations);
      row("deactivations", r.deactivations);
      row("evictions", r.evictions);
      row("writebacks", r.writebacks);
      row("files", r.files);
      std::cout << fmt::format("{:<14} {:>14.6f}\n", "hit_ratio", r.hit_ratio());
      std::cout << fmt::format("{:<14} {:>14.6f}\n", "miss_ratio", r.miss_ratio());
      return 0;
    }

    std::vector<std::uint64_t> list;
    if (c->count("--sizes")) list = parse_sizes(o->sizes);
    const unsigned threads = o->threads ? o->threads : std::max(1u, std::thread::hardware_concurrency());
    MappedFile f(o->trace);
    Curve cv = replay_curve(f.data(), o->trace, setup, list, o->mrc, threads);
    if (!o->plot.empty()) write_mrc_plot(o->plot, cv, policy_name, o->trace);  // all or nothing
    if (o->json) {
      nlohmann::ordered_json j;
      j["options"] = {{"command", "cache-replay"}, {"trace", o->trace},       {"format", o->format},
                      {"policy", policy_name},     {"working_set", cv.working_set},
                      {"method", cv.one_pass ? "one pass (LRU stack distances)" : "one replay per size"}};
      j["rows"] = nlohmann::ordered_json::array();
      for (const CurveRow& r : cv.rows) {
        nlohmann::ordered_json row = {{"pages", r.pages}};
        for (auto& [k, v] : counters_json(r.result).items()) row[k] = v;
        j["rows"].push_back(row);
      }
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    if (o->csv) {
      std::cout << "policy,pages,accesses,hits,misses,evictions,writebacks,miss_ratio\n";
      for (const CurveRow& r : cv.rows)
        std::cout << fmt::format("{},{},{},{},{},{},{},{:.6f}\n", policy_name, r.pages, r.result.accesses,
                                 r.result.hits, r.result.misses, r.result.evictions, r.result.writebacks,
                                 r.result.miss_ratio());
      return 0;
    }
    std::cout << fmt::format("ARG command     cache-replay\n");
    std::cout << fmt::format("ARG trace       {}\n", o->trace);
    std::cout << fmt::format("ARG policy      {}\n", policy_name);
    std::cout << fmt::format("working set     {} pages ({})\n", cv.working_set,
                             format_size(double(cv.working_set * kPageSize)));
    std::cout << fmt::format("method          {}\n\n",
                             cv.one_pass ? "one pass (LRU stack distances)" : "one replay per size");
    std::cout << fmt::format("{:>10} {:>10} {:>14} {:>14} {:>14} {:>10}\n", "pages", "size", "accesses", "hits",
                             "misses", "miss_ratio");
    for (const CurveRow& r : cv.rows)
      std::cout << fmt::format("{:>10} {:>10} {:>14} {:>14} {:>14} {:>10.6f}\n", r.pages,
                               format_size(double(r.pages * kPageSize)), r.result.accesses, r.result.hits,
                               r.result.misses, r.result.miss_ratio());
    return 0;
  };
}

}  // namespace kiosim::cli
