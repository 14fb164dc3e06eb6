// The replay loop's index: page -> slot (model/hash_index.h), at most a quarter
// full, for a replay that inserts and erases a page on nearly every miss: shorter
// probe runs than the page cache's half-full table, so a miss's lookup and its
// erase's backward shift touch fewer buckets.
#pragma once
#include "model/hash_index.h"

namespace kiosim {

using ReplayIndex = HashIndex<PageKey, 4>;

}  // namespace kiosim
