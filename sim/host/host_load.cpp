#include "sim/host/host_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kiosim::host {

namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<double> number_at_start(const std::string& text, std::size_t pos) {
  if (pos >= text.size()) return std::nullopt;
  const char* begin = text.c_str() + pos;
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  if (end == begin || !(v >= 0) || v > 1e9) return std::nullopt;  // also refuses nan
  return v;
}

}  // namespace

std::optional<double> parse_loadavg(const std::string& text) {
  std::size_t first = text.find_first_not_of(" \t");
  return first == std::string::npos ? std::nullopt : number_at_start(text, first);
}

std::optional<double> parse_cpu_pressure(const std::string& text) {
  static const std::string key = "some avg10=";
  if (text.rfind(key, 0) != 0) return std::nullopt;
  return number_at_start(text, key.size());
}

LoadSample read_load(std::string when) {
  LoadSample s;
  s.when = std::move(when);
  s.load1 = parse_loadavg(read_text("/proc/loadavg")).value_or(0);
  s.psi = parse_cpu_pressure(read_text("/proc/pressure/cpu"));
  return s;
}

bool is_busy(const LoadSample& s, unsigned cpus, bool before_any_measurement) {
  if (s.psi) return *s.psi >= kBusyPressure;
  return before_any_measurement && s.load1 >= double(std::max(1u, cpus));
}

LoadWatch::LoadWatch(unsigned cpus) : cpus_(cpus) {}

void LoadWatch::sample(std::string when) { samples_.push_back(read_load(std::move(when))); }
void LoadWatch::add(LoadSample s) { samples_.push_back(std::move(s)); }

bool LoadWatch::busy() const {
  for (std::size_t i = 0; i < samples_.size(); ++i)
    if (is_busy(samples_[i], cpus_, i == 0)) return true;
  return false;
}

bool LoadWatch::busy_during(const std::string& prefix) const {
  // Without PSI only the first sample can tell, and it speaks for every row.
  if (!samples_.empty() && !samples_.front().psi && is_busy(samples_.front(), cpus_, true)) return true;
  for (std::size_t i = 0; i < samples_.size(); ++i)
    if (samples_[i].when.rfind(prefix, 0) == 0 && is_busy(samples_[i], cpus_, i == 0)) return true;
  return false;
}

std::vector<std::string> LoadWatch::warning() const {
  if (!busy()) return {};
  double load = 0, psi = -1;
  for (const auto& s : samples_) {
    load = std::max(load, s.load1);
    if (s.psi) psi = std::max(psi, *s.psi);
  }
  std::vector<std::string> out;
  if (psi >= 0)
    out.push_back(fmt::format("WARNING the host was busy while measuring: CPU pressure up to {:.0f}% (a task waited "
                              "for a CPU in {:.0f}% of 10 s, /proc/pressure/cpu), load average up to {:.2f} on {} CPUs.",
                              psi, psi, load, cpus_));
  else
    out.push_back(fmt::format("WARNING the host was busy before measuring: load average {:.2f} on {} CPUs "
                              "(/proc/loadavg; this kernel has no /proc/pressure/cpu).",
                              samples_.front().load1, cpus_));
  out.push_back("WARNING Measured times include waiting for a CPU, so a ratio is not the model's error.");
  out.push_back("WARNING Close other work, raise --repeat, or pin the CPUs (taskset).");
  return out;
}

nlohmann::ordered_json LoadWatch::to_json() const {
  nlohmann::ordered_json samples = nlohmann::ordered_json::array();
  for (const auto& s : samples_) {
    nlohmann::ordered_json j = {{"when", s.when}, {"load1", s.load1}};
    j["cpu_pressure_some_avg10"] = s.psi ? nlohmann::ordered_json(*s.psi) : nlohmann::ordered_json(nullptr);
    samples.push_back(j);
  }
  return {{"cpus", cpus_}, {"busy", busy()}, {"busy_pressure_percent", kBusyPressure}, {"samples", samples}};
}

}  // namespace kiosim::host
