#include "sim/cli/sweep_range.h"

#include <cmath>
#include <fmt/format.h>
#include <optional>

#include "sim/scenario/machine_keys.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace {

[[noreturn]] void bad(const std::string& message) { throw InputError("command line", 0, 0, "--vary", message); }

enum class Unit { size, time, rate, frequency, number, integer };

struct KeyKind {
  Unit unit;
  double min, max;
};

bool is_size_key(const std::string& key, const Scenario& s) {
  return key == "file.size" || key == "transfer.chunk" || key == "transfer.offset" || key == "transfer.bytes" ||
         (key.rfind("params.", 0) == 0 && s.params.count(key.substr(7)));
}

KeyKind kind_of(const std::string& key, const Scenario& s) {
  if (key == "file.size" || key.rfind("transfer.", 0) == 0) {
    if (!s.transfer) bad(fmt::format("`{}` needs a scenario with `compare:` (a transfer)", key));
    if (!is_size_key(key, s)) bad(fmt::format("`{}` is not a transfer key (transfer.chunk, transfer.offset, transfer.bytes)", key));
    return {Unit::size, key == "transfer.offset" ? 0.0 : 1.0, double(kMaxFileBytes)};
  }
  if (key.rfind("params.", 0) == 0) {
    std::vector<std::string> names;
    for (const auto& [k, v] : s.params) names.push_back("params." + k);
    if (!s.params.count(key.substr(7)))
      bad(fmt::format("`{}` is not a parameter of {}", key, s.path) + did_you_mean(key, names, expected_one_of(names)));
    return {Unit::size, 0, double(kMaxFileBytes)};
  }
  const MachineKey* k = find_machine_key(key);
  if (!k) {
    std::vector<std::string> names = {"file.size", "transfer.offset", "transfer.chunk", "transfer.bytes"};
    for (const auto& mk : machine_keys()) names.emplace_back(mk.name);
    bad(fmt::format("`{}` is neither a machine key (kiosim keys), file.size, transfer.offset/chunk/bytes nor params.NAME",
                    key) +
        did_you_mean(key, names));
  }
  switch (k->type) {
    case KeyType::size: return {Unit::size, k->min, k->max};
    case KeyType::time: return {Unit::time, k->min, k->max};
    case KeyType::rate: return {Unit::rate, k->min, k->max};
    case KeyType::frequency: return {Unit::frequency, k->min, k->max};
    case KeyType::integer: return {Unit::integer, k->min, k->max};
    case KeyType::fraction: return {Unit::number, k->min, k->max};
    default: bad(fmt::format("`{}` takes {}: a sweep needs a key with numbers", key, expected_text(k->type)));
  }
}

std::optional<double> parse_in(Unit u, const std::string& s) {
  switch (u) {
    case Unit::size: return parse_size(s);
    case Unit::time: return parse_time_ns(s);
    case Unit::rate: return parse_rate(s);
    case Unit::frequency: return parse_frequency(s);
    default: {
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
      return v;
    }
  }
}

std::string unit_example(Unit u) {
  switch (u) {
    case Unit::size: return "sizes like 4KiB..1GiB";
    case Unit::time: return "times like 10us..1ms";
    case Unit::rate: return "rates like 1Gbit/s..100Gbit/s";
    case Unit::frequency: return "frequencies like 1GHz..4GHz";
    default: return "numbers like 1..64";
  }
}

SweepPoint point(Unit u, double v) {
  switch (u) {
    case Unit::size: {
      double b = std::round(v);
      return {fmt::format("{}", std::uint64_t(b)), b};
    }
    case Unit::integer: {
      double n = std::round(v);
      return {fmt::format("{}", std::int64_t(n)), n};
    }
    case Unit::time: return {format_time_ns(v), v};
    case Unit::rate: return {format_rate(v), v};
    case Unit::frequency: return {format_frequency(v), v};
    default: return {fmt::format("{:.6g}", v), v};
  }
}

}  // namespace

SweepRange parse_sweep_range(const std::string& vary, unsigned steps, bool log, const Scenario& base) {
  auto eq = vary.find('='), dots = vary.find("..");
  if (eq == std::string::npos || dots == std::string::npos || dots < eq)
    bad(fmt::format("expected KEY=LO..HI (file.size=4KiB..1GiB), found `{}`", vary));
  SweepRange r;
  r.key = vary.substr(0, eq);
  KeyKind k = kind_of(r.key, base);
  std::string lo_text = vary.substr(eq + 1, dots - eq - 1), hi_text = vary.substr(dots + 2);
  auto lo = parse_in(k.unit, lo_text), hi = parse_in(k.unit, hi_text);
  if (!lo || !hi) bad(fmt::format("`{}` takes {}; found `{}..{}`", r.key, unit_example(k.unit), lo_text, hi_text));
  if (*lo > *hi) bad(fmt::format("the range `{}..{}` runs backwards: LO must not be above HI", lo_text, hi_text));
  if (*lo < k.min || (k.max > k.min && *hi > k.max))
    bad(fmt::format("`{}` must stay within {}..{}; found `{}..{}`", r.key, point(k.unit, k.min).text,
                    point(k.unit, k.max).text, lo_text, hi_text));
  if (steps < 1 || steps > 256) throw InputError("command line", 0, 0, "--steps", "expected 1 to 256 steps");
  if (steps == 1 && *lo != *hi)
    throw InputError("command line", 0, 0, "--steps", "one step needs LO = HI; a range needs at least 2 steps");
  if (log && *lo <= 0) throw InputError("command line", 0, 0, "--log", "a logarithmic sweep needs LO above 0");
  for (unsigned i = 0; i < steps; ++i) {
    double f = steps == 1 ? 0.0 : double(i) / double(steps - 1);
    double v = log ? *lo * std::pow(*hi / *lo, f) : *lo + (*hi - *lo) * f;
    if (i + 1 == steps) v = *hi;  // exactly HI, whatever the rounding
    SweepPoint p = point(k.unit, v);
    if (!r.points.empty() && r.points.back().value == p.value) continue;  // integer keys: no repeats
    r.points.push_back(p);
  }
  return r;
}

Scenario scenario_at(const std::string& path, const LoadOptions& lo, const SweepRange& r, std::size_t i) {
  const SweepPoint& p = r.points.at(i);
  const bool machine_key = r.key != "file.size" && r.key.rfind("transfer.", 0) != 0 && r.key.rfind("params.", 0) != 0;
  LoadOptions with = lo;
  if (machine_key) with.sets.push_back(r.key + "=" + p.text);
  Scenario s = load_scenario(path, with);
  const std::uint64_t v = std::uint64_t(p.value);
  if (r.key == "file.size") {
    for (auto& f : s.files)
      if (f.name == s.transfer->file) {
        if (v <= s.transfer->offset)
          bad(fmt::format("file.size {} is not beyond the transfer's offset ({} bytes)", p.text, s.transfer->offset));
        if (s.transfer->bytes && s.transfer->offset + s.transfer->bytes > v)
          bad(fmt::format("file.size {} is smaller than the transfer (offset + bytes = {})", p.text,
                          s.transfer->offset + s.transfer->bytes));
        f.size = v;
      }
  } else if (r.key.rfind("transfer.", 0) == 0) {
    const FileSpec* f = s.file(s.transfer->file);
    if (r.key == "transfer.chunk") s.transfer->chunk = v;
    else if (r.key == "transfer.offset") s.transfer->offset = v;
    else s.transfer->bytes = v;
    if (s.transfer->offset >= f->size || s.transfer->offset + s.transfer->bytes > f->size)
      bad(fmt::format("{}={} goes beyond the file `{}` ({} bytes)", r.key, p.text, f->name, f->size));
  } else if (!machine_key) {
    s.params[r.key.substr(7)] = p.text;
  }
  return s;
}

}  // namespace kiosim::cli
