#include "sim/report/mrc_plot.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/report/report.h"
#include "sim/report/sweep_table.h"

namespace kiosim {

std::string mrc_svg(const Curve& c, const std::string& policy, const std::string& trace) {
  const double W = 720, H = 440, x0 = 70, x1 = W - 30, y0 = 60, y1 = H - 60;
  const double lo = 0, hi = std::max(1.0, std::log2(double(c.rows.empty() ? 2 : std::max<std::uint64_t>(2, c.rows.back().pages))));
  auto X = [&](std::uint64_t pages) { return x0 + (std::log2(double(pages)) - lo) / (hi - lo) * (x1 - x0); };
  auto Y = [&](double ratio) { return y1 - ratio * (y1 - y0); };
  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"30\" font-size=\"16\">miss ratio of {} on {} ({})</text>\n",
      W, H, W, H, x0, svg_escape(policy), svg_escape(trace),
      c.one_pass ? "one pass, LRU stack distances" : "one replay per size");
  for (int i = 0; i <= 10; i += 2) {  // y axis: 0 to 1
    const double y = Y(i / 10.0);
    s += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
                     "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:.1f}</text>\n",
                     x0, y, x1, y, x0 - 6, y + 4, i / 10.0);
  }
  for (int e = 0; e <= int(hi); e += std::max(1, int(hi) / 8)) {  // x axis: powers of two
    const double x = X(std::uint64_t(1) << e);
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#ddd\"/>"
                     "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     x, y0, x, y1, x, y1 + 16, std::uint64_t(1) << e);
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">cache size (4 KiB pages, log scale); "
                   "working set {} pages</text>\n",
                   (x0 + x1) / 2, H - 20, c.working_set);
  s += fmt::format("<text x=\"20\" y=\"{}\" transform=\"rotate(-90 20 {})\" text-anchor=\"middle\">miss ratio</text>\n",
                   (y0 + y1) / 2, (y0 + y1) / 2);
  std::string pts;
  for (const CurveRow& r : c.rows) pts += fmt::format("{:.1f},{:.1f} ", X(r.pages), Y(r.result.miss_ratio()));
  s += fmt::format("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{}\"/>\n", pts);
  for (const CurveRow& r : c.rows)
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#1f77b4\"><title>{} pages: {:.4f}</title></circle>\n",
                     X(r.pages), Y(r.result.miss_ratio()), r.pages, r.result.miss_ratio());
  return s + "</svg>\n";
}

void write_mrc_plot(const std::string& path, const Curve& c, const std::string& policy, const std::string& trace) {
  write_file_atomically(path, mrc_svg(c, policy, trace));
}

}  // namespace kiosim
