// Fuzz target: the cache-replay trace parsers (kiosim cache-replay), every format,
// on a small cache so that replays stay fast. Any input ends in a result or an
// InputError. The first byte picks the format (and csv/block's delimiter).
#include <cstdint>
#include <string_view>

#include "sim/run/cache_replay.h"
#include "sim/scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  kiosim::ReplaySetup s;
  s.trace.format = kiosim::TraceFormat(data[0] % 5);
  s.trace.columns.obj_id_col = 1 + data[0] / 5 % 3;
  s.trace.columns.op_col = 2;
  if (data[0] & 0x80) s.trace.columns.delimiter = ',';
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  for (auto policy : {kiosim::CachePolicy::two_list, kiosim::CachePolicy::lru, kiosim::CachePolicy::opt,
                      kiosim::CachePolicy::arc, kiosim::CachePolicy::clock}) {
    s.policy = policy;
    try {
      (void)kiosim::replay_data(text, "fuzz", s, 64);
    } catch (const kiosim::InputError&) {
    }
  }
  return 0;
}
