#include "sim/run/dense_trace.h"

#include "model/page_cache_index.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

DenseTrace DenseTrace::load(std::string_view data, const std::string& name, const TraceSpec& spec) {
  DenseTrace t;
  PageCacheIndex ids;
  t.files = parse_trace(data, name, spec, [&](PageKey k, bool w, std::uint64_t) {
    if (t.page.size() >= kNever - 1)
      throw InputError(name, 0, 0, "", "more than 4294967294 accesses: too long to hold in memory for --sizes or opt");
    std::uint32_t id = ids.find(k);
    if (id == PageCacheIndex::kNone) {
      id = std::uint32_t(t.distinct++);
      ids.insert(k, id);
    }
    t.page.push_back(id);
    t.write.push_back(w);
    t.writes += w;
  });
  return t;
}

void DenseTrace::fill_next() {
  next.assign(page.size(), kNever);
  std::vector<std::uint32_t> seen(distinct, kNever);  // page -> its next access after i
  for (std::size_t i = page.size(); i-- > 0;) {
    next[i] = seen[page[i]];
    seen[page[i]] = std::uint32_t(i);
  }
}

}  // namespace kiosim
