#include "model/journal.h"

#include <algorithm>

namespace kiosim {

std::string_view to_string(JournalMode m) {
  switch (m) {
    case JournalMode::ordered: return "ordered";
    case JournalMode::journal: return "journal";
    case JournalMode::writeback: return "writeback";
  }
  return "?";
}

std::optional<JournalMode> parse_journal_mode(std::string_view s) {
  if (s == "ordered") return JournalMode::ordered;
  if (s == "journal") return JournalMode::journal;
  if (s == "writeback") return JournalMode::writeback;
  return std::nullopt;
}

std::string_view to_string(CommitPhase p) {
  switch (p) {
    case CommitPhase::none: return "none";
    case CommitPhase::writing: return "ordered data and journal blocks";
    case CommitPhase::preflush: return "cache flush before the commit record (REQ_PREFLUSH)";
    case CommitPhase::commit_record: return "commit record (REQ_FUA)";
  }
  return "?";
}

namespace {
// ext4_jbd2_inode_add_write: the jinode's dirty range grows to cover [start, end).
void add_range(std::map<FileId, DirtyRange>& m, FileId f, std::uint64_t start, std::uint64_t end) {
  auto [it, fresh] = m.try_emplace(f, DirtyRange{f, start, end});
  if (fresh) return;
  it->second.start = std::min(it->second.start, start);
  it->second.end = std::max(it->second.end, end);
}
}  // namespace

std::string_view to_string(Fate f) {
  switch (f) {
    case Fate::survives: return "survives";
    case Fate::lost: return "lost";
    case Fate::garbage: return "garbage";
  }
  return "?";
}

WriteSeq Journal::note_write(FileId file, std::uint64_t offset, std::uint64_t bytes, std::uint64_t size_before,
                             bool direct) {
  initial_size_.emplace(file, size_before);
  Transaction& t = txns_[open_transaction()];
  WriteRecord w;
  w.seq = ++seq_;
  w.file = file;
  w.offset = offset;
  w.bytes = bytes;
  w.size_after = std::max(size_before, offset + bytes);
  w.extends = offset + bytes > size_before;
  w.direct = direct;
  w.tid = running_;
  const bool delayed = w.extends && p_.delalloc && !direct && p_.mode != JournalMode::journal;
  w.size_tid = delayed ? 0 : running_;
  writes_.push_back(w);
  t.writes.push_back(w.seq);
  t.inodes.insert(file);
  t.allocates |= w.extends && !delayed;
  if (delayed) delayed_[file].push_back(w.seq);
  if (!direct) {
    // Ordered data: blocks allocated in this transaction (all of them without delalloc).
    if (p_.mode == JournalMode::ordered && (!p_.delalloc || w.extends) && !delayed)
      add_range(t.ordered, file, offset, offset + bytes);
    if (p_.mode == JournalMode::journal)
      for (std::uint64_t pg = first_page(offset); pg < first_page(offset) + pages_spanned(offset, bytes); ++pg)
        if (t.data_seen.insert({file, pg}).second) t.data_pages.push_back({file, pg});
  }
  sync_tid_[file] = running_;
  if (w.extends && !delayed) datasync_tid_[file] = running_;  // mtime alone does not matter to fdatasync
  return w.seq;
}

Tid Journal::open_transaction() {
  if (running_ == 0) {
    running_ = ++last_tid_;
    txns_[running_];
  }
  return running_;
}

bool Journal::allocate(FileId file) {
  auto it = delayed_.find(file);
  if (it == delayed_.end() || it->second.empty()) return false;
  Transaction& t = txns_[open_transaction()];
  for (WriteSeq s : it->second) {
    WriteRecord& w = writes_[s - 1];
    w.size_tid = running_;
    if (p_.mode == JournalMode::ordered) add_range(t.ordered, file, w.offset, w.offset + w.bytes);
  }
  t.inodes.insert(file);
  t.allocates = true;
  sync_tid_[file] = running_;
  datasync_tid_[file] = running_;
  delayed_.erase(it);
  return true;
}

std::uint64_t Journal::running_writes() const {
  auto it = txns_.find(running_);
  return it == txns_.end() ? 0 : it->second.writes.size();
}

Tid Journal::needs_commit(FileId file, bool datasync) const {
  const auto& m = datasync ? datasync_tid_ : sync_tid_;
  auto it = m.find(file);
  if (it == m.end() || committed(it->second)) return 0;
  return it->second;
}

CommitPlan Journal::start_commit() {
  CommitPlan plan;
  if (!commit_due()) return plan;
  committing_ = running_;
  running_ = 0;
  phase_ = CommitPhase::writing;
  const Transaction& t = txns_[committing_];
  plan.tid = committing_;
  plan.metadata_blocks = t.inodes.size() + (t.allocates ? 2 : 0);
  plan.data_blocks = t.data_pages.size();
  const std::uint64_t tagged = plan.metadata_blocks + plan.data_blocks;
  plan.descriptor_blocks = (tagged + p_.tags_per_descriptor - 1) / p_.tags_per_descriptor;
  for (const auto& [f, r] : t.ordered) {
    plan.ordered_files.push_back(f);
    plan.ordered_ranges.push_back(r);
  }
  plan.data_pages = t.data_pages;
  plan.writes = t.writes;
  return plan;
}

void Journal::finish_commit() {
  if (committing_ == 0) return;
  committed_ = committing_;
  txns_.erase(committing_);
  committing_ = 0;
  phase_ = CommitPhase::none;
}

void Journal::data_written(PageKey page, WriteSeq upto) { volatile_.push_back({++gen_, page, upto}); }

void Journal::flush_end(std::uint64_t ticket) {
  auto keep = std::stable_partition(volatile_.begin(), volatile_.end(),
                                    [ticket](const Written& w) { return w.gen > ticket; });
  for (auto it = keep; it != volatile_.end(); ++it) {
    WriteSeq& s = stable_[{it->page.file, it->page.index}];
    s = std::max(s, it->upto);
  }
  volatile_.erase(keep, volatile_.end());
}

WriteSeq Journal::stable_upto(PageKey page) const {
  auto it = stable_.find({page.file, page.index});
  return it == stable_.end() ? 0 : it->second;
}

CrashReport Journal::crash() const {
  CrashReport r;
  r.last_committed = committed_;
  r.committing = committing_;
  r.phase = phase_;
  r.running_writes = running_writes();
  // Recovery replays the committed transactions: sizes as their last write left them.
  std::map<FileId, std::uint64_t> recovered(initial_size_.begin(), initial_size_.end());
  std::map<FileId, std::uint64_t> in_memory(initial_size_.begin(), initial_size_.end());
  for (const WriteRecord& w : writes_) {
    in_memory[w.file] = std::max(in_memory[w.file], w.size_after);
    if (w.size_tid && committed(w.size_tid)) recovered[w.file] = std::max(recovered[w.file], w.size_after);
  }
  std::map<FileId, FileCrash> files;
  for (const auto& [f, size] : in_memory) {
    FileCrash& fc = files[f];
    fc.file = f;
    fc.size_in_memory = size;
    fc.size_recovered = recovered[f];
  }
  for (const WriteRecord& w : writes_) {
    WriteCrash c;
    c.write = w;
    c.metadata_committed = committed(w.tid);
    if (p_.mode == JournalMode::journal && !w.direct && c.metadata_committed) {
      c.data_on_disk = true;  // replayed from the journal
    } else {
      c.data_on_disk = w.bytes > 0;
      for (std::uint64_t pg = first_page(w.offset); pg < first_page(w.offset) + pages_spanned(w.offset, w.bytes); ++pg)
        if (stable_upto({w.file, pg}) < w.seq) c.data_on_disk = false;
    }
    FileCrash& fc = files[w.file];
    if (c.data_on_disk && w.offset + w.bytes <= fc.size_recovered) c.fate = Fate::survives;
    else if (!c.data_on_disk && w.extends && w.size_tid && committed(w.size_tid)) c.fate = Fate::garbage;
    else c.fate = Fate::lost;
    if (c.fate == Fate::survives) ++fc.survived;
    else if (c.fate == Fate::garbage) ++fc.garbage;
    else ++fc.lost;
    r.writes.push_back(c);
  }
  for (auto& [f, fc] : files) {
    fc.consistent = fc.garbage == 0;
    r.files.push_back(fc);
  }
  return r;
}

}  // namespace kiosim
