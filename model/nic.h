// What the NIC's features make of a TCP send: how tcp_sendmsg / tcp_sendmsg_locked
// (net/ipv4/tcp.c) cut data into skbs of up to the TSO size (or one MSS), and what a
// driver must do when the skb has more fragments than it can describe
// (net/core/skbuff.c skb_linearize, NETIF_F_SG, MAX_SKB_FRAGS).
//  - copied data (write/send) fills the linear part: one CPU copy per skb;
//  - pages by reference (sendfile, splice) become fragments when the NIC gathers;
//    contiguous pieces of one page merge into one fragment (skb_can_coalesce);
//  - more fragments than max_frags: `split` starts a new skb (TCP's path),
//    `linearize` copies the whole skb once (a driver with fewer descriptors);
//  - no scatter-gather: every skb is linear, its payload copied by the CPU.
// Simplified: no GSO segmentation into MTU packets on the wire, no headers in counts.
#pragma once
#include <cstdint>
#include <string_view>
#include <optional>
#include <vector>

#include "model/skb.h"

namespace kiosim {

enum class FragOverflow : std::uint8_t { split, linearize };
std::string_view to_string(FragOverflow f);
std::optional<FragOverflow> parse_frag_overflow(std::string_view s);

struct NicParams {
  bool scatter_gather = true;                      // nic.scatter_gather (NETIF_F_SG)
  std::uint32_t max_frags = 17;                    // nic.max_frags (MAX_SKB_FRAGS)
  FragOverflow on_frag_overflow = FragOverflow::split;  // nic.on_frag_overflow
  bool tso = true;                                 // nic.tso (NETIF_F_TSO)
  std::uint64_t tso_bytes = 65536;                 // nic.tso_size: payload per skb with TSO
  std::uint32_t mtu = 1500;                        // nic.mtu: MSS = mtu - 40 without TSO
};

struct Segmented {
  std::vector<Skb> skbs;
  std::uint32_t cpu_copies = 0;       // copy operations (one per skb filled by the CPU)
  std::uint64_t cpu_copy_bytes = 0;
  std::uint32_t overflows = 0;        // sg_overflows
  std::uint64_t linearize_bytes = 0;  // bytes copied because fragments could not be sent
  std::vector<SkbFrag> tail;          // with `more`: the last, unfinished skb's pieces
};

// `bytes` copied by the CPU into skbs of at most `cap` payload bytes each.
Segmented segment_linear(std::uint64_t bytes, std::uint64_t cap);

class Nic {
 public:
  explicit Nic(NicParams p = {}) : p_(p) {}
  const NicParams& params() const { return p_; }
  std::uint64_t max_payload() const { return p_.tso ? p_.tso_bytes : std::uint64_t(p_.mtu - 40); }

  // write()/send() of `bytes` from a user buffer or mapping: copied into linear skbs.
  Segmented segment_copy(std::uint64_t bytes) const;
  // sendfile()/splice() of pages by reference, in file order. With `more` (more data
  // follows in the same call: SPLICE_F_MORE), a last skb that is not full is not
  // finished but returned in `tail`, to be continued with the next pieces.
  Segmented segment_pages(const std::vector<SkbFrag>& pieces, bool more = false) const;

 private:
  void finish(Skb& skb, Segmented& out) const;
  NicParams p_;
};

}  // namespace kiosim
