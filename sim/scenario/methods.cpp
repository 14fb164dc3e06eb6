#include "sim/scenario/methods.h"

#include <algorithm>
#include <stdexcept>

namespace kiosim {

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"read_write", "mmap_write", "sendfile", "splice"};
  return names;
}

namespace {

Op op(OpKind k) {
  Op o;
  o.kind = k;
  return o;
}

// `per_call` bytes at a time: full calls in a repeat, then one shorter call.
void chunked(std::vector<Op>& out, std::uint64_t total, std::uint64_t per_call, const std::vector<Op>& body_template) {
  auto with_bytes = [&](std::uint64_t b) {
    std::vector<Op> ops = body_template;
    for (Op& o : ops) o.bytes = b;
    return ops;
  };
  std::uint64_t full = total / per_call, rest = total % per_call;
  if (full == 1) {
    for (Op& o : with_bytes(per_call)) out.push_back(o);
  } else if (full > 1) {
    Op r = op(OpKind::repeat);
    r.count = full;
    r.body = with_bytes(per_call);
    out.push_back(r);
  }
  if (rest)
    for (Op& o : with_bytes(rest)) out.push_back(o);
}

}  // namespace

Program method_program(const std::string& method, const TransferSpec& t, const Scenario& s, const Machine& m) {
  const FileSpec* f = s.file(t.file);
  if (!f) throw std::logic_error("kiosim: transfer of an unknown file");
  const std::uint64_t total = t.bytes ? t.bytes : f->size - t.offset;
  Program p;
  Op open = op(OpKind::open);
  open.file = t.file;
  open.as = "in";
  open.offset = t.offset;
  Op sock = op(OpKind::socket);
  sock.as = "sock";
  p.setup = {open, sock};

  if (method == "read_write") {
    Op rd = op(OpKind::read);
    rd.fd = "in";
    Op wr = op(OpKind::write);
    wr.fd = "sock";
    chunked(p.body, total, t.chunk, {rd, wr});
  } else if (method == "mmap_write") {
    Op mm = op(OpKind::mmap);
    mm.fd = "in";
    mm.as = "map";
    mm.offset = t.offset;
    mm.bytes = total;
    p.body.push_back(mm);
    Op wr = op(OpKind::write);
    wr.fd = "sock";
    wr.from = "map";
    chunked(p.body, total, t.chunk, {wr});
  } else if (method == "sendfile") {
    Op sf = op(OpKind::sendfile);
    sf.out = "sock";
    sf.in = "in";
    sf.bytes = total;
    p.body.push_back(sf);
  } else if (method == "splice") {
    Op pp = op(OpKind::pipe);
    pp.as = "pipe";
    p.setup.push_back(pp);
    // A splice into a pipe moves at most the pipe's capacity.
    // An unaligned start spans one more page per fill, so a full pipe holds a page less;
    // a chunk that fits anyway is not cut (it was, and underflowed: issue 17).
    const std::uint64_t capacity = std::uint64_t(m.pipe.slots) * kPageSize;
    std::uint64_t per_call = std::min<std::uint64_t>(t.chunk, capacity);
    if (t.offset % kPageSize && capacity > kPageSize) per_call = std::min(per_call, capacity - kPageSize);
    Op in = op(OpKind::splice);
    in.in = "in";
    in.out = "pipe";
    Op out = op(OpKind::splice);
    out.in = "pipe";
    out.out = "sock";
    chunked(p.body, total, per_call, {in, out});
  } else {
    throw std::logic_error("kiosim: unknown method " + method);
  }
  return p;
}

}  // namespace kiosim
