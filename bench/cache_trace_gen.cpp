// Writes the trace of issue 20's benchmark (scripts/bench-cache-replay): N requests,
// 90% drawn from a hot set of 50,000 ids as 1 + floor(50,000 u^2) (u uniform in
// [0, 1): the low ids are the hottest), 10% a scan of fresh ids (from 10^9 up, each
// used once). Two files with the same requests: TEXT, one id per line (kiosim's
// text format and libCacheSim's `txt`), and ORACLE, libCacheSim's oracleGeneral
// (24-byte records; next-access time = the index of the id's next request, or -1).
// Usage: cache_trace_gen N TEXT ORACLE [SEED]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: cache_trace_gen N TEXT ORACLE [SEED]\n");
    return 2;
  }
  const std::uint64_t n = std::strtoull(argv[1], nullptr, 10);
  std::uint64_t x = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 20;
  auto next_u = [&] {  // splitmix64 -> [0, 1)
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return double((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  std::vector<std::uint64_t> ids(n);
  std::uint64_t scan = 1000000000ULL;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double pick = next_u(), u = next_u();
    ids[i] = pick < 0.9 ? 1 + std::uint64_t(50000.0 * u * u) : scan++;
  }
  std::FILE* text = std::fopen(argv[2], "wb");
  std::FILE* oracle = std::fopen(argv[3], "wb");
  if (!text || !oracle) {
    std::perror("cache_trace_gen");
    return 1;
  }
  std::string buf;
  for (std::uint64_t i = 0; i < n; ++i) {
    buf += std::to_string(ids[i]);
    buf += '\n';
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), text);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), text);
  std::vector<std::int64_t> next(n, -1);
  std::unordered_map<std::uint64_t, std::int64_t> seen;
  seen.reserve(1 << 21);
  for (std::uint64_t i = n; i-- > 0;) {
    auto [it, fresh] = seen.try_emplace(ids[i], -1);
    next[i] = it->second;
    it->second = std::int64_t(i);
  }
  std::vector<char> rec(24 * 65536);
  for (std::uint64_t i = 0; i < n;) {
    std::size_t k = 0;
    for (; k < 65536 && i < n; ++k, ++i) {
      const std::uint32_t t = std::uint32_t(i), size = 4096;
      std::memcpy(&rec[24 * k], &t, 4);
      std::memcpy(&rec[24 * k + 4], &ids[i], 8);
      std::memcpy(&rec[24 * k + 12], &size, 4);
      std::memcpy(&rec[24 * k + 16], &next[i], 8);
    }
    std::fwrite(rec.data(), 24, k, oracle);
  }
  return std::fclose(text) | std::fclose(oracle);
}
