// `expect:`: the counters a scenario's runs must come out with (`run --check`).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

#include "sim/scenario/load_steps.h"
#include "sim/scenario/suggest.h"
#include "sim/trace/counters.h"

namespace kiosim {

void read_expect(const Reader& r, const YAML::Node& e, Scenario& s) {
  r.map(e, "expect");
  std::vector<std::string> runs;
  for (const auto& run : s.runs()) runs.push_back(run.name);
  const auto& names = counter_names();
  for (const auto& kv : e) {
    std::string run = kv.first.Scalar();
    if (std::find(runs.begin(), runs.end(), run) == runs.end())
      r.fail(kv.first, "expect." + run,
             fmt::format("`{}` is not a run of this scenario (runs: {})", run, Reader::list(runs)));
    r.map(kv.second, "expect." + run);
    for (const auto& cv : kv.second) {
      std::string cname = cv.first.Scalar();
      std::string p = "expect." + run + "." + cname;
      if (std::find(names.begin(), names.end(), cname) == names.end())
        r.fail(cv.first, p, fmt::format("unknown counter `{}`", cname) + did_you_mean(cname, names));
      std::string v = r.scalar(cv.second, p, "a number");
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end) r.fail(cv.second, p, fmt::format("expected a number, found `{}`", v));
      // nan compares false with everything: a check against it could never fail
      if (!std::isfinite(d)) r.fail(cv.second, p, fmt::format("expected a finite number, found `{}`", v));
      s.expect[run][cname] = d;
    }
  }
}

}  // namespace kiosim
