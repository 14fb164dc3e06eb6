// Fuzz target: the cache-replay trace parser (kiosim cache-replay), on a small
// cache so that replays stay fast. Any input ends in a result or an InputError.
#include <cstdint>
#include <string_view>

#include "sim/run/cache_replay.h"
#include "sim/scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto policy : {kiosim::CachePolicy::two_list, kiosim::CachePolicy::lru}) {
    try {
      (void)kiosim::replay_text(text, "fuzz", policy, 64);
    } catch (const kiosim::InputError&) {
    }
  }
  return 0;
}
