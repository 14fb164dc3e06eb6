// Socket and pipe paths: write() and send() to a socket (net/ipv4/tcp.c
// tcp_sendmsg_locked, with MSG_ZEROCOPY: net/core/skbuff.c msg_zerocopy_realloc),
// sendfile (fs/read_write.c do_sendfile -> splice_direct_to_actor) and splice
// through a pipe (fs/splice.c): the copies, the page references and the skbs each
// one makes. Owns the pipes. Calls accounting, the page cache, mm (faults of a
// mapping a write copies from) and network transmit.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/kernel/accounting.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/net_tx.h"

namespace kiosim {

// Whether a socket write may wait for send-buffer space: tcp_sendmsg_locked's timeout,
// sock_sndtimeo(sk, flags & MSG_DONTWAIT). `dontwait` is a socket with O_NONBLOCK
// (sock_write_iter turns it into MSG_DONTWAIT) or a send() with MSG_DONTWAIT.
enum class SendWait : std::uint8_t { block, dontwait };

// What write() and send() to a socket return, as tcp_sendmsg_locked does: `copied`, the
// bytes copied into the send buffer (a blocking call copies them all); a non-blocking
// call that could copy nothing returns -EAGAIN (`eagain`, `copied` 0). A short count
// (0 < copied < asked) is not an error: the program calls again for the rest.
struct SendResult {
  std::uint64_t copied = 0;
  bool eagain = false;
};

class SocketIo {
 public:
  SocketIo(Accounting& acct, Filemap& filemap, Mm& mm, NetTx& net)
      : acct_(acct), filemap_(filemap), mm_(mm), net_(net) {}

  Socket& socket(Thread& t);
  PipeObj& pipe(Thread& t);  // pipes belong to the kernel, like sockets
  bool pipes_empty() const;  // no pipe holds a page (the end-of-run invariants)
  SendResult write(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src, SendWait wait = SendWait::block);
  // send(): a copy like write(), or with MSG_ZEROCOPY the buffer's pages are pinned and
  // sent by DMA; a completion notification follows, which the next send reads.
  // MSG_ZEROCOPY always blocks here (the loader refuses it with `nonblock`).
  SendResult send(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer, bool zerocopy,
                  SendWait wait = SendWait::block);
  // io_uring's IORING_OP_SEND_ZC (io_uring/net.c io_send_zc), inside io_uring_enter:
  // the pages pinned and sent by DMA as MSG_ZEROCOPY's are, and the notification a
  // CQE (io_notif) the NIC's last skb posts; no error queue to read.
  std::uint64_t send_zc(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer) {
    return send_zerocopy(t, s, bytes, buffer, true);
  }
  // poll(2) for POLLOUT: sleeps until the socket is writable again (tcp_poll:
  // sk_stream_is_writeable; af_unix: unix_writable), what a program does after EAGAIN.
  void poll_writable(Thread& t, Socket& s);
  // The program is about to overwrite `buffer`: if MSG_ZEROCOPY still pins it, wait for
  // the completion or overwrite it under the NIC (net.zerocopy_reuse). A SEND_ZC's
  // buffer waits for its notification CQE: io_uring_enter(IORING_ENTER_GETEVENTS).
  void reuse_buffer(Thread& t, const std::string& buffer);
  std::uint64_t sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes);
  std::uint64_t splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes);
  std::uint64_t splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes);

 private:
  void trace_ref_move(Thread& t, Place from, Place to, std::uint64_t bytes, FileId file, std::int64_t page,
                      std::uint64_t pages, std::string name = {});
  // How much of a write of `bytes` a non-blocking call copies now: tcp_sendmsg_locked
  // builds skb after skb while sk_stream_memory_free (queued below sk_sndbuf); at the
  // first that finds it full, sk_stream_wait_memory with a timeout of 0 gives up.
  std::uint64_t room_now(Socket& s, std::uint64_t bytes) const;
  SendResult eagain(Thread& t);  // -EAGAIN: counted (send_eagain) and traced
  std::uint64_t send_zerocopy(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer,
                              bool uring = false);

  Accounting& acct_;
  Filemap& filemap_;
  Mm& mm_;
  NetTx& net_;
  std::vector<std::unique_ptr<PipeObj>> pipes_;
};

}  // namespace kiosim
