#include "sim/scenario/uring_loader.h"

#include <fmt/format.h>

#include "model/io_uring.h"
#include "model/io_wq.h"

namespace kiosim {

bool uring_sqe_kind(OpKind k) {
  switch (k) {
    case OpKind::read:
    case OpKind::pread:
    case OpKind::write:
    case OpKind::pwrite:
    case OpKind::send:
    case OpKind::recv:
    case OpKind::splice:
    case OpKind::fsync:
    case OpKind::fdatasync: return true;
    default: return false;
  }
}

// io_uring_setup: 0 entries or more than IORING_MAX_ENTRIES is -EINVAL.
void load_uring_setup(const Reader& r, const YAML::Node& a, const std::string& p, Op& o, UringLoadState& st) {
  const std::string ep = p + ".entries";
  const std::uint64_t entries = r.count(a["entries"], ep, 0, std::uint64_t(1) << 32);
  if (entries == 0 || entries > kUringMaxEntries)
    r.fail(a["entries"], ep,
           fmt::format("io_uring_setup refuses a ring of {} entries (EINVAL): give 1 to {} (IORING_MAX_ENTRIES), "
                       "rounded up to a power of two",
                       entries, kUringMaxEntries));
  o.entries = std::uint32_t(entries);
  if (a["sqpoll"]) o.sqpoll = r.boolean(a["sqpoll"], p + ".sqpoll");
  if (a["idle"]) {
    if (!o.sqpoll) r.fail(a["idle"], p + ".idle", "`idle` is sq_thread_idle, the SQPOLL thread's: set `sqpoll: true`");
    o.ns = r.time(a["idle"], p + ".idle");
  }
  if (a["iowq_max"])
    o.iowq_max = std::uint32_t(r.count(a["iowq_max"], p + ".iowq_max", 1, kIowqMaxWorkersLimit));
  st = UringLoadState{};
  st.sq_entries = uring_sq_entries(o.entries);
}

// io_sqe_buffers_register: at most IORING_MAX_REG_BUFFERS (16384) buffers of at most
// 1 GiB each (io_buffer_validate).
void load_uring_register(const Reader& r, const YAML::Node& a, const std::string& p, Op& o, UringLoadState& st) {
  if (!st.sq_entries) r.fail(a, p, "uring_register needs a ring: put a `uring_setup` before it");
  o.buffers = std::uint32_t(r.count(a["buffers"], p + ".buffers", 1, 16384));
  if (o.bytes == 0 || o.bytes > (1ULL << 30))
    r.fail(a["bytes"], p + ".bytes", "a registered buffer is 1 byte to 1GiB (io_buffer_validate)");
  st.buffers = o.buffers;
  st.buffer_bytes = o.bytes;
}

void check_uring_ring(const Reader& r, const YAML::Node& a, const std::string& p, const UringLoadState& st) {
  if (!st.sq_entries) r.fail(a, p, "uring submits to the thread's ring: put a `uring_setup` before it");
}

void load_uring_sqe(const Reader& r, const YAML::Node& a, const std::string& p, Op& o, const UringLoadState& st) {
  if (a["link"]) o.link = r.boolean(a["link"], p + ".link");
  // io_recv retries by poll instead of returning -EAGAIN (kiosim models no MSG_DONTWAIT SQE).
  for (const char* k : {"nonblock", "until_eagain"})
    if (o.kind == OpKind::recv && a[k])
      r.fail(a[k], p + "." + k,
             fmt::format("a recv SQE does not return EAGAIN: io_uring arms a poll on the socket and completes it "
                         "when data comes (io_arm_poll_handler); drop `{}`",
                         k));
  if (!a["fixed"]) return;
  const std::string fp = p + ".fixed";
  if (o.kind != OpKind::read && o.kind != OpKind::pread && o.kind != OpKind::write && o.kind != OpKind::pwrite)
    r.fail(a["fixed"], fp, "a fixed buffer is for read and write SQEs (IORING_OP_READ_FIXED, WRITE_FIXED)");
  o.fixed = std::int32_t(r.count(a["fixed"], fp, 0, 16383));
  if (std::uint32_t(o.fixed) >= st.buffers)
    r.fail(a["fixed"], fp,
           st.buffers ? fmt::format("buffer {} is not registered: uring_register registered {} (indexes 0 to {}); "
                                    "io_uring would fail the SQE with EFAULT",
                                    o.fixed, st.buffers, st.buffers - 1)
                      : fmt::format("buffer {} is not registered: no uring_register before this ring's SQE; "
                                    "io_uring would fail it with EFAULT",
                                    o.fixed));
  if (o.bytes > st.buffer_bytes)
    r.fail(a["bytes"], p + ".bytes",
           fmt::format("{} bytes do not fit registered buffer {} ({} bytes): io_uring would fail it with EFAULT",
                       o.bytes, o.fixed, st.buffer_bytes));
}

void check_uring_submission(const Reader& r, const YAML::Node& a, const std::string& p, const Op& o,
                            const UringLoadState& st) {
  const YAML::Node d = a["do"];
  if (o.body.empty()) r.fail(d, p + ".do", "uring needs at least one SQE in `do`");
  if (o.body.size() > st.sq_entries)
    r.fail(d, p + ".do",
           fmt::format("{} SQEs in one submission, but the SQ ring has {} entries (uring_setup's entries rounded up "
                       "to a power of two): io_uring_get_sqe finds the ring full; submit in batches of at most {}",
                       o.body.size(), st.sq_entries, st.sq_entries));
  if (o.body.back().link) {
    const YAML::Node last = d[d.size() - 1];
    r.fail(last, fmt::format("{}.do[{}]", p, d.size() - 1),
           "`link: true` on the last SQE links it to nothing: a chain ends with an SQE without IOSQE_IO_LINK; "
           "drop `link` here");
  }
}

}  // namespace kiosim
