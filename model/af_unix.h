// af_unix stream sockets (net/unix/af_unix.c unix_stream_sendmsg), the socket pair a
// local receiver reads: how a write() is cut into skbs. Each skb carries at most half
// the send buffer ("keep two messages in the pipe so it schedules better") and at most
// a head of SKB_MAX_HEAD(0) bytes plus UNIX_SKB_FRAGS_SZ (32 KiB) of page fragments.
#pragma once
#include <cstdint>

#include "model/nic.h"

namespace kiosim {

inline constexpr std::uint64_t kUnixSkbHead = 3776;    // SKB_MAX_HEAD(0): 4 KiB - skb_shared_info - padding (x86-64)
inline constexpr std::uint64_t kUnixSkbFrags = 32768;  // UNIX_SKB_FRAGS_SZ

// The largest payload of one skb of a write() for a send buffer of `sndbuf` bytes.
std::uint64_t unix_skb_max(std::uint64_t sndbuf);

// A write() of `bytes`, copied into skbs of at most unix_skb_max(sndbuf).
Segmented unix_segment_copy(std::uint64_t bytes, std::uint64_t sndbuf);

}  // namespace kiosim
