// A calibration micro-benchmark: a stream of fixed-size chunks through a socket pair
// (af_unix) to a receiver process on another CPU that reads and discards, the way
// `measure` sends. The chunks come from a small user buffer that stays in cache: by
// write() (copied into new skb memory), or by vmsplice() into a pipe and splice() to
// the socket (attached to skbs as page fragments). No file is read: the composite
// methods stay unseen.
#pragma once
#include <cstdint>

namespace kiosim::host {

struct SocketStream {
  double sender_ns_per_chunk = 0;    // the sender's user + system CPU per chunk
  double receiver_ns_per_read = 0;   // the receiver's user + system CPU per read() call
  double receiver_bytes_per_read = 0;
  double wall_ns = 0;
};

enum class ChunkPath { write, vmsplice };

// Sends `total` bytes in `chunk`-byte pieces; the receiver asks for `read_size` bytes per call.
SocketStream socket_stream(std::uint64_t chunk, std::uint64_t read_size, std::uint64_t total, ChunkPath path,
                           int sender_cpu, int receiver_cpu);

// CPU per chunk of vmsplice() into a pipe and splice() out to /dev/null, in one thread:
// the part of the vmsplice path that is not the socket's.
double vmsplice_to_null_ns(std::uint64_t chunk, std::uint64_t total);

}  // namespace kiosim::host
