#include "sim/report/sweep_table.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/export/counters_csv.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/units.h"

namespace kiosim {

std::size_t CsvTable::column(const std::string& name) const {
  return std::size_t(std::find(header.begin(), header.end(), name) - header.begin());
}

CsvTable parse_csv(const std::string& text, const std::string& where) {
  std::vector<std::vector<std::string>> lines(1, std::vector<std::string>(1));
  bool quoted = false;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') lines.back().back() += '"', ++i;
      else if (c == '"') quoted = false;
      else lines.back().back() += c, line += c == '\n';
    } else if (c == '"') {
      if (!lines.back().back().empty()) throw InputError(where, line, 0, "", "a quote inside an unquoted field");
      quoted = true;
    } else if (c == ',') {
      lines.back().emplace_back();
    } else if (c == '\n') {
      lines.emplace_back(1);
      ++line;
    } else if (c != '\r') {
      lines.back().back() += c;
    }
  }
  if (quoted) throw InputError(where, line, 0, "", "a quoted field never ends");
  while (!lines.empty() && lines.back().size() == 1 && lines.back()[0].empty()) lines.pop_back();
  if (lines.empty()) throw InputError(where, 1, 0, "", "empty: expected a header line");
  CsvTable t;
  t.header = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].size() != t.header.size())
      throw InputError(where, int(i + 1), 0, "",
                       fmt::format("{} fields where the header has {}", lines[i].size(), t.header.size()));
    t.rows.push_back(lines[i]);
  }
  return t;
}

std::string to_csv(const CsvTable& t) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + exports::csv_field(cells[i]);
    out += "\n";
  };
  line(t.header);
  for (const auto& r : t.rows) line(r);
  return out;
}

CsvTable merge_sweep_parts(const std::vector<std::pair<std::string, std::string>>& parts) {
  if (parts.empty()) throw InputError("command line", 0, 0, "--merge", "no parts to merge");
  struct Row {
    long point;
    std::size_t order;
    std::map<std::string, std::string> cells;
  };
  std::vector<Row> rows;
  std::vector<std::string> columns;
  std::string key;
  std::set<std::pair<long, std::string>> seen;
  for (const auto& [name, text] : parts) {
    if (text.rfind("run,point,", 0) != 0)
      throw InputError(name, 1, 0, "", "not a part of a sweep (expected the columns run, point, KEY, ...)");
    CsvTable t = parse_csv(text, name);
    if (t.header.size() < 3 || t.header[0] != "run" || t.header[1] != "point")
      throw InputError(name, 1, 0, "", "not a part of a sweep (expected the columns run, point, KEY, ...)");
    if (key.empty()) key = t.header[2];
    if (t.header[2] != key)
      throw InputError(name, 1, 0, "", fmt::format("a sweep of `{}`, not of `{}` like the first part", t.header[2], key));
    for (const auto& c : t.header)
      if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      char* end = nullptr;
      long point = std::strtol(t.rows[i][1].c_str(), &end, 10);
      if (t.rows[i][1].empty() || *end) throw InputError(name, int(i + 2), 0, "point", "expected a point number");
      if (!seen.insert({point, t.rows[i][0]}).second)
        throw InputError(name, int(i + 2), 0, "", fmt::format("point {} of `{}` is in two parts", point, t.rows[i][0]));
      Row r{point, rows.size(), {}};
      for (std::size_t c = 0; c < t.header.size(); ++c) r.cells[t.header[c]] = t.rows[i][c];
      rows.push_back(std::move(r));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.point < b.point; });
  CsvTable out;
  out.header = columns;
  for (const Row& r : rows) {
    std::vector<std::string> cells;
    for (const auto& c : columns) {
      auto it = r.cells.find(c);
      // A nested counter one run has and another not (syscalls_by_name.sendfile): 0.
      cells.push_back(it != r.cells.end() ? it->second : c.find('.') != std::string::npos && c != key ? "0" : "");
    }
    out.rows.push_back(std::move(cells));
  }
  return out;
}

namespace {

struct Axis {
  double lo, hi;
  bool log;
  double map(double v, double a, double b) const {  // onto [a, b]
    if (log) return a + (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) * (b - a);
    return a + (v - lo) / (hi - lo) * (b - a);
  }
};

Axis axis_of(const std::vector<double>& v) {
  double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
  bool log = lo > 0 && hi / lo >= 100;
  if (!log) lo = std::min(lo, 0.0);
  if (hi <= lo) hi = lo + 1;
  return {lo, hi, log};
}

std::string xml(const std::string& s) { return svg_escape(s); }

std::string number_text(double v, const std::string& unit) {
  if (unit == "bytes") {  // 1024-based, three digits: 45.3KiB
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && v >= 1024) v /= 1024, ++u;
    return v == std::floor(v) ? fmt::format("{}{}", std::int64_t(v), units[u]) : fmt::format("{:.3g}{}", v, units[u]);
  }
  if (unit == "ns") return format_time_ns(v);
  if (std::fabs(v) >= 1e6) return fmt::format("{:.3g}", v);
  return v == std::floor(v) ? fmt::format("{}", std::int64_t(v)) : fmt::format("{:.3g}", v);
}

std::vector<double> ticks(const Axis& a) {
  std::vector<double> t;
  if (a.log) {
    for (double d = std::pow(10, std::floor(std::log10(a.lo))); d <= a.hi * 1.0001; d *= 10)
      if (d >= a.lo * 0.9999) t.push_back(d);
    if (t.size() < 2) t = {a.lo, a.hi};
  } else {
    for (int i = 0; i <= 4; ++i) t.push_back(a.lo + (a.hi - a.lo) * i / 4);
  }
  return t;
}

const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"};

}  // namespace

namespace {

struct Metric {
  const char* column;
  const char* label;
  const char* unit;
};

struct Plot {
  const CsvTable& t;
  std::vector<std::string> methods;
  std::vector<double> xs;  // the swept value of each row
  Axis xa;
  bool size_key;
  double x0, x1;
};

void draw_axes(std::string& s, const Plot& p, const Axis& ya, const Metric& m, double y0, double y1) {
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}{}</text>\n", p.x0, y0 - 4, m.label,
                   ya.log ? " (log scale)" : "");
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n", p.x0, y0,
                   p.x1 - p.x0, y1 - y0);
  for (double v : ticks(ya)) {
    double y = ya.map(v, y1, y0);
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                     p.x0, y, p.x1, y, p.x0 - 6, y + 4, xml(number_text(v, m.unit)));
  }
  std::vector<double> xt = p.xs;
  std::sort(xt.begin(), xt.end());
  xt.erase(std::unique(xt.begin(), xt.end()), xt.end());
  const std::size_t every = std::max<std::size_t>(1, (xt.size() + 7) / 8);
  for (std::size_t i = 0; i < xt.size(); i += every)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", p.xa.map(xt[i], p.x0, p.x1),
                     y1 + 16, xml(number_text(xt[i], p.size_key ? "bytes" : "")));
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}{}</text>\n", (p.x0 + p.x1) / 2, y1 + 34,
                   xml(p.t.header[2]), p.xa.log ? " (log scale)" : "");
}

// One panel: a metric against the swept value, a polyline per method (a legend in the first).
void draw_panel(std::string& s, const Plot& p, const Metric& m, double y0, double y1, bool legend) {
  const std::size_t col = p.t.column(m.column);
  std::vector<double> ys;
  for (const auto& r : p.t.rows)
    if (col < r.size()) ys.push_back(std::strtod(r[col].c_str(), nullptr));
  if (ys.empty()) ys = {0, 1};
  const Axis ya = axis_of(ys);
  s += fmt::format("<g class=\"panel\" id=\"{}\">\n", m.column);
  draw_axes(s, p, ya, m, y0, y1);
  for (std::size_t k = 0; k < p.methods.size(); ++k) {
    std::string pts;
    for (std::size_t r = 0; r < p.t.rows.size(); ++r) {
      if (p.t.rows[r][0] != p.methods[k] || col >= p.t.rows[r].size()) continue;
      double yv = std::strtod(p.t.rows[r][col].c_str(), nullptr);
      if (ya.log && yv <= 0) continue;
      pts += fmt::format("{:.1f},{:.1f} ", p.xa.map(p.xs[r], p.x0, p.x1), ya.map(yv, y1, y0));
    }
    const char* c = kColours[k % 8];
    s += fmt::format("<polyline class=\"series\" data-method=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
                     "points=\"{}\"/>\n",
                     xml(p.methods[k]), c, pts);
    if (legend)
      s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"3\"/>"
                       "<text x=\"{}\" y=\"{}\">{}</text>\n",
                       p.x1 + 15, y0 + 14 + 20 * double(k), p.x1 + 40, y0 + 14 + 20 * double(k), c, p.x1 + 46,
                       y0 + 18 + 20 * double(k), xml(p.methods[k]));
  }
  s += "</g>\n";
}

}  // namespace

std::string svg_escape(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return o;
}

std::string sweep_svg(const CsvTable& t, const std::string& title) {
  if (t.header.size() < 3) throw InputError("sweep", 0, 0, "", "a sweep's table needs the columns run, point, KEY");
  const std::string& key = t.header[2];
  std::vector<std::string> methods;
  for (const auto& r : t.rows)
    if (std::find(methods.begin(), methods.end(), r[0]) == methods.end()) methods.push_back(r[0]);
  std::vector<double> xs;
  for (const auto& r : t.rows) xs.push_back(std::strtod(r[2].c_str(), nullptr));
  const double W = 900, panel = 260, top = 50, H = top + 3 * panel + 40;
  const bool size_key = key == "file.size" || key.rfind("transfer.", 0) == 0 || key.rfind("params.", 0) == 0;
  const Plot p{t, methods, xs, axis_of(xs.empty() ? std::vector<double>{0, 1} : xs), size_key, 90, W - 180};
  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"28\" font-size=\"16\">{}</text>\n",
      W, H, W, H, p.x0, xml(title));
  const Metric metrics[] = {{"sim_time_ns", "time (simulated)", "ns"},
                            {"cpu_copies", "CPU copies", ""},
                            {"mode_switches", "mode switches", ""}};
  for (std::size_t m = 0; m < 3; ++m) {
    const double y0 = top + double(m) * panel + 10;
    draw_panel(s, p, metrics[m], y0, y0 + panel - 60, m == 0);
  }
  return s + "</svg>\n";
}

}  // namespace kiosim
