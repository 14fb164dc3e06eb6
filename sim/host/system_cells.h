// kiosim check's cells from the host-wide counters around a process's timed body
// (sim/host/system_counters.h) and from the time its file writes and syncs took
// (Sample::write_ns, sync_ns), each beside the simulated process's counter it checks:
//  - pages_dirtied (cache states): Δ/proc/vmstat nr_dirtied (folio_account_dirtied
//    counts a page each time it turns from clean to dirty) against the pages the
//    simulated process's write()s cover, payload_bytes / 4 KiB. Only for a process
//    that dirties pages by write() alone (no mapping, no socket): a store through a
//    shared mapping dirties pages that no write() counts, and a send is no write to a file.
//  - writeback_pages (I/Os): Δnr_written (folio_end_writeback) against the process's
//    writeback_pages. Both count pages put under writeback; the host counts those
//    whose writeback ended during the body, the simulator those submitted.
//  - write_blocked_ns (times): the time the process's buffered file write()s spent
//    off the CPU, write_ns - cpu_ns, against dirty_throttle_ns + reclaim_throttle_ns
//    (balance_dirty_pages' pauses and reclaim_throttle's sleeps). Only for a process
//    whose system calls are open, close, write, pwrite, fsync and fdatasync: its
//    CPU time is then its calls' (a sleep takes none), nearly all the writes'.
//  - fsync_wait_ns (times): time in fsync and fdatasync calls and in write()s to
//    O_DSYNC or O_SYNC files, summed over the threads, against fsync_wait_ns; for a
//    process that syncs.
//  - journal_commits (I/Os): Δtransactions of the temp dir's journal
//    (/proc/fs/jbd2/<dev>/info) against journal_commits, for a process that syncs.
//  - tlb_shootdowns (interrupts): Δ of the TLB line of /proc/interrupts, summed over
//    the CPUs (shootdown IPIs received), against tlb_shootdowns (IPIs sent); for a
//    process that munmaps or whose simulated run sent shootdowns.
// The host's figures are anyone's: another process's dirtying, writeback, commits or
// IPIs during the body count too (the repeats' spread shows it). A cell whose source
// cannot be read is left out with one line saying why. Pure: no I/O.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/check_cells.h"
#include "sim/host/runner.h"

namespace kiosim::host {

struct SystemCells {
  std::vector<Cell> cells;
  std::vector<std::string> skipped;  // one line per cell that applied but could not be measured
  nlohmann::ordered_json host;       // medians of what the host said: Dirty, Writeback, jbd2 commit time
};

// `counters`: the simulated process's (syscalls_by_name, payload_bytes, writeback_pages, ...).
SystemCells system_cells(const nlohmann::ordered_json& counters, const std::vector<Sample>& samples);

// Lines for check's table: "host   NAME | pages dirtied pred 32768 meas 32790 | ...", and
// a SKIP line per cell that could not be measured; "" when no cell applies.
std::string system_cells_lines(const std::string& process, const SystemCells& c);

}  // namespace kiosim::host
