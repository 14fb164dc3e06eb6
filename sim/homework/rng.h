// kiosim's own random generator for homework parameters, written out so that the same
// template and seed give the same problem on every machine, compiler and later version
// (a std:: distribution's output differs between standard libraries).
//
// SplitMix64 (Steele, Lea, Flood 2014; Vigna's reference splitmix64.c), and FNV-1a 64 to
// turn a student id into a seed. Documented in course/README.md ("Seeds"); never change
// them: homework files outlive releases.
#pragma once
#include <cstdint>
#include <string_view>

namespace kiosim::homework {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  // state += 0x9e3779b97f4a7c15; z = state;
  // z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  // return z ^ (z >> 31)
  std::uint64_t next();
  // An index in [0, n): next() % n (the bias, below n / 2^64, is part of the definition).
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

// FNV-1a, 64 bits: h = 0xcbf29ce484222325; for each byte: h ^= byte; h *= 0x100000001b3.
std::uint64_t fnv1a64(std::string_view text);

}  // namespace kiosim::homework
