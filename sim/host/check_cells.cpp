#include "sim/host/check_cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/host/measure.h"

namespace kiosim::host {

std::string_view to_string(Family f) {
  switch (f) {
    case Family::time: return "times";
    case Family::faults: return "faults";
    case Family::io: return "I/Os";
    case Family::switches: return "context switches";
    case Family::syscalls: return "system calls";
    case Family::cache: return "cache states";
    case Family::interrupts: return "interrupts";
    case Family::async: return "epoll, io_uring";
  }
  return "?";
}

double Cell::ratio() const {
  if (measured > 0) return predicted / measured;
  return predicted > 0 ? std::numeric_limits<double>::infinity() : 1.0;
}

double Cell::error() const { return std::fabs(ratio() - 1); }

double Cell::spread() const { return measured > 0 ? (hi - lo) / measured : 0; }

nlohmann::ordered_json Cell::to_json() const {
  nlohmann::ordered_json j{{"figure", figure},     {"family", to_string(family)}, {"predicted", predicted},
                           {"measured", measured}, {"min", lo},                   {"max", hi},
                           {"spread", spread()}};
  double r = ratio();
  j["ratio"] = std::isfinite(r) ? nlohmann::ordered_json(r) : nlohmann::ordered_json(nullptr);
  j["inconclusive"] = inconclusive();
  return j;
}

Cell cell_of(std::string figure, Family family, double predicted, const std::vector<double>& repeats) {
  Cell c;
  c.figure = std::move(figure);
  c.family = family;
  c.predicted = predicted;
  c.measured = median(repeats);
  if (!repeats.empty()) {
    auto [lo, hi] = std::minmax_element(repeats.begin(), repeats.end());
    c.lo = *lo;
    c.hi = *hi;
  }
  return c;
}

double counter_of(const nlohmann::ordered_json& c, const char* name) {
  return c.contains(name) && c[name].is_number() ? c[name].get<double>() : 0.0;
}

bool calls_only(const nlohmann::ordered_json& counters, std::initializer_list<std::string_view> allowed) {
  if (!counters.contains("syscalls_by_name") || !counters["syscalls_by_name"].is_object()) return false;
  for (const auto& item : counters["syscalls_by_name"].items())
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) return false;
  return true;
}

nlohmann::ordered_json FamilySummary::to_json() const {
  return {{"family", to_string(family)},
          {"cells", cells},
          {"inconclusive", inconclusive},
          {"median_abs_ratio_minus_1", median_error},
          {"worst_abs_ratio_minus_1", worst_error}};
}

std::vector<FamilySummary> summarize_families(const std::vector<Cell>& cells) {
  std::vector<FamilySummary> out;
  for (Family f : {Family::time, Family::faults, Family::io, Family::switches, Family::syscalls, Family::cache,
                   Family::interrupts, Family::async}) {
    FamilySummary s;
    s.family = f;
    std::vector<double> errors;
    for (const Cell& c : cells) {
      if (c.family != f) continue;
      ++s.cells;
      if (c.inconclusive()) ++s.inconclusive;
      else errors.push_back(c.error());
    }
    if (!s.cells) continue;
    s.median_error = median(errors);
    s.worst_error = errors.empty() ? 0 : *std::max_element(errors.begin(), errors.end());
    out.push_back(s);
  }
  return out;
}

nlohmann::ordered_json families_json(const std::vector<host::Cell>& cells) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto& f : summarize_families(cells)) j.push_back(f.to_json());
  return j;
}

void print_families(std::ostream& out, const std::vector<host::Cell>& cells) {
  out << fmt::format("{:<17} {:>6} {:>13} {:>16} {:>16}\n", "family", "cells", "inconclusive", "median |r - 1|",
                     "worst |r - 1|");
  for (const auto& f : summarize_families(cells))
    out << fmt::format("{:<17} {:>6} {:>13} {:>15.1f}% {:>15.1f}%\n", to_string(f.family), f.cells, f.inconclusive,
                       f.median_error * 100, f.worst_error * 100);
  out << "r = predicted / measured (median of the repeats); a cell is inconclusive when the spread of its repeats, "
         "(max - min) / median, exceeds its |r - 1|: it is counted apart, not in the median or the worst.\n";
}

}  // namespace kiosim::host
