// check's cells of many connections and of io_uring's ring, each beside the simulated
// process's counter: epoll_wakeups (the sleeps in epoll_wait that a wake-up ended, by
// the thread's voluntary switches: sim/host/rx_ops.cpp), recv_eagain, rcv_unread_bytes (what the clients
// sent, or were to send, that the program and its forked children did not read),
// stalled_connections (its connections left with bytes unread; not for a process that
// forks: its children read the connections it accepted); and for a ring, uring_enters
// (io_uring_enter calls), uring_cqes, uring_failed, sqpoll_wakeups and
// memlock_refusals (sim/host/uring_ops.cpp). A forked child's beside the simulated
// child of its name. Only the figures the program's ops make.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/check_cells.h"
#include "sim/host/runner.h"
#include "sim/program/program.h"

namespace kiosim::host {

std::vector<Cell> async_cells(const Program& prog, const nlohmann::ordered_json& counters,
                              const std::vector<Sample>& samples);
// A forked child's (its name's simulated processes summed, like fork_cells.h).
std::vector<Cell> async_child_cells(const Program& prog, const nlohmann::ordered_json& run,
                                    const std::vector<Sample>& samples, const std::string& child);
// One line of them for check's table ("" when there are none).
std::string async_cells_line(const std::string& process, const std::vector<Cell>& cells);

}  // namespace kiosim::host
