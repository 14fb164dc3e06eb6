#include "sim/scenario/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <utility>
#include <vector>

#include "sim/scenario/suggest.h"

namespace kiosim {

namespace {

// Splits "64 KiB" into 64 and "KiB". Rejects an empty or non-finite number.
std::optional<std::pair<double, std::string>> split(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == 'e' ||
                          s[i] == 'E' || s[i] == '+' || s[i] == '-')) {
    // 'e' is an exponent only when followed by a digit or sign (so "1e3" parses, "5 EiB" does not)
    if ((s[i] == 'e' || s[i] == 'E') &&
        (i + 1 >= s.size() || !(std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' || s[i + 1] == '+')))
      break;
    ++i;
  }
  if (i == 0) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + i, v);
  if (ec != std::errc() || p != s.data() + i || !std::isfinite(v)) return std::nullopt;
  std::string_view unit = s.substr(i);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.remove_prefix(1);
  return std::pair{v, std::string(unit)};
}

std::optional<double> size_factor(std::string_view u) {
  if (u.empty() || u == "B") return 1.0;
  if (u == "KiB" || u == "K" || u == "k") return 1024.0;
  if (u == "MiB" || u == "M") return 1024.0 * 1024;
  if (u == "GiB" || u == "G") return 1024.0 * 1024 * 1024;
  if (u == "TiB" || u == "T") return 1024.0 * 1024 * 1024 * 1024;
  if (u == "KB" || u == "kB") return 1e3;
  if (u == "MB") return 1e6;
  if (u == "GB") return 1e9;
  if (u == "TB") return 1e12;
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_size(std::string_view s) {
  auto p = split(s);
  if (!p) return std::nullopt;
  auto f = size_factor(p->second);
  if (!f) return std::nullopt;
  return std::round(p->first * *f);
}

std::optional<double> parse_time_ns(std::string_view s) {
  auto p = split(s);
  if (!p) return std::nullopt;
  const std::string& u = p->second;
  double f;
  if (u == "ns") f = 1;
  else if (u == "us" || u == "\xC2\xB5s") f = 1e3;
  else if (u == "ms") f = 1e6;
  else if (u == "s") f = 1e9;
  else if (u.empty() && p->first == 0) f = 1;
  else return std::nullopt;
  return p->first * f;
}

std::optional<double> parse_rate(std::string_view s) {
  auto p = split(s);
  if (!p) return std::nullopt;
  std::string u = p->second;
  if (u == "bps" || u == "bit/s") return p->first / 8;
  if (u == "Kbps" || u == "Kbit/s" || u == "kbit/s") return p->first * 1e3 / 8;
  if (u == "Mbps" || u == "Mbit/s") return p->first * 1e6 / 8;
  if (u == "Gbps" || u == "Gbit/s") return p->first * 1e9 / 8;
  if (u == "Tbps" || u == "Tbit/s") return p->first * 1e12 / 8;
  // b (lower case) is a bit, as in 1Gb/s; B a byte, as in 1GB/s.
  if (u == "b/s") return p->first / 8;
  if (u == "Kb/s" || u == "kb/s") return p->first * 1e3 / 8;
  if (u == "Mb/s") return p->first * 1e6 / 8;
  if (u == "Gb/s") return p->first * 1e9 / 8;
  if (u == "Tb/s") return p->first * 1e12 / 8;
  if (u.size() > 2 && u.substr(u.size() - 2) == "/s") {
    auto f = size_factor(u.substr(0, u.size() - 2));
    if (f) return p->first * *f;
  }
  return std::nullopt;
}

std::optional<double> parse_frequency(std::string_view s) {
  auto p = split(s);
  if (!p) return std::nullopt;
  const std::string& u = p->second;
  if (u == "Hz") return p->first;
  if (u == "kHz" || u == "KHz") return p->first * 1e3;
  if (u == "MHz") return p->first * 1e6;
  if (u == "GHz") return p->first * 1e9;
  return std::nullopt;
}

std::string suggest_unit(std::string_view text, std::string_view quantity) {
  static const std::vector<std::string> sizes = {"B", "KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB", "K", "M", "G"};
  static const std::vector<std::string> times = {"ns", "us", "ms", "s"};
  static const std::vector<std::string> rates = {"bit/s", "Kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "bps",   "Kbps",
                                                 "Mbps",  "Gbps",   "Tbps",   "b/s",    "Kb/s",   "Mb/s",  "Gb/s",
                                                 "B/s",   "KB/s",   "MB/s",   "GB/s",   "KiB/s",  "MiB/s", "GiB/s"};
  static const std::vector<std::string> freqs = {"Hz", "kHz", "MHz", "GHz"};
  const auto& units = quantity == "size" ? sizes : quantity == "time" ? times : quantity == "rate" ? rates : freqs;
  auto p = split(text);
  if (!p || p->second.empty()) return quantity == "time" ? "; a time needs its unit: ns, us, ms or s" : "";
  auto best = closest(p->second, units);
  if (!best) return "";
  const std::string number(text.substr(0, text.size() - p->second.size()));
  std::string n = number;
  while (!n.empty() && std::isspace(static_cast<unsigned char>(n.back()))) n.pop_back();
  while (!n.empty() && std::isspace(static_cast<unsigned char>(n.front()))) n.erase(n.begin());
  return fmt::format("; did you mean `{}{}`?", n, *best);
}

std::string format_size(double b) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (i < 4 && b >= 1024 && std::fmod(b, 1024) == 0) {
    b /= 1024;
    ++i;
  }
  return fmt::format("{}{}", b, units[i]);
}

std::string format_time_ns(double ns) {
  if (ns != 0 && std::fmod(ns, 1e9) == 0) return fmt::format("{}s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:g}ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:g}us", ns / 1e3);
  return fmt::format("{:g}ns", ns);
}

std::string format_rate(double bps) {
  if (bps >= 1e9) return fmt::format("{:g}GB/s", bps / 1e9);
  if (bps >= 1e6) return fmt::format("{:g}MB/s", bps / 1e6);
  return fmt::format("{:g}B/s", bps);
}

std::string format_frequency(double hz) {
  if (hz >= 1e9) return fmt::format("{:g}GHz", hz / 1e9);
  if (hz >= 1e6) return fmt::format("{:g}MHz", hz / 1e6);
  return fmt::format("{:g}Hz", hz);
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    out.emplace_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

}  // namespace kiosim
