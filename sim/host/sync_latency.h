// How long one sync takes on the temp dir's file system, measured apart from any
// scenario, for kiosim check's sync cells (fsync-logger): a 4 KiB append then fsync
// (ext4_sync_file: the data, then a journal commit for the new size and blocks), the
// same with fdatasync (the size changed: a commit too, jbd2_complete_transaction), and
// a 4 KiB overwrite of an allocated block then fdatasync (no metadata to commit: the
// data write and a cache flush, blkdev_issue_flush). With the temp dir's journal
// (/proc/fs/jbd2/<dev>/info) before and after: its commits and average commit time.
// In a PrivateDir of its own, removed before it returns.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/proc_texts.h"

namespace kiosim::host {

struct SyncLatency {
  std::string fs;  // the temp dir's file system type
  std::vector<double> fsync_append, fdatasync_append, fdatasync_overwrite;  // ns, one per try
  std::optional<Jbd2Info> jbd2_before, jbd2_after;
  std::string why_not;  // one line: why nothing was measured ("" when it was)
  // Pure: medians, smallest and largest of each kind, and the journal's commits during the probe.
  nlohmann::ordered_json to_json() const;
  std::string line() const;  // "SYNC ext4: fsync after a 4 KiB append median 1.20 ms (0.90-2.10 ms, 8 tries) | ..."
};

// `tries` of each kind (at least 1, at most 256).
SyncLatency measure_sync_latency(unsigned tries);

}  // namespace kiosim::host
