#include "gui/journal_state.h"

#include <QRegularExpression>
#include <algorithm>

namespace kiosim::gui {

namespace {
bool isJournalBlocks(const Event& e, const RunTrace& run) {
  return e.kind == Kind::writeback && run.nameOf(e) == QLatin1String(schema::note::journal_blocks.data());
}

// "commit of transaction 3: 2 writes, ..." (sim/kernel/jbd2.cpp trace_commit).
std::int64_t namedWrites(const QString& name) {
  static const QRegularExpression re(QStringLiteral(":\\s*(\\d+) writes"));
  const auto m = re.match(name);
  return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

// A caller sleeps until the first commit that ends while it sleeps (it wakes just
// after: the record's interrupt, then the wake-up).
bool wokenBy(const FsyncWaiter& w, const Transaction& c) { return w.commit == 0 && c.end >= w.start && c.end <= w.end; }

void wake(std::vector<FsyncWaiter>& asleep, const Transaction& c) {
  for (FsyncWaiter& w : asleep)
    if (wokenBy(w, c)) w.commit = c.number;
}
}  // namespace

CommitStep Transaction::step() const {
  if (journalWrites == 0) return orderedSubmitted > orderedWritten ? CommitStep::ordered_data : CommitStep::journal_blocks;
  if (!flushed) return CommitStep::flush;
  return CommitStep::commit_record;
}

void JournalState::finishCommit() {
  if (!committing_) return;
  committed_.push_back(std::move(*committing_));
  committing_.reset();
  while (committed_.size() > kCommittedKept) committed_.pop_front();
}

void JournalState::advanceTo(std::int64_t t) {
  now_ = std::max(now_, t);
  if (committing_ && committing_->end <= now_) finishCommit();
  const auto before = asleep_.size();
  asleep_.erase(std::remove_if(asleep_.begin(), asleep_.end(), [&](const FsyncWaiter& w) { return w.end <= now_; }),
                asleep_.end());
  woken_ += before - asleep_.size();
}

void JournalState::apply(const Event& e, std::size_t, const RunTrace& run) {
  ++applied_;
  if (e.observed) return;  // the kernel's own events (kernel_lanes.h)
  advanceTo(e.t);
  if (e.t != pendingAt_) {
    pending_.clear();
    pendingAt_ = e.t;
  }
  // The disk events of a commit: to the commit in progress, or (recorded at its very
  // start, before the commit's own event) kept for it.
  auto stepOf = [&](std::uint64_t req) -> Pending* {
    if (req == 0) return nullptr;
    if (committing_ && committing_->req == req) return nullptr;
    return &pending_[req];
  };
  const bool mine = committing_ && e.req != 0 && committing_->req == e.req;
  switch (e.kind) {
    case Kind::cache_insert:
      // A write()'s buffers join the running transaction (on the writer's lane, with its bytes).
      if (e.bytes > 0 && e.lane < run.lanes.size() && run.lanes[e.lane].kind == LaneKind::user)
        running_.push_back({e.lane, e.file, e.page, e.bytes});
      return;
    case Kind::journal_commit: {
      finishCommit();  // one commit at a time: the one before has ended
      Transaction c;
      c.number = static_cast<int>(++commits_);
      c.writes = std::move(running_);
      running_.clear();
      c.start = e.t;
      c.end = e.end();
      c.req = e.req;
      c.bytes = e.bytes;
      c.blocks = e.pages;
      c.namedWrites = namedWrites(run.nameOf(e));
      if (c.namedWrites >= 0 && c.namedWrites != static_cast<std::int64_t>(c.writes.size())) ++mismatches_;
      if (const auto it = pending_.find(e.req); it != pending_.end()) {
        c.orderedSubmitted = it->second.orderedSubmitted;
        c.orderedWritten = it->second.orderedWritten;
        c.journalWrites = it->second.journalWrites;
        pending_.erase(it);
      }
      journalBytes_ += e.bytes;
      wake(asleep_, c);
      committing_ = std::move(c);
      if (committing_->end <= now_ && committing_->end > committing_->start) finishCommit();
      return;
    }
    case Kind::writeback_start:
      if (mine) committing_->orderedSubmitted += e.pages;
      else if (Pending* p = stepOf(e.req)) p->orderedSubmitted += e.pages;
      return;
    case Kind::writeback:
      if (isJournalBlocks(e, run)) {
        if (mine) ++committing_->journalWrites;
        else if (Pending* p = stepOf(e.req)) ++p->journalWrites;
      } else if (mine) committing_->orderedWritten += e.pages;
      else if (Pending* p = stepOf(e.req)) p->orderedWritten += e.pages;
      return;
    case Kind::device_flush:
      // The commit record's REQ_PREFLUSH: the flush inside the commit, after its blocks.
      if (committing_ && e.t >= committing_->start && e.t < committing_->end && committing_->journalWrites >= 1)
        committing_->flushed = true;
      return;
    case Kind::block:
      if (run.nameOf(e) == fsyncWaitNote() && e.dur > 0) {
        FsyncWaiter w{e.lane, e.t, e.end(), 0};
        if (committing_ && wokenBy(w, *committing_)) w.commit = committing_->number;
        asleep_.push_back(w);
      }
      return;
    default: return;
  }
}

}  // namespace kiosim::gui
