// The host-wide counters real mode reads just before and just after a process's timed
// body, for kiosim check's dirty, journal and TLB cells (sim/host/system_cells.h):
//  - /proc/meminfo Dirty and Writeback (meminfo_proc_show: NR_FILE_DIRTY, NR_WRITEBACK);
//  - /proc/vmstat nr_dirtied and nr_written (vmstat_show: NR_DIRTIED, counted in
//    folio_account_dirtied; NR_WRITTEN, counted in folio_end_writeback);
//  - the TLB line of /proc/interrupts summed over the CPUs (arch/x86/kernel/irq.c
//    arch_show_interrupts: irq_tlb_count, which flush_tlb_func counts for each
//    shootdown IPI a CPU receives);
//  - the temp dir's journal, /proc/fs/jbd2/<dev>-<inode>/info (jbd2_seq_info_show).
// All of them are the whole host's: anyone's dirtying, writeback, IPIs and commits
// count. Each figure is std::nullopt when its source cannot be read, and `why_not`
// says, in one line per source, why.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/host/proc_texts.h"

namespace kiosim::host {

struct SystemCounters {
  std::optional<std::uint64_t> dirty_bytes, writeback_bytes;  // /proc/meminfo
  std::optional<std::uint64_t> nr_dirtied, nr_written;        // /proc/vmstat (pages)
  std::optional<std::uint64_t> tlb_shootdowns;                // /proc/interrupts, all CPUs
  std::optional<Jbd2Info> jbd2;                               // the temp dir's journal
  std::vector<std::string> why_not;                           // a line per source that gave nothing
};

// The counters from the texts of the four files (std::nullopt: the file could not be
// read; `jbd2_name` names the journal's info file in the why-not lines, "" when the
// temp dir's device has none). Pure: no I/O.
SystemCounters system_counters_of(const std::optional<std::string>& meminfo, const std::optional<std::string>& vmstat,
                                  const std::optional<std::string>& interrupts, const std::optional<std::string>& jbd2,
                                  const std::string& jbd2_name);

// The journal's entry in /proc/fs/jbd2 for a device named `device` ("vda1"), among the
// entries there ("vda1-8", "dm-0-8": the device, a dash, the journal's inode): the
// entry's name, or "" when there is none. Pure.
std::string jbd2_entry_for(const std::string& device, const std::vector<std::string>& entries);

// /proc/fs/jbd2/<entry>/info of the journal of the device a directory is on, or ""
// (no journal: not ext4/ext3, a journal-less ext4, or /proc/fs/jbd2 unreadable).
std::string jbd2_info_path_of(const std::string& dir);

// The live counters (`jbd2_info`: from jbd2_info_path_of, "" for none).
SystemCounters system_counters_now(const std::string& jbd2_info);

}  // namespace kiosim::host
