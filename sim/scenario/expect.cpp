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
      auto number = [&](const YAML::Node& n, const std::string& at) {
        std::string v = r.scalar(n, at, "a number");
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end) r.fail(n, at, fmt::format("expected a number, found `{}`", v));
        // nan compares false with everything: a check against it could never fail
        if (!std::isfinite(d)) r.fail(n, at, fmt::format("expected a finite number, found `{}`", v));
        return d;
      };
      if (!cv.second.IsMap()) {
        const double d = number(cv.second, p);
        s.expect[run][cname] = Expected{d, d};
        continue;
      }
      Expected x{-HUGE_VAL, HUGE_VAL};
      bool any = false;
      for (const auto& b : cv.second) {
        const std::string bound = b.first.Scalar();
        if (bound == "min") x.lo = number(b.second, p + ".min");
        else if (bound == "max") x.hi = number(b.second, p + ".max");
        else r.fail(b.first, p + "." + bound, fmt::format("unknown bound `{}`: expected `min` or `max`", bound));
        any = true;
      }
      if (!any) r.fail(cv.second, p, "expected a number or a range `{ min: A, max: B }`, found an empty map");
      if (x.lo > x.hi) r.fail(cv.second, p, fmt::format("the range is empty: min {} > max {}", x.lo, x.hi));
      s.expect[run][cname] = x;
    }
  }
}

}  // namespace kiosim
