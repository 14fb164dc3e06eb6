#include "sim/export/data_path_graph.h"

#include <fmt/format.h>
#include <map>
#include <tuple>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/subgraph.hpp>

#include "sim/trace/schema.h"

namespace kiosim::exports {

std::string_view to_string(TransferKind k) {
  static constexpr std::string_view names[] = {"CPU copy", "DMA", "page reference", "mapping"};
  return names[std::size_t(k)];
}

std::optional<Transfer> transfer_of(const TraceRun& run, const RunEvent& e) {
  auto with = [&](TransferKind k, std::string from, std::string to) -> std::optional<Transfer> {
    if (from.empty() || to.empty()) return std::nullopt;
    return Transfer{std::move(from), std::move(to), k, e.bytes};
  };
  switch (e.kind) {
    case EventKind::cpu_copy: return with(TransferKind::cpu_copy, e.from, e.to);
    case EventKind::dma_copy:
      if (e.name == schema::note::direct_einval) return std::nullopt;
      return with(TransferKind::dma, e.from, e.to);
    case EventKind::writeback:  // the flusher's lane repeats the disk's batches
      if (run.lanes.at(e.lane).name != schema::note::disk_lane) return std::nullopt;
      return with(TransferKind::dma, e.from.empty() ? "page_cache" : e.from, e.to.empty() ? "disk" : e.to);
    case EventKind::page_ref_move:
      // An ACK releases references, an overwrite lands on a page in flight: no data moves.
      if (e.name == schema::note::ack || e.name == schema::note::inflight_overwrite ||
          e.name == schema::note::zerocopy_overwrite)
        return std::nullopt;
      return with(TransferKind::page_ref, e.from, e.to);
    case EventKind::page_fault_minor:
    case EventKind::page_fault_major: {
      if (e.pages == 0) return std::nullopt;  // nothing newly mapped
      auto t = with(TransferKind::mapping, e.from.empty() ? "page_cache" : e.from, e.to.empty() ? "mapping" : e.to);
      if (t) t->bytes = e.pages * 4096;
      return t;
    }
    default: return std::nullopt;  // linearize and cow_fault come with their own cpu_copy
  }
}

DataPathGraph build_data_path(const TraceRun& run, const std::vector<bool>* critical) {
  DataPathGraph g;
  std::map<std::string, std::size_t> vertex;
  std::map<std::tuple<std::size_t, std::size_t, TransferKind>, DataPathEdge> edge;
  auto place = [&](const std::string& p) {
    auto [it, fresh] = vertex.try_emplace(p, 0);
    if (fresh) it->second = boost::add_vertex(PlaceVertex{p}, g);
    return it->second;
  };
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    auto t = transfer_of(run, run.events[i]);
    if (!t) continue;
    std::size_t u = place(t->from), v = place(t->to);
    auto key = std::make_tuple(u, v, t->kind);
    auto it = edge.find(key);
    if (it == edge.end()) it = edge.emplace(key, boost::add_edge(u, v, TransferEdge{t->kind}, g).first).first;
    TransferEdge& te = g[it->second];
    te.bytes += t->bytes;
    te.count += 1;
    if (critical && i < critical->size() && (*critical)[i]) te.critical = true;
  }
  return g;
}

std::optional<std::size_t> find_place(const DataPathGraph& g, const std::string& place) {
  for (auto v : boost::make_iterator_range(boost::vertices(g)))
    if (g[v].place == place) return v;
  return std::nullopt;
}

std::vector<DataPathEdge> path_between(const DataPathGraph& g, const std::string& from, const std::string& to) {
  auto s = find_place(g, from), t = find_place(g, to);
  if (!s || !t) return {};
  std::vector<std::optional<DataPathEdge>> via(boost::num_vertices(g));
  struct Recorder : boost::default_bfs_visitor {
    std::vector<std::optional<DataPathEdge>>* via;
    void tree_edge(DataPathEdge e, const DataPathGraph& gr) const { (*via)[boost::target(e, gr)] = e; }
  } rec;
  rec.via = &via;
  boost::breadth_first_search(g, *s, boost::visitor(rec));
  std::vector<DataPathEdge> path;
  for (std::size_t v = *t; v != *s;) {
    if (!via[v]) return {};
    path.insert(path.begin(), *via[v]);
    v = boost::source(*via[v], g);
  }
  return path;
}

namespace {

using Attrs = std::map<std::string, std::string>;
using DotGraph = boost::subgraph<boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::property<boost::vertex_attribute_t, Attrs>,
    boost::property<boost::edge_index_t, int, boost::property<boost::edge_attribute_t, Attrs>>,
    boost::property<boost::graph_name_t, std::string,
                    boost::property<boost::graph_graph_attribute_t, Attrs,
                                    boost::property<boost::graph_vertex_attribute_t, Attrs,
                                                    boost::property<boost::graph_edge_attribute_t, Attrs>>>>>>;

std::string place_label(const std::string& p) {
  std::string s = p;
  for (char& c : s)
    if (c == '_') c = ' ';
  if (s == "nic") return "NIC";
  if (!s.empty()) s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string size_label(std::uint64_t b) {
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(b);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  return v == double(std::uint64_t(v)) ? fmt::format("{}{}", std::uint64_t(v), units[u]) : fmt::format("{:.1f}{}", v, units[u]);
}

// Colour-blind-safe (Okabe-Ito) colours and a line style per kind, as the GUI's tokens.
Attrs edge_attrs(const TransferEdge& e) {
  // A DMA is drawn as a double line, a page reference dashed, a mapping dotted.
  static constexpr const char* colour[] = {"#D55E00", "#0072B2", "#009E73", "#CC79A7"};
  static constexpr const char* line[] = {"#D55E00", "#0072B2:invis:#0072B2", "#009E73", "#CC79A7"};
  static constexpr const char* style[] = {"solid", "solid", "dashed", "dotted"};
  std::string label = fmt::format("{} {}", to_string(e.kind), size_label(e.bytes));
  if (e.count > 1) label += fmt::format(" (x{})", e.count);
  Attrs a{{"label", label}, {"color", line[std::size_t(e.kind)]}, {"fontcolor", colour[std::size_t(e.kind)]},
          {"style", style[std::size_t(e.kind)]}, {"kind", std::string(to_string(e.kind))}};
  if (e.critical) {
    a["penwidth"] = "3";
    a["label"] += " *";
    a["critical"] = "true";
  }
  return a;
}

}  // namespace

void write_dot(std::ostream& out, const std::string& title, const std::vector<DotRun>& runs) {
  std::size_t total = 0;
  for (const auto& r : runs) total += boost::num_vertices(r.graph);
  DotGraph root(total);
  boost::get_property(root, boost::graph_name) = "kiosim";
  boost::get_property(root, boost::graph_graph_attribute) = {
      {"label", title + "\\n(* on the critical path)"}, {"labelloc", "t"}, {"rankdir", "LR"}, {"fontname", "Helvetica"}};
  boost::get_property(root, boost::graph_vertex_attribute) = {{"shape", "box"}, {"style", "rounded"}, {"fontname", "Helvetica"}};
  boost::get_property(root, boost::graph_edge_attribute) = {{"fontname", "Helvetica"}, {"fontsize", "10"}};
  std::size_t base = 0, n = 0;
  for (const auto& r : runs) {
    DotGraph& cluster = root.create_subgraph();
    boost::get_property(cluster, boost::graph_name) = fmt::format("cluster_{}", n++);
    boost::get_property(cluster, boost::graph_graph_attribute) = {{"label", r.name}};
    for (auto v : boost::make_iterator_range(boost::vertices(r.graph))) {
      auto local = boost::add_vertex(base + v, cluster);
      boost::get(boost::vertex_attribute, cluster)[local] = {{"label", place_label(r.graph[v].place)},
                                                             {"place", r.graph[v].place},
                                                             {"run", r.name}};
    }
    for (auto e : boost::make_iterator_range(boost::edges(r.graph))) {
      auto [de, ok] = boost::add_edge(base + boost::source(e, r.graph), base + boost::target(e, r.graph), root);
      (void)ok;
      boost::get(boost::edge_attribute, root)[de] = edge_attrs(r.graph[e]);
    }
    base += boost::num_vertices(r.graph);
  }
  // The edges belong to the root; they are written after the clusters, with their nodes inside.
  boost::write_graphviz(out, root);
}

}  // namespace kiosim::exports
