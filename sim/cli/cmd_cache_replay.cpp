// kiosim cache-replay: a page-access trace through the page cache alone.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "sim/run/cache_replay.h"
#include "sim/cli/commands.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace {
struct ReplayOptions {
  std::string trace;
  std::string policy = "two_list";
  std::uint64_t pages = 0;
  std::string size;
  std::string machine;
  bool json = false;
};
}  // namespace

Action add_cache_replay(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  auto* c = app.add_subcommand(
      "cache-replay",
      "replay a page-access trace through the page cache alone (no engine, no readahead, no time)");
  c->add_option("TRACE", o->trace,
                "trace file: one access per line, `FILE PAGE [r|w]` or a page number; `#` starts a comment")
      ->required()
      ->check(CLI::ExistingFile);
  c->add_option("--policy", o->policy, "replacement policy")->check(CLI::IsMember({"two_list", "lru", "linux"}));
  auto* pages = c->add_option("--pages", o->pages, "cache size in pages (4 KiB each)");
  auto* size = c->add_option("--size", o->size, "cache size, like 64MiB (instead of --pages)");
  pages->excludes(size);
  c->add_option("--machine", o->machine,
                "machine profile whose page_cache.size (and policy, unless --policy) to use")
      ->check(CLI::ExistingFile);
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
    CachePolicy policy = m.page_cache.policy;
    if (c->count("--policy")) policy = *parse_cache_policy(o->policy);
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
    ReplayResult r = replay_file(o->trace, policy, capacity);
    if (o->json) {
      nlohmann::ordered_json j;
      j["options"] = {{"command", "cache-replay"},
                      {"trace", o->trace},
                      {"policy", std::string(to_string(policy))},
                      {"pages", capacity},
                      {"size", format_size(double(capacity * kPageSize))}};
      j["counters"] = {{"accesses", r.accesses},       {"reads", r.reads},
                       {"writes", r.writes},           {"hits", r.hits},
                       {"misses", r.misses},           {"activations", r.activations},
                       {"deactivations", r.deactivations}, {"evictions", r.evictions},
                       {"writebacks", r.writebacks},   {"files", r.files},
                       {"hit_ratio", r.hit_ratio()}};
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    std::cout << fmt::format("ARG command   cache-replay\n");
    std::cout << fmt::format("ARG trace     {}\n", o->trace);
    std::cout << fmt::format("ARG policy    {}\n", to_string(policy));
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
    return 0;
  };
}

}  // namespace kiosim::cli
