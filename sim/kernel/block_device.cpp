#include "sim/kernel/block_device.h"

#include <algorithm>

namespace kiosim {

BlockDevice::BlockDevice(Accounting& acct, Interrupts& irq) : acct_(acct), irq_(irq) {
  const std::uint32_t n = std::max<std::uint32_t>(1, acct.machine().disk.hw_queues);
  queues_.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) wakes_.push_back(std::make_unique<WaitQueue>(acct.engine()));
}

DiskRequestPtr BlockDevice::request(FileId file, PageRange pages, bool write, std::uint64_t req, Process* proc) {
  auto r = std::make_shared<DiskRequest>();
  r->file = file;
  r->pages = pages;
  r->write = write;
  r->req = req;
  r->proc = proc;
  r->waiters = std::make_unique<WaitQueue>(acct_.engine());
  return r;
}

void BlockDevice::enqueue(const DiskRequestPtr& r, bool at_head) {
  const std::uint32_t h = r->core % hw_queues();
  if (at_head) queues_[h].push_front(r);
  else queues_[h].push_back(r);
  wakes_[h]->notify_all();
}

// blk_mq_submit_bio: a request over max_sectors_kb is cut into parts of at most that
// size (__bio_split_to_limits, bio_split), each a request of its own; the whole one
// completes with its last part.
void BlockDevice::submit(const DiskRequestPtr& r, bool at_head) {
  const std::uint64_t max = acct_.machine().disk.max_request_bytes;
  const std::uint64_t bytes = r->bytes ? r->bytes : r->pages.count * kPageSize;
  if (max == 0 || bytes <= max) return enqueue(r, at_head);
  std::vector<DiskRequestPtr> parts;
  for (std::uint64_t off = 0; off < bytes; off += max) {
    auto p = std::make_shared<DiskRequest>();
    p->file = r->file;
    p->write = r->write;
    p->readahead = r->readahead;
    p->direct = r->direct;
    p->journal = r->journal;
    p->req = r->req;
    p->proc = r->proc;
    p->core = r->core;
    p->bytes = std::min(max, bytes - off);
    const std::uint64_t first = r->pages.start + off / kPageSize;
    const std::uint64_t last = r->pages.start + (off + p->bytes + kPageSize - 1) / kPageSize;
    p->pages = {first, std::min(last, r->pages.start + r->pages.count) - first};
    p->parent = r;
    parts.push_back(p);
  }
  r->parts_left = parts.size();
  if (at_head) std::reverse(parts.begin(), parts.end());  // each pushed to the head: kept in order
  for (auto& p : parts) enqueue(p, at_head);
}

std::vector<DiskRequestPtr> BlockDevice::submit_page_writes(std::vector<PageKey> pages, Process* p,
                                                           std::uint64_t req_id, bool counted) {
  std::sort(pages.begin(), pages.end(), [](PageKey a, PageKey b) {
    return a.file != b.file ? a.file < b.file : a.index < b.index;
  });
  const std::uint64_t chunk = std::max<std::uint64_t>(1, acct_.machine().writeback_chunk_bytes / kPageSize);
  std::vector<DiskRequestPtr> out;
  for (std::size_t i = 0; i < pages.size();) {
    std::size_t j = i + 1;
    while (j < pages.size() && j - i < chunk && pages[j].file == pages[i].file &&
           pages[j].index == pages[j - 1].index + 1)
      ++j;
    auto r = request(pages[i].file, {pages[i].index, std::uint64_t(j - i)}, true, req_id, p);
    if (counted && acct_.tracing()) {
      TraceEvent e = acct_.device_event(lane_, EventKind::writeback_start, acct_.now(), 0);
      e.from = Place::page_cache;
      e.to = Place::disk;
      e.pages = r->pages.count;
      e.req = req_id;
      e.file = r->file;
      e.page = std::int64_t(r->pages.start);
      acct_.trace_device(e);
    }
    submit(r);
    out.push_back(r);
    i = j;
  }
  return out;
}

void BlockDevice::wait(Thread& t, const DiskRequestPtr& r, const char* why) {
  acct_.block(t, TimeCat::disk, *r->waiters, [&] { return r->done; }, why);
}

void BlockDevice::wait_kernel(const DiskRequestPtr& r) {
  while (!r->done) r->waiters->wait();
}

void BlockDevice::trace_transfer(const DiskRequest& r, std::uint64_t bytes, double t0) {
  TraceEvent e = acct_.device_event(lane_, r.write && !r.direct ? EventKind::writeback : EventKind::dma_copy, t0);
  Place mem = r.direct ? Place::user_buffer : Place::page_cache;
  e.from = r.write ? mem : Place::disk;
  e.to = r.write ? Place::disk : mem;
  e.bytes = bytes;
  e.pages = r.pages.count;
  e.req = r.req;
  e.file = r.file;
  e.page = std::int64_t(r.pages.start);
  if (r.readahead) e.name = "readahead";
  if (r.direct) e.name = "O_DIRECT";
  if (r.journal) e.name = schema::note::journal_blocks;
  acct_.trace_device(e);
}

void BlockDevice::complete(const DiskRequestPtr& part) {
  DiskRequestPtr r = part;
  if (part->parent) {
    part->done = true;
    r = part->parent;
    if (--r->parts_left > 0) return;
  }
  hooks_.completed(*r);
  r->done = true;
  r->waiters->notify_all();
}

void BlockDevice::actor(std::uint32_t hctx) {
  auto& queue = queues_.at(hctx);
  for (;;) {
    while (queue.empty()) wakes_[hctx]->wait();
    auto r = queue.front();
    queue.pop_front();
    std::uint64_t bytes = r->bytes ? r->bytes : r->pages.count * kPageSize;
    double t0 = acct_.now();
    DiskRequest& whole = r->parent ? *r->parent : *r;
    if (r->write && !whole.started) {
      whole.started = true;
      hooks_.write_starting(whole);
    }
    if (r->write) acct_.engine().disk_write(bytes);
    else acct_.engine().disk_read(bytes);
    Accounting::count(r->proc, &Counters::dma_copies, 1);
    Accounting::count(r->proc, &Counters::dma_bytes, bytes);
    Accounting::count(r->proc, &Counters::memory_bus_bytes, bytes);
    Accounting::count(r->proc, &Counters::disk_requests, 1);
    if (acct_.tracing()) trace_transfer(*r, bytes, t0);
    irq_.raise(Completion{false, r->proc, r->req, 0, [this, r] { complete(r); }});
  }
}

}  // namespace kiosim
