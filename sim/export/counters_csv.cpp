#include "sim/export/counters_csv.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "sim/trace/schema.h"

namespace kiosim::exports {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

namespace {

std::string number(double v) {
  if (v == double(std::int64_t(v)) && std::abs(v) < 9e15) return fmt::format("{}", std::int64_t(v));
  return fmt::format("{:.6g}", v);
}

// schema order for top-level counters, then the nested keys as they come.
std::vector<std::string> columns_of(const std::vector<TraceRun>& runs) {
  std::vector<std::string> cols;
  for (const auto& c : schema::kCounters) {
    std::string top(c.name);
    bool any = false;
    for (const auto& r : runs)
      for (const auto& [k, v] : r.counters)
        if (k == top || k.rfind(top + ".", 0) == 0) {
          if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
          any = true;
        }
    if (!any) cols.push_back(top);
  }
  // Anything a newer trace carries that the table does not know yet, at the end.
  for (const auto& r : runs)
    for (const auto& [k, v] : r.counters)
      if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  return cols;
}

}  // namespace

std::string counters_csv(const std::vector<TraceRun>& runs, const std::vector<CsvColumn>& extra) {
  const std::vector<std::string> cols = columns_of(runs);
  std::string out = "run";
  for (const auto& x : extra) out += "," + csv_field(x.name);
  for (const auto& c : cols) out += "," + csv_field(c);
  out += "\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::map<std::string, double> have(runs[i].counters.begin(), runs[i].counters.end());
    out += csv_field(runs[i].name);
    for (const auto& x : extra) out += "," + csv_field(i < x.values.size() ? x.values[i] : "");
    for (const auto& c : cols) {
      auto it = have.find(c);
      // A nested key one run has and another not (syscalls_by_name.sendfile): 0 calls.
      out += "," + (it == have.end() ? std::string(c.find('.') != std::string::npos ? "0" : "") : number(it->second));
    }
    out += "\n";
  }
  return out;
}

}  // namespace kiosim::exports
