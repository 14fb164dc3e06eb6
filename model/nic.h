// What TCP and the NIC's features make of a send (net/ipv4/tcp.c tcp_sendmsg_locked,
// tcp_send_mss / tcp_xmit_size_goal; net/core/dev.c validate_xmit_skb;
// net/core/skbuff.c skb_segment, skb_linearize):
//  - TCP always builds GSO skbs (sk_setup_caps turns on NETIF_F_GSO, and with it SG,
//    for every TCP socket): the size goal is a whole number of MSS, 45 x 1448 =
//    65,160 B under a 64 KiB gso_max_size and a 1500-byte MTU;
//  - write()/send() data is copied into 32 KiB page frags (sk_page_frag), which
//    become fragments and count against max_frags like page-cache pages;
//  - pages by reference (sendfile, splice, MSG_ZEROCOPY) become fragments;
//    contiguous pieces of one page merge into one fragment (skb_can_coalesce);
//  - more fragments than max_frags: `split` starts a new skb (TCP's path),
//    `linearize` copies the whole skb once (a driver with fewer descriptors);
//  - at transmit, a NIC without TSO gets the skb cut into MSS packets in software
//    (skb_gso_segment); without scatter-gather those packets are linear, so their
//    bytes are copied by the CPU there (skb_segment), not at the socket.
// Simplified: headers are not counted in bytes or on the wire.
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

// The page a socket copies write() data into (sk_page_frag): a 32 KiB compound page
// (SKB_FRAG_PAGE_ORDER), filled from `offset` on, then replaced by a new one.
inline constexpr std::uint32_t kPageFragBytes = 32768;
struct PageFrag {
  std::uint64_t page = 0;                 // which frag page of the socket (0: none yet)
  std::uint32_t offset = kPageFragBytes;  // bytes of it used
};

// The header room a GSO skb keeps (MAX_TCP_HEADER on x86-64: 320) and the headers of
// every segment with TCP timestamps: MSS = mtu - 20 (IP) - 20 (TCP) - 12 (options).
inline constexpr std::uint32_t kMaxTcpHeader = 320;
inline constexpr std::uint32_t kTcpIpHeaders = 52;

struct NicParams {
  bool scatter_gather = true;                      // nic.scatter_gather (NETIF_F_SG)
  std::uint32_t max_frags = 17;                    // nic.max_frags (MAX_SKB_FRAGS, net.core.max_skb_frags)
  FragOverflow on_frag_overflow = FragOverflow::split;  // nic.on_frag_overflow
  bool tso = true;                                 // nic.tso (NETIF_F_TSO): the NIC cuts GSO skbs
  std::uint64_t tso_bytes = 65536;                 // nic.tso_size: the device's gso_max_size
  std::uint32_t mtu = 1500;                        // nic.mtu
};

struct Segmented {
  std::vector<Skb> skbs;
  std::uint32_t cpu_copies = 0;       // copy operations (one per skb filled by the CPU)
  std::uint64_t cpu_copy_bytes = 0;
  std::uint32_t overflows = 0;        // sg_overflows
  std::uint64_t linearize_bytes = 0;  // bytes copied because fragments could not be sent
  std::vector<SkbFrag> tail;          // with `more`: the last, unfinished skb's pieces
};

// What validate_xmit_skb does to one skb in software before the driver takes it.
struct XmitWork {
  std::uint32_t segments = 1;     // packets cut in software (skb_gso_segment; 1 with TSO)
  std::uint64_t copy_bytes = 0;   // bytes skb_segment copied into linear packets (no SG)
  std::uint32_t descriptors = 0;  // TX ring descriptors the skb's packets take
};

// `bytes` copied by the CPU into linear skbs of at most `cap` payload bytes each
// (af_unix's cut, model/af_unix.h).
Segmented segment_linear(std::uint64_t bytes, std::uint64_t cap);

class Nic {
 public:
  explicit Nic(NicParams p = {}) : p_(p) {}
  const NicParams& params() const { return p_; }
  // tcp_current_mss with timestamps: mtu - 52 (1448 at a 1500-byte MTU).
  std::uint32_t mss() const;
  // tcp_xmit_size_goal: as many whole MSS as fit in gso_max_size less the header room
  // (sk_setup_caps subtracts MAX_TCP_HEADER + 1); at least one MSS.
  std::uint64_t size_goal() const;

  // write()/send() of `bytes` (tcp_sendmsg_locked): copied into the socket's page
  // frag `frag` (sk_page_frag_refill: a new 32 KiB page when it is full; its pages
  // are keyed under `frag_file`), into skbs of at most size_goal(); a new skb when
  // one more fragment would exceed max_frags. One CPU copy per skb.
  Segmented segment_copy(std::uint64_t bytes, PageFrag& frag, FileId frag_file) const;
  // sendfile()/splice() of pages by reference, in file order, in skbs of at most
  // `cap` bytes (0: size_goal()). With `more` (more data follows in the same call:
  // SPLICE_F_MORE), a last skb that is not full is not finished but returned in
  // `tail`, to be continued with the next pieces.
  Segmented segment_pages(const std::vector<SkbFrag>& pieces, bool more = false, std::uint64_t cap = 0) const;
  // validate_xmit_skb: software segmentation without TSO, its copy without SG.
  XmitWork xmit_work(const Skb& skb) const;

 private:
  void finish(Skb& skb, Segmented& out) const;
  NicParams p_;
};

}  // namespace kiosim
