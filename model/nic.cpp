#include "model/nic.h"

#include <algorithm>

namespace kiosim {

std::string_view to_string(FragOverflow f) { return f == FragOverflow::split ? "split" : "linearize"; }

std::optional<FragOverflow> parse_frag_overflow(std::string_view s) {
  if (s == "split") return FragOverflow::split;
  if (s == "linearize") return FragOverflow::linearize;
  return std::nullopt;
}

Segmented Nic::segment_copy(std::uint64_t bytes) const { return segment_linear(bytes, max_payload()); }

Segmented segment_linear(std::uint64_t bytes, std::uint64_t cap) {
  Segmented out;
  cap = std::max<std::uint64_t>(1, cap);
  while (bytes > 0) {
    Skb skb;
    skb.linear = std::min(bytes, cap);
    bytes -= skb.linear;
    ++out.cpu_copies;
    out.cpu_copy_bytes += skb.linear;
    out.skbs.push_back(std::move(skb));
  }
  return out;
}

void Nic::finish(Skb& skb, Segmented& out) const {
  if (skb.frags.empty()) return;
  bool must_linearize = !p_.scatter_gather ||
                        (p_.on_frag_overflow == FragOverflow::linearize && skb.frags.size() > p_.max_frags);
  if (p_.scatter_gather && skb.frags.size() > p_.max_frags) ++out.overflows;
  if (must_linearize) {
    // skb_linearize / the no-SG fallback: the CPU copies every fragment into the linear part.
    std::uint64_t b = skb.payload();
    skb.frags.clear();
    skb.linear = b;
    skb.linearized = true;
    ++out.cpu_copies;
    out.cpu_copy_bytes += b;
    out.linearize_bytes += b;
  }
}

Segmented Nic::segment_pages(const std::vector<SkbFrag>& pieces, bool more) const {
  Segmented out;
  const std::uint64_t cap = max_payload();
  // With `split`, TCP never puts more than max_frags fragments in one skb.
  const bool split_on_frags = p_.scatter_gather && p_.on_frag_overflow == FragOverflow::split;
  Skb cur;
  std::uint64_t cur_bytes = 0;
  auto flush = [&] {
    if (cur_bytes == 0) return;
    finish(cur, out);
    out.skbs.push_back(std::move(cur));
    cur = Skb{};
    cur_bytes = 0;
  };
  for (SkbFrag piece : pieces) {
    while (piece.len > 0) {
      if (cur_bytes == cap) flush();
      std::uint32_t take = std::uint32_t(std::min<std::uint64_t>(piece.len, cap - cur_bytes));
      SkbFrag f{piece.page, piece.offset, take};
      bool coalesce = !cur.frags.empty() && cur.frags.back().page == f.page &&
                      cur.frags.back().offset + cur.frags.back().len == f.offset;
      if (!coalesce && split_on_frags && cur.frags.size() == p_.max_frags) {
        ++out.overflows;  // the send needed more fragments than one skb takes: a new skb
        flush();
      }
      if (coalesce) cur.frags.back().len += take;
      else cur.frags.push_back(f);
      cur_bytes += take;
      piece.offset += take;
      piece.len -= take;
    }
  }
  if (more && cur_bytes > 0 && cur_bytes < cap) {
    out.tail = std::move(cur.frags);
    return out;
  }
  flush();
  return out;
}

}  // namespace kiosim
