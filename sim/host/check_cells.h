// One compared figure of `kiosim check` (a cell: predicted, measured as the median of
// the repeats with its spread) and the summary per family of figures. The rule for a
// cell that cannot be judged: when the host's own spread over the repeats,
// (max - min) / median, is larger than the cell's error |predicted/measured - 1|, the
// repeats do not tell a hit from a miss, and the cell is inconclusive: counted apart,
// not in the median or the worst. Pure numbers: no I/O.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosim::host {

// The families the summary gives apart (issue 14): times; counts of faults, of I/Os,
// of context switches, of system calls and of interrupts (TLB-shootdown IPIs); page-cache states.
// Many connections' and io_uring's own counts (async_cells.h) are a family of their own.
enum class Family { time, faults, io, switches, syscalls, cache, interrupts, async };
std::string_view to_string(Family f);

struct Cell {
  std::string figure;   // the simulator's counter name ("cpu_time_ns", "page_faults_minor")
  Family family = Family::time;
  double predicted = 0;
  double measured = 0;  // the median of the repeats
  double lo = 0, hi = 0;  // the smallest and largest of the repeats
  double ratio() const;   // predicted / measured (1 when both are 0, inf when only measured is 0)
  double error() const;   // |ratio - 1|
  double spread() const;  // (hi - lo) / measured, 0 when measured is 0
  bool inconclusive() const { return spread() > error(); }
  nlohmann::ordered_json to_json() const;
};

// A cell from the repeats' values (median, min, max of them).
Cell cell_of(std::string figure, Family family, double predicted, const std::vector<double>& repeats);

struct FamilySummary {
  Family family{};
  std::size_t cells = 0, inconclusive = 0;
  double median_error = 0, worst_error = 0;  // over the conclusive cells
  nlohmann::ordered_json to_json() const;
};

// One summary per family that has cells, in the order of Family.
std::vector<FamilySummary> summarize_families(const std::vector<Cell>& cells);
// A simulated process's counter (0 when it has none), and whether every system call it
// made (syscalls_by_name) is one of `allowed`.
double counter_of(const nlohmann::ordered_json& counters, const char* name);
bool calls_only(const nlohmann::ordered_json& counters, std::initializer_list<std::string_view> allowed);

// The summaries as check --json gives them, and as the table under check's output.
nlohmann::ordered_json families_json(const std::vector<Cell>& cells);
void print_families(std::ostream& out, const std::vector<Cell>& cells);

}  // namespace kiosim::host
