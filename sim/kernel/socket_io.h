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

class SocketIo {
 public:
  SocketIo(Accounting& acct, Filemap& filemap, Mm& mm, NetTx& net)
      : acct_(acct), filemap_(filemap), mm_(mm), net_(net) {}

  Socket& socket(Thread& t);
  PipeObj& pipe(Thread& t);  // pipes belong to the kernel, like sockets
  bool pipes_empty() const;  // no pipe holds a page (the end-of-run invariants)
  std::uint64_t write(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src);
  // send(): a copy like write(), or with MSG_ZEROCOPY the buffer's pages are pinned and
  // sent by DMA; a completion notification follows, which the next send reads.
  std::uint64_t send(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer, bool zerocopy);
  // The program is about to overwrite `buffer`: if MSG_ZEROCOPY still pins it, wait for
  // the completion or overwrite it under the NIC (net.zerocopy_reuse).
  void reuse_buffer(Thread& t, const std::string& buffer);
  std::uint64_t sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes);
  std::uint64_t splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes);
  std::uint64_t splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes);

 private:
  void trace_ref_move(Thread& t, Place from, Place to, std::uint64_t bytes, FileId file, std::int64_t page,
                      std::uint64_t pages, std::string name = {});
  std::uint64_t send_zerocopy(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer);

  Accounting& acct_;
  Filemap& filemap_;
  Mm& mm_;
  NetTx& net_;
  std::vector<std::unique_ptr<PipeObj>> pipes_;
};

}  // namespace kiosim
