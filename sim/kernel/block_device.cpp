#include "sim/kernel/block_device.h"

#include <algorithm>

namespace kiosim {

BlockDevice::BlockDevice(Accounting& acct, Interrupts& irq) : acct_(acct), irq_(irq) {
  const DiskCosts& d = acct.machine().disk;
  hw_queues_ = std::max<std::uint32_t>(1, d.hw_queues);
  // mq-deadline keeps one queue for the device (QUEUE_FLAG_SQ_SCHED); `none` one per hctx.
  const std::uint32_t n = d.scheduler == IoSchedulerKind::none ? hw_queues_ : 1;
  for (std::uint32_t i = 0; i < n; ++i) {
    scheds_.push_back(make_io_scheduler(d.scheduler, d.max_request_bytes));
    wakes_.push_back(std::make_unique<WaitQueue>(acct.engine()));
  }
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

BlkRange BlockDevice::range_of(const DiskRequest& r, PageRange pages, std::uint64_t bytes) const {
  const std::uint8_t kind = r.journal ? 3 : r.direct ? 2 : r.readahead ? 1 : 0;
  return BlkRange{r.file, pages.start * kPageSize, bytes, r.write, kind};
}

std::uint64_t BlockDevice::new_bio(const DiskRequestPtr& r) {
  const std::uint64_t id = next_bio_++;
  bios_.emplace(id, r);
  ++r->parts_left;
  return id;
}

void BlockDevice::count_merges(const DiskRequest& r, unsigned n) {
  Accounting::count(r.proc, r.write ? &Counters::disk_writes_merged : &Counters::disk_reads_merged, n);
}

void BlockDevice::insert(BlkRequest rq, bool at_head) {
  const DiskRequest& first = *bios_.at(rq.bios.front());
  const std::size_t s = slot(first.core);
  if (unsigned n = scheds_[s]->insert(std::move(rq), acct_.now(), at_head)) count_merges(first, n);
  wakes_[s]->notify_all();
}

// blk_mq_submit_bio after the split: blk_mq_attempt_bio_merge (the plug's last request,
// then the scheduler's), else a new request: into the plug (blk_add_rq_to_plug, which
// may flush it) or, without one, to the scheduler.
void BlockDevice::submit_bio(const DiskRequestPtr& r, const BlkRange& piece, std::uint64_t id, BlkPlug* plug,
                             bool at_head) {
  if (plug && plug->try_merge(piece, id)) return count_merges(*r, 1);
  if (!at_head)
    if (unsigned n = scheds_[slot(r->core)]->bio_merge(piece, id)) return count_merges(*r, n);
  BlkRequest rq{piece, {id}};
  if (!plug) return insert(std::move(rq), at_head);
  for (auto& flushed : plug->add(std::move(rq))) insert(std::move(flushed), false);
}

// submit_bio of the whole request as one bio; a bio over max_sectors_kb is cut into
// pieces (bio_split), each a request unless it merges; the whole completes with its
// last piece.
void BlockDevice::submit(const DiskRequestPtr& r, bool at_head) { submit_whole(r, nullptr, at_head); }

void BlockDevice::submit_whole(const DiskRequestPtr& r, BlkPlug* plug, bool at_head) {
  const std::uint64_t bytes = r->bytes ? r->bytes : r->pages.count * kPageSize;
  auto pieces = blk_split(range_of(*r, r->pages, bytes), acct_.machine().disk.max_request_bytes);
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < pieces.size(); ++i) ids.push_back(new_bio(r));
  if (at_head) {  // each goes to the head: the last first keeps them in order
    for (std::size_t i = pieces.size(); i-- > 0;) submit_bio(r, pieces[i], ids[i], nullptr, true);
    return;
  }
  for (std::size_t i = 0; i < pieces.size(); ++i) submit_bio(r, pieces[i], ids[i], plug, false);
}

static std::uint64_t plug_limit(const Machine& m, bool writes) {
  const std::uint64_t max = m.disk.max_request_bytes;
  if (!writes) return max;
  const std::uint64_t chunk = std::max<std::uint64_t>(kPageSize, m.writeback_chunk_bytes / kPageSize * kPageSize);
  return max == 0 ? chunk : std::min(max, chunk);
}

// blk_start_plug_nr_ios: a thread holds one plug. A start while its owner holds one
// does nothing (`if (tsk->plug) return`): the bios go to the outer plug, and its finish
// flushes nothing (blk_finish_plug: `if (plug == current->plug)`). Its nr_ios only sizes
// the request cache: no rule here.
BlockDevice::Plug::Plug(BlockDevice& d, bool writes, Thread* owner)
    : d_(d), plug_(plug_limit(d.acct_.machine(), writes)), owner_(owner) {
  if (!owner_) return;
  if (owner_->plug) {
    outer_ = static_cast<Plug*>(owner_->plug);  // every HeldPlug is a Plug
    return;
  }
  owner_->plug = this;
}

BlockDevice::Plug::~Plug() {
  finish();
  if (owner_ && !outer_) owner_->plug = nullptr;
}

void BlockDevice::Plug::submit(const DiskRequestPtr& r) { d_.submit_whole(r, &active().plug_, false); }

void BlockDevice::Plug::add(const DiskRequestPtr& r, PageRange bio) {
  const BlkRange range = d_.range_of(*r, bio, bio.count * kPageSize);
  for (const BlkRange& piece : blk_split(range, d_.acct_.machine().disk.max_request_bytes))
    d_.submit_bio(r, piece, d_.new_bio(r), &active().plug_, false);
}

void BlockDevice::Plug::finish() {
  if (outer_) return;
  for (auto& rq : plug_.finish()) d_.insert(std::move(rq), false);
}

std::vector<DiskRequestPtr> BlockDevice::submit_page_writes(std::vector<PageKey> pages, Process* p,
                                                           std::uint64_t req_id, bool counted) {
  std::sort(pages.begin(), pages.end(), [](PageKey a, PageKey b) {
    return a.file != b.file ? a.file < b.file : a.index < b.index;
  });
  const std::uint64_t chunk = std::max<std::uint64_t>(1, acct_.machine().writeback_chunk_bytes / kPageSize);
  std::vector<DiskRequestPtr> out;
  Plug plug(*this, true);  // wb_writeback's blk_start_plug: one bio per page, merged in the plug
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
    for (std::uint64_t pg = r->pages.start; pg < r->pages.end(); ++pg) plug.add(r, {pg, 1});
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

void BlockDevice::trace_transfer(const DiskRequest& r, const BlkRange& range, double t0) {
  TraceEvent e = acct_.device_event(lane_, r.write && !r.direct ? EventKind::writeback : EventKind::dma_copy, t0);
  Place mem = r.direct ? Place::user_buffer : Place::page_cache;
  e.from = r.write ? mem : Place::disk;
  e.to = r.write ? Place::disk : mem;
  e.bytes = range.bytes;
  const std::uint64_t first = range.start / kPageSize;
  e.pages = (range.end() + kPageSize - 1) / kPageSize - first;
  e.req = r.req;
  e.file = r.file;
  e.page = std::int64_t(first);
  if (r.readahead) e.name = "readahead";
  if (r.direct) e.name = "O_DIRECT";
  if (r.journal) e.name = schema::note::journal_blocks;
  acct_.trace_device(e);
}

void BlockDevice::complete_bio(std::uint64_t id) {
  auto it = bios_.find(id);
  DiskRequestPtr r = it->second;
  bios_.erase(it);
  if (--r->parts_left > 0) return;
  hooks_.completed(*r);
  r->done = true;
  r->waiters->notify_all();
}

void BlockDevice::actor(std::uint32_t hctx) {
  IoScheduler& sched = *scheds_.at(slot(hctx));
  WaitQueue& wake = *wakes_.at(slot(hctx));
  for (;;) {
    std::optional<BlkRequest> rq;
    while (!(rq = sched.dispatch(acct_.now()))) wake.wait();
    const DiskRequestPtr first = bios_.at(rq->bios.front());
    const std::uint64_t bytes = rq->range.bytes;
    const double t0 = acct_.now();
    if (rq->range.write)
      for (std::uint64_t id : rq->bios) {
        DiskRequest& whole = *bios_.at(id);
        if (whole.started) continue;
        whole.started = true;
        hooks_.write_starting(whole);
      }
    if (rq->range.write) acct_.engine().disk_write(bytes);
    else acct_.engine().disk_read(bytes);
    // A request of several callers' bios is charged to its first.
    Accounting::count(first->proc, &Counters::dma_copies, 1);
    Accounting::count(first->proc, &Counters::dma_bytes, bytes);
    Accounting::count(first->proc, &Counters::memory_bus_bytes, bytes);
    Accounting::count(first->proc, &Counters::disk_requests, 1);
    if (acct_.tracing()) trace_transfer(*first, rq->range, t0);
    irq_.raise(Completion{false, first->proc, first->req, 0, [this, ids = std::move(rq->bios)] {
                            for (std::uint64_t id : ids) complete_bio(id);
                          }});
  }
}

}  // namespace kiosim
