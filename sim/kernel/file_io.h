// File paths: open, read, buffered write, io_uring reads, O_DIRECT, posix_fadvise
// and fsync (mm/filemap.c filemap_read, mm/filemap.c generic_perform_write,
// io_uring/rw.c io_read, fs/iomap/direct-io.c, mm/fadvise.c, fs/ext4/fsync.c).
// Owns nothing: it drives the page cache, writeback, the journal and the block device.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/jbd2.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/writeback.h"

namespace kiosim {

class FileIo {
 public:
  FileIo(Accounting& acct, Filemap& filemap, BlockDevice& disk, Writeback& writeback, Jbd2& jbd2, Mm& mm)
      : acct_(acct), filemap_(filemap), disk_(disk), writeback_(writeback), jbd2_(jbd2), mm_(mm) {}

  OpenFile open(Thread& t, FileId f, std::uint64_t offset, std::uint32_t flags);
  void close(Thread& t);
  std::uint64_t read(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset);
  std::uint64_t uring_read(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth);
  std::uint64_t write(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset,
                      WriteSource src);
  void fadvise(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t bytes, Advice advice);
  void fsync(Thread& t, OpenFile& f, bool datasync);

  // O_DIRECT needs offsets and sizes in multiples of the disk's logical block.
  static constexpr std::uint64_t kDirectAlign = 512;
  bool refuse_misaligned(Thread& t, std::uint64_t pos, std::uint64_t bytes);  // O_DIRECT's EINVAL, traced

 private:
  void copy_into_cache(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);
  std::uint64_t read_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);
  std::uint64_t uring_read_direct(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth);
  std::uint64_t write_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);

  Accounting& acct_;
  Filemap& filemap_;
  BlockDevice& disk_;
  Writeback& writeback_;
  Jbd2& jbd2_;
  Mm& mm_;
};

}  // namespace kiosim
