#include "model/policy_registry.h"

#include <memory>

namespace kiosim {

std::string_view to_string(CachePolicy c) {
  switch (c) {
#define KIOSIM_X(e, name) \
  case CachePolicy::e: return name;
    KIOSIM_CACHE_POLICIES(KIOSIM_X)
#undef KIOSIM_X
  }
  return "two_list";
}

std::optional<CachePolicy> parse_cache_policy(std::string_view s) {
#define KIOSIM_X(e, name) \
  if (s == name) return CachePolicy::e;
  KIOSIM_CACHE_POLICIES(KIOSIM_X)
#undef KIOSIM_X
  return std::nullopt;
}

std::vector<std::string_view> cache_policy_names() {
  return {
#define KIOSIM_X(e, name) name,
      KIOSIM_CACHE_POLICIES(KIOSIM_X)
#undef KIOSIM_X
  };
}

std::unique_ptr<ReplacementPolicy> make_policy(CachePolicy c, ReplacementPolicy::Observer* obs,
                                               std::uint64_t capacity_pages, std::uint64_t seed) {
  const PolicyParams p{obs, capacity_pages, seed};
  switch (c) {
#define KIOSIM_X(e, Class, args) \
  case CachePolicy::e: return std::make_unique<Class> args;
    KIOSIM_POLICY_CLASSES(KIOSIM_X)
#undef KIOSIM_X
  }
  return std::make_unique<TwoListPolicy>(obs, capacity_pages);
}

}  // namespace kiosim
