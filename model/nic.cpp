#include "model/nic.h"

#include <algorithm>

namespace kiosim {

std::string_view to_string(FragOverflow f) { return f == FragOverflow::split ? "split" : "linearize"; }

std::optional<FragOverflow> parse_frag_overflow(std::string_view s) {
  if (s == "split") return FragOverflow::split;
  if (s == "linearize") return FragOverflow::linearize;
  return std::nullopt;
}

std::uint32_t Nic::mss() const { return p_.mtu > kTcpIpHeaders + 1 ? p_.mtu - kTcpIpHeaders : 1; }

std::uint64_t Nic::size_goal() const {
  const std::uint64_t room = p_.tso_bytes > kMaxTcpHeader + 1 ? p_.tso_bytes - kMaxTcpHeader - 1 : 0;
  return std::max<std::uint64_t>(1, room / mss()) * mss();
}

Segmented segment_linear(std::uint64_t bytes, std::uint64_t cap) {
  Segmented out;
  cap = std::max<std::uint64_t>(1, cap);
  while (bytes > 0) {
    Skb skb;
    skb.linear = std::min(bytes, cap);
    skb.copied = true;
    bytes -= skb.linear;
    ++out.cpu_copies;
    out.cpu_copy_bytes += skb.linear;
    out.skbs.push_back(std::move(skb));
  }
  return out;
}

// A driver with fewer descriptors than the skb's fragments linearizes it
// (skb_linearize): the CPU copies every fragment into the linear part. A NIC
// without scatter-gather is not handled here: the socket keeps its fragments and
// software GSO copies at transmit (xmit_work).
void Nic::finish(Skb& skb, Segmented& out) const {
  if (skb.frags.empty() || !p_.scatter_gather || skb.frags.size() <= p_.max_frags) return;
  ++out.overflows;
  if (p_.on_frag_overflow != FragOverflow::linearize) return;
  std::uint64_t b = skb.payload();
  skb.frags.clear();
  skb.linear = b;
  skb.linearized = true;
  ++out.cpu_copies;
  out.cpu_copy_bytes += b;
  out.linearize_bytes += b;
}

// tcp_sendmsg_locked's copy loop: each chunk goes to the page frag's free space
// (skb_copy_to_page_nocache), merging with the skb's last fragment when it continues
// it (skb_can_coalesce); at max_frags fragments the skb is pushed and a new one
// started (tcp_mark_push; goto new_segment).
Segmented Nic::segment_copy(std::uint64_t bytes, PageFrag& frag, FileId frag_file) const {
  Segmented out;
  const std::uint64_t goal = size_goal();
  Skb cur;
  cur.copied = true;
  std::uint64_t cur_bytes = 0;
  auto flush = [&] {
    if (cur_bytes == 0) return;
    ++out.cpu_copies;
    out.cpu_copy_bytes += cur_bytes;
    finish(cur, out);
    out.skbs.push_back(std::move(cur));
    cur = Skb{};
    cur.copied = true;
    cur_bytes = 0;
  };
  while (bytes > 0) {
    if (cur_bytes == goal) flush();
    if (frag.offset == kPageFragBytes) frag = PageFrag{frag.page + 1, 0};  // sk_page_frag_refill
    const PageKey page{frag_file, frag.page};
    bool coalesce = !cur.frags.empty() && cur.frags.back().page == page &&
                    cur.frags.back().offset + cur.frags.back().len == frag.offset;
    if (!coalesce && p_.on_frag_overflow == FragOverflow::split && cur.frags.size() == p_.max_frags) {
      ++out.overflows;
      flush();
    }
    const auto take = std::uint32_t(std::min({bytes, goal - cur_bytes, std::uint64_t(kPageFragBytes - frag.offset)}));
    if (coalesce) cur.frags.back().len += take;
    else cur.frags.push_back({page, frag.offset, take});
    frag.offset += take;
    cur_bytes += take;
    bytes -= take;
  }
  flush();
  return out;
}

Segmented Nic::segment_pages(const std::vector<SkbFrag>& pieces, bool more, std::uint64_t cap) const {
  Segmented out;
  if (cap == 0) cap = size_goal();
  // With `split`, TCP never puts more than max_frags fragments in one skb
  // (tcp_sendmsg_locked with MSG_SPLICE_PAGES, on any NIC: the socket always has SG).
  const bool split_on_frags = p_.on_frag_overflow == FragOverflow::split;
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

// validate_xmit_skb: with TSO (which needs SG) the NIC cuts the GSO skb itself: one
// descriptor per fragment (and one for a linear part). Without TSO skb_gso_segment
// cuts it into MSS packets in software: with SG each packet is a header plus the
// fragments it shares (about one descriptor per packet and per fragment); without
// SG skb_segment copies every packet's bytes into its linear part (one descriptor
// each), the copy a NIC without gather costs.
XmitWork Nic::xmit_work(const Skb& skb) const {
  XmitWork w;
  const auto frag_descs = std::uint32_t(skb.frags.size() + (skb.linear ? 1 : 0));
  if (p_.tso && p_.scatter_gather) {
    w.descriptors = std::max<std::uint32_t>(1, frag_descs);
    return w;
  }
  const std::uint64_t n = skb.payload();
  w.segments = std::uint32_t(std::max<std::uint64_t>(1, (n + mss() - 1) / mss()));
  if (p_.scatter_gather) {
    w.descriptors = w.segments + std::uint32_t(skb.frags.size());
  } else {
    w.copy_bytes = n;
    w.descriptors = w.segments;
  }
  return w;
}

}  // namespace kiosim
