// The data-path graph of a run (Boost.Graph): vertices are the places data lives
// (disk, page cache, user buffer, mapping, pipe, socket buffer, NIC, wire), edges
// the transfers between them, one per place pair and kind, with their bytes and
// count. `kiosim export --format dot` draws it; the edge labels are the copy table.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/export/trace_runs.h"

namespace kiosim::exports {

enum class TransferKind : std::uint8_t { cpu_copy, dma, page_ref, mapping };
std::string_view to_string(TransferKind k);  // "CPU copy", "DMA", "page reference", "mapping"

// What one event moves, if it moves data: from, to and how.
struct Transfer {
  std::string from, to;
  TransferKind kind;
  std::uint64_t bytes;
};
std::optional<Transfer> transfer_of(const TraceRun& run, const RunEvent& e);

struct PlaceVertex {
  std::string place;  // docs/TRACE.md's name: page_cache
};

struct TransferEdge {
  TransferKind kind = TransferKind::cpu_copy;
  std::uint64_t bytes = 0, count = 0;
  bool critical = false;  // one of its events is on the run's critical path
};

using DataPathGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, PlaceVertex, TransferEdge>;
using DataPathEdge = boost::graph_traits<DataPathGraph>::edge_descriptor;

// `critical`, if given, holds one flag per event of `run` (critical_path.h).
DataPathGraph build_data_path(const TraceRun& run, const std::vector<bool>* critical = nullptr);

std::optional<std::size_t> find_place(const DataPathGraph& g, const std::string& place);
// The transfers on a shortest chain of edges from one place to another (breadth-first
// search); empty when `to` cannot be reached.
std::vector<DataPathEdge> path_between(const DataPathGraph& g, const std::string& from, const std::string& to);

// Graphviz: one cluster per run, edges labelled "CPU copy 64KiB" (x count when more
// than one), coloured by kind; the critical path's edges drawn bold.
struct DotRun {
  std::string name;
  DataPathGraph graph;
};
void write_dot(std::ostream& out, const std::string& title, const std::vector<DotRun>& runs);

}  // namespace kiosim::exports
