// Quantities with units as people write them in scenario files: 64KiB, 80us,
// 10Gbit/s, 3GHz. Parsing never throws: it returns nullopt and the caller says
// what was expected, with the file and line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosim {

std::optional<double> parse_size(std::string_view s);       // bytes; bare numbers are bytes
std::optional<double> parse_time_ns(std::string_view s);    // ns; a bare number must be 0
std::optional<double> parse_rate(std::string_view s);       // bytes per second
std::optional<double> parse_frequency(std::string_view s);  // Hz

// The grammar (README, "Units"): sizes B, KiB MiB GiB TiB (1024s), KB MB GB TB (1000s),
// K M G as KiB MiB GiB; times ns us ms s; rates a size per second (2GB/s, 500MiB/s) or
// bits per second (10Gbit/s = 10Gbps = 10Gb/s: a lower-case b is a bit); Hz kHz MHz GHz.
// "; did you mean `1Gbit/s`?" for a value of `quantity` ("size", "time", "rate",
// "frequency") whose unit is misspelt; "" when none is close.
std::string suggest_unit(std::string_view text, std::string_view quantity);

// A command line's list, "1MiB,16MiB": one item per comma and one more, empty ones
// kept (so "1MiB," and "" say what was expected, instead of passing unnoticed).
std::vector<std::string> split_commas(std::string_view text);

std::string format_size(double bytes);      // 65536 -> "64KiB"
std::string format_time_ns(double ns);      // 1500 -> "1.5us"
std::string format_rate(double bytes_per_s);
std::string format_frequency(double hz);

}  // namespace kiosim
