// Quantities with units as people write them in scenario files: 64KiB, 80us,
// 10Gbit/s, 3GHz. Parsing never throws: it returns nullopt and the caller says
// what was expected, with the file and line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiosim {

std::optional<double> parse_size(std::string_view s);       // bytes; bare numbers are bytes
std::optional<double> parse_time_ns(std::string_view s);    // ns; a bare number must be 0
std::optional<double> parse_rate(std::string_view s);       // bytes per second
std::optional<double> parse_frequency(std::string_view s);  // Hz

std::string format_size(double bytes);      // 65536 -> "64KiB"
std::string format_time_ns(double ns);      // 1500 -> "1.5us"
std::string format_rate(double bytes_per_s);
std::string format_frequency(double hz);

}  // namespace kiosim
