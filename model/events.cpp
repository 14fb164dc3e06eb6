#include "model/events.h"

namespace kiosim {

std::string_view to_string(EventKind k) {
  switch (k) {
    case EventKind::cache_hit: return "cache_hit";
    case EventKind::cache_miss: return "cache_miss";
    case EventKind::cache_insert: return "cache_insert";
    case EventKind::activate: return "activate";
    case EventKind::deactivate: return "deactivate";
    case EventKind::rotate: return "rotate";
    case EventKind::evict: return "evict";
    case EventKind::writeback_queued: return "writeback_queued";
    case EventKind::page_get: return "page_get";
    case EventKind::page_put: return "page_put";
    case EventKind::syscall_enter: return "syscall_enter";
    case EventKind::syscall_exit: return "syscall_exit";
    case EventKind::cpu_copy: return "cpu_copy";
    case EventKind::dma_copy: return "dma_copy";
    case EventKind::page_ref_move: return "page_ref_move";
    case EventKind::page_fault_minor: return "page_fault_minor";
    case EventKind::page_fault_major: return "page_fault_major";
    case EventKind::cow_fault: return "cow_fault";
    case EventKind::tlb_miss: return "tlb_miss";
    case EventKind::tlb_invalidate: return "tlb_invalidate";
    case EventKind::tlb_flush: return "tlb_flush";
    case EventKind::tlb_shootdown: return "tlb_shootdown";
    case EventKind::map_pages: return "map_pages";
    case EventKind::skb_build: return "skb_build";
    case EventKind::linearize: return "linearize";
    case EventKind::nic_tx: return "nic_tx";
    case EventKind::interrupt: return "interrupt";
    case EventKind::readahead: return "readahead";
    case EventKind::writeback: return "writeback";
    case EventKind::journal_commit: return "journal_commit";
    case EventKind::device_flush: return "device_flush";
    case EventKind::block: return "block";
    case EventKind::wake: return "wake";
    case EventKind::context_switch: return "context_switch";
    case EventKind::count_: break;
  }
  return "unknown";
}

}  // namespace kiosim
