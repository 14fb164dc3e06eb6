#include "sim/cli/transfer_options.h"

#include <fmt/format.h>

#include "sim/host/measure.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

void add_transfer_options(CLI::App* c, TransferOptions& t) {
  c->add_option("--size", t.size, "resize the transfer's file (and the transfer), e.g. 16MiB, as measure and check do")
      ->type_name("SIZE");
  c->add_option("--cache", t.cache,
                "the transfer's file before the run: scenario (default: its cached:), cold, or warm (what check uses)")
      ->check(CLI::IsMember({"scenario", "cold", "warm"}));
}

void apply_transfer_options(const TransferOptions& t, Scenario& s) {
  if (t.size.empty() && t.cache == "scenario") return;
  const char* flag = t.size.empty() ? "--cache" : "--size";
  if (!s.transfer)
    throw InputError("command line", 0, 0, flag,
                     fmt::format("{} needs a transfer scenario (`compare: transfer:`); {} runs its own programs", flag, s.path));
  if (!t.size.empty()) {
    auto bytes = parse_size(t.size);
    if (!bytes || *bytes < 4096 || *bytes > double(kMaxFileBytes) || *bytes != double(std::uint64_t(*bytes)))
      throw InputError("command line", 0, 0, "--size",
                       fmt::format("expected a size from 4KiB to 64GiB like 16MiB, found `{}`", t.size));
    try {
      s = host::with_transfer_size(s, std::uint64_t(*bytes));
    } catch (const host::Refused& e) {
      throw InputError("command line", 0, 0, "--size", e.what());
    }
  }
  for (auto& f : s.files) {
    if (f.name != s.transfer->file) continue;
    if (t.cache != "scenario") f.cached = t.cache == "warm";
    if (f.cached && f.size > s.machine.page_cache_bytes)
      throw InputError("command line", 0, 0, flag,
                       fmt::format("a warm {} does not fit the page cache of {} (page_cache.size)", format_size(double(f.size)),
                                   format_size(double(s.machine.page_cache_bytes))));
  }
}

}  // namespace kiosim::cli
