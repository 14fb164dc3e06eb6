#include "sim/kernel/block_device.h"

#include <algorithm>

namespace kiosim {

BlockDevice::BlockDevice(Accounting& acct, Interrupts& irq)
    : acct_(acct), irq_(irq), wake_(std::make_unique<WaitQueue>(acct.engine())) {}

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

void BlockDevice::submit(const DiskRequestPtr& r, bool at_head) {
  if (at_head) queue_.push_front(r);
  else queue_.push_back(r);
  wake_->notify_all();
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

void BlockDevice::actor() {
  for (;;) {
    while (queue_.empty()) wake_->wait();
    auto r = queue_.front();
    queue_.pop_front();
    std::uint64_t bytes = r->bytes ? r->bytes : r->pages.count * kPageSize;
    double t0 = acct_.now();
    if (r->write) hooks_.write_starting(*r);
    if (r->write) acct_.engine().disk_write(bytes);
    else acct_.engine().disk_read(bytes);
    Accounting::count(r->proc, &Counters::dma_copies, 1);
    Accounting::count(r->proc, &Counters::dma_bytes, bytes);
    Accounting::count(r->proc, &Counters::memory_bus_bytes, bytes);
    Accounting::count(r->proc, &Counters::disk_requests, 1);
    if (acct_.tracing()) trace_transfer(*r, bytes, t0);
    irq_.raise(Completion{false, r->proc, r->req, 0, [this, r] {
                            hooks_.completed(*r);
                            r->done = true;
                            r->waiters->notify_all();
                          }});
  }
}

}  // namespace kiosim
