// The table of a sweep (`kiosim sweep`): one CSV row per run with the swept value,
// merged from the parts that each point's job wrote (`--emit-jobs`, `--merge`), and
// its SVG plot: time, CPU copies and mode switches against the swept value, one line
// per method. The sweep itself goes through the same merge, so both give one CSV.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace kiosim {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t column(const std::string& name) const;  // header.size() when absent
};

// RFC 4180; throws InputError naming `where` and the line on a malformed table.
CsvTable parse_csv(const std::string& text, const std::string& where);
std::string to_csv(const CsvTable& t);

// Parts as (file name, text). Columns: run, point, the swept key, then counters; the
// union of the parts' columns in first-seen order; rows by point, then as in their part.
CsvTable merge_sweep_parts(const std::vector<std::pair<std::string, std::string>>& parts);

// Text for an SVG document: <, >, & and " escaped.
std::string svg_escape(const std::string& s);

// A standalone SVG (no plotting library): three panels, one polyline per method.
std::string sweep_svg(const CsvTable& t, const std::string& title);

}  // namespace kiosim
