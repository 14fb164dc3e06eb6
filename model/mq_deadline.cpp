#include "model/mq_deadline.h"

#include <utility>

namespace kiosim {

void MqDeadline::index(Seq s) {
  const BlkRequest& rq = rqs_.at(s);
  const int d = dir(rq.range);
  sort_[d].insert({rq.range.file, rq.range.start, s});
  fifo_[d].insert({rq.fifo_time, s});
  ends_[d].insert({{rq.range.file, rq.range.end()}, s});
}

void MqDeadline::unindex(Seq s) {
  const BlkRequest& rq = rqs_.at(s);
  const int d = dir(rq.range);
  sort_[d].erase({rq.range.file, rq.range.start, s});
  fifo_[d].erase({rq.fifo_time, s});
  auto [lo, hi] = ends_[d].equal_range({rq.range.file, rq.range.end()});
  for (auto it = lo; it != hi; ++it)
    if (it->second == s) {
      ends_[d].erase(it);
      break;
    }
}

std::optional<MqDeadline::Seq> MqDeadline::ending_at(const BlkRange& like, std::uint64_t offset) const {
  auto [lo, hi] = ends_[dir(like)].equal_range({like.file, offset});
  for (auto it = lo; it != hi; ++it)
    if (rqs_.at(it->second).range.kind == like.kind) return it->second;
  return std::nullopt;
}

std::optional<MqDeadline::Seq> MqDeadline::starting_at(const BlkRange& like, std::uint64_t offset) const {
  const auto& sorted = sort_[dir(like)];
  for (auto it = sorted.lower_bound({like.file, offset, 0});
       it != sorted.end() && std::get<0>(*it) == like.file && std::get<1>(*it) == offset; ++it)
    if (rqs_.at(std::get<2>(*it)).range.kind == like.kind) return std::get<2>(*it);
  return std::nullopt;
}

unsigned MqDeadline::bio_merge(const BlkRange& bio, std::uint64_t id) {
  // elv_merge: a back merge through the hash of request ends first.
  if (auto s = ending_at(bio, bio.start)) {
    BlkRequest& rq = rqs_.at(*s);
    if (blk_try_merge(rq.range, bio, max_bytes_) == BlkMerge::back) {
      unindex(*s);
      blk_merge_bio(rq, bio, id, BlkMerge::back);
      unsigned merges = 1;
      // attempt_back_merge: the grown request may now meet the one after it.
      if (auto next = starting_at(rq.range, rq.range.end());
          next && blk_try_merge(rq.range, rqs_.at(*next).range, max_bytes_) == BlkMerge::back) {
        unindex(*next);
        blk_merge_requests(rq, std::move(rqs_.at(*next)));
        rqs_.erase(*next);
        ++merges;
      }
      index(*s);
      return merges;
    }
  }
  // dd_request_merge: a front merge through the sort tree.
  if (!p_.front_merges) return 0;
  auto s = starting_at(bio, bio.end());
  if (!s || blk_try_merge(rqs_.at(*s).range, bio, max_bytes_) != BlkMerge::front) return 0;
  unindex(*s);
  blk_merge_bio(rqs_.at(*s), bio, id, BlkMerge::front);
  unsigned merges = 1;
  // attempt_front_merge: the request before it may now end where it starts.
  const BlkRange grown = rqs_.at(*s).range;
  if (auto prev = ending_at(grown, grown.start);
      prev && blk_try_merge(rqs_.at(*prev).range, grown, max_bytes_) == BlkMerge::back) {
    unindex(*prev);
    blk_merge_requests(rqs_.at(*prev), std::move(rqs_.at(*s)));
    rqs_.erase(*s);
    index(*prev);
    return merges + 1;
  }
  index(*s);
  return merges;
}

unsigned MqDeadline::insert(BlkRequest rq, double now_ns, bool at_head) {
  if (at_head) {
    dispatch_.push_front(std::move(rq));
    return 0;
  }
  rq.fifo_time = now_ns + (rq.range.write ? p_.write_expire_ns : p_.read_expire_ns);
  // elv_attempt_insert_merge: behind a queued request that ends where this one starts,
  // and again while the merged one finds another before it.
  unsigned merges = 0;
  std::optional<Seq> cur;
  for (;;) {
    const BlkRange& r = cur ? rqs_.at(*cur).range : rq.range;
    auto prev = ending_at(r, r.start);
    if (!prev || blk_try_merge(rqs_.at(*prev).range, r, max_bytes_) != BlkMerge::back) break;
    unindex(*prev);
    if (cur) {
      unindex(*cur);
      blk_merge_requests(rqs_.at(*prev), std::move(rqs_.at(*cur)));
      rqs_.erase(*cur);
    } else {
      blk_merge_requests(rqs_.at(*prev), std::move(rq));
    }
    index(*prev);
    cur = prev;
    ++merges;
  }
  if (merges) return merges;
  const Seq s = next_seq_++;
  rqs_.emplace(s, std::move(rq));
  index(s);
  return 0;
}

std::optional<MqDeadline::Seq> MqDeadline::next_from(int d) const {
  auto it = sort_[d].lower_bound({latest_pos_[d].first, latest_pos_[d].second, 0});
  if (it == sort_[d].end()) return std::nullopt;
  return std::get<2>(*it);
}

std::optional<MqDeadline::Seq> MqDeadline::fifo_head(int d) const {
  if (fifo_[d].empty()) return std::nullopt;
  return fifo_[d].begin()->second;
}

BlkRequest MqDeadline::take(Seq s, int d) {
  unindex(s);
  BlkRequest rq = std::move(rqs_.at(s));
  rqs_.erase(s);
  latest_pos_[d] = {rq.range.file, rq.range.start};
  return rq;
}

std::optional<BlkRequest> MqDeadline::dispatch(double now_ns) {
  if (!dispatch_.empty()) {
    BlkRequest rq = std::move(dispatch_.front());
    dispatch_.pop_front();
    latest_pos_[dir(rq.range)] = {rq.range.file, rq.range.start};
    return rq;
  }
  // A batch goes on in position order while it may.
  if (auto s = next_from(last_dir_); s && batching_ < p_.fifo_batch) {
    ++batching_;
    return take(*s, last_dir_);
  }
  // A new batch: reads, unless writes have waited writes_starved read batches.
  int d;
  if (!fifo_[0].empty()) {
    d = !fifo_[1].empty() && starved_++ >= p_.writes_starved ? 1 : 0;
  } else if (!fifo_[1].empty()) {
    d = 1;
  } else {
    return std::nullopt;
  }
  if (d == 1) starved_ = 0;
  auto next = next_from(d);
  const Seq head = *fifo_head(d);
  const Seq pick = !next || rqs_.at(head).fifo_time <= now_ns ? head : *next;
  last_dir_ = d;
  batching_ = 1;
  return take(pick, d);
}

}  // namespace kiosim
